#!/usr/bin/env bash
# make fresh-check: the README's quick start on new Debian 12 machines.
# A minimal bookworm root from debootstrap (deploy/rootfs.sh, kept in
# build/rootfs/bookworm.tar for later runs) is unpacked into a new directory
# under build/fresh/ for each of the README's two commands, a `git clone` of
# this checkout is put in its /root/kw (so only committed files are checked:
# uncommitted changes do not leak in), and there, as root with an empty
# environment, after `apt-get install make` (which the README asks for), the
# command runs as the first one typed:
#   make run   is started; the README's curl example is run against it with
#              the printed token (the referral is created, read until it is
#              eligible with a case, then the case is read with its offer);
#              then make is sent SIGTERM: the stack must log that it stopped,
#              restart nothing, every program's log must end with "stopped",
#              and nothing may be left running;
#   make test  must pass ("N passed, 0 failed, N skipped").
# Prints how long each phase took (make test: the packages, the build and
# the tests). Needs root.
#
# The commands are taken from README.md (the `make` lines of the first shell
# block after "## Quick start", the curl commands of the next one), so the
# README and this check cannot drift apart.
#
# Each root runs in its own mount and PID namespaces: /proc, /dev (a tmpfs
# with the usual device nodes), /dev/pts, /dev/shm and /sys are mounted there
# only, so nothing stays mounted when it ends, even on failure, and every
# process started inside is killed with it. It shares the network with this
# machine (apt needs Debian's archive), so KW_TEST_PORT_OFFSET, when set, is
# passed in and moves the test ports as usual and `make run`'s ports (HTTP,
# PostgreSQL, SMTP, bus, RPC) by the same amount. Unset (as in CI), the ports
# are the README's.
#   tests/fresh-check.sh            the whole check
# KW_FRESH_DIR: where the new roots go (default build/fresh; removed first,
# and again after a successful run; kept for a look after a failure).
set -euo pipefail

phase_start=$SECONDS
phase() {  # phase NAME: starts a phase, noting the time the previous one took
    local now=$SECONDS
    [ -z "${PHASE:-}" ] || printf 'fresh-check: %-28s %4d s\n' "$PHASE" $((now - phase_start)) >> "$TIMES"
    PHASE=$1
    phase_start=$now
    [ -z "$PHASE" ] || echo "fresh-check: == $PHASE"
}

# ---- inside the namespaces (PID 1 there): mount, run the quick start, report
inside() {
    local root=$1 command=$2
    mount --make-rprivate /
    mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
    mount -t tmpfs -o nosuid,mode=0755 dev "$root/dev"
    local n
    for n in null zero full random urandom tty; do
        touch "$root/dev/$n"
        mount --bind "/dev/$n" "$root/dev/$n"
    done
    mkdir -p "$root/dev/pts" "$root/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
    ln -s pts/ptmx "$root/dev/ptmx"
    mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
    ln -s /proc/self/fd "$root/dev/fd"
    ln -s /proc/self/fd/0 "$root/dev/stdin"
    ln -s /proc/self/fd/1 "$root/dev/stdout"
    ln -s /proc/self/fd/2 "$root/dev/stderr"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        ${KW_TEST_PORT_OFFSET:+KW_TEST_PORT_OFFSET=$KW_TEST_PORT_OFFSET} \
        /bin/bash /root/fresh-steps.sh "$command"
}

if [ "${1:-}" = --inside ]; then
    inside "$2" "$3"
fi

cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ "$(id -u)" -ne 0 ]; then
    echo "fresh-check: needs root (debootstrap, chroot, mounts)" >&2
    exit 1
fi
FRESH=${KW_FRESH_DIR:-$ROOT/build/fresh}
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
total_start=$SECONDS

# ---- the commands, from the README
quick=$(awk '/^## Quick start/ {q = 1} q' README.md)
block() {  # block N: the Nth ```sh block of the quick start
    printf '%s\n' "$quick" | awk -v want="$1" '
        /^```sh/ {n++; inblock = (n == want); next}
        /^```/ {inblock = 0; next}
        inblock'
}
mapfile -t MAKES < <(block 1 | sed -n 's/^\(make [a-z][a-z-]*\).*/\1/p')
CURLS=$(block 2 | grep -v '^#')
if [ "${MAKES[*]}" != "make run make test" ] || ! grep -q '<referral id>' <<<"$CURLS"; then
    echo "fresh-check: the README's quick start is not the one this check knows:" \
         "make lines [${MAKES[*]}]" >&2
    exit 1
fi

phase "debootstrap root (cached)"
deploy/rootfs.sh "$ROOT/build/rootfs/bookworm.tar"

if [ -e "$FRESH" ]; then
    if grep -q " $FRESH/" /proc/mounts; then
        echo "fresh-check: something is mounted under $FRESH; not removing it" >&2
        exit 1
    fi
    rm -rf "$FRESH"
fi

