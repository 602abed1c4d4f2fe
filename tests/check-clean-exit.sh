#!/usr/bin/env bash
# After a stack has stopped: every program's log ends with "stopped" and no
# program reported a loop that did not close (uv_loop_close failing).
#   tests/check-clean-exit.sh VAR_DIR
set -uo pipefail
log=$1/log
n=0 failed=0
for name in bus gateway referral eligibility assignment scheduling notification; do
    n=$((n + 1))
    last=$(grep -v '^deploy' "$log/$name.log" 2>/dev/null | tail -n 1)
    if [[ "$last" == *'"event":"stopped"'* ]] && ! grep -q loop_not_clean "$log/$name.log"; then
        echo "ok $n - $name stopped on SIGTERM with its loop closed"
    else
        echo "not ok $n - $name stopped on SIGTERM with its loop closed"
        echo "#   last line: ${last:0:200}"
        failed=1
    fi
done
echo "1..$n"
exit $failed
