/*  Unit tests for the scheduling service's region settings
    (services/scheduling/settings.c): the shipped region files and the
    England and Wales bank holidays of 2026 to 2028, the defaults, and
    refusals that name the field (an unknown key, a value out of range, an
    unknown zone, a holidays file that is missing or malformed). */
#include <stdio.h>
#include <string.h>
#include "../../services/scheduling/settings.h"
#include "../../services/scheduling/zone.h"
#include "tap.h"

static int32_t
s_day (const char *date)
{
    int32_t day = 0;
    zone_parse_date (date, &day);
    return day;
}

static int
s_parse (const char *text, settings_region_t *out, char *err, size_t size)
{
    return settings_parse (text, strlen (text), "test.json", "deploy/regions", out, err, size);
}

int
main (void)
{
    char err [512] = "";
    settings_t *all = settings_load ("deploy/regions", err, sizeof err);
    ok (all != NULL, "the shipped region files load (%s)", err);
    const settings_region_t *norfolk = settings_region (all, "norfolk");
    ok (norfolk && norfolk->zone && strcmp (norfolk->time_zone, "Europe/London") == 0, "norfolk is in Europe/London");
    is_int (norfolk ? norfolk->holiday_count : 0, 24, "24 bank holidays, 2026 to 2028");
    static const char *const holidays [] = { "2026-04-03", "2026-12-28", "2027-12-27", "2028-01-03", "2028-08-28",
                                             NULL };
    for (int i = 0; norfolk && holidays [i]; i++)
        ok (settings_is_holiday (norfolk, s_day (holidays [i])), "%s is a bank holiday", holidays [i]);
    ok (norfolk && !settings_is_holiday (norfolk, s_day ("2026-12-29")), "2026-12-29 is not");
    is_int (norfolk ? norfolk->review_interval_days : 0, 182, "norfolk reviews every 182 days");
    is_int (norfolk ? norfolk->buffer_minutes : 0, 15, "a 15-minute buffer");
    is_int (norfolk ? norfolk->cetr_admission_working_days : 0, 5, "the first C(E)TR within 5 working days");
    settings_destroy (&all);

    settings_region_t r;
    ok (s_parse ("{\"id\": \"x\"}", &r, err, sizeof err) == 0 && r.buffer_minutes == 15 && r.fold_window_days == 28
        && r.cetr_interval_days == 91 && r.review_interval_days == 182 && r.holiday_count == 0
        && strstr (r.organizer_email, "@x.invalid"), "defaults without a scheduling section");
    static const struct { const char *text, *field; } bad [] = {
        { "{\"id\": \"x\", \"scheduling\": {\"colour\": 1}}", "scheduling.colour" },
        { "{\"id\": \"x\", \"scheduling\": {\"buffer_minutes\": 999}}", "scheduling.buffer_minutes" },
        { "{\"id\": \"x\", \"scheduling\": {\"holidays\": \"../../etc/passwd\"}}", "scheduling.holidays" },
        { "{\"id\": \"x\", \"scheduling\": {\"holidays\": \"nowhere\"}}", "scheduling.holidays" },
        { "{\"id\": \"x\", \"scheduling\": {\"organizer\": {\"phone\": \"1\"}}}", "scheduling.organizer.phone" },
        { "{\"id\": \"x\", \"time_zone\": \"Mars/Olympus\"}", "time_zone" },
        { "{\"id\": \"x\", \"reviews\": {\"interval_days\": 1}}", "reviews.interval_days" },
        { "{\"time_zone\": \"Europe/London\"}", "id" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        err [0] = 0;
        ok (s_parse (bad [i].text, &r, err, sizeof err) != 0 && strstr (err, bad [i].field),
            "refused naming %s (%s)", bad [i].field, err);
    }
    int32_t days [4];
    static const char *const files [] = { "2026-01-01\nnot a date\n", "2026-02-30 x\n", "2026-01-01x\n",
                                          "2026-01-01\n2026-01-02\n2026-01-03\n2026-01-04\n2026-01-05\n", NULL };
    for (int i = 0; files [i]; i++)
        ok (settings_parse_holidays (files [i], strlen (files [i]), days, 4, err, sizeof err) < 0
            && strstr (err, "line"), "a holidays file refused: %s", err);
    const char *good = "# comment\n\n2027-01-01 New Year\r\n2026-12-25\tChristmas\n";
    int count = settings_parse_holidays (good, strlen (good), days, 4, err, sizeof err);
    ok (count == 2 && days [0] == s_day ("2026-12-25") && days [1] == s_day ("2027-01-01"),
        "comments and blank lines skipped, CRLF and tabs read, dates sorted");
    return tap_done ();
}
