# Shared by the test runners: run a TAP-producing program, echo its output
# with the suite name, count "ok"/"not ok" lines, and count a crash or a
# non-zero exit without a failing line as one more failure.
PASSED=0
FAILED=0

tally_run() {
    local name=$1; shift
    echo "# suite $name"
    local out rc=0
    out=$(mktemp)
    "$@" > "$out" 2>&1 || rc=$?
    cat "$out"
    local ok notok
    ok=$(grep -cE '^ok [0-9]+' "$out" || true)
    notok=$(grep -cE '^not ok [0-9]+' "$out" || true)
    PASSED=$((PASSED + ok))
    FAILED=$((FAILED + notok))
    if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        FAILED=$((FAILED + 1))
    fi
    if [ "$ok" -eq 0 ] && [ "$notok" -eq 0 ] && [ "$rc" -eq 0 ]; then
        echo "not ok - $name ran no test"
        FAILED=$((FAILED + 1))
    fi
    rm -f "$out"
}

tally_summary() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
