# Key worker service platform: one non-recursive build (read a second time,
# after the installer, for the goals named below).
# Outputs go under $(B): build/bin (binaries), build/gen (protobuf-c code),
# build/obj (objects), build/lib (libcommon.a), build/tests (unit tests).
#   make            build everything
#   make SAN=1      build with AddressSanitizer + UndefinedBehaviorSanitizer (into build-san/)
#   make run        local stack in the foreground (PostgreSQL, SMTP sink, bus, services, gateway)
#   make test       unit, integration and end-to-end tests against the real stack
#   make unit       unit tests only
#   make mutation   break the key rules one at a time; every break must fail a test
#   make clock-check  the suites that count days, with the clock shifted to awkward moments
#   make fresh-check  the README's quick start on a new Debian 12 root (root only)
#
# make run, test, unit, bench and faults work as the first command on a new
# Debian 12 machine. Asked for one of them, this file is read twice: the first
# make reads only the block below, which runs deploy/install-deps.sh (as root
# it installs what is missing; otherwise it prints the apt-get command and make
# stops) and then starts a second make with the same goals and
# KW_PACKAGES=installed. Only that second make reads the rest of this file, so
# the pkg-config flags it takes while reading are those of the installed
# packages. The second make builds with one job per core unless -j was given;
# it replaces the shell of the recipe, so a SIGTERM to the first make reaches
# it (make passes SIGTERM on to what it runs) and through it `make run`'s stack.
# Every other goal (all, clean, fuzz, ...) reads the whole file at once and
# stops with a hint to run `make deps` when a package is missing.
INSTALL_FIRST := run test unit bench faults
FIRST_READING :=
ifneq ($(filter $(INSTALL_FIRST),$(MAKECMDGOALS)),)
ifneq ($(KW_PACKAGES),installed)
FIRST_READING := yes
endif
endif
ifeq ($(FIRST_READING),yes)
.PHONY: $(MAKECMDGOALS) install-then-make
$(MAKECMDGOALS): install-then-make
	@:
install-then-make:
	@deploy/install-deps.sh
	+@case ' $(MAKEFLAGS) ' in *' -j'*) jobs= ;; *) jobs=-j$$(nproc) ;; esac; \
	 exec $(MAKE) --no-print-directory KW_PACKAGES=installed $$jobs $(MAKECMDGOALS)
else

SAN ?=
ifeq ($(SAN),1)
B ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B ?= build
SANFLAGS :=
endif

CC ?= cc
PKGS := libuv libzmq libpq libprotobuf-c jansson libcurl libsodium libh2o libical
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT ?= -O2 -g
CFLAGS_ALL := -std=gnu11 $(OPT) -Wall -Wextra -Werror -Wno-unused-parameter \
              -D_GNU_SOURCE $(SANFLAGS) $(PKG_CFLAGS) -Ilibcommon/include -I$(B)/gen $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) -Wl,--as-needed $(LDFLAGS)
LDLIBS_ALL := $(PKG_LIBS) -lm $(LDLIBS)

.DEFAULT_GOAL := all
.PHONY: all run test unit clean deps bench faults fuzz mutation fresh-check clock-check FORCE
.SUFFIXES:
.SECONDARY:

# ---- flags stamp: objects rebuild when the compiler or flags change
$(B)/CFLAGS.stamp: FORCE
	@pkg-config --exists $(PKGS) 2>/dev/null && command -v protoc-c >/dev/null || \
	    { echo 'make: missing packages: run make deps (deploy/install-deps.sh) first' >&2; exit 1; }
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL)' | cmp -s - $@ || echo '$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL)' > $@

