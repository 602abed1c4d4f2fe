/*  zone: conversions through libical's built-in zones (zone.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <libical/ical.h>
#include "kw_time.h"
#include "slots.h"
#include "zone.h"

const void *
zone_find (const char *name)
{
    return name && *name ? icaltimezone_get_builtin_timezone (name) : NULL;
}

struct icaltimetype
zone_ical_time (int32_t day, int minute)
{
    struct icaltimetype tt = icaltime_null_time ();
    int y, m, d;
    slots_date (day, &y, &m, &d);
    tt.year = y;
    tt.month = m;
    tt.day = d;
    tt.hour = minute / 60;
    tt.minute = minute % 60;
    tt.is_date = 0;
    return tt;
}

int64_t
zone_to_utc (const void *zone, int32_t day, int minute)
{
    struct icaltimetype tt = zone_ical_time (day, minute);
    if (!zone)
        return (int64_t) day * 86400 + (int64_t) minute * 60;
    tt.zone = zone;
    return (int64_t) icaltime_as_timet_with_zone (tt, (icaltimezone *) zone);
}

void
zone_local (const void *zone, int64_t t, int32_t *day, int *minute, int *offset)
{
    int off = 0;
    if (zone) {
        struct icaltimetype utc = icaltime_from_timet_with_zone ((time_t) t, 0, icaltimezone_get_utc_timezone ());
        struct icaltimetype local = icaltime_convert_to_zone (utc, (icaltimezone *) zone);
        int64_t as_utc = (int64_t) slots_day (local.year, local.month, local.day) * 86400
                       + local.hour * 3600 + local.minute * 60 + local.second;
        off = (int) (as_utc - t);
    }
    int64_t local_s = t + off;
    int64_t days = local_s >= 0 ? local_s / 86400 : -((-local_s + 86399) / 86400);
    *day = (int32_t) days;
    *minute = (int) ((local_s - days * 86400) / 60);
    *offset = off / 60;
}

void
zone_format (const void *zone, int64_t t, char *buf)
{
    int32_t day;
    int minute, offset;
    zone_local (zone, t, &day, &minute, &offset);
    int y, m, d;
    slots_date (day, &y, &m, &d);
    int64_t local_s = t + (int64_t) offset * 60;
    int second = (int) (((local_s % 60) + 60) % 60);
    if (!zone) {
        snprintf (buf, ZONE_TIME_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, minute / 60, minute % 60,
                  second);
        return;
    }
    int a = offset < 0 ? -offset : offset;
    snprintf (buf, ZONE_TIME_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, minute / 60,
              minute % 60, second, offset < 0 ? '-' : '+', a / 60, a % 60);
}

//  n digits of s into *out; -1 when any is not a digit.
static int
s_digits (const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit ((unsigned char) s [i]))
            return -1;
        *out = *out * 10 + (s [i] - '0');
    }
    return 0;
}

int
zone_parse_date (const char *s, int32_t *day)
{
    int y, m, d;
    if (kw_date_parse (s, &y, &m, &d) != 0)
        return -1;
    *day = slots_day (y, m, d);
    return 0;
}

int
zone_parse_instant (const char *s, int64_t *t)
{
    if (!s || strlen (s) < 17 || strlen (s) > 40)
        return -1;
    char date [11];
    memcpy (date, s, 10);
    date [10] = 0;
    int32_t day;
    int hour, minute, second = 0;
    if (zone_parse_date (date, &day) != 0 || (s [10] != 'T' && s [10] != 't')
    ||  s_digits (s + 11, 2, &hour) != 0 || s [13] != ':' || s_digits (s + 14, 2, &minute) != 0
    ||  hour > 23 || minute > 59)
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (s_digits (p + 1, 2, &second) != 0 || second > 59)
            return -1;
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit ((unsigned char) *p))
                return -1;
            while (isdigit ((unsigned char) *p))
                p++;
        }
    }
    int offset = 0;
    if ((*p == 'Z' || *p == 'z') && p [1] == 0)
        offset = 0;
    else
    if ((*p == '+' || *p == '-') && strlen (p) == 6 && p [3] == ':') {
        int oh, om;
        if (s_digits (p + 1, 2, &oh) != 0 || s_digits (p + 4, 2, &om) != 0 || oh > 23 || om > 59)
            return -1;
        offset = (oh * 60 + om) * (*p == '-' ? -1 : 1);
    }
    else
        return -1;
    *t = (int64_t) day * 86400 + hour * 3600 + minute * 60 + second - (int64_t) offset * 60;
    //  Instants of the years 1900 to 9998, so that any offset keeps their
    //  local time within four-digit years.
    return *t >= (int64_t) slots_day (1900, 1, 1) * 86400 && *t < (int64_t) slots_day (9999, 1, 1) * 86400 ? 0 : -1;
}

void
zone_format_date (int32_t day, char *buf)
{
    int y, m, d;
    slots_date (day, &y, &m, &d);
    snprintf (buf, 11, "%04d-%02d-%02d", y, m, d);
}
