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

//  The two digits at s as a number, or -1.
static int
s_two_digits (const char *s)
{
    return s [0] >= '0' && s [0] <= '9' && s [1] >= '0' && s [1] <= '9' ? (s [0] - '0') * 10 + s [1] - '0' : -1;
}

int
kw_time_valid (const char *s)
{
    char date [11];
    int y, m, d;
    if (!s || strlen (s) < 20 || s [10] != 'T' || s [13] != ':' || s [16] != ':')
        return 0;
    memcpy (date, s, 10);
    date [10] = 0;
    int hour = s_two_digits (s + 11), minute = s_two_digits (s + 14), second = s_two_digits (s + 17);
    if (kw_date_parse (date, &y, &m, &d) != 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
    ||  second < 0 || second > 59)
        return 0;
    const char *p = s + 19;
    if (*p == '.') {
        size_t digits = strspn (++p, "0123456789");
        if (digits < 1 || digits > 6)
            return 0;
        p += digits;
    }
    return strcmp (p, "Z") == 0;
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

void
kw_date_birthday (int by, int bm, int bd, int years, int ymd [3])
{
    ymd [0] = by + years;
    ymd [1] = bm;
    ymd [2] = bd;
    //  A 29 February birthday falls on 1 March in a non-leap year.
    if (bm == 2 && bd == 29 && !s_leap (ymd [0])) {
        ymd [1] = 3;
        ymd [2] = 1;
    }
}

int
kw_age_years (int by, int bm, int bd, int oy, int om, int od)
{
    int birthday [3];
    kw_date_birthday (by, bm, bd, oy - by, birthday);
    int age = oy - by;
    if (kw_date_cmp (oy, om, od, birthday [0], birthday [1], birthday [2]) < 0)
        age--;
    return age;
}

long
kw_date_days (int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
kw_date_add_days (int y, int m, int d, long days, int ymd [3])
{
    long z = kw_date_days (y, m, d) + days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    ymd [0] = (int) (yoe + era * 400 + (month <= 2));
    ymd [1] = month;
    ymd [2] = (int) (doy - (153 * mp + 2) / 5 + 1);
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
