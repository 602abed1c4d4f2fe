/*  Tests for kw_time: formatting, strict dates, ages (leap days), today in
    a time zone, clocks. */
#include <string.h>
#include <time.h>
#include "kw_time.h"
#include "tap.h"

int
main (void)
{
    char buf [KW_TIME_RFC3339_SIZE];
    kw_time_format (1795600800LL * 1000000, buf);
    is_str (buf, "2026-11-25T10:00:00Z", "whole seconds have no fraction");
    kw_time_format (1795600800LL * 1000000 + 123456, buf);
    is_str (buf, "2026-11-25T10:00:00.123456Z", "microseconds are kept");
    kw_time_format (0, buf);
    is_str (buf, "1970-01-01T00:00:00Z", "the epoch");

    int y, m, d;
    ok (kw_date_parse ("2024-02-29", &y, &m, &d) == 0 && y == 2024 && m == 2 && d == 29, "a leap day parses");
    ok (kw_date_parse ("2023-02-29", &y, &m, &d) == -1, "29 February of a common year is refused");
    ok (kw_date_parse ("1900-02-29", &y, &m, &d) == -1, "1900 was not a leap year");
    ok (kw_date_parse ("2000-02-29", &y, &m, &d) == 0, "2000 was a leap year");
    ok (kw_date_parse ("2026-04-31", &y, &m, &d) == -1, "31 April is refused");
    ok (kw_date_parse ("2026-13-01", &y, &m, &d) == -1, "month 13 is refused");
    ok (kw_date_parse ("2026-1-01", &y, &m, &d) == -1, "a short month is refused");
    ok (kw_date_parse ("2026-01-01T00", &y, &m, &d) == -1, "trailing text is refused");
    ok (kw_date_parse ("20a6-01-01", &y, &m, &d) == -1, "letters are refused");
    ok (kw_date_parse (NULL, &y, &m, &d) == -1, "NULL is refused");
    ok (kw_date_parse ("0000-01-01", &y, &m, &d) == -1, "year 0 is refused");

    is_int (kw_age_years (2015, 3, 2, 2026, 11, 25), 11, "age after the birthday");
    is_int (kw_age_years (2015, 3, 2, 2026, 3, 1), 10, "age the day before the birthday");
    is_int (kw_age_years (2015, 3, 2, 2026, 3, 2), 11, "age on the birthday");
    is_int (kw_age_years (2008, 2, 29, 2026, 2, 28), 17, "a leap-day child is not 18 on 28 February");
    is_int (kw_age_years (2008, 2, 29, 2026, 3, 1), 18, "a leap-day child is 18 on 1 March of a common year");
    is_int (kw_age_years (2008, 2, 29, 2028, 2, 29), 20, "and on 29 February of a leap year");
    ok (kw_age_years (2026, 1, 2, 2026, 1, 1) < 0, "negative before birth");
    int ymd [3];
    kw_date_birthday (2008, 2, 29, 18, ymd);
    ok (ymd [0] == 2026 && ymd [1] == 3 && ymd [2] == 1, "a leap-day child turns 18 on 1 March 2026");
    kw_date_birthday (2008, 2, 29, 20, ymd);
    ok (ymd [0] == 2028 && ymd [1] == 2 && ymd [2] == 29, "and turns 20 on 29 February 2028");
    kw_date_birthday (2015, 3, 2, 18, ymd);
    ok (ymd [0] == 2033 && ymd [1] == 3 && ymd [2] == 2, "an 18th birthday");
    kw_date_add_days (2027, 1, 10, -180, ymd);
    ok (ymd [0] == 2026 && ymd [1] == 7 && ymd [2] == 14, "180 days back across a year end");
    kw_date_add_days (2028, 2, 28, 1, ymd);
    ok (ymd [0] == 2028 && ymd [1] == 2 && ymd [2] == 29, "a day after 28 February of a leap year");
    kw_date_add_days (2100, 2, 28, 1, ymd);
    ok (ymd [0] == 2100 && ymd [1] == 3 && ymd [2] == 1, "2100 is not a leap year");
    kw_date_add_days (2026, 11, 25, 0, ymd);
    ok (ymd [0] == 2026 && ymd [1] == 11 && ymd [2] == 25, "0 days is the same date");

    ok (kw_date_cmp (2026, 1, 1, 2026, 1, 2) < 0, "earlier compares less");
    ok (kw_date_cmp (2026, 2, 1, 2026, 1, 31) > 0, "month outranks day");
    ok (kw_date_cmp (2026, 2, 1, 2026, 2, 1) == 0, "equal dates");

    kw_date_today_utc (&y, &m, &d);
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    ok (y == tm.tm_year + 1900 && m == tm.tm_mon + 1 && (d == tm.tm_mday || d == tm.tm_mday - 1),
        "today in UTC");

    uint64_t t1 = kw_time_mono_ms ();
    uint64_t t2 = kw_time_mono_ms ();
    ok (t2 >= t1, "the monotonic clock does not go back");
    ok (kw_time_now_us () > 1700000000LL * 1000000, "the wall clock is plausible");

    //  Instants as the services write them, and what is not one.
    char instant [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us (), instant);
    ok (kw_time_valid (instant), "kw_time_format's instant is valid (%s)", instant);
    ok (kw_time_valid ("2026-11-20T10:00:00Z") && kw_time_valid ("2024-02-29T23:59:59.123456Z")
        && kw_time_valid ("2026-11-20T10:00:00.1Z"), "whole seconds and one to six fraction digits");
    const char *const bad [] = {
        "", "2026-11-20", "2026-11-20T10:00:00", "2026-11-20 10:00:00Z", "2026-02-30T10:00:00Z",
        "2025-02-29T10:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T10:60:00Z", "2026-11-20T10:00:60Z",
        "2026-11-20T10:00:00.Z", "2026-11-20T10:00:00.1234567Z", "2026-11-20T10:00:00+01:00",
        "2026-11-20T10:00:00Zz", "yesterday", "2026-11-20T1a:00:00Z", NULL
    };
    for (size_t i = 0; bad [i]; i++)
        ok (!kw_time_valid (bad [i]), "not an instant: \"%s\"", bad [i]);
    ok (!kw_time_valid (NULL), "NULL is not an instant");
    return tap_done ();
}
