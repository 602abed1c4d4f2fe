/*  kw_time: instants (RFC 3339 UTC) and calendar dates (YYYY-MM-DD). */
#ifndef KW_TIME_H
#define KW_TIME_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

#define KW_TIME_RFC3339_SIZE 32

//  Microseconds since the epoch, wall clock.
int64_t kw_time_now_us (void);
//  Milliseconds from a monotonic clock.
uint64_t kw_time_mono_ms (void);
//  Format microseconds since the epoch as "2026-11-22T10:00:00.123456Z"
//  (fraction only when non-zero) into buf of at least KW_TIME_RFC3339_SIZE.
void kw_time_format (int64_t us, char *buf);
//  Parse "YYYY-MM-DD" strictly into y/m/d; real dates only. 0 or -1.
int kw_date_parse (const char *s, int *y, int *m, int *d);
//  1 when s is an instant as the services write it: "YYYY-MM-DDTHH:MM:SS"
//  with a real date and time, up to six fraction digits, and "Z"; else 0.
int kw_time_valid (const char *s);
//  Today's date in UTC (a region's own date: kw_tz_today).
void kw_date_today_utc (int *y, int *m, int *d);
//  Whole years between birth date and on date (birthday on 29 February counts
//  from 1 March in non-leap years). Negative when on is before birth.
int kw_age_years (int by, int bm, int bd, int oy, int om, int od);
//  The birthday on which someone born on by-bm-bd turns years old, into
//  ymd: 29 February falls on 1 March in non-leap years, as kw_age_years counts.
void kw_date_birthday (int by, int bm, int bd, int years, int ymd [3]);
//  Days since 1970-01-01 of the civil date y-m-d (proleptic Gregorian;
//  negative before it).
long kw_date_days (int y, int m, int d);
//  The date days after y-m-d (days may be negative) into ymd.
void kw_date_add_days (int y, int m, int d, long days, int ymd [3]);
//  Compare two dates: <0, 0, >0.
int kw_date_cmp (int y1, int m1, int d1, int y2, int m2, int d2);

#endif
