#!/usr/bin/env bash
# make compose-test: the stack of docker-compose.yml in containers, tested
# through the gateway's published port. Starts dockerd when it is not
# running (root), builds the images (make images), brings the stack up with
# the demo data and its own secrets, project name, port and volumes, runs the
# fault ledger (tests/faults/ledger.py) while containers are killed and
# PostgreSQL's container is restarted (tests/faults/compose_faults.py), then
# the end-to-end referral test, and brings everything down again,
# removing its containers, networks, volumes and secrets (the images stay,
# for the next run). The fault ledger runs first: it audits the whole
# database against its own referrals. Prints TAP, the build and start times, and
# "N passed, N failed".
#   deploy/docker/compose-test.sh [BUILD_DIR]
# KW_COMPOSE_REFERRALS (300) and KW_COMPOSE_FAULTS (8) size the ledger run;
# KW_TEST_PORT_OFFSET moves the published port (18129 + offset).
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source tests/tap-tally.sh
OFF=${KW_TEST_PORT_OFFSET:-0}
export COMPOSE_PROJECT_NAME=kw-ct$OFF
export KW_HTTP_PORT=$((18129 + OFF))
export KW_PUBLIC_URL=http://127.0.0.1:$KW_HTTP_PORT
export KW_SECRETS_DIR=$ROOT/$B/compose-test/secrets
export KW_DEMO=1
COMPOSE=(docker-compose -f "$ROOT/docker-compose.yml")

if [ "$(id -u)" -ne 0 ]; then
    echo "compose-test: run as root (it may start dockerd, and kills container processes from the host)" >&2
    exit 1
fi
# Debian's Docker engine and docker-compose, when this machine lacks them.
"$ROOT/deploy/install-deps.sh" docker.io docker-compose curl >&2 \
    || { echo "not ok - installing docker.io docker-compose curl"; exit 1; }
if ! docker info >/dev/null 2>&1; then
    echo "# compose-test: starting dockerd"
    dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { echo "not ok - dockerd did not start"; tail -n 20 /var/log/dockerd.log; exit 1; }
fi

down() {
    "${COMPOSE[@]}" down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
    rm -rf "$ROOT/$B/compose-test"
}
# A run that was interrupted may have left its stack behind.
down

t0=$(date +%s)
if ! deploy/docker/images.sh "$B"; then
    echo "not ok - the images build"
    tally_summary
    exit 1
fi
build_s=$(( $(date +%s) - t0 ))
deploy/docker/secrets.sh "$KW_SECRETS_DIR" 2>/dev/null

t0=$(date +%s)
"${COMPOSE[@]}" up -d >"$ROOT/$B/compose-up.log" 2>&1 || cat "$ROOT/$B/compose-up.log"
healthy() {
    [ "$(docker inspect -f '{{.State.Health.Status}}' "${COMPOSE_PROJECT_NAME}_gateway_1" 2>/dev/null)" = healthy ] \
        && curl -fsS -o /dev/null "http://127.0.0.1:$KW_HTTP_PORT/v1/health"
}
for _ in $(seq 1 360); do healthy && break; sleep 0.5; done
start_s=$(( $(date +%s) - t0 ))
if ! healthy; then
    echo "not ok - the compose stack became healthy within 180 s"
    "${COMPOSE[@]}" ps
    "${COMPOSE[@]}" logs --tail 20
    FAILED=$((FAILED + 1))
    down
    tally_summary
    exit 1
fi
echo "# compose-test: images built in ${build_s} s; first healthy start in ${start_s} s"

# The test helpers reach the stack through docker: tokens from kwctl in the
# gateway's container (it holds the secret), SQL from psql in PostgreSQL's
# (as its superuser over the local socket, peer authentication), mail from
# the mail volume.
export KW_HTTP_ADDR=127.0.0.1:$KW_HTTP_PORT
export KW_TEST_KWCTL="docker exec ${COMPOSE_PROJECT_NAME}_gateway_1 kwctl"
export KW_TEST_PSQL="docker exec -i ${COMPOSE_PROJECT_NAME}_postgres_1 psql -X -d kw"
KW_TEST_MAIL_DIR=$(docker volume inspect -f '{{.Mountpoint}}' "${COMPOSE_PROJECT_NAME}_mail")
export KW_TEST_MAIL_DIR
export KW_VAR_DIR=$ROOT/$B/compose-test/var
mkdir -p "$KW_VAR_DIR"

# The ledger first: it audits every row of the database against its own.
tally_run "compose/faults" env KW_FAULTS_INJECTOR=compose_faults:ComposeStack \
    /usr/bin/python3 tests/faults/ledger.py "${KW_COMPOSE_REFERRALS:-300}" "${KW_COMPOSE_FAULTS:-8}"
tally_run "compose/e2e_referral" /usr/bin/python3 tests/integration/test_e2e_referral.py
if [ "$FAILED" -ne 0 ]; then
    "${COMPOSE[@]}" ps
    "${COMPOSE[@]}" logs --tail 30 2>&1 | grep -v '"level":"info"' | tail -n 80
fi
down
echo "# compose-test: images built in ${build_s} s; first healthy start in ${start_s} s"
tally_summary
