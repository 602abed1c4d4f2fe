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
# KW_CURVE_PUBLIC_DIR (else $KW_VAR_DIR/curve: every program's CURVE key pair
# is made there once, <name>.key mode 0600 and <name>.pub; KW_CURVE_NAMES adds
# key pairs for more names, e.g. a load generator),
# KW_METRICS_BASE (9550: each program's GET /metrics on 127.0.0.1, the bus on
# the base port, then referral, eligibility, assignment, scheduling,
# notification and the gateway on the next six; "off": none; a program's own
# KW_<PROGRAM>_METRICS wins),
# and the service endpoints of `<binary> --help`.
#
# PostgreSQL takes SCRAM passwords only (no trust, no peer): each role has
# its own secret in $KW_VAR_DIR/pg/secrets/<role> and a libpq password file
# $KW_VAR_DIR/pg/pgpass.<role> holding only it; a service's program sees
# only $KW_VAR_DIR/pg/pgpass.<service> (its role's, and for referral the
# audit reader's); $KW_VAR_DIR/pg/pgpass holds them all for the operator.
# Each service's migrations run first, as kw_owner (`<service> --migrate`);
# the services then run as their own roles, which cannot change the schema.
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
PGSECRETS=$VAR/pg/secrets
ROLES="postgres kw_owner kw_audit_reader kw_referral kw_eligibility kw_assignment kw_scheduling kw_notification"

