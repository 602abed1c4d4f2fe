#!/usr/bin/env bash
# The local stack: a PostgreSQL cluster under $KW_VAR_DIR (default var/) on
# its own port and socket directory, an SMTP sink storing mail under
# $KW_VAR_DIR/mail (unless KW_SMTP_URL is set), the bus, the five services
# and the gateway, each restarted a second after it dies. Runs in the
# foreground until SIGINT or SIGTERM (to this process or to its process
# group, however it was started), then stops everything, restarts nothing,
# and keeps the data.
#
#   deploy/local/stack.sh run       what `make run` does
#
# Configuration (environment): KW_VAR_DIR, KW_PG_PORT (55432), KW_HTTP_ADDR
# (127.0.0.1:8080), KW_JWT_SECRET (else $KW_VAR_DIR/jwt_secret is created),
# KW_SMTP_URL, KW_SMTP_PORT (2525, for the sink), KW_BIN_DIR (build/bin),
# KW_DEMO (1: load the demo professionals of deploy/demo; 0: none),
# KW_METRICS_BASE (9550: each program's GET /metrics on 127.0.0.1, the bus on
# the base port, then referral, eligibility, assignment, scheduling,
# notification and the gateway on the next six; "off": none; a program's own
# KW_<PROGRAM>_METRICS wins),
# and the service endpoints of `<binary> --help`.
set -euo pipefail

# bash cannot trap a signal that was ignored when it started (a script that
# ignores SIGINT, a background job of another script, nohup of a shell that
# does): start again with SIGINT and SIGTERM at their default actions, so that
# both always reach stop_all and the supervisors.
if [ -n "$(trap -p INT TERM)" ]; then
    exec env --default-signal=INT,TERM "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VAR=${KW_VAR_DIR:-$ROOT/var}
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
BIN=${KW_BIN_DIR:-$ROOT/build/bin}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PGPORT=${KW_PG_PORT:-55432}
PGDATA=$VAR/pg/data
PGSOCK=$VAR/pg/run
SERVICES="referral eligibility assignment scheduling notification"

export KW_PG_PORT=$PGPORT
export KW_HTTP_ADDR=${KW_HTTP_ADDR:-127.0.0.1:8080}
export KW_DB_URL=${KW_DB_URL:-"host=$PGSOCK port=$PGPORT dbname=kw"}
export KW_REGION_DIR=${KW_REGION_DIR:-$ROOT/deploy/regions}
export KW_JWT_SECRET_FILE=${KW_JWT_SECRET_FILE:-$VAR/jwt_secret}
METRICS_BASE=${KW_METRICS_BASE:-9550}
if [ "$METRICS_BASE" != off ]; then
    i=0
    for p in bus $SERVICES gateway; do
        var=KW_${p^^}_METRICS
        export "$var=${!var:-127.0.0.1:$((METRICS_BASE + i))}"
        i=$((i + 1))
    done
fi

log() { printf '{"time":"%s","level":"info","service":"stack","event":"%s"%s}\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "${2:+,$2}" >&2; }

# Run a command as the unprivileged PostgreSQL user when we are root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
    mkdir -p "$VAR/pg" "$PGSOCK"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        chown postgres "$VAR/pg" "$PGSOCK"
        # The cluster user must reach $VAR through every parent directory.
        d=$VAR
        while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        log pg_initdb
        as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >> "$PGDATA/postgresql.conf" <<CONF
# key worker service local cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCK'
synchronous_commit = on
fsync = on
max_connections = 200
shared_buffers = 128MB
log_min_messages = warning
CONF
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$VAR/pg/server.log" -o "-p $PGPORT" -w -t 60 start >/dev/null
    fi
    PSQL=("$PGBIN/psql" -h "$PGSOCK" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -q)
    "${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'kw'" | grep -q 1 \
        || "${PSQL[@]}" -d postgres -c "CREATE DATABASE kw"
    PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d kw -f "$ROOT/deploy/db/bootstrap.sql" >/dev/null
    log pg_ready "\"port\":$PGPORT"
}

