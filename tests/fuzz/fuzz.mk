# libFuzzer targets: tests/fuzz/fuzz_*.c, built with clang into build-fuzz/.
#   make fuzz FUZZ_SECONDS=N    run every target for N seconds (default 60)
FUZZ_SECONDS ?= 60
fuzz:
	@echo "fuzz: no targets yet"
