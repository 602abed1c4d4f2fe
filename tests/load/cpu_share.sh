# Sourced by tests/load/bench.sh: where a loop's processor time went, per
# program of the stack, per PostgreSQL role's backends and per bench tool,
# read from /proc/<pid>/stat (utime + stime; the postmaster's children that
# ended, such as short psql sessions, in its cutime + cstime).
#   cpu_ticks FILE        snapshot: "group pid ticks" lines into FILE
#   cpu_report BEFORE AFTER N [LOADGEN_MS]
#                         milliseconds a referral per group over N referrals,
#                         largest first, then the total
# Needs KW_VAR_DIR, PROGRAMS, PSQL (an array running psql -qtA) and, when the
# stack has one, TEST_NOTIFY_SERVER (the Notify protocol server's pid).

# s_pid_ticks PID [all]: the process's clock ticks (with its reaped
# children's when all), or nothing when it is gone.
s_pid_ticks() {
    # Field 2 may hold spaces: count from the closing parenthesis.
    sed -n 's/^.*) //p' "/proc/$1/stat" 2>/dev/null \
        | awk -v all="${2:-}" '{t = $12 + $13; if (all == "all") t += $14 + $15; print t}'
}

cpu_ticks() {
    local p pid t who
    {
        for p in $PROGRAMS smtp; do
            pid=$(cat "$KW_VAR_DIR/run/$p.pid" 2>/dev/null) || continue
            t=$(s_pid_ticks "$pid") && [ -n "$t" ] && echo "$p $pid $t"
        done
        if [ -n "${TEST_NOTIFY_SERVER:-}" ]; then
            t=$(s_pid_ticks "$TEST_NOTIFY_SERVER") && [ -n "$t" ] && echo "notify-server $TEST_NOTIFY_SERVER $t"
        fi
        pid=$(head -n 1 "$KW_VAR_DIR/pg/data/postmaster.pid" 2>/dev/null)
        t=$(s_pid_ticks "$pid" all) && [ -n "$t" ] && echo "pg:postmaster+ended $pid $t"
        "${PSQL[@]}" -F ' ' -c "SELECT pid, coalesce (usename, replace (backend_type, ' ', '-'))
                                FROM pg_stat_activity WHERE pid <> pg_backend_pid ()" \
            | while read -r pid who; do
                t=$(s_pid_ticks "$pid") && [ -n "$t" ] && echo "pg:$who $pid $t"
            done
    } > "$1"
}

cpu_report() {
    local hz
    hz=$(getconf CLK_TCK)
    awk -v n="$3" -v hz="$hz" -v lg="${4:-}" '
        FNR == NR {before[$1 " " $2] = $3; next}
        {d = $3 - before[$1 " " $2]; if (d > 0) ms[$1] += d * 1000 / hz}
        END {
            if (lg != "") ms["loadgen"] = lg
            for (g in ms) {total += ms[g]; printf "%-36s %8.3f\n", g, ms[g] / n | "sort -k2 -rn"}
            close ("sort -k2 -rn")
            printf "%-36s %8.3f\n", "total", total / n
        }' "$1" "$2"
}
