#!/usr/bin/env bash
# make mutation: break each rule of tests/mutation/mutations.tsv on purpose
# and check that its tests notice. The work tree is never touched: its files
# (tracked and new, as they are now) are copied to BUILD-DIR/src (its build/
# is kept from the last run; a file is written only when its content differs,
# so make rebuilds what changed, a mutation left by the last run included),
# built there once, and every listed test is run once unmutated (it must pass). Then each
# mutation in turn: its exact line replaced in the copy, the copy rebuilt,
# its tests run (integration ones against a test stack of the copy's own
# binaries), the line restored, whatever happens. Prints one line per
# mutation, "caught by <test>" or "SURVIVED", and exits non-zero unless every
# mutation was applied and caught.
#   tests/mutation/run.sh [NAME...]     (default: every row)
# KW_MUTATION_DIR is the directory (default build-mutation); the test stack's
# ports are moved by KW_TEST_PORT_OFFSET like the other test stacks'.
set -uo pipefail
cd "$(dirname "$0")/../.."
TREE=$(pwd)
WORK=${KW_MUTATION_DIR:-$TREE/build-mutation}
TABLE=$TREE/tests/mutation/mutations.tsv
mkdir -p "$WORK/logs"
WORK=$(cd "$WORK" && pwd)
SRC=$WORK/src
LOGS=$WORK/logs
OFF=${KW_TEST_PORT_OFFSET:-0}

say() { printf 'mutation: %s\n' "$*"; }

# ---- the copy
mkdir -p "$SRC"
git ls-files -co --exclude-standard -z | /usr/bin/python3 -c '
import os, shutil, sys
src = sys.argv[1]
files = [f for f in sys.stdin.buffer.read().decode().split("\0") if f and os.path.isfile(f)]
for f in files:
    to = os.path.join(src, f)
    if os.path.isfile(to) and not os.path.islink(to):
        with open(f, "rb") as a, open(to, "rb") as b:
            if a.read() == b.read():
                continue
    os.makedirs(os.path.dirname(to) or ".", exist_ok=True)
    shutil.copy(f, to)
keep = set(files)
for top, dirs, names in os.walk(src):
    rel = os.path.relpath(top, src)
    if rel == "build" or rel.startswith("build" + os.sep):
        dirs[:] = []
        continue
    for n in names:
        path = os.path.normpath(os.path.join(rel, n))
        if path not in keep:
            os.unlink(os.path.join(top, n))
' "$SRC" || { say "cannot copy the work tree"; exit 2; }
cd "$SRC"
ROOT=$SRC
B=build

build() { make -j2 B=build all > "$1" 2>&1; }

# ---- rows: name file from to tests
declare -a NAMES FILES FROMS TOS TESTS
while IFS=$'\t' read -r name file from to tests; do
    case "$name" in ''|'#'*) continue ;; esac
    if [ -z "$tests" ]; then say "row $name: five tab-separated fields expected"; exit 2; fi
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$name"; then continue; fi
    NAMES+=("$name"); FILES+=("$file"); FROMS+=("$from"); TOS+=("$to"); TESTS+=("$tests")
done < "$TABLE"
[ ${#NAMES[@]} -gt 0 ] || { say "no mutation selected"; exit 2; }

# ---- a test stack of the copy's binaries (for itest/ and py/ tests)
source tests/test-stack.sh
export KW_TEST_PG_PORT=$((55489 + OFF)) KW_TEST_HTTP_ADDR=127.0.0.1:$((18129 + OFF)) \
       KW_TEST_SMTP_PORT=$((2579 + OFF))
STACK_UP=0
stack_down() { [ "$STACK_UP" = 1 ] && test_stack_stop; STACK_UP=0; }
stack_up() {
    stack_down
    test_stack_start "$WORK/stack-var" > "$LOGS/stack.log" 2>&1 && STACK_UP=1
    trap 'restore; stack_down' EXIT     #  test_stack_start sets its own
}
needs_stack() { [[ " $1" == *" itest/"* || " $1" == *" py/"* ]]; }

# run_test LOG TEST: 0 when the test passes
run_test() {
    local log=$1 kind=${2%%/*} t=${2#*/}
    case "$kind" in
        unit)  "build/tests/$t" ;;
        itest) "build/itests/$t" ;;
        py)    /usr/bin/python3 "tests/integration/$t.py" ;;
        *)     echo "unknown kind of test: $2"; return 2 ;;
    esac >> "$log" 2>&1
}

# ---- mutate FILE FROM TO: replace the one line that is exactly FROM
mutate() {
    /usr/bin/python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:4]
with open(path) as f:
    lines = f.read().split("\n")
hits = [i for i, line in enumerate(lines) if line == old]
if len(hits) != 1:
    sys.exit("%s: the line %r occurs %d times, not once" % (path, old, len(hits)))
lines[hits[0]] = new
with open(path, "w") as f:
    f.write("\n".join(lines))
PY
}

SAVED=
restore() { [ -n "$SAVED" ] && cp "$SAVED" "$SRC/$CURRENT" && rm -f "$SAVED"; SAVED=; }
trap 'restore; stack_down' EXIT
trap 'exit 130' INT TERM

say "building the unmutated copy in $SRC"
build "$LOGS/build-base.log" || { tail -n 30 "$LOGS/build-base.log"; say "the unmutated copy does not build"; exit 2; }
ALL_TESTS=$(printf '%s\n' "${TESTS[@]}" | tr ' ' '\n' | sort -u | tr '\n' ' ')
if needs_stack "$ALL_TESTS"; then stack_up || { say "test stack did not start (log $LOGS/stack.log)"; exit 2; }; fi
for t in $ALL_TESTS; do
    run_test "$LOGS/base.log" "$t" || { say "$t fails unmutated (log $LOGS/base.log)"; exit 2; }
done
say "unmutated: every listed test passes ($ALL_TESTS)"

CAUGHT=0 SURVIVED=0 BROKEN=0
for i in "${!NAMES[@]}"; do
    name=${NAMES[$i]} CURRENT=${FILES[$i]}
    log=$LOGS/$name.log
    : > "$log"
    SAVED=$(mktemp)
    cp "$SRC/$CURRENT" "$SAVED"
    if ! mutate "$SRC/$CURRENT" "${FROMS[$i]}" "${TOS[$i]}" >> "$log" 2>&1; then
        say "$name: NOT APPLIED ($(tail -n 1 "$log"))"; BROKEN=$((BROKEN + 1)); restore; continue
    fi
    if ! build "$log"; then
        say "$name: NOT BUILT (log $log)"; BROKEN=$((BROKEN + 1)); restore; continue
    fi
    if needs_stack "${TESTS[$i]}"; then stack_up || { say "$name: test stack did not start"; BROKEN=$((BROKEN + 1)); restore; continue; }; fi
    by=
    for t in ${TESTS[$i]}; do
        run_test "$log" "$t" || by+="${by:+, }$t"
    done
    if [ -n "$by" ]; then
        say "$name: caught by $by ($(grep -m1 '^not ok' "$log" || echo 'exit status'))"
        CAUGHT=$((CAUGHT + 1))
    else
        say "$name: SURVIVED ${TESTS[$i]} (log $log)"
        SURVIVED=$((SURVIVED + 1))
    fi
    restore
done
stack_down
restore
say "$CAUGHT caught, $SURVIVED survived, $BROKEN not applied or not built, of ${#NAMES[@]}"
[ "$SURVIVED" -eq 0 ] && [ "$BROKEN" -eq 0 ]