# ---- protobuf-c code, generated at build time, never committed
PROTOS := $(wildcard proto/kw/*.proto)
GEN_C := $(patsubst proto/%.proto,$(B)/gen/%.pb-c.c,$(PROTOS))
GEN_H := $(GEN_C:.c=.h)
GEN_O := $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_C))

$(B)/gen/%.pb-c.c $(B)/gen/%.pb-c.h: proto/%.proto | $(B)/CFLAGS.stamp
	@mkdir -p $(B)/gen
	protoc-c -Iproto --c_out=$(B)/gen $<

$(B)/obj/gen/%.o: $(B)/gen/%.c $(GEN_H) $(B)/CFLAGS.stamp | $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Wno-error -MMD -MP -c $< -o $@

# ---- every other object; generated headers are order-only prerequisites so the
# first build has them, -MMD tracks them afterwards
$(B)/obj/%.o: %.c $(B)/CFLAGS.stamp | $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests/unit -MMD -MP -c $< -o $@

# ---- libcommon
COMMON_SRC := $(wildcard libcommon/src/*.c)
COMMON_O := $(patsubst %.c,$(B)/obj/%.o,$(COMMON_SRC))
LIBCOMMON := $(B)/lib/libcommon.a

$(LIBCOMMON): $(COMMON_O) $(GEN_O)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# ---- binaries: each directory under services/ and tools/ is one program
SERVICES := bus gateway referral eligibility assignment scheduling notification
TOOLS := kwctl
PROGRAMS := $(SERVICES) $(TOOLS)
BINS := $(addprefix $(B)/bin/,$(PROGRAMS))

define program_rule
SRC_$(1) := $$(wildcard $(2)/$(1)/*.c)
OBJ_$(1) := $$(patsubst %.c,$(B)/obj/%.o,$$(SRC_$(1)))
ifneq ($$(wildcard $(2)/$(1)/sql/*.sql),)
SQL_$(1) := $$(sort $$(wildcard $(2)/$(1)/sql/*.sql))
$(B)/gen/sql/$(1)_migrations.c: $$(SQL_$(1)) tools/embed-sql.sh
	@mkdir -p $$(@D)
	tools/embed-sql.sh $$@ $$(SQL_$(1))
OBJ_$(1) += $(B)/obj/gen/sql/$(1)_migrations.o
endif
$(B)/bin/$(1): $$(OBJ_$(1)) $$(OBJ_$(1)_extra) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(CC) $(LDFLAGS_ALL) $$(OBJ_$(1)) $$(OBJ_$(1)_extra) $(LIBCOMMON) $(LDLIBS_ALL) -o $$@
endef
# kwctl's template check loads the notification table as the service does.
KWCTL_NOTIFICATION_O := $(addprefix $(B)/obj/services/notification/,config.o template.o audience.o message.o \
                                                                     events.o action_links.o webhook_client.o rule.o \
                                                                     notify_settings.o notify_client.o)
OBJ_kwctl_extra := $(KWCTL_NOTIFICATION_O)
$(foreach p,$(SERVICES),$(eval $(call program_rule,$(p),services)))
$(foreach p,$(TOOLS),$(eval $(call program_rule,$(p),tools)))

# ---- unit tests: tests/unit/test_<module>.c, each its own program
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
# A test of a service module names the module objects it links in
# TEST_LINK_<test> (paths under $(B)/obj, e.g. services/eligibility/rules.o).
TEST_LINK_test_eligibility_rules := services/eligibility/rules.o services/eligibility/region.o
TEST_LINK_test_eligibility_region := services/eligibility/region.o
TEST_LINK_test_notification_message := services/notification/message.o
TEST_LINK_test_notification_rule := services/notification/rule.o services/notification/audience.o
TEST_LINK_test_notify_client := services/notification/notify_client.o tests/unit/pyserver.o
TEST_LINK_test_notify_receipt := services/notification/notify_receipt.o
TEST_LINK_test_action_links := services/notification/action_links.o
TEST_LINK_test_notify_settings := services/notification/notify_settings.o services/notification/notify_client.o \
                                  services/notification/webhook_client.o
TEST_LINK_test_webhook_client := services/notification/webhook_client.o tests/unit/pyserver.o
TEST_LINK_test_notification_template := services/notification/template.o services/notification/message.o \
                                        services/notification/audience.o services/notification/config.o \
                                        services/notification/events.o services/notification/action_links.o \
                                        services/notification/webhook_client.o services/notification/rule.o \
                                        services/notification/notify_settings.o services/notification/notify_client.o \
                                        services/notification/render.o
TEST_LINK_test_gateway_routes := services/gateway/routes.o services/gateway/request.o \
                                 services/gateway/openapi.o services/gateway/regions.o
TEST_LINK_test_gateway_tokens := services/gateway/tokens.o services/gateway/request.o \
                                 services/gateway/routes.o services/gateway/openapi.o
TEST_LINK_test_referral_validate := services/referral/validate.o
TEST_LINK_test_dsr_parse := services/referral/dsr_parse.o services/referral/tabular.o \
                            services/referral/validate.o
TEST_LINK_test_assignment_rank := services/assignment/rank.o
TEST_LINK_test_assignment_settings := services/assignment/settings.o services/assignment/rank.o
TEST_LINK_test_assignment_professional_check := services/assignment/professional_check.o
TEST_LINK_test_scheduling_slots := services/scheduling/slots.o services/scheduling/zone.o
TEST_LINK_test_scheduling_settings := services/scheduling/settings.o services/scheduling/slots.o \
                                      services/scheduling/zone.o

.SECONDEXPANSION:
$(B)/tests/%: $(B)/obj/tests/unit/%.o $(B)/obj/tests/unit/tap.o $$(addprefix $(B)/obj/,$$(TEST_LINK_$$*)) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $< $(B)/obj/tests/unit/tap.o $(addprefix $(B)/obj/,$(TEST_LINK_$*)) $(LIBCOMMON) $(LDLIBS_ALL) -o $@

# ---- libcommon tests that need a PostgreSQL server: tests/integration/test_*.c,
# run by tests/run-all.sh against the test stack's cluster
ITEST_SRC := $(wildcard tests/integration/test_*.c)
ITEST_BINS := $(patsubst tests/integration/%.c,$(B)/itests/%,$(ITEST_SRC))
$(B)/itests/%: $(B)/obj/tests/integration/%.o $(B)/obj/tests/unit/tap.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $< $(B)/obj/tests/unit/tap.o $(LIBCOMMON) $(LDLIBS_ALL) -o $@

all: $(BINS) $(UNIT_BINS) $(ITEST_BINS)

deps:
	@deploy/install-deps.sh

# The README's quick start on a new Debian 12 root (debootstrap), as root.
fresh-check:
	@tests/fresh-check.sh

unit: all
	@tests/run-unit.sh $(B)

test: all
	@tests/run-all.sh $(B)

run: all
	@deploy/local/stack.sh run

bench: all
	@tests/load/bench.sh $(B)

faults: all
	@tests/faults/run.sh $(B)

# The suites that count days under a shifted clock (tests/clock-check.sh);
# CLOCK_MOMENTS picks the moments (default: every one).
clock-check: all
	@tests/clock-check.sh $(B) $(CLOCK_MOMENTS)

# Mutations of the key rules (tests/mutation/mutations.tsv), each of which
# a test must catch; built and run in a copy under build-mutation/.
mutation: deps
	@tests/mutation/run.sh

# Fuzz targets (clang, libFuzzer) and the load generator have their own rules.
# make faults: KW_FAULTS_REFERRALS (20000) referrals, KW_FAULTS_COUNT (1000) faults.
include tests/fuzz/fuzz.mk
include tests/load/load.mk
include deploy/docker/docker.mk

clean:
	rm -rf build build-san build-clang build-fuzz build-mutation

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

endif
