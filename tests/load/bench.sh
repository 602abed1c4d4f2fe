#!/usr/bin/env bash
# make bench: start the real stack and measure it, all against the same
# PostgreSQL cluster in one run, so the figures can be read as ratios:
#   1. each program's resident memory (VmRSS) after 3 s idle
#   2. a region's workforce, BENCH_WORKFORCE (1500) professionals of every
#      discipline, district and maximum (tests/load/workforce.py), registered
#      through POST /v1/professionals/import: about 21,000 places, room for
#      every referral both loops send (a region out of room answers with the
#      coordinator's wait instead of an offer, and the offers/s would then
#      count the places, not the speed)
#   3. loadgen open loop at BENCH_RATE (100) referrals/s for BENCH_SECONDS (20):
#      p50/p95/p99 from POST to the offer_made event seen on the bus; the
#      referrals suggest registered, unregistered or no professionals
#   4. loadgen closed loop, BENCH_CONCURRENCY (16) POSTs in flight and at
#      most BENCH_OUTSTANDING (256) referrals between their POST and their
#      offer, BENCH_SECONDS; after each loop, the seconds until every event
#      was applied (the next phase starts on an idle stack); the closed
#      loop's processor time a referral per program, PostgreSQL role and
#      bench tool (tests/load/cpu_share.sh)
#   5. pgbench, one-row INSERT script, 4 clients, 10 s (synchronous_commit as set)
#      on the same cluster, same settings, right after the loops; then the
#      same with synchronous_commit off, which the processor bounds rather
#      than the disk's flush
#   6. every pending offer accepted, BENCH_CONCURRENCY at once: accepts/s; the
#      registry's counts afterwards (nobody above their maximum)
#   7. matching one case over 5,000 professionals registered in a region of
#      their own (bench_matching, the service's code against the database)
#   8. each program's peak resident memory (VmHWM) after the load
#   9. a 100,000-row DSR CSV (BENCH_DSR_ROWS): PostgreSQL COPY of it into a
#      plain table, then its import through the gateway, twice (dsr_bench.py)
#  10. BENCH_MAILS (1000) e-mails sent by notification to the SMTP sink, against
#      Postfix's smtp-source with the same count, size and concurrency, and
#      an RPC's p99 through the gateway while they go out (mail_bench.py)
#  11. before the stack starts, eligibility decisions/s in memory: 100,000
#      generated referrals under norfolk and nhse, with and without packing
#      (bench_eligibility)
#  12. before the stack starts, the slot search for 10 participants with
#      realistic calendars over 8 weeks against a plain scan of every
#      15-minute step (bench_slots)
#
# The ratio to pgbench: pgbench counts one-row INSERT transactions, each a
# commit that waits for its WAL flush (not TPC-B: five statements a
# transaction would make a smaller yardstick). One referral is several
# write transactions: the POST, each event applied by each service that
# consumes it, the e-mail's delivery row (nine, docs/design.md). The bench
# counts them: the transaction ids PostgreSQL gave out while each loop ran
# and caught up, per referral. In the open loop events mostly arrive one at
# a time, so that is the count of steps; in the closed loop consumers apply
# many events a transaction. Three ratios: referrals/s to pgbench TPS (the
# one with a target), and referrals/s times each count to pgbench TPS (steps
# of a referral, and transactions as committed, per second). pgbench's TPS
# follows the time the disk takes to flush (its ms a transaction, printed),
# which differs several-fold between hosts, while the referrals a second
# follow the processor; so a fourth ratio takes pgbench with
# synchronous_commit off, which the processor bounds as it does the loop.
# Prints figures and the targets they are compared with; asserts nothing.
#   BENCH_EMAIL=N  also time N referrals one at a time to the e-mail (latency.py)
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
LOADGEN=$ROOT/$B/tests-load/loadgen
RATE=${BENCH_RATE:-100}
SECONDS_EACH=${BENCH_SECONDS:-20}
CONCURRENCY=${BENCH_CONCURRENCY:-16}
OUTSTANDING=${BENCH_OUTSTANDING:-256}
WORKFORCE=${BENCH_WORKFORCE:-1500}
PROGRAMS="bus gateway referral eligibility assignment scheduling notification"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
BENCH_ELIGIBILITY=$ROOT/$B/tests-load/bench_eligibility
BENCH_MATCHING=$ROOT/$B/tests-load/bench_matching
BENCH_SLOTS=$ROOT/$B/tests-load/bench_slots
[ -x "$LOADGEN" ] || { echo "bench: $LOADGEN missing (make $B/tests-load/loadgen)"; exit 1; }
[ -x "$BENCH_ELIGIBILITY" ] || { echo "bench: $BENCH_ELIGIBILITY missing (make $B/tests-load/bench_eligibility)"; exit 1; }
[ -x "$BENCH_MATCHING" ] || { echo "bench: $BENCH_MATCHING missing (make $B/tests-load/bench_matching)"; exit 1; }
[ -x "$BENCH_SLOTS" ] || { echo "bench: $BENCH_SLOTS missing (make $B/tests-load/bench_slots)"; exit 1; }
source tests/test-stack.sh
source tests/load/cpu_share.sh

