# Sourced by tests/run-all.sh and tests/load/bench.sh: start the real stack
# (deploy/local/stack.sh) in its own directory with its own ports and ipc://
# endpoints, wait until it is healthy, and stop it again.
#   test_stack_start DIR   exports the stack's settings; 0 when ready
# Ports: KW_TEST_PG_PORT, KW_TEST_HTTP_ADDR, KW_TEST_SMTP_PORT,
# KW_TEST_METRICS_BASE (seven ports from there), or the
# defaults moved by KW_TEST_PORT_OFFSET (for several checkouts on one machine).
# Text messages go to the local GOV.UK Notify protocol server
# (tests/tools/notify_server.py, on a port of its choosing): KW_NOTIFY_URL,
# its API key in KW_NOTIFY_API_KEY_FILE, KW_NOTIFY_SMS_TEMPLATE.
#   test_stack_stop
test_stack_start() {
    local var=$1
    # A cluster left running by an interrupted run would hold the port.
    if [ -f "$var/pg/data/postmaster.pid" ]; then
        local pgctl
        pgctl=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pg_ctl
        if [ "$(id -u)" -eq 0 ]; then
            runuser -u postgres -- "$pgctl" -D "$var/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
        else
            "$pgctl" -D "$var/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    fi
    rm -rf "$var"
    mkdir -p "$var/run"
    export KW_VAR_DIR=$var
    export KW_JWT_SECRET_FILE="$var/jwt_secret"
    export KW_BIN_DIR="$ROOT/$B/bin"
    local off=${KW_TEST_PORT_OFFSET:-0}
    export KW_PG_PORT=${KW_TEST_PG_PORT:-$((55439 + off))}
    export KW_HTTP_ADDR=${KW_TEST_HTTP_ADDR:-127.0.0.1:$((18089 + off))}
    export KW_SMTP_PORT=${KW_TEST_SMTP_PORT:-$((2539 + off))}
    unset KW_SMTP_URL KW_JWT_SECRET KW_DB_URL KW_CURVE KW_CURVE_SECRET_FILE
    # The stack runs with CURVE: each program's key pair is made here.
    export KW_CURVE_PUBLIC_DIR="$var/curve"
    export KW_BUS_PUB="ipc://$var/run/bus-pub"
    export KW_BUS_SUB="ipc://$var/run/bus-sub"
    local s
    for s in referral eligibility assignment scheduling notification; do
        export "KW_${s^^}_RPC=ipc://$var/run/$s-rpc"
    done
    export KW_RELAY_INTERVAL_MS=500 KW_CATCHUP_INTERVAL_MS=500
    # GET /metrics of the bus, the five services and the gateway on seven ports from here.
    export KW_METRICS_BASE=${KW_TEST_METRICS_BASE:-$((19550 + off))}
    unset KW_BUS_METRICS KW_REFERRAL_METRICS KW_ELIGIBILITY_METRICS KW_ASSIGNMENT_METRICS \
          KW_SCHEDULING_METRICS KW_NOTIFICATION_METRICS KW_GATEWAY_METRICS
    # No demo professionals: tests and benchmarks register their own over the API.
    export KW_DEMO=0
    # The region files in the stack's own directory, so a test may change them.
    mkdir -p "$var/regions"
    cp deploy/regions/*.json deploy/regions/*.holidays "$var/regions/"
    export KW_REGION_DIR="$var/regions"

    # The signed links' key (made by the stack) and base, also for the
    # programs a test starts itself.
    export KW_LINK_KEY_FILE="$var/link_key" KW_PUBLIC_URL="http://$KW_HTTP_ADDR"
    # GOV.UK Notify for text messages: the local server speaking its protocol.
    export KW_NOTIFY_API_KEY_FILE="$var/notify_api_key"
    python3 -c 'import uuid; print("kw_test-%s-%s" % (uuid.uuid4(), uuid.uuid4()))' > "$KW_NOTIFY_API_KEY_FILE"
    export KW_NOTIFY_SMS_TEMPLATE=5f0a8a2e-4f8b-4d3c-9e1a-7b6c5d4e3f21
    coproc TEST_NOTIFY { exec python3 tests/tools/notify_server.py --api-key "$(cat "$KW_NOTIFY_API_KEY_FILE")" 2>"$var/notify_server.err"; }
    TEST_NOTIFY_SERVER=$TEST_NOTIFY_PID
    local notify_line
    read -r -t 10 notify_line <&"${TEST_NOTIFY[0]}"
    export KW_NOTIFY_URL="http://127.0.0.1:${notify_line#port }"

    deploy/local/stack.sh run > "$var/stack.out" 2>&1 &
    TEST_STACK_PID=$!
    trap test_stack_stop EXIT
    local deadline=$((SECONDS + 120))
    until [ -e "$var/run/ready" ] || [ $SECONDS -ge $deadline ] || ! kill -0 "$TEST_STACK_PID" 2>/dev/null; do
        sleep 0.3
    done
    if [ ! -e "$var/run/ready" ]; then
        echo "not ok - the test stack did not become ready"
        cat "$var/stack.out"
        tail -n 20 "$var"/log/*.log
        return 1
    fi
    export KW_TEST_DB_URL="host=$var/pg/run port=$KW_PG_PORT dbname=kw user=postgres"
    # The operator's password file (every role's SCRAM secret; the stack made it).
    export PGPASSFILE="$var/pg/pgpass"
}

test_stack_stop() {
    trap - EXIT
    [ -n "${TEST_STACK_PID:-}" ] || return 0
    kill -TERM "$TEST_STACK_PID" 2>/dev/null
    wait "$TEST_STACK_PID" 2>/dev/null
    TEST_STACK_PID=
    if [ -n "${TEST_NOTIFY_SERVER:-}" ]; then
        kill -TERM "$TEST_NOTIFY_SERVER" 2>/dev/null
        wait "$TEST_NOTIFY_SERVER" 2>/dev/null
        TEST_NOTIFY_SERVER=
    fi
}
