#!/usr/bin/env bash
# make faults: the fault-injection ledger test on its own stack.
#   tests/faults/run.sh [BUILD] [REFERRALS] [FAULTS] [--defects]
# Defaults: 20000 referrals and 1000 faults (make test runs 1000 and 30, then
# checks that the ledger reports known defects: --defects).
# KW_FAULTS_SEED fixes the random choices; KW_FAULTS_VAR is the stack's directory.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source tests/test-stack.sh
OFF=${KW_TEST_PORT_OFFSET:-0}
export KW_TEST_PG_PORT=${KW_TEST_PG_PORT:-$((55449 + OFF))}
export KW_TEST_HTTP_ADDR=${KW_TEST_HTTP_ADDR:-127.0.0.1:$((18099 + OFF))}
export KW_TEST_SMTP_PORT=${KW_TEST_SMTP_PORT:-$((2549 + OFF))}
test_stack_start "${KW_FAULTS_VAR:-$ROOT/$B/faults-var}" || exit 1
/usr/bin/python3 tests/faults/ledger.py "${2:-${KW_FAULTS_REFERRALS:-20000}}" "${3:-${KW_FAULTS_COUNT:-1000}}" "${@:4}"
rc=$?
test_stack_stop
exit $rc