echo "## eligibility rules: 100,000 generated referrals a rule set, in memory"
ELIGIBILITY=$("$BENCH_ELIGIBILITY" 2>&1) || echo "bench: bench_eligibility failed"
echo "$ELIGIBILITY"
echo "## slot search: 10 participants over 8 weeks, against a plain scan of every 15-minute step"
SLOTS=$("$BENCH_SLOTS" 2>&1) || echo "bench: bench_slots failed"
echo "$SLOTS"

# loadgen watches the bus: a key pair of its own, admitted as a subscriber.
export KW_CURVE_NAMES=loadgen
export KW_BUS_SUBSCRIBERS=referral,eligibility,assignment,scheduling,notification,loadgen
test_stack_start "$ROOT/$B/bench-var" || exit 1
OUT=$KW_VAR_DIR/bench
mkdir -p "$OUT"
echo "$ELIGIBILITY" > "$OUT/eligibility.out"
echo "$SLOTS" > "$OUT/slots.out"
export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$PGBIN/psql" -h "$KW_VAR_DIR/pg/run" -p "$KW_PG_PORT" -U postgres -d kw -v ON_ERROR_STOP=1 -qtA)

# status_kb PROGRAM FIELD: a field of /proc/<pid>/status in kB, or "-".
status_kb() {
    local pid
    pid=$(cat "$KW_VAR_DIR/run/$1.pid" 2>/dev/null) || { echo -; return; }
    awk -v f="$2:" '$1 == f {print $2; found=1} END {if (!found) print "-"}' "/proc/$pid/status" 2>/dev/null || echo -
}
# field MODE KEY: a value from loadgen's RESULT line.
field() {
    sed -n 's/^RESULT //p' "$OUT/$1.out" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

sleep 3
declare -A IDLE ANON PIDS
for p in $PROGRAMS; do
    IDLE[$p]=$(status_kb "$p" VmRSS)
    ANON[$p]=$(status_kb "$p" RssAnon)
    PIDS[$p]=$(cat "$KW_VAR_DIR/run/$p.pid" 2>/dev/null || echo -)
done

# import_workforce REGION FILE: POST FILE to /v1/professionals/import as a coordinator
# of REGION; prints the answer and "seconds S" (the time it took).
import_workforce() {
    local token t0 t1
    token=$("$ROOT/$B/bin/kwctl" token --role coordinator --region "$1" --sub bench)
    t0=$(date +%s.%N)
    curl -s -X POST "http://$KW_HTTP_ADDR/v1/professionals/import" -H "Authorization: Bearer $token" \
         -H "Content-Type: text/csv" --data-binary "@$2" | head -c 300
    t1=$(date +%s.%N)
    echo
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "seconds %.2f\n", b - a}'
}

echo "## workforce: $WORKFORCE professionals of norfolk through POST /v1/professionals/import"
python3 tests/load/workforce.py "$WORKFORCE" bench > "$OUT/workforce.csv"
import_workforce norfolk "$OUT/workforce.csv" | tee "$OUT/workforce.out"
PLACES=$("${PSQL[@]}" -c "SELECT sum (max_caseload) FROM assignment.professionals WHERE region = 'norfolk'")
echo "places: $PLACES"