stop_postgres() {
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

ensure_secret() {
    if [ -z "${KW_JWT_SECRET:-}" ] && [ ! -s "$KW_JWT_SECRET_FILE" ]; then
        (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n' > "$KW_JWT_SECRET_FILE")
    fi
}

# Keep one program running: restart it a second after it exits, until a
# signal comes (Ctrl-C reaches the whole process group; stop_all sends TERM)
# or the stop flag is set. A signal is passed on to the program as SIGTERM,
# and a program that exits after one is never restarted.
supervise() {
    local name=$1; shift
    local pid='' stop=0 rc
    trap 'stop=1; [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true' INT TERM
    while [ "$stop" -eq 0 ] && [ ! -e "$VAR/run/stopping" ]; do
        "$@" >>"$VAR/log/$name.log" 2>&1 &
        pid=$!
        echo "$pid" > "$VAR/run/$name.pid"
        # A signal that came while the program was being started.
        [ "$stop" -eq 0 ] || kill -TERM "$pid" 2>/dev/null || true
        rc=0
        wait "$pid" || rc=$?
        # A trap ends the wait early: wait again until the program has exited.
        while kill -0 "$pid" 2>/dev/null; do
            rc=0
            wait "$pid" || rc=$?
        done
        pid=''
        [ "$stop" -eq 0 ] && [ ! -e "$VAR/run/stopping" ] || break
        sleep 1
        [ "$stop" -eq 0 ] && [ ! -e "$VAR/run/stopping" ] || break
        log restarting "\"program\":\"$name\",\"exit_status\":$rc"
    done
}

# Send a signal to every program whose pid file is there.
signal_programs() {
    local name
    for name in gateway $SERVICES bus smtp; do
        [ -f "$VAR/run/$name.pid" ] && kill -"$1" "$(cat "$VAR/run/$name.pid")" 2>/dev/null || true
    done
}

CHILDREN=()
stop_all() {
    # A second signal (make passing on SIGTERM, a second Ctrl-C) must not cut
    # the stop short.
    trap '' INT TERM
    mkdir -p "$VAR/run"
    touch "$VAR/run/stopping"
    rm -f "$VAR/run/ready"
    log stopping
    # Every supervisor passes the stop on to its program; the pid files reach a
    # program whose supervisor had not yet noted its pid. Killed after 30 s.
    local deadline=$((SECONDS + 30)) alive=1 pid
    kill -TERM "${CHILDREN[@]}" 2>/dev/null || true
    signal_programs TERM
    while [ "$alive" -eq 1 ]; do
        alive=0
        for pid in "${CHILDREN[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" -eq 1 ] || break
        [ $SECONDS -lt $deadline ] || signal_programs KILL
        sleep 0.2
    done
    for pid in "${CHILDREN[@]}"; do wait "$pid" 2>/dev/null || true; done
    stop_postgres
    rm -f "$VAR/run/"*.pid
    log stopped
    exit 0
}

assignment_migrated() {
    "${PSQL[@]}" -d kw -tAc "SELECT 1 FROM bus.migrations WHERE service = 'assignment'" | grep -q 1
}

wait_for() {  # wait_for SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}

run() {
    [ -x "$BIN/gateway" ] || { echo "stack: $BIN/gateway missing: run make first" >&2; exit 1; }
    mkdir -p "$VAR/run" "$VAR/log" "$VAR/mail"
    rm -f "$VAR/run/stopping" "$VAR/run/ready" "$VAR/run/"*.pid
    trap stop_all INT TERM
    start_postgres
    ensure_secret
    if [ -z "${KW_SMTP_URL:-}" ]; then
        local smtp_port=${KW_SMTP_PORT:-2525}
        export KW_SMTP_URL="smtp://127.0.0.1:$smtp_port"
        supervise smtp /usr/bin/python3 "$ROOT/deploy/local/smtp_sink.py" \
            --host 127.0.0.1 --port "$smtp_port" --dir "$VAR/mail" &
        CHILDREN+=($!)
    fi
    supervise bus "$BIN/bus" &
    CHILDREN+=($!)
    for s in $SERVICES; do
        supervise "$s" "$BIN/$s" &
        CHILDREN+=($!)
    done
    supervise gateway "$BIN/gateway" &
    CHILDREN+=($!)

    # Demo professionals once the assignment schema exists (KW_DEMO=0:
    # none; the test stacks register their own over the API).
    if [ "${KW_DEMO:-1}" != 0 ]; then
        wait_for 60 assignment_migrated || log demo_data_late
        "${PSQL[@]}" -d kw -f "$ROOT/deploy/demo/professionals.sql" >/dev/null || log demo_data_failed
    fi
    if wait_for 60 curl -fsS "http://$KW_HTTP_ADDR/v1/health"; then
        touch "$VAR/run/ready"
        local token
        token=$("$BIN/kwctl" token --role coordinator --region norfolk --sub coordinator)
        cat <<MSG
Key worker service is running.
  API:        http://$KW_HTTP_ADDR  (try: curl http://$KW_HTTP_ADDR/v1/health)
  Token:      $token
              (a coordinator in region norfolk; more with: build/bin/kwctl token --help)
  Mail:       $VAR/mail
  Logs:       $VAR/log
Press Ctrl-C to stop.
MSG
    else
        log not_healthy "\"hint\":\"see $VAR/log\""
    fi
    # Until a signal runs stop_all (or, should every supervisor end, until then).
    wait "${CHILDREN[@]}" 2>/dev/null || true
    stop_all
}

case "${1:-run}" in
    run) run ;;
    *) echo "usage: $0 run" >&2; exit 2 ;;
esac
