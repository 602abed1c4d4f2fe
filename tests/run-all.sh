#!/usr/bin/env bash
# make test: unit tests, then the integration and end-to-end tests against
# a real stack (PostgreSQL, SMTP sink, bus, services, gateway) started here
# with its own directory, ports and endpoints, then stopped.
# Prints TAP and a final "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source tests/tap-tally.sh

for t in "$B"/tests/test_*; do
    [ -x "$t" ] && tally_run "unit/$(basename "$t")" "$t"
done

VAR="$ROOT/$B/test-var"
# A cluster left running by an interrupted run would hold the port.
if [ -f "$VAR/pg/data/postmaster.pid" ]; then
    PGCTL=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pg_ctl
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$PGCTL" -D "$VAR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    else
        "$PGCTL" -D "$VAR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
fi
rm -rf "$VAR"
mkdir -p "$VAR/run"
export KW_VAR_DIR=$VAR
export KW_JWT_SECRET_FILE="$VAR/jwt_secret"
export KW_BIN_DIR="$ROOT/$B/bin"
export KW_PG_PORT=${KW_TEST_PG_PORT:-55439}
export KW_HTTP_ADDR=${KW_TEST_HTTP_ADDR:-127.0.0.1:18089}
export KW_SMTP_PORT=${KW_TEST_SMTP_PORT:-2539}
unset KW_SMTP_URL KW_JWT_SECRET KW_DB_URL
export KW_BUS_PUB="ipc://$VAR/run/bus-pub"
export KW_BUS_SUB="ipc://$VAR/run/bus-sub"
for s in referral eligibility assignment scheduling notification; do
    export "KW_${s^^}_RPC=ipc://$VAR/run/$s-rpc"
done
export KW_RELAY_INTERVAL_MS=500 KW_CATCHUP_INTERVAL_MS=500

deploy/local/stack.sh run > "$VAR/stack.out" 2>&1 &
STACK=$!
stop_stack() {
    kill -TERM "$STACK" 2>/dev/null
    wait "$STACK" 2>/dev/null
}
trap stop_stack EXIT

deadline=$((SECONDS + 120))
until [ -e "$VAR/run/ready" ] || [ $SECONDS -ge $deadline ] || ! kill -0 "$STACK" 2>/dev/null; do
    sleep 0.3
done
if [ ! -e "$VAR/run/ready" ]; then
    echo "not ok - the test stack did not become ready"
    cat "$VAR/stack.out"
    tail -n 20 "$VAR"/log/*.log
    FAILED=$((FAILED + 1))
    tally_summary
    exit 1
fi

export KW_TEST_DB_URL="host=$VAR/pg/run port=$KW_PG_PORT dbname=kw user=postgres"
for t in "$B"/itests/test_*; do
    [ -x "$t" ] && tally_run "integration/$(basename "$t")" "$t"
done
for t in tests/integration/test_*.py; do
    tally_run "integration/$(basename "$t" .py)" /usr/bin/python3 "$t"
done
stop_stack
trap - EXIT
tally_summary
