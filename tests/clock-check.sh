#!/usr/bin/env bash
# make clock-check: the integration suites that count days (ages, due dates,
# reviews, absences, the family's weekdays, meeting windows) against a stack
# whose every program reads a shifted clock: PostgreSQL, the SMTP sink, the
# services and the tests themselves, through libfaketime (Debian's faketime
# package, installed here when missing). One stack a moment, each a moment
# where a test that counts days on the machine's date (UTC) instead of the
# region's, or on a fixed weekday, goes wrong:
#   thursday-bst  Thursday 21 October 2027, 23:30 UTC: already Friday in
#                 London (British Summer Time), the last of the family's
#                 weekdays over in both zones, and the three weeks ahead
#                 cross the night the clocks go back (31 October)
#   new-year      Friday 31 December 2027, 23:30 UTC: the year turns within
#                 the hour, and 60 days on is 29 February 2028
#   spring        Saturday 25 March 2028, 23:30 UTC: the clocks go forward
#                 the next night
#   tests/clock-check.sh [BUILD_DIR] [MOMENT ...]   (default: all three)
# CLOCK_SUITES names other suites of tests/integration (without .py).
# Prints TAP and "N passed, N failed, N skipped"; exits non-zero on a failure.
# The clock is shifted by an offset (FAKETIME="+SECONDS"), so every program
# shares one clock that moves on as the real one does; the monotonic clock
# moves with it (FAKETIME_FORCE_MONOTONIC_FIX).
set -uo pipefail
B=${1:-build}
[ $# -gt 0 ] && shift
MOMENTS=("$@")
[ ${#MOMENTS[@]} -gt 0 ] || MOMENTS=(thursday-bst new-year spring)
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source tests/tap-tally.sh
source tests/test-stack.sh

SUITES=${CLOCK_SUITES:-"test_assignment_changes test_assignment_cover test_case_life test_eligibility test_family_order
        test_kwctl test_kwctl_scheduling test_meeting_links test_notify_case_people test_notify_meeting_flag
        test_notify_meetings test_notify_table test_scheduling_changes test_scheduling_meetings
        test_scheduling_plan test_scheduling_race"}
LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
[ -e "$LIB" ] || deploy/install-deps.sh faketime >&2 || { echo "not ok - installing faketime"; exit 1; }

# moment_utc NAME: the moment's UTC time, as date(1) reads it.
moment_utc() {
    case "$1" in
        thursday-bst) echo "2027-10-21 23:30:00 UTC" ;;
        new-year)     echo "2027-12-31 23:30:00 UTC" ;;
        spring)       echo "2028-03-25 23:30:00 UTC" ;;
        *)            return 1 ;;
    esac
}

for m in "${MOMENTS[@]}"; do
    at=$(moment_utc "$m") || { echo "clock-check: unknown moment $m (thursday-bst, new-year, spring)" >&2; exit 2; }
    # The offset is taken as the stack starts; the suites run for minutes, so
    # the clock is a few minutes past the moment by the last one.
    export FAKETIME="+$(( $(date -d "$at" +%s) - $(date +%s) ))"
    export FAKETIME_FORCE_MONOTONIC_FIX=1 LD_PRELOAD=$LIB
    echo "# clock-check: $m, the clock at $(date -u '+%A %Y-%m-%d %H:%M UTC') ($(TZ=Europe/London date '+%A %H:%M %Z') in London)"
    if ! test_stack_start "$ROOT/$B/clock-var"; then
        unset FAKETIME FAKETIME_FORCE_MONOTONIC_FIX LD_PRELOAD
        FAILED=$((FAILED + 1))
        continue
    fi
    for s in $SUITES; do
        tally_run "clock/$m/$s" /usr/bin/python3 "tests/integration/$s.py"
    done
    test_stack_stop
    unset FAKETIME FAKETIME_FORCE_MONOTONIC_FIX LD_PRELOAD
done
tally_summary
