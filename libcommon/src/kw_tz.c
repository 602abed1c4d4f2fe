/*  kw_tz: today in a region's time zone through libical. Kept apart from
    kw_time so that programs without regions do not load libical. */
#include <libical/ical.h>
#include "kw_tz.h"

int
kw_tz_today (const char *tz, int *y, int *m, int *d)
{
    icaltimezone *zone = tz ? icaltimezone_get_builtin_timezone (tz) : NULL;
    if (!zone)
        return -1;
    struct icaltimetype now = icaltime_current_time_with_zone (zone);
    *y = now.year;
    *m = now.month;
    *d = now.day;
    return 0;
}