# new_root DIR: a new root in DIR with the clone and the steps to run there.
new_root() {
    local root=$1
    mkdir -p "$root"
    tar -C "$root" -xf "$ROOT/build/rootfs/bookworm.tar"
    git clone -q "$ROOT" "$root/root/kw"
    {
        echo 'set -uo pipefail'
        echo 'cd /root/kw'
        declare -p CURLS
        steps
    } > "$root/root/fresh-steps.sh"
}

# The steps that run inside a new root, as its root user: fresh-steps.sh run|test.
steps() {
    cat <<'STEPS'
OFF=${KW_TEST_PORT_OFFSET:-0}
STEP= STEP_START=$SECONDS
step() {  # step NAME: prints the time the previous step took
    [ -n "$STEP" ] && printf 'fresh-check:   %-26s %4d s\n' "$STEP" $((SECONDS - STEP_START))
    STEP=$1 STEP_START=$SECONDS
    [ -z "$STEP" ] || echo "fresh-check: -- $STEP"
}
fail() { echo "fresh-check: FAILED: $*"; exit 1; }
# times BUILD_AT NEXT_AT NEXT: how long the packages and the build took
# within the step (the build starts at the first compile).
times() {
    [ -n "$1" ] && [ -n "$2" ] || return 0
    printf 'fresh-check:     %-24s %4d s\n' "packages (install-deps)" $(($1 - STEP_START)) "build" $(($2 - $1))
    printf 'fresh-check:     %-24s %4d s\n' "$3" $((SECONDS - $2))
}

make_test() {
    step "make test"
    local build_at='' tests_at='' line rc
    while IFS= read -r line; do
        printf '%s\n' "$line" >> /root/make-test.out
        case "$line" in
            'cc '*|protoc-c*) [ -n "$build_at" ] || build_at=$SECONDS ;;
            '# suite '*) [ -n "$tests_at" ] || tests_at=$SECONDS ;;
        esac
    done < <(make test 2>&1; echo "make-test-status $?")
    rc=$(sed -n 's/^make-test-status //p' /root/make-test.out)
    sed -i '/^make-test-status /d' /root/make-test.out
    times "$build_at" "$tests_at" tests
    # What a reader of the log needs: the installer, errors, the suites, failures, the tally.
    grep -E '^(install-deps|make|# suite|not ok|E: |W: )|error:|Error [0-9]|^[0-9]+ passed, [0-9]+ failed' \
        /root/make-test.out
    tail -n 1 /root/make-test.out | grep -qE '^[0-9]+ passed, 0 failed(, [0-9]+ skipped)?$' \
        || fail "make test (its output: /root/make-test.out in the new root): $(tail -n 5 /root/make-test.out)"
    [ "$rc" -eq 0 ] || fail "make test exited with status $rc"
    step ""
}

