# libFuzzer targets: tests/fuzz/fuzz_*.c, built with clang into build-fuzz/.
#   make fuzz FUZZ_SECONDS=N    run every target for N seconds (default 60);
#                               fails when a target finds a crash
#   make fuzz-regress           run every target over its seed corpus and its
#                               regression inputs only (no fuzzing)
#   make fuzz-build             build the targets only
# Without libFuzzer, every target is also built with the project's compiler
# and flags into $(B)/fuzz-replay/ (part of make all), linked with
# tests/fuzz/replay.c; make test replays each one's corpus and regressions.
# Seeds: tests/fuzz/corpus/<target>/ (read-only); inputs that crashed once:
# tests/fuzz/regressions/<target>/; an optional libFuzzer dictionary:
# tests/fuzz/<target>.dict. New inputs found while fuzzing go to
# build-fuzz/fuzz/corpus/<target>/, never into the repository.
# Everything is compiled here with its own generated code and objects under
# build-fuzz/fuzz/, independent of $(B).

FUZZ_SECONDS ?= 60
FUZZ_CC := clang
FUZZ_OUT := build-fuzz/fuzz
FUZZ_GEN := $(FUZZ_OUT)/gen
FUZZ_OBJ := $(FUZZ_OUT)/obj
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
               $(FUZZ_SAN) $(PKG_CFLAGS) -Ilibcommon/include -I$(FUZZ_GEN)
FUZZ_LIB_CFLAGS := $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link
FUZZ_TGT_CFLAGS := $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_LIBS := $(PKG_LIBS) -lm

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))

FUZZ_GEN_C := $(patsubst proto/%.proto,$(FUZZ_GEN)/%.pb-c.c,$(PROTOS))
FUZZ_GEN_H := $(FUZZ_GEN_C:.c=.h)
FUZZ_COMMON_O := $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(COMMON_SRC)) \
                 $(patsubst $(FUZZ_GEN)/%.c,$(FUZZ_OBJ)/gen/%.o,$(FUZZ_GEN_C))
FUZZ_LIBCOMMON := $(FUZZ_OUT)/libcommon-fuzz.a

# Service modules a target links in (their objects), and their include dirs.
FUZZ_LINK_fuzz_region := $(FUZZ_OBJ)/services/eligibility/region.o $(FUZZ_OBJ)/services/eligibility/rules.o \
                         $(FUZZ_OBJ)/services/assignment/settings.o $(FUZZ_OBJ)/services/assignment/rank.o
