# The load generator (tests/load/*.c): one program, built into
# $(B)/tests-load/loadgen from objects made by the main pattern rule.
LOADGEN_SRC := $(wildcard tests/load/*.c)
LOADGEN_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(LOADGEN_SRC))
LOADGEN := $(B)/tests-load/loadgen

$(LOADGEN): $(LOADGEN_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $(LOADGEN_OBJ) $(LIBCOMMON) $(LDLIBS_ALL) -o $@

.PHONY: loadgen
loadgen: $(LOADGEN)

bench: $(LOADGEN)

# The eligibility rules benchmark (tests/load/eligibility/): rules_decide
# over generated referrals, linked with the rule modules like their unit test.
BENCH_ELIGIBILITY_OBJ := $(B)/obj/tests/load/eligibility/bench_eligibility.o \
                         $(B)/obj/services/eligibility/rules.o $(B)/obj/services/eligibility/region.o
BENCH_ELIGIBILITY := $(B)/tests-load/bench_eligibility

$(BENCH_ELIGIBILITY): $(BENCH_ELIGIBILITY_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $(BENCH_ELIGIBILITY_OBJ) $(LIBCOMMON) $(LDLIBS_ALL) -o $@

bench: $(BENCH_ELIGIBILITY)

# The matching benchmark (tests/load/assignment/): candidates_rank against
# the stack's database, linked with the assignment modules it uses.
BENCH_MATCHING_OBJ := $(B)/obj/tests/load/assignment/bench_matching.o \
                      $(B)/obj/services/assignment/candidates.o $(B)/obj/services/assignment/rank.o \
                      $(B)/obj/services/assignment/rows.o
BENCH_MATCHING := $(B)/tests-load/bench_matching

$(BENCH_MATCHING): $(BENCH_MATCHING_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $(BENCH_MATCHING_OBJ) $(LIBCOMMON) $(LDLIBS_ALL) -o $@

bench: $(BENCH_MATCHING)

# The slot search benchmark (tests/load/scheduling/): slots_search against
# the plain scan, linked with the scheduling modules like their unit test.
BENCH_SLOTS_OBJ := $(B)/obj/tests/load/scheduling/bench_slots.o \
                   $(B)/obj/services/scheduling/slots.o $(B)/obj/services/scheduling/zone.o
BENCH_SLOTS := $(B)/tests-load/bench_slots

$(BENCH_SLOTS): $(BENCH_SLOTS_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $(BENCH_SLOTS_OBJ) $(LIBCOMMON) $(LDLIBS_ALL) -o $@

bench: $(BENCH_SLOTS)