make_run() {
    step "make run until ready"
    if [ "$OFF" -ne 0 ]; then
        export KW_HTTP_ADDR=127.0.0.1:$((8080 + OFF)) KW_PG_PORT=$((55432 + OFF)) KW_SMTP_PORT=$((2525 + OFF))
        export KW_BUS_PUB=tcp://127.0.0.1:$((5550 + OFF)) KW_BUS_SUB=tcp://127.0.0.1:$((5551 + OFF))
        local i=1 s
        for s in REFERRAL ELIGIBILITY ASSIGNMENT SCHEDULING NOTIFICATION; do
            export "KW_${s}_RPC=tcp://127.0.0.1:$((5560 + i + OFF))"
            i=$((i + 1))
        done
    fi
    ADDR=${KW_HTTP_ADDR:-127.0.0.1:8080}
    : > /root/make-run.out
    make run >> /root/make-run.out 2>&1 &
    local run=$! deadline=$((SECONDS + 900)) build_at='' stack_at=''
    until grep -q '^  Token:' /root/make-run.out; do
        kill -0 "$run" 2>/dev/null || fail "make run ended: $(tail -n 20 /root/make-run.out)"
        [ $SECONDS -lt $deadline ] || fail "make run printed no token in 900 s: $(tail -n 20 /root/make-run.out)"
        [ -n "$build_at" ] || ! grep -qE '^(cc |protoc-c)' /root/make-run.out || build_at=$SECONDS
        [ -n "$stack_at" ] || ! grep -q '"service":"stack"' /root/make-run.out || stack_at=$SECONDS
        sleep 0.5
    done
    times "$build_at" "$stack_at" "stack start"
    grep -E '^install-deps' /root/make-run.out
    sed -n '/^Key worker service is running/,/^Press Ctrl-C/p' /root/make-run.out | grep -v Token:
    TOKEN=$(sed -n 's/^  Token: *//p' /root/make-run.out)
    export TOKEN

    step "README curl example"
    readme_example

    step "SIGTERM to make"
    kill -TERM "$run"
    local rc=0
    wait "$run" || rc=$?
    # make passes SIGTERM on to the stack, waits for it, then ends by the signal.
    [ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || fail "make run exited with status $rc"
    grep -q '"event":"stopped"' /root/make-run.out \
        || fail "the stack did not log stopped: $(tail -n 5 /root/make-run.out)"
    if grep -q '"event":"restarting"' /root/make-run.out; then
        fail "the stack restarted a program: $(grep '"event":"restarting"' /root/make-run.out)"
    fi
    local clean left
    clean=$(tests/check-clean-exit.sh var) || fail "a program did not stop cleanly: $clean"
    # This shell is PID 1 of the namespace: anything left is its child or orphan.
    left=$(me=$BASHPID; ps -eo pid=,ppid=,args= | awk -v me="$me" '$1 != 1 && $1 != me && $2 != me')
    [ -z "$left" ] || fail "still running after make run ended: $left"
    echo "  stopped: make exited with $rc, every program logged stopped, nothing left running"
    step ""
}

# The README's curl commands one by one (a command ends at a line without \),
# with the address of this run.
readme() { bash -c "${1//127.0.0.1:8080/$ADDR}"; }
# poll COMMAND WANT1 WANT2 PROBLEM: run a README command until its answer
# (left in $out) holds both strings; fail with PROBLEM after 30 s.
poll() {
    local deadline=$((SECONDS + 30))
    until out=$(readme "$1") && [[ "$out" == *"$2"* && "$out" == *"$3"* ]]; do
        [ $SECONDS -lt $deadline ] || fail "$4 after 30 s: $out"
        sleep 0.2
    done
}
readme_example() {
    local cmds=() cmd='' line ref case_id deadline
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        cmd+="$line"$'\n'
        case "$line" in *\\) ;; *) cmds+=("$cmd"); cmd='' ;; esac
    done <<<"$CURLS"
    [ "${#cmds[@]}" -eq 3 ] || fail "expected three curl commands in the README, found ${#cmds[@]}"
    out=$(readme "${cmds[0]}")
    printf '  POST /v1/referrals: %s\n' "$(printf '%s' "$out" | tr '\n' ' ')"
    [ "$(printf '%s\n' "$out" | tail -n 1)" = 201 ] || fail "the example POST did not answer 201"
    ref=$(printf '%s\n' "$out" | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p' | head -n 1)
    [ -n "$ref" ] || fail "no referral id in the answer"
    poll "${cmds[1]//<referral id>/$ref}" '"status":"eligible"' '"case_id":"' \
        "the referral is not eligible with a case"
    case_id=$(printf '%s\n' "$out" | sed -n 's/.*"case_id":"\([0-9a-f-]*\)".*/\1/p')
    echo "  GET /v1/referrals/$ref: eligible, case $case_id"
    poll "${cmds[2]//<case id>/$case_id}" '"status":"offered"' '"status":"pending"' \
        "the case has no pending offer"
    echo "  GET /v1/cases/$case_id: offered, one offer pending"
    deadline=$((SECONDS + 30))
    until [ -n "$(ls var/mail)" ]; do
        [ $SECONDS -lt $deadline ] || fail "no offer e-mail in var/mail after 30 s"
        sleep 0.2
    done
    echo "  var/mail: $(ls var/mail | wc -l) message(s)"
}

# What the README asks for before its two commands.
step "apt-get install make"
{ apt-get update -q && apt-get install -y -q --no-install-recommends make; } > /root/apt-make.out 2>&1 \
    || fail "apt-get install make: $(tail -n 5 /root/apt-make.out)"
case "$1" in
    test) make_test ;;
    run) make_run ;;
    *) fail "unknown step $1" ;;
esac
echo "fresh-check: make $1 works on a new Debian 12 root"
STEPS
}

echo "fresh-check: commit $(git -C "$ROOT" log -1 --format='%h %s' | cut -c1-100)"
git -C "$ROOT" diff --quiet HEAD 2>/dev/null \
    || echo "fresh-check: this checkout has uncommitted changes; they are not in the check"

rc=0
for command in "${MAKES[@]}"; do
    name=${command#make }
    phase "$command: unpack and clone"
    new_root "$FRESH/$name"
    phase "$command on a new root"
    out=$(mktemp)
    set +e
    unshare --mount --pid --fork --propagation private "$ROOT/tests/fresh-check.sh" --inside "$FRESH/$name" "$name" \
        2>&1 | tee "$out"
    set -e
    grep '^fresh-check:   ' "$out" >> "$TIMES" || true
    grep -q "^fresh-check: $command works on a new Debian 12 root" "$out" || rc=1
    rm -f "$out"
done
phase ""
echo "fresh-check: timings"
cat "$TIMES"
printf 'fresh-check: %-28s %4d s\n' total $((SECONDS - total_start))
if [ "$rc" -ne 0 ]; then
    echo "fresh-check: FAILED (the new root is kept in $FRESH)"
    exit 1
fi
rm -rf "$FRESH"
echo "fresh-check: passed"
