/*  Tests for kw_tz: today in a named zone, unknown zones refused. */
#include <stdlib.h>
#include <time.h>
#include "kw_tz.h"
#include "tap.h"

int
main (void)
{
    int y = 0, m = 0, d = 0;
    ok (kw_tz_today ("Europe/London", &y, &m, &d) == 0 && y >= 2024 && m >= 1 && m <= 12
        && d >= 1 && d <= 31, "today in Europe/London");
    //  London is UTC or UTC+1, so its date is UTC's or the day after.
    time_t now = time (NULL);
    struct tm utc, later;
    gmtime_r (&now, &utc);
    time_t plus_hour = now + 3600;
    gmtime_r (&plus_hour, &later);
    ok ((d == utc.tm_mday && m == utc.tm_mon + 1) || (d == later.tm_mday && m == later.tm_mon + 1),
        "London's date is UTC's or an hour ahead of it");
    int y2, m2, d2;
    ok (kw_tz_today ("Pacific/Kiritimati", &y2, &m2, &d2) == 0, "a zone at UTC+14 is known");
    ok (kw_tz_today ("Mars/Olympus_Mons", &y, &m, &d) == -1, "an unknown zone is refused");
    ok (kw_tz_today (NULL, &y, &m, &d) == -1, "no zone is refused");
    return tap_done ();
}
