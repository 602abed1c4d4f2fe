/*  Unit tests for the slot search (services/scheduling/slots.c) in the
    Europe/London zone, as a table: each row is a window, the family's
    wishes, the public holidays and the people (working hours per weekday,
    absences and meetings in local time), and the slot expected (local time
    with its offset) or the reason and constraint of no common slot with
    the alternatives' count. Then random calendars: the search and the
    plain scan of every step must agree. Then the zone's instants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../services/scheduling/slots.h"
#include "../../services/scheduling/zone.h"
#include "tap.h"

#define MAX_PEOPLE 4
#define MAX_SPANS 4

typedef struct {
    const char *label;
    int required;
    const char *hours;                  //  7 entries Monday first, "09:00-17:00" or "-"; NULL: any time
    const char *absences [MAX_SPANS];   //  "2026-12-01 09:00/2026-12-01 12:00"
    const char *meetings [MAX_SPANS];
} person_t;

typedef struct {
    const char *name;
    const char *first, *last;
    int duration, buffer;
    const char *family_days;            //  "1010100": Monday first
    const char *family_times;           //  "13:00-15:00"
    const char *holidays;               //  "2026-12-25,2026-12-28"
    const char *not_before;             //  RFC 3339
    person_t people [MAX_PEOPLE];
    const char *start;                  //  the slot, or NULL
    int optional_count;
    const char *reason;                 //  a part of the reason
    const char *constraint;             //  the first constraint named
    int alternatives;
    const char *alternative;            //  the first alternative's start
} row_t;

#define FULL_TIME "09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,-,-"
#define WED_THU "-,-,10:00-15:00,10:00-15:00,-,-,-"
#define AFTERNOONS "14:00-17:00,14:00-17:00,14:00-17:00,14:00-17:00,14:00-17:00,-,-"
#define KEY_WORKER(...) { "the key worker", 1, FULL_TIME, __VA_ARGS__ }
#define FAMILY { "the family", 1, NULL, { NULL }, { NULL } }

static const row_t ROWS [] = {
    { "the first morning of the window", "2026-12-01", "2026-12-21", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      "2026-12-01T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "09:00 local the week after the clocks go forward (last Sunday of March) is 08:00 UTC",
      "2026-03-30", "2026-04-03", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      "2026-03-30T09:00:00+01:00", 0, NULL, NULL, 0, NULL },
    { "09:00 local the week after the clocks go back (last Sunday of October) is 09:00 UTC",
      "2026-10-26", "2026-10-30", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      "2026-10-26T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "a window over the October change: the Friday is taken, the Monday after is in GMT",
      "2026-10-23", "2026-10-30", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ "2026-10-23 00:00/2026-10-24 00:00" }, { NULL }), FAMILY },
      "2026-10-26T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "on the Sunday of the spring change itself, 09:00 is already BST",
      "2026-03-28", "2026-03-30", 60, 0, NULL, NULL, NULL, NULL,
      { { "professional w", 1, "-,-,-,-,-,-,09:00-10:00", { NULL }, { NULL } }, FAMILY },
      "2026-03-29T09:00:00+01:00", 0, NULL, NULL, 0, NULL },
    { "bank holidays are skipped (Christmas and the substitute Boxing Day)",
      "2026-12-25", "2027-01-08", 60, 0, NULL, NULL, "2026-12-25,2026-12-28,2027-01-01", NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      "2026-12-29T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "a part-time worker (Wednesdays and Thursdays from 10:00)",
      "2026-12-07", "2026-12-18", 45, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), { "professional p", 1, WED_THU, { NULL }, { NULL } }, FAMILY },
      "2026-12-09T10:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "an absence spanning the start of the window",
      "2026-12-01", "2026-12-21", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ "2026-11-20 00:00/2026-12-08 17:00" }, { NULL }), FAMILY },
      "2026-12-09T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "an absence spanning the whole window: no slot, the absence named",
      "2026-12-01", "2026-12-04", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ "2026-11-20 00:00/2026-12-31 00:00" }, { NULL }), FAMILY },
      NULL, 0, "the key worker is absent", "absences", 0, NULL },
    { "another meeting keeps the buffer free after it",
      "2026-12-01", "2026-12-21", 60, 15, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { "2026-12-01 09:00/2026-12-01 10:00" }), FAMILY },
      "2026-12-01T10:15:00+00:00", 0, NULL, NULL, 0, NULL },
    { "without a buffer the next slot starts when the meeting ends",
      "2026-12-01", "2026-12-21", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { "2026-12-01 09:00/2026-12-01 10:00" }), FAMILY },
      "2026-12-01T10:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "the buffer also keeps the time before a meeting free",
      "2026-12-01", "2026-12-21", 60, 30, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { "2026-12-01 10:00/2026-12-01 16:30" }), FAMILY },
      "2026-12-02T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "the family's days and times (Tuesdays and Thursdays, 13:00 to 15:00)",
      "2026-12-07", "2026-12-21", 60, 0, "0101000", "13:00-15:00", NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      "2026-12-08T13:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "the family's meeting elsewhere is their busy time too",
      "2026-12-07", "2026-12-21", 60, 0, "0101000", "13:00-15:00", NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), { "the family", 1, NULL, { NULL },
        { "2026-12-08 12:30/2026-12-08 15:00" } } },
      "2026-12-10T13:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "no common slot: the family's days and the key worker's hours never overlap",
      "2026-12-07", "2026-12-21", 60, 0, "0000011", NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      NULL, 0, "the family's days and the key worker's working hours never overlap", "working_hours", 3,
      "2026-12-07T09:00:00+00:00" },
    { "no common slot: the family's times are before anyone works",
      "2026-12-07", "2026-12-11", 60, 0, NULL, "07:00-08:30", NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      NULL, 0, "the family's times and the key worker's working hours never overlap", "working_hours", 3,
      "2026-12-07T09:00:00+00:00" },
    { "no day of the window is one of the family's days",
      "2026-12-07", "2026-12-08", 60, 0, "0000100", NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      NULL, 0, "no day of the window is one of the family's days", "family_days", 3, NULL },
    { "two required professionals whose hours never meet",
      "2026-12-07", "2026-12-18", 60, 0, NULL, NULL, NULL, NULL,
      { { "the key worker", 1, "09:00-12:00,09:00-12:00,-,-,-,-,-", { NULL }, { NULL } },
        { "professional p", 1, WED_THU, { NULL }, { NULL } }, FAMILY },
      NULL, 0, "professional p's working hours never overlap with the other required", "working_hours", 0, NULL },
    { "an optional participant free only in the afternoon moves the slot there",
      "2026-12-01", "2026-12-04", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { "professional o", 0, AFTERNOONS, { NULL }, { NULL } } },
      "2026-12-01T14:00:00+00:00", 1, NULL, NULL, 0, NULL },
    { "an optional participant never free leaves the earliest slot",
      "2026-12-01", "2026-12-04", 60, 0, NULL, NULL, NULL, NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY,
        { "professional o", 0, FULL_TIME, { "2026-11-01 00:00/2027-01-01 00:00" }, { NULL } } },
      "2026-12-01T09:00:00+00:00", 0, NULL, NULL, 0, NULL },
    { "no slot starts before now",
      "2026-12-01", "2026-12-04", 60, 0, NULL, NULL, NULL, "2026-12-01T11:05:00Z",
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      "2026-12-01T11:15:00+00:00", 0, NULL, NULL, 0, NULL },
    { "a public holiday is the whole window",
      "2026-12-25", "2026-12-25", 60, 0, NULL, NULL, "2026-12-25,2026-12-28", NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      NULL, 0, "the window holds no time", "window", 0, NULL },
    { "the public holidays and a weekend fill the window",
      "2026-12-25", "2026-12-28", 60, 0, NULL, NULL, "2026-12-25,2026-12-28", NULL,
      { KEY_WORKER ({ NULL }, { NULL }), FAMILY, { NULL } },
      NULL, 0, "the window's days (less public holidays) and the key worker's working hours never overlap",
      "working_hours", 0, NULL },
};

static const void *s_london;

static int32_t
s_day (const char *date)
{
    int32_t day = 0;
    if (zone_parse_date (date, &day) != 0)
        tap_diag ("bad date in the table: %s", date);
    return day;
}

//  "2026-12-01 09:00" in London to UTC.
static int64_t
s_local (const char *text)
{
    char date [11];
    snprintf (date, sizeof date, "%.10s", text);
    return zone_to_utc (s_london, s_day (date), atoi (text + 11) * 60 + atoi (text + 14));
}

static void
s_hours (const char *text, slot_person_t *p)
{
    p->has_hours = text != NULL;
    for (int w = 0; text && w < 7; w++) {
        if (*text == '-') {
            p->hours [w][0] = p->hours [w][1] = 0;
            text++;
        }
        else {
            p->hours [w][0] = (int16_t) (atoi (text) * 60 + atoi (text + 3));
            p->hours [w][1] = (int16_t) (atoi (text + 6) * 60 + atoi (text + 9));
            text += 11;
        }
        if (*text == ',')
            text++;
    }
}

static size_t
s_spans (const char *const *texts, slot_span_t *spans)
{
    size_t n = 0;
    for (; n < MAX_SPANS && texts [n]; n++)
        spans [n] = (slot_span_t) { s_local (texts [n]), s_local (strchr (texts [n], '/') + 1) };
    return n;
}

static void
s_run_row (const row_t *row)
{
    slot_person_t people [MAX_PEOPLE];
    slot_span_t absences [MAX_PEOPLE][MAX_SPANS], meetings [MAX_PEOPLE][MAX_SPANS];
    int32_t holidays [8];
    size_t n_people = 0, n_holidays = 0;
    memset (people, 0, sizeof people);
    for (; n_people < MAX_PEOPLE && row->people [n_people].label; n_people++) {
        const person_t *p = &row->people [n_people];
        slot_person_t *sp = &people [n_people];
        sp->label = p->label;
        sp->id = p->label;
        sp->required = p->required;
        s_hours (p->hours, sp);
        sp->absences = absences [n_people];
        sp->absence_count = s_spans (p->absences, absences [n_people]);
        sp->meetings = meetings [n_people];
        sp->meeting_count = s_spans (p->meetings, meetings [n_people]);
    }
    for (const char *h = row->holidays; h && *h && n_holidays < 8; h += h [10] ? 11 : 10) {
        char date [11];
        snprintf (date, sizeof date, "%.10s", h);
        holidays [n_holidays++] = s_day (date);
    }
    slot_query_t q = {
        .first_day = s_day (row->first), .last_day = s_day (row->last),
        .duration = row->duration, .step = 15, .buffer = row->buffer,
        .family_from = -1, .family_to = -1,
        .holidays = holidays, .holiday_count = n_holidays,
        .to_utc = zone_to_utc, .zone = s_london, .people = people, .people_count = n_people
    };
    for (int w = 0; row->family_days && w < 7; w++)
        if (row->family_days [w] == '1')
            q.family_days |= (uint8_t) (1u << w);
    if (row->family_times) {
        q.family_from = atoi (row->family_times) * 60 + atoi (row->family_times + 3);
        q.family_to = atoi (row->family_times + 6) * 60 + atoi (row->family_times + 9);
    }
    if (row->not_before)
        zone_parse_instant (row->not_before, &q.not_before);
    slot_result_t result, plain;
    ok (slots_search (&q, &result) == 0, "%s: searched", row->name);
    ok (slots_scan_plain (&q, &plain) == 0, "%s: scanned", row->name);
    is_int (result.found, row->start != NULL, "%s: found", row->name);
    is_int (plain.found, row->start != NULL, "%s: the plain scan agrees", row->name);
    char text [ZONE_TIME_SIZE];
    if (row->start) {
        zone_format (s_london, result.slot.start, text);
        is_str (text, row->start, "%s: the slot", row->name);
        zone_format (s_london, plain.slot.start, text);
        is_str (text, row->start, "%s: the plain scan's slot", row->name);
        is_int (result.slot.end - result.slot.start, row->duration * 60, "%s: its length", row->name);
        is_int (result.slot.optional_count, row->optional_count, "%s: optional participants", row->name);
        return;
    }
    ok (strstr (result.reason, row->reason) != NULL, "%s: the reason (%s)", row->name, result.reason);
    ok (result.constraint_count > 0 && strcmp (result.constraints [0], row->constraint) == 0
        ? 1 : result.constraint_count > 0 && strcmp (result.constraints [result.constraint_count - 1],
                                                     row->constraint) == 0,
        "%s: the constraint %s", row->name, row->constraint);
    is_int (result.alternative_count, row->alternatives, "%s: alternatives", row->name);
    if (row->alternative && result.alternative_count) {
        zone_format (s_london, result.alternatives [0].start, text);
        is_str (text, row->alternative, "%s: the first alternative", row->name);
        ok (result.alternatives [0].breaks != NULL, "%s: the alternative names the wish it breaks", row->name);
    }
}

//  Random calendars: the search and the plain scan find the same slot.
static void
s_random_agreement (void)
{
    srand (14);
    int agreed = 0, runs = 300;
    for (int run = 0; run < runs; run++) {
        slot_person_t people [6];
        slot_span_t spans [6][12];
        memset (people, 0, sizeof people);
        size_t n = 2 + (size_t) (rand () % 5);
        int32_t first = s_day ("2026-03-16") + rand () % 240;
        for (size_t i = 0; i < n; i++) {
            people [i].required = i < 2 || rand () % 2;
            people [i].has_hours = i != 1;
            for (int w = 0; w < 7; w++) {
                int start = 7 * 60 + (rand () % 8) * 30, len = (rand () % 10) * 60;
                people [i].hours [w][0] = (int16_t) start;
                people [i].hours [w][1] = (int16_t) (w < 5 || rand () % 4 == 0 ? start + len : start);
            }
            size_t k = (size_t) (rand () % 12);
            for (size_t j = 0; j < k; j++) {
                int64_t at = zone_to_utc (s_london, first + rand () % 14, 7 * 60 + rand () % 600);
                spans [i][j] = (slot_span_t) { at, at + (1 + rand () % 8) * 900 };
            }
            people [i].meetings = spans [i];
            people [i].meeting_count = k / 2;
            people [i].absences = spans [i] + k / 2;
            people [i].absence_count = k - k / 2;
        }
        int32_t holiday = first + rand () % 7;
        slot_query_t q = {
            .first_day = first, .last_day = first + 13, .duration = 30 + (rand () % 4) * 15, .step = 15,
            .buffer = (rand () % 3) * 10, .family_days = (uint8_t) (rand () % 128),
            .family_from = rand () % 2 ? 9 * 60 + (rand () % 4) * 60 : -1,
            .holidays = &holiday, .holiday_count = 1,
            .to_utc = zone_to_utc, .zone = s_london, .people = people, .people_count = n
        };
        q.family_to = q.family_from >= 0 ? q.family_from + 120 + (rand () % 4) * 60 : -1;
        slot_result_t a, b;
        slots_search (&q, &a);
        slots_scan_plain (&q, &b);
        if (a.found == b.found && (!a.found || (a.slot.start == b.slot.start
                                                && a.slot.optional_count == b.slot.optional_count)))
            agreed++;
        else
            tap_diag ("run %d: search %d %lld, scan %d %lld", run, a.found, (long long) a.slot.start,
                      b.found, (long long) b.slot.start);
    }
    is_int (agreed, runs, "the search and the plain scan agree on %d random calendars", runs);
}

static void
s_zone (void)
{
    int64_t t = 0;
    ok (zone_parse_instant ("2026-03-29T01:30:00Z", &t) == 0, "an instant parses");
    char text [ZONE_TIME_SIZE];
    zone_format (s_london, t, text);
    is_str (text, "2026-03-29T02:30:00+01:00", "an instant after the spring change is BST");
    ok (zone_parse_instant ("2026-10-25T01:30:00+01:00", &t) == 0, "an instant with an offset parses");
    zone_format (s_london, t, text);
    is_str (text, "2026-10-25T01:30:00+01:00", "the first 01:30 of the autumn change is BST");
    zone_format (s_london, t + 3600, text);
    is_str (text, "2026-10-25T01:30:00+00:00", "the second is GMT");
    zone_format (NULL, t, text);
    is_str (text, "2026-10-25T00:30:00Z", "without a zone, UTC");
    static const char *const bad [] = {
        "", "2026-12-01", "2026-12-01T09:00", "2026-02-30T09:00:00Z", "2026-12-01T24:00:00Z",
        "2026-12-01T09:00:00+1:00", "2026-12-01T09:00:00Zjunk", "2026-12-01 09:00:00", "2026-12-01T09:00:00.Z",
        NULL
    };
    for (int i = 0; bad [i]; i++)
        ok (zone_parse_instant (bad [i], &t) != 0, "'%s' is refused", bad [i]);
    ok (zone_find ("Nowhere/Atlantis") == NULL, "an unknown zone is NULL");
    int32_t day;
    ok (zone_parse_date ("2028-02-29", &day) == 0, "a leap day parses");
    zone_format_date (day, text);
    is_str (text, "2028-02-29", "and formats back");
    is_int (slots_weekday (s_day ("2026-12-01")), 1, "1 December 2026 is a Tuesday");
}

int
main (void)
{
    s_london = zone_find ("Europe/London");
    ok (s_london != NULL, "Europe/London is known");
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS [0]; i++)
        s_run_row (&ROWS [i]);
    s_random_agreement ();
    s_zone ();
    return tap_done ();
}