# caught_up LABEL: wait (at most 600 s) until every consumer has applied
# every event written so far; prints the seconds it took.
caught_up() {
    local t0 t1 behind
    t0=$(date +%s.%N)
    for _ in $(seq 1 6000); do
        behind=$("${PSQL[@]}" -c "SELECT count(*) FROM bus.offsets o JOIN bus.producers p
                                   ON p.producer = o.producer WHERE o.last_seq < p.last_seq")
        [ "$behind" = 0 ] && break
        sleep 0.1
    done
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v l="$1" 'BEGIN {printf "caught up after the %s: %.1f s\n", l, b - a}'
}

# counters: the transaction ids given out so far (one for each transaction
# that wrote), the WAL flushes, the WAL written (bytes, from the insert
# position) and that position, as "xid syncs bytes lsn".
counters() {
    "${PSQL[@]}" -F ' ' -c "SELECT pg_current_xact_id ()::text::bigint, wal_sync,
        pg_wal_lsn_diff (pg_current_wal_insert_lsn (), '0/0')::bigint, pg_current_wal_insert_lsn () FROM pg_stat_wal"
}
# per_referral BEFORE AFTER MODE: write transactions, WAL flushes and WAL
# bytes per referral accepted in the loop, as "transactions flushes bytes".
per_referral() {
    local n
    n=$(field "$3" accepted)
    awk -v b="$1" -v a="$2" -v n="${n:-0}" 'BEGIN {split (b, x, " "); split (a, y, " ");
        if (n > 0) printf "%.2f %.2f %.0f\n", (y[1] - x[1] - 1) / n, (y[2] - x[2]) / n, (y[3] - x[3]) / n;
        else print "- - -"}'
}
# wal_records BEFORE AFTER MODE: WAL records per referral accepted in the
# loop, counted by pg_waldump between the two positions ("-" when a
# checkpoint has recycled the segments).
wal_records() {
    local n total
    n=$(field "$3" accepted)
    total=$("$PGBIN/pg_waldump" -p "$KW_VAR_DIR/pg/data/pg_wal" -s "${1##* }" -e "${2##* }" --stats 2>/dev/null \
            | awk '$1 == "Total" {print $2}')
    awk -v t="${total:-0}" -v n="${n:-0}" 'BEGIN {if (t > 0 && n > 0) printf "%.1f\n", t / n; else print "-"}'
}

echo "## loadgen open loop: $RATE referrals/s for $SECONDS_EACH s"
C0=$(counters)
"$LOADGEN" --rate "$RATE" --duration "$SECONDS_EACH" --workforce "$WORKFORCE" --prefix bench | tee "$OUT/open.out"
caught_up "open loop" | tee "$OUT/open.caught"
read -r OPEN_TX OPEN_SYNC OPEN_WAL <<< "$(per_referral "$C0" "$(counters)" open)"
echo "## loadgen closed loop: $CONCURRENCY in flight, $OUTSTANDING before their offer, for $SECONDS_EACH s"
C0=$(counters)
cpu_ticks "$OUT/max.cpu0"
"$LOADGEN" --max --concurrency "$CONCURRENCY" --outstanding "$OUTSTANDING" --duration "$SECONDS_EACH" --workforce "$WORKFORCE" --prefix bench \
    | tee "$OUT/max.out"
caught_up "closed loop" | tee "$OUT/max.caught"
C1=$(counters)
read -r MAX_TX MAX_SYNC MAX_WAL <<< "$(per_referral "$C0" "$C1" max)"
MAX_RECORDS=$(wal_records "$C0" "$C1" max)
cpu_ticks "$OUT/max.cpu1"
echo "## processor time a referral (ms), closed loop until every event applied"
cpu_report "$OUT/max.cpu0" "$OUT/max.cpu1" "$(field max accepted)" "$(field max cpu_ms)" | tee "$OUT/max.cpu"

echo "## pgbench: one-row INSERT, 4 clients, 10 s"
SYNC=$("${PSQL[@]}" -c "SHOW synchronous_commit")
"${PSQL[@]}" -c "CREATE SCHEMA IF NOT EXISTS bench_scratch;
                 CREATE TABLE IF NOT EXISTS bench_scratch.t (id bigserial PRIMARY KEY, v bigint NOT NULL)"
"$PGBIN/pgbench" -h "$KW_VAR_DIR/pg/run" -p "$KW_PG_PORT" -U postgres -n -c 4 -j 2 -T 10 \
    -f tests/load/pgbench_insert.sql kw > "$OUT/pgbench.out" 2>&1