# fuzz_gateway_routes: every module of the gateway but main.c (dispatch.c
# with what it calls). fuzz_envelope: every module of the eligibility and
# referral services (all but main.c), the assignment service's event_rows.c and what it uses, the
# scheduling service's case_rows.c, and the notification service's recipients and rendering.
FUZZ_SERVICE_OBJ = $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(filter-out %/main.c,$(wildcard services/$(1)/*.c)))
FUZZ_LINK_fuzz_gateway_routes := $(call FUZZ_SERVICE_OBJ,gateway)
FUZZ_LINK_fuzz_envelope := $(sort $(FUZZ_LINK_fuzz_region) $(call FUZZ_SERVICE_OBJ,eligibility) \
                           $(call FUZZ_SERVICE_OBJ,referral) \
                           $(FUZZ_OBJ)/services/assignment/event_rows.o $(FUZZ_OBJ)/services/assignment/rows.o \
                           $(FUZZ_OBJ)/services/scheduling/case_rows.o \
                           $(FUZZ_OBJ)/services/notification/audience.o \
                           $(FUZZ_OBJ)/services/notification/template.o \
                           $(FUZZ_OBJ)/services/notification/message.o \
                           $(FUZZ_OBJ)/services/notification/rule.o \
                           $(FUZZ_OBJ)/services/notification/render.o \
                           $(FUZZ_OBJ)/services/notification/config.o \
                           $(FUZZ_OBJ)/services/notification/events.o \
                           $(FUZZ_OBJ)/services/notification/action_links.o \
                           $(FUZZ_OBJ)/services/notification/webhook_client.o \
                           $(FUZZ_OBJ)/services/notification/notify_settings.o \
                           $(FUZZ_OBJ)/services/notification/notify_client.o)
FUZZ_LINK_fuzz_template := $(FUZZ_OBJ)/services/notification/template.o $(FUZZ_OBJ)/services/notification/message.o
FUZZ_LINK_fuzz_dsr := $(FUZZ_OBJ)/services/referral/dsr_parse.o $(FUZZ_OBJ)/services/referral/tabular.o \
                      $(FUZZ_OBJ)/services/referral/validate.o
FUZZ_LINK_fuzz_notify_receipt := $(FUZZ_OBJ)/services/notification/notify_receipt.o
FUZZ_LINK_fuzz_scheduling_time := $(FUZZ_OBJ)/services/scheduling/slots.o $(FUZZ_OBJ)/services/scheduling/zone.o \
                                  $(FUZZ_OBJ)/services/scheduling/settings.o $(FUZZ_OBJ)/services/scheduling/ics.o
FUZZ_INC := -Iservices/gateway -Iservices/eligibility -Iservices/referral -Iservices/assignment \
            -Iservices/notification -Iservices/scheduling

# Replay builds: the same targets and service objects, from $(B).
REPLAY_BINS := $(addprefix $(B)/fuzz-replay/,$(FUZZ_TARGETS))
REPLAY_LINK = $(patsubst $(FUZZ_OBJ)/%,$(B)/obj/%,$(FUZZ_LINK_$(1)))

$(B)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(B)/CFLAGS.stamp | $(GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(FUZZ_INC) -MMD -MP -c $< -o $@

all: $(REPLAY_BINS)

$(B)/fuzz-replay/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/replay.o $$(call REPLAY_LINK,fuzz_$$*) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(LDLIBS_ALL) -o $@

.PHONY: fuzz-build fuzz-regress

# Objects rebuild when the compiler or the flags change.
$(FUZZ_OUT)/CFLAGS.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(FUZZ_LIB_CFLAGS) $(FUZZ_TGT_CFLAGS) $(FUZZ_LDFLAGS)' | cmp -s - $@ \
	    || echo '$(FUZZ_CC) $(FUZZ_LIB_CFLAGS) $(FUZZ_TGT_CFLAGS) $(FUZZ_LDFLAGS)' > $@

$(FUZZ_GEN)/%.pb-c.c $(FUZZ_GEN)/%.pb-c.h: proto/%.proto
	@mkdir -p $(FUZZ_GEN)
	protoc-c -Iproto --c_out=$(FUZZ_GEN) $<

$(FUZZ_OBJ)/gen/%.o: $(FUZZ_GEN)/%.c $(FUZZ_OUT)/CFLAGS.stamp | $(FUZZ_GEN_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_LIB_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_OBJ)/%.o: %.c $(FUZZ_OUT)/CFLAGS.stamp | $(FUZZ_GEN_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_LIB_CFLAGS) $(FUZZ_INC) -MMD -MP -c $< -o $@

$(FUZZ_LIBCOMMON): $(FUZZ_COMMON_O)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_LINK_fuzz_$$*) $(FUZZ_LIBCOMMON) $(FUZZ_OUT)/CFLAGS.stamp | $(FUZZ_GEN_H)
	@mkdir -p $(@D) $(FUZZ_OBJ)/tests/fuzz
	$(FUZZ_CC) $(FUZZ_TGT_CFLAGS) $(FUZZ_INC) $(FUZZ_LDFLAGS) -MMD -MP -MF $(FUZZ_OBJ)/tests/fuzz/$(@F).d $< \
	    $(FUZZ_LINK_fuzz_$*) $(FUZZ_LIBCOMMON) $(FUZZ_LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

# Each target: a scratch corpus first (new inputs land there), then the seeds
# and the regression inputs. Crash files go to build-fuzz/fuzz/artifacts/.
fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/artifacts/$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	    dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	    $(FUZZ_OUT)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
	        -artifact_prefix=$(FUZZ_OUT)/artifacts/$$t/ \
	        $(FUZZ_OUT)/corpus/$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t \
	        > $(FUZZ_OUT)/$$t.log 2>&1 \
	    || { tail -n 60 $(FUZZ_OUT)/$$t.log; echo "fuzz: $$t FAILED (log $(FUZZ_OUT)/$$t.log)"; exit 1; }; \
	    grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_OUT)/$$t.log || true; \
	done

fuzz-regress: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    files=$$(find tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t -type f 2>/dev/null | sort); \
	    if [ -z "$$files" ]; then echo "fuzz-regress: $$t has no inputs"; continue; fi; \
	    $(FUZZ_OUT)/$$t $$files > $(FUZZ_OUT)/$$t.regress.log 2>&1 \
	    || { tail -n 60 $(FUZZ_OUT)/$$t.regress.log; echo "fuzz-regress: $$t FAILED"; exit 1; }; \
	    echo "fuzz-regress: $$t ok ($$(echo "$$files" | wc -l) inputs)"; \
	done

-include $(shell find $(FUZZ_OBJ) -name '*.d' 2>/dev/null)
