#!/usr/bin/env bash
# Run every unit test binary in BUILD/tests (default build) and print TAP,
# then "N passed, N failed, N skipped". Exits non-zero on any failure.
# With VALGRIND=1 each test runs under valgrind's memcheck.
set -uo pipefail
B=${1:-build}
source "$(dirname "$0")/tap-tally.sh"
cd "$(dirname "$0")/.."
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    if [ "${VALGRIND:-0}" = 1 ]; then
        tally_run "unit/$(basename "$t")" valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect "$t"
    else
        tally_run "unit/$(basename "$t")" "$t"
    fi
done
tally_summary
