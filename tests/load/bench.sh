#!/usr/bin/env bash
# make bench: start the real stack, let it idle, print each program's
# resident memory, then time referrals from POST to a pending offer and to
# the sent e-mail. Prints figures; asserts nothing (see tests/ for that).
#   BENCH_REFERRALS (default 50) referrals are posted one after another.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source tests/test-stack.sh

test_stack_start "$ROOT/$B/bench-var" || exit 1
sleep 3
echo "# idle resident memory (VmRSS) after start-up"
for name in bus gateway referral eligibility assignment scheduling notification; do
    pid=$(cat "$KW_VAR_DIR/run/$name.pid")
    printf '%-14s %6s kB\n' "$name" "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
done
/usr/bin/python3 tests/load/latency.py "${BENCH_REFERRALS:-50}"
test_stack_stop