grep -E '^(number of transactions actually processed|latency average|tps)' "$OUT/pgbench.out"
echo "## pgbench: the same with synchronous_commit off"
PGOPTIONS="$PGOPTIONS -c synchronous_commit=off" "$PGBIN/pgbench" -h "$KW_VAR_DIR/pg/run" -p "$KW_PG_PORT" \
    -U postgres -n -c 4 -j 2 -T 10 -f tests/load/pgbench_insert.sql kw > "$OUT/pgbench_async.out" 2>&1
grep -E '^(number of transactions actually processed|latency average|tps)' "$OUT/pgbench_async.out"
"${PSQL[@]}" -c "DROP SCHEMA bench_scratch CASCADE"
# tps FILE: pgbench's transactions a second in FILE.
tps() {
    sed -n 's/^tps = \([0-9]*\.[0-9]\).*/\1/p' "$1" | head -n 1
}
TPS=$(tps "$OUT/pgbench.out")
ASYNC_TPS=$(tps "$OUT/pgbench_async.out")

# registry CHECK: counts over the region's professionals, after the offers and after the accepts.
registry() {
    "${PSQL[@]}" -F ' ' -c "SELECT count(*) FILTER (WHERE caseload + cover_load > max_caseload),
        count(*) FILTER (WHERE caseload + cover_load + pending_offers > max_caseload),
        coalesce (max (pending_offers), 0), coalesce (max (caseload), 0), sum (caseload), sum (pending_offers)
        FROM assignment.professionals WHERE region = 'norfolk'"
}
OFFERED=$(registry)
WAITING=$("${PSQL[@]}" -c "SELECT count(*) FROM assignment.cases WHERE region = 'norfolk' AND status = 'awaiting_key_worker'")
echo "## offers accepted: every pending offer, $CONCURRENCY at once"
"${PSQL[@]}" -c "COPY (SELECT o.case_id, o.id FROM assignment.offers o JOIN assignment.cases c ON c.id = o.case_id
                       WHERE c.region = 'norfolk' AND o.status = 'pending' ORDER BY random ()) TO STDOUT" \
    > "$OUT/offers.txt"
"$LOADGEN" --accept "$OUT/offers.txt" --concurrency "$CONCURRENCY" | tee "$OUT/accept.out"
ACCEPTED=$(registry)

echo "## matching: one case over 5,000 professionals of a region of their own"
# The region's file (norfolk's rules under another id): tokens name only known regions.
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["id"] = "bench5000"; d["name"] = "Bench 5000"
json.dump(d, open(sys.argv[2], "w"))' "$KW_REGION_DIR/norfolk.json" "$KW_REGION_DIR/bench5000.json"
python3 tests/load/workforce.py 5000 bench5000 2 > "$OUT/workforce5000.csv"
import_workforce bench5000 "$OUT/workforce5000.csv" | tee "$OUT/workforce5000.out"
grep -q '"error"' "$OUT/workforce5000.out" && { echo "bench: the 5,000 professionals were not imported"; exit 1; }
"${PSQL[@]}" -c "ANALYZE assignment.professionals; ANALYZE assignment.professional_terms"
"$BENCH_MATCHING" --region bench5000 --prefix bench5000 --workforce 5000 --count 3000 2>/dev/null \
    | tee "$OUT/matching.out"

declare -A PEAK
for p in $PROGRAMS; do
    PEAK[$p]=$(status_kb "$p" VmHWM)
    now=$(cat "$KW_VAR_DIR/run/$p.pid" 2>/dev/null || echo -)
    [ "$now" = "${PIDS[$p]}" ] || PEAK[$p]="${PEAK[$p]} (restarted)"
done

KW_PSQL="$PGBIN/psql" /usr/bin/python3 tests/load/dsr_bench.py "$OUT" | tee "$OUT/dsr.out"

