/*  fuzz_scheduling_time: what the scheduling service parses of times and
    calendars. The whole input is read as a public holidays file
    (settings_parse_holidays: what it accepts is sorted and within its
    limit); each line as an RFC 3339 instant and as a date (zone_parse_*:
    what parses formats back, in UTC and in Europe/London, to the same
    instant or day); and the input unpacked as a Meeting is rendered as an
    invitation (ics_render), which must be a whole VCALENDAR whatever its
    text and times hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_arena.h"
#include "kw_pb.h"
#include "../../services/scheduling/scheduling.h"
#include "../../services/scheduling/zone.h"

#define MAX_DAYS 64

static settings_region_t s_region;

static void
s_init (void)
{
    if (s_region.zone)
        return;
    snprintf (s_region.id, sizeof s_region.id, "fuzz");
    snprintf (s_region.time_zone, sizeof s_region.time_zone, "Europe/London");
    snprintf (s_region.organizer_email, sizeof s_region.organizer_email, "scheduling@fuzz.invalid");
    snprintf (s_region.organizer_name, sizeof s_region.organizer_name, "Coordinator");
    s_region.zone = zone_find (s_region.time_zone);
    if (!s_region.zone)
        abort ();
}

static void
s_line (const char *line)
{
    int64_t t, again;
    char text [ZONE_TIME_SIZE];
    if (zone_parse_instant (line, &t) == 0) {
        zone_format (NULL, t, text);
        if (zone_parse_instant (text, &again) != 0 || again != t)
            abort ();
        zone_format (s_region.zone, t, text);
        if (zone_parse_instant (text, &again) != 0 || again != t)
            abort ();
    }
    int32_t day, back;
    if (zone_parse_date (line, &day) == 0) {
        zone_format_date (day, text);
        if (zone_parse_date (text, &back) != 0 || back != day)
            abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_init ();
    int32_t days [MAX_DAYS];
    char err [128];
    int count = settings_parse_holidays ((const char *) data, size, days, MAX_DAYS, err, sizeof err);
    if (count > MAX_DAYS)
        abort ();
    for (int i = 1; i < count; i++)
        if (days [i - 1] > days [i])
            abort ();
    char *text = malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text [size] = 0;
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        s_line (line);
    free (text);
    kw_arena_t *arena = kw_arena_new (4096);
    Kw__Meeting *m = (Kw__Meeting *) kw_pb_unpack (&kw__meeting__descriptor, arena, data, size);
    if (m) {
        char *ics = ics_render (m, &s_region, arena);
        if (ics && (strncmp (ics, "BEGIN:VCALENDAR", 15) != 0 || !strstr (ics, "END:VCALENDAR")))
            abort ();
    }
    kw_arena_destroy (&arena);
    return 0;
}
