/*  kw_time: clocks, RFC 3339 instants and strict calendar dates. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "kw_time.h"

int64_t
kw_time_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t
kw_time_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

void
kw_time_format (int64_t us, char *buf)
{
    int64_t secs = us / 1000000;
    int64_t frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    time_t t = (time_t) secs;
    struct tm tm;
    gmtime_r (&t, &tm);
    size_t n = strftime (buf, KW_TIME_RFC3339_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac)
        snprintf (buf + n, KW_TIME_RFC3339_SIZE - n, ".%06dZ", (int) frac);
    else
        snprintf (buf + n, KW_TIME_RFC3339_SIZE - n, "Z");
}

static int
s_leap (int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
s_days_in_month (int y, int m)
{
    static const int days [12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && s_leap (y) ? 29 : days [m - 1];
}

int
kw_date_parse (const char *s, int *y, int *m, int *d)
{
    if (!s || strlen (s) != 10 || s [4] != '-' || s [7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s [i] < '0' || s [i] > '9'))
            return -1;
    int year = (s [0] - '0') * 1000 + (s [1] - '0') * 100 + (s [2] - '0') * 10 + (s [3] - '0');
    int month = (s [5] - '0') * 10 + (s [6] - '0');
    int day = (s [8] - '0') * 10 + (s [9] - '0');
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > s_days_in_month (year, month))
        return -1;
    *y = year;
    *m = month;
    *d = day;
    return 0;
}

void
kw_date_today_utc (int *y, int *m, int *d)
{
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

int
kw_age_years (int by, int bm, int bd, int oy, int om, int od)
{
    int age = oy - by;
    //  A 29 February birthday falls on 1 March in a non-leap year.
    int month = bm, day = bd;
    if (bm == 2 && bd == 29 && !s_leap (oy)) {
        month = 3;
        day = 1;
    }
    if (om < month || (om == month && od < day))
        age--;
    return age;
}

int
kw_date_cmp (int y1, int m1, int d1, int y2, int m2, int d2)
{
    if (y1 != y2)
        return y1 < y2 ? -1 : 1;
    if (m1 != m2)
        return m1 < m2 ? -1 : 1;
    if (d1 != d2)
        return d1 < d2 ? -1 : 1;
    return 0;
}
