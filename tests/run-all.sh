#!/usr/bin/env bash
# make test: unit tests, then the integration and end-to-end tests against
# a real stack (PostgreSQL, SMTP sink, bus, services, gateway) started here
# with its own directory, ports and endpoints, then stopped; before the
# stack, every fuzz target replays its corpus and regression inputs.
# Prints TAP and a final "N passed, N failed, N skipped"; exits non-zero on failure.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source tests/tap-tally.sh
source tests/test-stack.sh

for t in "$B"/tests/test_*; do
    [ -x "$t" ] && tally_run "unit/$(basename "$t")" "$t"
done
# Every fuzz target over its corpus and its regression inputs (no fuzzing).
for t in "$B"/fuzz-replay/fuzz_*; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    inputs=("tests/fuzz/corpus/$n")
    [ -d "tests/fuzz/regressions/$n" ] && inputs+=("tests/fuzz/regressions/$n")
    tally_run "fuzz/$n" "$t" "${inputs[@]}"
done

if ! test_stack_start "$ROOT/$B/test-var"; then
    FAILED=$((FAILED + 1))
    tally_summary
    exit 1
fi
for t in "$B"/itests/test_*; do
    [ -x "$t" ] && tally_run "integration/$(basename "$t")" "$t"
done
for t in tests/integration/test_*.py; do
    tally_run "integration/$(basename "$t" .py)" /usr/bin/python3 "$t"
done
test_stack_stop
tally_run "integration/clean-exit" tests/check-clean-exit.sh "$ROOT/$B/test-var/"
# The short fault-injection run, on a stack of its own (make faults: the long one),
# then the check that its audit reports known defects.
OFF=${KW_TEST_PORT_OFFSET:-0}
tally_run "faults/ledger" env KW_TEST_PG_PORT=$((55459 + OFF)) KW_TEST_HTTP_ADDR=127.0.0.1:$((18109 + OFF)) \
    KW_TEST_SMTP_PORT=$((2559 + OFF)) KW_FAULTS_VAR="$ROOT/$B/faults-short-var" tests/faults/run.sh "$B" 1000 30 --defects
tally_summary
