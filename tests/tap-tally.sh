# Shared by the test runners: run a TAP-producing program, echo its output
# with the suite name, count "ok"/"not ok" lines, and count a crash or a
# non-zero exit without a failing line as one more failure. An "ok" line
# with a "# SKIP" directive is counted as skipped, not passed, and listed
# again in the summary with its suite and reason.
PASSED=0
FAILED=0
SKIPPED=0
SKIP_LIST=

tally_run() {
    local name=$1; shift
    echo "# suite $name"
    local out rc=0
    out=$(mktemp)
    "$@" > "$out" 2>&1 || rc=$?
    cat "$out"
    local ok notok skip
    ok=$(grep -E '^ok [0-9]+' "$out" | grep -cviE '#[[:space:]]*SKIP' || true)
    skip=$(grep -E '^ok [0-9]+' "$out" | grep -ciE '#[[:space:]]*SKIP' || true)
    notok=$(grep -cE '^not ok [0-9]+' "$out" || true)
    PASSED=$((PASSED + ok))
    FAILED=$((FAILED + notok))
    SKIPPED=$((SKIPPED + skip))
    if [ "$skip" -gt 0 ]; then
        SKIP_LIST+=$(grep -E '^ok [0-9]+' "$out" | grep -iE '#[[:space:]]*SKIP' | sed "s|^|# skipped in $name: |")
        SKIP_LIST+=$'\n'
    fi
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
    printf '%s' "$SKIP_LIST"
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
    [ "$FAILED" -eq 0 ]
}
