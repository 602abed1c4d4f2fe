/*  bench_slots: the slot search (services/scheduling/slots.c) for 10
    participants with realistic calendars over an 8-week window in
    Europe/London (across a clock change), against a plain scan of every
    15-minute step of the window (slots_scan_plain), in the same run.
    Generates --count (500) calendars from a fixed seed: each participant
    full or part time, with 3 to 8 meetings of 45 to 120 minutes a week and
    some with an absence of 2 to 10 days; 4 of them required with the
    family, the rest optional; the family's days and times; the England and
    Wales bank holidays of the window. Each search is timed alone; prints
    p50, p99 and max in microseconds for both and whether they always
    agreed, then one "RESULT key=value ..." line for scripts. Exits 1 when
    they disagree. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../load_clock.h"
#include "../../../services/scheduling/slots.h"
#include "../../../services/scheduling/zone.h"

#define PEOPLE 10
#define REQUIRED 4
#define MAX_SPANS 80
#define WEEKS 8

typedef struct {
    slot_person_t people [PEOPLE + 1];
    slot_span_t meetings [PEOPLE + 1][MAX_SPANS];
    slot_span_t absences [PEOPLE + 1][1];
    slot_query_t query;
} calendar_t;

static const char *const HOLIDAYS [] = { "2026-12-25", "2026-12-28", "2027-01-01", "2027-03-26", "2027-03-29" };
static int32_t s_holidays [5];

static void
s_calendar (calendar_t *c, const void *zone, int32_t first, uint64_t *rng)
{
    memset (c, 0, sizeof *c);
    for (int i = 0; i <= PEOPLE; i++) {
        slot_person_t *p = &c->people [i];
        p->label = i == PEOPLE ? "the family" : "a professional";
        p->id = p->label;
        p->required = i < REQUIRED || i == PEOPLE;
        p->has_hours = i != PEOPLE;
        int part_time = i != PEOPLE && load_random (rng) % 4 == 0;
        for (int d = 0; d < 5 && p->has_hours; d++) {
            int works = !part_time || d == 1 || d == 2 || d == 3;
            p->hours [d][0] = (int16_t) (works ? 8 * 60 + 30 + (int) (load_random (rng) % 3) * 30 : 0);
            p->hours [d][1] = (int16_t) (works ? 16 * 60 + (int) (load_random (rng) % 4) * 30 : 0);
        }
        size_t n = 0;
        for (int week = 0; week < WEEKS; week++) {
            int count = 3 + (int) (load_random (rng) % 6);
            for (int k = 0; k < count && n < MAX_SPANS; k++) {
                int32_t day = first + week * 7 + (int) (load_random (rng) % 5);
                int minute = 9 * 60 + (int) (load_random (rng) % 28) * 15;
                int64_t start = zone_to_utc (zone, day, minute);
                c->meetings [i][n++] = (slot_span_t) { start, start + (45 + (int64_t) (load_random (rng) % 6) * 15) * 60 };
            }
        }
        p->meetings = c->meetings [i];
        p->meeting_count = n;
        if (i != PEOPLE && load_random (rng) % 3 == 0) {
            int32_t day = first + (int) (load_random (rng) % (WEEKS * 7));
            c->absences [i][0] = (slot_span_t) { zone_to_utc (zone, day, 0),
                                                 zone_to_utc (zone, day + 2 + (int) (load_random (rng) % 9), 0) };
            p->absences = c->absences [i];
            p->absence_count = 1;
        }
    }
    c->query = (slot_query_t) {
        .first_day = first, .last_day = first + WEEKS * 7 - 1, .duration = 60 + (int) (load_random (rng) % 3) * 15,
        .step = 15, .buffer = 15, .family_days = 0x0e, .family_from = 9 * 60 + 30, .family_to = 15 * 60,
        .holidays = s_holidays, .holiday_count = 5, .to_utc = zone_to_utc, .zone = zone,
        .people = c->people, .people_count = PEOPLE + 1
    };
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
s_pick (double *v, int n, double q)
{
    int i = (int) (q * (n - 1) + 0.5);
    return v [i < n ? i : n - 1];
}

int
main (int argc, char **argv)
{
    int count = 500, c;
    static const struct option options [] = { { "count", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
    while ((c = getopt_long (argc, argv, "", options, NULL)) != -1)
        if (c == 'n')
            count = atoi (optarg) > 0 ? atoi (optarg) : count;
    const void *zone = zone_find ("Europe/London");
    int32_t first;
    if (!zone || zone_parse_date ("2027-02-22", &first) != 0)
        return 1;
    for (int i = 0; i < 5; i++)
        zone_parse_date (HOLIDAYS [i], &s_holidays [i]);
    calendar_t *cal = malloc (sizeof *cal);
    double *search = calloc ((size_t) count, sizeof *search), *scan = calloc ((size_t) count, sizeof *scan);
    if (!cal || !search || !scan)
        return 1;
    uint64_t rng = 14;
    int agreed = 0, found = 0;
    for (int i = 0; i < count; i++) {
        s_calendar (cal, zone, first, &rng);
        slot_result_t a, b;
        double t0 = load_now ();
        slots_search (&cal->query, &a);
        double t1 = load_now ();
        slots_scan_plain (&cal->query, &b);
        double t2 = load_now ();
        search [i] = (t1 - t0) * 1e6;
        scan [i] = (t2 - t1) * 1e6;
        found += a.found;
        agreed += a.found == b.found && (!a.found || (a.slot.start == b.slot.start
                                                      && a.slot.optional_count == b.slot.optional_count));
    }
    qsort (search, (size_t) count, sizeof *search, s_cmp);
    qsort (scan, (size_t) count, sizeof *scan, s_cmp);
    printf ("slot search, %d participants (%d required with the family), %d weeks, %d calendars: "
            "p50 %.0f us, p99 %.0f us, max %.0f us\n", PEOPLE, REQUIRED, WEEKS, count, s_pick (search, count, 0.5),
            s_pick (search, count, 0.99), search [count - 1]);
    printf ("plain scan of every 15-minute step: p50 %.0f us, p99 %.0f us, max %.0f us\n", s_pick (scan, count, 0.5),
            s_pick (scan, count, 0.99), scan [count - 1]);
    printf ("slots found %d of %d; the two agreed on %d\n", found, count, agreed);
    printf ("RESULT slots_p50_us=%.0f slots_p99_us=%.0f slots_max_us=%.0f scan_p50_us=%.0f scan_p99_us=%.0f "
            "agreed=%d count=%d found=%d\n", s_pick (search, count, 0.5), s_pick (search, count, 0.99),
            search [count - 1], s_pick (scan, count, 0.5), s_pick (scan, count, 0.99), agreed, count, found);
    free (cal);
    free (search);
    free (scan);
    return agreed == count ? 0 : 1;
}