# The e-mails are timed on a service with nothing else to send, as
# smtp-source is: every consumer caught up, and the messages of the steps
# before (offers, key workers told of their cases) out of the sender's queue.
caught_up "DSR import"
sender_idle() {
    local t0 t1 due
    t0=$(date +%s.%N)
    for _ in $(seq 1 6000); do
        due=$("${PSQL[@]}" -c "SELECT count(*) FROM notification.deliveries
                                WHERE status IN ('pending', 'sending') AND next_attempt_at <= now ()")
        [ "$due" = 0 ] && break
        sleep 0.1
    done
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v d="$due" \
        'BEGIN {printf "messages of the steps before sent: %.1f s (%s still due)\n", b - a, d}'
}
sender_idle
echo "## e-mail: ${BENCH_MAILS:-1000} e-mails to the SMTP sink, against Postfix's smtp-source"
/usr/bin/python3 tests/load/mail_bench.py "${BENCH_MAILS:-1000}" | tee "$OUT/mail.out"
test_stack_stop

MAXRATE=$(field max offers_per_s)
echo
echo "# key worker service bench ($(nproc) CPUs, synchronous_commit = $SYNC)"
printf '%-44s %12s   %s\n' "figure" "measured" "target"
printf '%-44s %12s\n' "referrals/s sustained, max rate (offers made)" "$MAXRATE"
printf '%-44s %12s\n' "referrals/s accepted (201), max rate" "$(field max accepted_per_s)"
printf '%-44s %12s\n' "referrals between POST and offer, max rate" "at most $OUTSTANDING"
printf '%-44s %12s\n' "pgbench TPS (one-row INSERT, 4 clients)" "${TPS:--}"
printf '%-44s %12s   %s\n' "ratio referrals/s / pgbench TPS" \
    "$(awk -v r="$MAXRATE" -v t="${TPS:-0}" 'BEGIN {if (t > 0) printf "%.4f", r / t; else print "-"}')" ">= 0.06"
printf '%-44s %12s\n' "pgbench ms a transaction (its flush), 4 clients" \
    "$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$OUT/pgbench.out")"
printf '%-44s %12s\n' "pgbench TPS, synchronous_commit off" "${ASYNC_TPS:--}"
printf '%-44s %12s\n' "ratio referrals/s / that TPS" \
    "$(awk -v r="$MAXRATE" -v t="${ASYNC_TPS:-0}" 'BEGIN {if (t > 0) printf "%.4f", r / t; else print "-"}')"
# ratio_times COUNT: referrals/s (max rate) times COUNT to pgbench TPS.
ratio_times() {
    awk -v r="$MAXRATE" -v x="$1" -v t="${TPS:-0}" 'BEGIN {if (t > 0 && x + 0 > 0) printf "%.3f", r * x / t; else print "-"}'
}
printf '%-44s %12s\n' "write transactions a referral, open loop" "$OPEN_TX"
printf '%-44s %12s\n' "write transactions a referral, closed loop" "$MAX_TX"
printf '%-44s %12s\n' "WAL flushes a referral, open / closed loop" "$OPEN_SYNC / $MAX_SYNC"
printf '%-44s %12s\n' "WAL bytes a referral, open / closed loop" "$OPEN_WAL / $MAX_WAL"
printf '%-44s %12s\n' "WAL records a referral, closed loop" "$MAX_RECORDS"
printf '%-44s %12s\n' "ratio steps/s (open-loop count) / pgbench" "$(ratio_times "$OPEN_TX")"
printf '%-44s %12s\n' "ratio commits/s (closed-loop count) / pgbench" "$(ratio_times "$MAX_TX")"
for k in p50 p95 p99; do
    printf '%-44s %12s\n' "$k ms POST -> 201 (create) at $RATE/s" "$(field open create_${k}_ms)"
done
for k in p50 p95; do
    printf '%-44s %12s\n' "$k ms POST -> offer at $RATE/s" "$(field open ${k}_ms)"
done
printf '%-44s %12s   %s\n' "p99 ms POST -> offer at $RATE/s" "$(field open p99_ms)" "<= 30"
printf '%-44s %12s\n' "max ms POST -> offer at $RATE/s" "$(field open max_ms)"
printf '%-44s %12s   %s\n' "referrals neither offered nor waiting in 10 s" \
    "$(( $(field open incomplete) + $(field max incomplete) ))" "0"
printf '%-44s %12s\n' "cases waiting for the coordinator (no room)" "${WAITING:--}"
printf '%-44s %12s\n' "s until every event applied, open loop" "$(sed -n 's/.*: \([0-9.]*\) s$/\1/p' "$OUT/open.caught")"
printf '%-44s %12s\n' "s until every event applied, closed loop" "$(sed -n 's/.*: \([0-9.]*\) s$/\1/p' "$OUT/max.caught")"
echo "# offers observed on the bus (SUB $KW_BUS_SUB, assignment.offer_made; case_awaiting_key_worker)"
read -r OVER_HELD OVER_OFFERED MAX_PENDING MAX_HELD SUM_HELD SUM_PENDING <<< "$OFFERED"
printf '%-44s %12s\n' "workforce: professionals, places" "$WORKFORCE, ${PLACES:--}"
printf '%-44s %12s\n' "workforce import rows/s (POST .../import)" \
    "$(awk -v n="$WORKFORCE" '/^seconds/ {if ($2 > 0) printf "%.0f", n / $2}' "$OUT/workforce.out")"
