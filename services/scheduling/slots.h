/*  slots: finding a meeting slot, a pure module (no database, no clock).
    The window is a range of local dates of the region; local times become
    UTC instants through the query's zone function, so the search is right
    across clock changes. A slot is a start on a step (15 minutes) of local
    time where, for its whole duration, every required participant is within
    their working hours and has no absence and no meeting (widened by the
    buffer), the day is not a public holiday and the family's days and times
    hold. Ranking: the slot with the most optional participants able to
    come wins; between equals, the earliest (docs/scheduling.md). The same
    inputs give the same slot. When there is none, the reason names the
    first constraint that left no time, and up to three alternatives set
    one family wish aside. slots_scan_plain is the same search as a plain
    scan over every step, for tests and the benchmark. */
#ifndef SCHEDULING_SLOTS_H
#define SCHEDULING_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#define SLOTS_MAX_PEOPLE 32
#define SLOTS_MAX_ALTERNATIVES 3
#define SLOTS_REASON_SIZE 320
#define SLOTS_MAX_CONSTRAINTS 4

//  An interval of UTC seconds, [start, end).
typedef struct {
    int64_t start, end;
} slot_span_t;

typedef struct {
    const char *label;              //  names them in a reason: "the key worker", "professional <id>"
    const char *id;                 //  names them in the constraints list
    int required;
    int has_hours;                  //  0: free at any time of any day (the family)
    int16_t hours [7][2];           //  Monday first: [start, end) minutes of local time; equal: not working
    const slot_span_t *absences;    //  any order
    size_t absence_count;
    const slot_span_t *meetings;    //  their other meetings, any order (widened by the buffer)
    size_t meeting_count;
} slot_person_t;

//  The UTC instant of minute (0..1439) of local date day (days since
//  1970-01-01) in the zone.
typedef int64_t (slot_zone_fn) (const void *zone, int32_t day, int minute);

typedef struct {
    int32_t first_day, last_day;    //  the window's local dates, both included
    int duration;                   //  minutes
    int step;                       //  minutes between candidate starts (15)
    int buffer;                     //  minutes kept free around other meetings
    uint8_t family_days;            //  bit 0 Monday .. bit 6 Sunday; 0: any day
    int family_from, family_to;     //  local minutes; -1: any time
    const int32_t *holidays;        //  local dates, any order
    size_t holiday_count;
    int64_t not_before;             //  no slot starts earlier (now)
    slot_zone_fn *to_utc;
    const void *zone;
    const slot_person_t *people;
    size_t people_count;            //  at most SLOTS_MAX_PEOPLE
} slot_query_t;

typedef struct {
    int64_t start, end;
    uint32_t optional_free;         //  bit i: people [i] (optional) can come
    int optional_count;
    const char *breaks;             //  an alternative's wish set aside: "family_days", "family_times"
} slot_t;

typedef struct {
    int found;
    slot_t slot;
    char reason [SLOTS_REASON_SIZE];    //  no slot: what left no time, in words
    const char *constraints [SLOTS_MAX_CONSTRAINTS];   //  "family_days", "working_hours:<id>", ...
    size_t constraint_count;
    slot_t alternatives [SLOTS_MAX_ALTERNATIVES];
    size_t alternative_count;
} slot_result_t;

//  Weekday of a local date: 0 Monday .. 6 Sunday.
int slots_weekday (int32_t day);
//  Days since 1970-01-01 of y-m-d (proleptic Gregorian), and back.
int32_t slots_day (int y, int m, int d);
void slots_date (int32_t day, int *y, int *m, int *d);

//  Search; -1 when the query is malformed (no duration or step, too many
//  people, an empty window), else 0 with result filled (found or not).
int slots_search (const slot_query_t *query, slot_result_t *result);

//  The same answer as slots_search's slot, by checking every step of the
//  window against every constraint (no reason, no alternatives).
int slots_scan_plain (const slot_query_t *query, slot_result_t *result);

#endif