export KW_PG_PORT=$PGPORT
export KW_HTTP_ADDR=${KW_HTTP_ADDR:-127.0.0.1:8080}
export KW_PUBLIC_URL=${KW_PUBLIC_URL:-http://$KW_HTTP_ADDR}
export KW_DB_URL=${KW_DB_URL:-"host=$PGSOCK port=$PGPORT dbname=kw"}
export KW_REGION_DIR=${KW_REGION_DIR:-$ROOT/deploy/regions}
export KW_JWT_SECRET_FILE=${KW_JWT_SECRET_FILE:-$VAR/jwt_secret}
# The key of the offer e-mails' signed links (assignment) and the bearer
# token GOV.UK Notify sends with its delivery receipts (gateway).
export KW_LINK_KEY_FILE=${KW_LINK_KEY_FILE:-$VAR/link_key}
export KW_NOTIFY_CALLBACK_TOKEN_FILE=${KW_NOTIFY_CALLBACK_TOKEN_FILE:-$VAR/notify_callback_token}
# The gateway's URL as people reach it: the base of the links in messages.
export KW_PUBLIC_URL=${KW_PUBLIC_URL:-http://$KW_HTTP_ADDR}
export KW_CURVE_PUBLIC_DIR=${KW_CURVE_PUBLIC_DIR:-$VAR/curve}
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

# A random secret per role, and the password files (mode 0600) of each role
# and of the operator; kept across runs.
make_secrets() {
    local role
    (
        umask 077
        mkdir -p "$PGSECRETS"
        : > "$VAR/pg/pgpass.new"
        for role in $ROLES; do
            [ -s "$PGSECRETS/$role" ] || head -c 24 /dev/urandom | base64 | tr -d '\n/+=' > "$PGSECRETS/$role"
            printf '*:*:*:%s:%s\n' "$role" "$(cat "$PGSECRETS/$role")" > "$VAR/pg/pgpass.$role"
            cat "$VAR/pg/pgpass.$role" >> "$VAR/pg/pgpass.new"
        done
        mv "$VAR/pg/pgpass.new" "$VAR/pg/pgpass"
        # What each service's program may use: its role, and for referral
        # (it answers GET /v1/audit) the audit reader's.
        for role in $SERVICES; do cp "$VAR/pg/pgpass.kw_$role" "$VAR/pg/pgpass.$role"; done
        cat "$VAR/pg/pgpass.kw_audit_reader" >> "$VAR/pg/pgpass.referral"
    )
}

# Client authentication: a SCRAM password for every role, on the socket and
# over TCP alike; nothing else is accepted.
write_hba() {
    printf '%s\n' '# TYPE  DATABASE  USER  ADDRESS       METHOD' \
        'local   all       all                 scram-sha-256' \
        'host    all       all   127.0.0.1/32  scram-sha-256' \
        'host    all       all   ::1/128       scram-sha-256' \
        | as_pg tee "$PGDATA/pg_hba.conf" >/dev/null
}

# Each role's password from its secret (psql reads it through a backtick
# command, never from argv).
set_passwords() {
    local role
    for role in $ROLES; do
        printf '\\set pw `cat %s`\nALTER ROLE "%s" PASSWORD :'"'"'pw'"'"';\n' "$PGSECRETS/$role" "$role" \
            | PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d kw >/dev/null
    done
}

start_postgres() {
    mkdir -p "$VAR/pg" "$PGSOCK"
    make_secrets
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        chown postgres "$VAR/pg" "$PGSOCK"
        # The cluster user must reach $VAR through every parent directory.
        d=$VAR
        while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        log pg_initdb
        # initdb runs as the cluster user: it reads the superuser's secret
        # from a copy it owns, removed at once.
        (umask 077; cp "$PGSECRETS/postgres" "$VAR/pg/initdb.pw")
        [ "$(id -u)" -ne 0 ] || chown postgres "$VAR/pg/initdb.pw"
        as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A scram-sha-256 --pwfile="$VAR/pg/initdb.pw" \
            -E UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$VAR/pg/initdb.pw"
        write_hba
        cat >> "$PGDATA/postgresql.conf" <<CONF
# key worker service local cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCK'
password_encryption = scram-sha-256
synchronous_commit = on
fsync = on
max_connections = 200
shared_buffers = 128MB
log_min_messages = warning
CONF
    fi
    # A cluster made when the stack still trusted local connections: the
    # superuser gets its password first, then the rules below replace trust.
    local was_trusting=0
    grep -Eq '^[^#]*[[:space:]]trust([[:space:]]|$)' "$PGDATA/pg_hba.conf" && was_trusting=1
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$VAR/pg/server.log" -o "-p $PGPORT" -w -t 60 start >/dev/null
    fi
    PSQL=(env PGPASSFILE="$VAR/pg/pgpass" "$PGBIN/psql" -h "$PGSOCK" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -q)
    if [ "$was_trusting" = 1 ]; then
        printf '\\set pw `cat %s`\nALTER ROLE postgres PASSWORD :'"'"'pw'"'"';\n' "$PGSECRETS/postgres" \
            | "${PSQL[@]}" -d postgres >/dev/null
        as_pg sh -c "grep -q '^password_encryption' '$PGDATA/postgresql.conf' || echo 'password_encryption = scram-sha-256' >> '$PGDATA/postgresql.conf'"
        write_hba
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -w reload >/dev/null
    fi
    "${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'kw'" | grep -q 1 \
        || "${PSQL[@]}" -d postgres -c "CREATE DATABASE kw"
    PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d kw -f "$ROOT/deploy/db/bootstrap.sql" >/dev/null
    set_passwords
    log pg_ready "\"port\":$PGPORT"
}

stop_postgres() {
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

ensure_secret() {
    if [ -z "${KW_JWT_SECRET:-}" ] && [ ! -s "$KW_JWT_SECRET_FILE" ]; then
        (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n' > "$KW_JWT_SECRET_FILE")
    fi
    local f
    for f in "$KW_LINK_KEY_FILE" "$KW_NOTIFY_CALLBACK_TOKEN_FILE"; do
        [ -s "$f" ] || (umask 077; head -c 32 /dev/urandom | base64 | tr -d '\n' > "$f")
    done
}

# Each program's CURVE key pair (kept when there), its secret found by each
# program as $KW_CURVE_PUBLIC_DIR/<name>.key.
ensure_keys() {
    "$BIN/kwctl" keys "$KW_CURVE_PUBLIC_DIR" bus gateway $SERVICES ${KW_CURVE_NAMES:-} >/dev/null
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

# Every service's migrations, as the schema owner, before any service runs.
migrate_all() {
    local s
    for s in $SERVICES; do
        PGPASSFILE="$VAR/pg/pgpass.kw_owner" "$BIN/$s" --migrate >>"$VAR/log/migrate.log" 2>&1 \
            || { log migration_failed "\"service\":\"$s\",\"hint\":\"see $VAR/log/migrate.log\""; return 1; }
    done
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
    migrate_all || { stop_postgres; exit 1; }
    ensure_secret
    ensure_keys
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
        supervise "$s" env PGPASSFILE="$VAR/pg/pgpass.$s" "$BIN/$s" &
        CHILDREN+=($!)
    done
    supervise gateway "$BIN/gateway" &
    CHILDREN+=($!)

    # Demo professionals (KW_DEMO=0: none; the test stacks register their
    # own over the API).
    if [ "${KW_DEMO:-1}" != 0 ]; then
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
