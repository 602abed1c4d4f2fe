/*  kw_tz: dates in a region's IANA time zone, from libical's zone database
    (the platform's dates are the region's, e.g. Europe/London, DST-correct). */
#ifndef KW_TZ_H
#define KW_TZ_H

//  Today's date in the named zone ("Europe/London"). 0, or -1 when the zone
//  is unknown.
int kw_tz_today (const char *tz, int *y, int *m, int *d);

#endif
