/*  zone: a region's time zone through libical (local dates and minutes to
    UTC and back, DST-correct), and the instants and dates the scheduling
    API reads and writes: "2026-12-01T09:00:00+00:00", "2026-12-01". */
#ifndef SCHEDULING_ZONE_H
#define SCHEDULING_ZONE_H

#include <stddef.h>
#include <stdint.h>
#include <libical/ical.h>

#define ZONE_TIME_SIZE 48

//  The zone named (IANA, "Europe/London"), or NULL when unknown.
const void *zone_find (const char *name);
//  The UTC instant of minute (0..1439) of local date day (days since
//  1970-01-01): a slot_zone_fn. A minute in a spring-forward gap counts
//  as the instant the clocks moved past.
int64_t zone_to_utc (const void *zone, int32_t day, int minute);
//  Minute (0..1439) of local date day as an iCalendar date-time without a zone.
struct icaltimetype zone_ical_time (int32_t day, int minute);
//  The local date and minute of UTC instant t, and the offset in minutes.
void zone_local (const void *zone, int64_t t, int32_t *day, int *minute, int *offset);
//  t as local time with its offset, "2026-12-01T09:00:00+00:00"; UTC ("Z")
//  when zone is NULL.
void zone_format (const void *zone, int64_t t, char *buf);
//  Parse an RFC 3339 instant with an offset or Z ("2026-12-01T09:00:00Z",
//  seconds optional, a fraction ignored), an instant of the years 1900 to
//  9998 (UTC). 0 or -1.
int zone_parse_instant (const char *s, int64_t *t);
//  Parse "YYYY-MM-DD" into days since 1970-01-01. 0 or -1.
int zone_parse_date (const char *s, int32_t *day);
//  Format days since 1970-01-01 as "YYYY-MM-DD" (11 bytes).
void zone_format_date (int32_t day, char *buf);

#endif