printf '%-44s %12s   %s\n' "professionals held + offered above maximum" "${OVER_OFFERED:--}" "0"
printf '%-44s %12s\n' "most offers pending to one professional" "${MAX_PENDING:--}"
printf '%-44s %12s   %s\n' "offers accepted/s ($CONCURRENCY at once)" "$(field accept accepts_per_s)" \
    "$(field accept accepted) of $(field accept offers)"
printf '%-44s %12s\n' "p50 / p99 ms an accept" "$(field accept accept_p50_ms) / $(field accept accept_p99_ms)"
read -r OVER_HELD OVER_OFFERED MAX_PENDING MAX_HELD SUM_HELD SUM_PENDING <<< "$ACCEPTED"
printf '%-44s %12s   %s\n' "professionals holding above maximum" "${OVER_HELD:--}" "0"
printf '%-44s %12s\n' "most cases held by one professional" "${MAX_HELD:--}"
printf '%-44s %12s   %s\n' "matching p50 us, one case, 5,000 professionals" "$(field matching matching_p50_us)" \
    "< 1000"
printf '%-44s %12s\n' "matching p99 us" "$(field matching matching_p99_us)"
printf '%-44s %12s\n' "candidates drawn a case" "$(field matching candidates)"
printf '%-44s %12s   %s\n' "slot search p99 us, 10 people, 8 weeks" "$(field slots slots_p99_us)" "< 1000"
printf '%-44s %12s\n' "slot search p50 us" "$(field slots slots_p50_us)"
printf '%-44s %12s\n' "plain scan of every step p50 / p99 us" \
    "$(field slots scan_p50_us) / $(field slots scan_p99_us)"
printf '%-44s %12s\n' "search and scan agreed (of calendars)" "$(field slots agreed) of $(field slots count)"
printf '%-44s %12s\n' "import of 5,000 professionals, seconds" \
    "$(sed -n 's/^seconds //p' "$OUT/workforce5000.out")"
printf '%-44s %12s\n' "DSR rows/s, PostgreSQL COPY to a plain table" "$(field dsr copy_rows_per_s)"
printf '%-44s %12s\n' "DSR rows/s, first import (all created)" "$(field dsr import_rows_per_s)"
printf '%-44s %12s\n' "DSR rows/s, second import (all unchanged)" "$(field dsr reimport_rows_per_s)"
printf '%-44s %12s   %s\n' "ratio first import / COPY" "$(field dsr ratio)" ">= 0.3"
printf '%-44s %12s\n' "ratio second import / COPY" \
    "$(awk -v r="$(field dsr reimport_rows_per_s)" -v c="$(field dsr copy_rows_per_s)" \
       'BEGIN {if (c > 0) printf "%.3f", r / c; else print "-"}')"
printf '%-44s %12s\n' "DSR import checks (bad rows by line, re-import)" "$(field dsr checks)"
for r in norfolk nhse; do
    printf '%-44s %12s\n' "eligibility decisions/s, $r" "$(field eligibility ${r}_per_s)"
    printf '%-44s %12s\n' "eligibility decisions/s, $r, packed" "$(field eligibility ${r}_packed_per_s)"
done
echo
printf '%-14s %10s %16s %10s   %s\n' "program" "idle kB" "(anon, idle) kB" "peak kB" "target idle"
for p in $PROGRAMS; do
    printf '%-14s %10s %16s %10s   %s\n' "$p" "${IDLE[$p]}" "${ANON[$p]}" "${PEAK[$p]}" "<= 16384"
done

if [ "${BENCH_EMAIL:-0}" -gt 0 ]; then
    # KW_CURVE_NAMES and KW_BUS_SUBSCRIBERS (loadgen's key pair) are still exported from above.
    test_stack_start "$ROOT/$B/bench-var" || exit 1
    /usr/bin/python3 tests/load/latency.py "$BENCH_EMAIL"
    test_stack_stop
fi
