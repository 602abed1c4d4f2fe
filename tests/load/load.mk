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
