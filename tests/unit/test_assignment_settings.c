/*  Unit tests for the assignment settings of the region files
    (services/assignment/settings.c): a table of sections, each either read
    into the expected values or refused with the exact error (file, path,
    problem); durations; the shipped region files (run from the repository
    root); a directory with two files of one id, an empty one, and one that
    cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "../../services/assignment/settings.h"
#include "tap.h"

#define HEAD "{\"id\": \"testshire\", \"time_zone\": \"Europe/London\", \"name\": \"ignored\""

typedef struct {
    const char *name;
    const char *text;
    const char *error;          //  NULL: read
    long ttl, long_absence;     //  expected when read (0: the default)
    unsigned refusals;
    int weights [6];            //  suggested .. capacity; all 0: the defaults
} row_t;

static const row_t ROWS [] = {
    { "no section: the defaults", HEAD "}", NULL, 72 * 3600, 28 * 86400, 3, { 0 } },
    { "every key", HEAD ", \"assignment\": {\"comment\": \"x\", \"offer_ttl\": \"48h\","
      " \"refusals_before_waiting\": 5, \"long_absence\": \"14d\", \"weights\": {\"suggested\": 900,"
      " \"continuity\": 100, \"discipline\": 50, \"locality\": 30, \"language\": 20, \"capacity\": 10}}}",
      NULL, 48 * 3600, 14 * 86400, 5, { 900, 100, 50, 30, 20, 10 } },
    { "some weights keep the others' defaults", HEAD ", \"assignment\": {\"weights\": {\"locality\": 0}}}",
      NULL, 72 * 3600, 28 * 86400, 3, { 1000, 200, 60, 0, 40, 30 } },
    { "seconds for a test region", HEAD ", \"assignment\": {\"offer_ttl\": \"1s\"}}",
      NULL, 1, 28 * 86400, 3, { 0 } },
    { "minutes", HEAD ", \"assignment\": {\"offer_ttl\": \"90m\", \"long_absence\": \"1h\"}}",
      NULL, 90 * 60, 3600, 3, { 0 } },
    { "the largest values", HEAD ", \"assignment\": {\"offer_ttl\": \"90d\", \"long_absence\": \"365d\","
      " \"refusals_before_waiting\": 50}}", NULL, 90L * 86400, 365L * 86400, 50, { 0 } },
    { "section not an object", HEAD ", \"assignment\": []}",
      "t.json: field \"assignment\": must be an object", 0, 0, 0, { 0 } },
    { "unknown key in the section", HEAD ", \"assignment\": {\"offer_tll\": \"1h\"}}",
      "t.json: field \"assignment.offer_tll\": unknown key", 0, 0, 0, { 0 } },
    { "unknown weight", HEAD ", \"assignment\": {\"weights\": {\"distance\": 1}}}",
      "t.json: field \"assignment.weights.distance\": unknown key", 0, 0, 0, { 0 } },
    { "weights not an object", HEAD ", \"assignment\": {\"weights\": 5}}",
      "t.json: field \"assignment.weights\": must be an object", 0, 0, 0, { 0 } },
    { "weight above 1000", HEAD ", \"assignment\": {\"weights\": {\"language\": 1001}}}",
      "t.json: field \"assignment.weights.language\": must be an integer from 0 to 1000", 0, 0, 0, { 0 } },
    { "negative weight", HEAD ", \"assignment\": {\"weights\": {\"capacity\": -1}}}",
      "t.json: field \"assignment.weights.capacity\": must be an integer from 0 to 1000", 0, 0, 0, { 0 } },
    { "fractional weight", HEAD ", \"assignment\": {\"weights\": {\"capacity\": 1.5}}}",
      "t.json: field \"assignment.weights.capacity\": must be an integer from 0 to 1000", 0, 0, 0, { 0 } },
    { "ttl without a unit", HEAD ", \"assignment\": {\"offer_ttl\": \"72\"}}",
      "t.json: field \"assignment.offer_ttl\": must be a duration: a whole number and s, m, h or d,"
      " such as \"72h\"", 0, 0, 0, { 0 } },
    { "ttl as a number", HEAD ", \"assignment\": {\"offer_ttl\": 72}}",
      "t.json: field \"assignment.offer_ttl\": must be a duration: a whole number and s, m, h or d,"
      " such as \"72h\"", 0, 0, 0, { 0 } },
    { "ttl with an unknown unit", HEAD ", \"assignment\": {\"offer_ttl\": \"3w\"}}",
      "t.json: field \"assignment.offer_ttl\": must be a duration: a whole number and s, m, h or d,"
      " such as \"72h\"", 0, 0, 0, { 0 } },
    { "ttl negative", HEAD ", \"assignment\": {\"offer_ttl\": \"-1h\"}}",
      "t.json: field \"assignment.offer_ttl\": must be a duration: a whole number and s, m, h or d,"
      " such as \"72h\"", 0, 0, 0, { 0 } },
    { "ttl too short", HEAD ", \"assignment\": {\"offer_ttl\": \"0s\"}}",
      "t.json: field \"assignment.offer_ttl\": must be from 1s to 90d", 0, 0, 0, { 0 } },
    { "ttl too long", HEAD ", \"assignment\": {\"offer_ttl\": \"91d\"}}",
      "t.json: field \"assignment.offer_ttl\": must be from 1s to 90d", 0, 0, 0, { 0 } },
    { "long absence too short", HEAD ", \"assignment\": {\"long_absence\": \"59m\"}}",
      "t.json: field \"assignment.long_absence\": must be from 3600s to 365d", 0, 0, 0, { 0 } },
    { "refusals 0", HEAD ", \"assignment\": {\"refusals_before_waiting\": 0}}",
      "t.json: field \"assignment.refusals_before_waiting\": must be an integer from 1 to 50", 0, 0, 0, { 0 } },
    { "refusals as text", HEAD ", \"assignment\": {\"refusals_before_waiting\": \"3\"}}",
      "t.json: field \"assignment.refusals_before_waiting\": must be an integer from 1 to 50", 0, 0, 0, { 0 } },
    { "no id", "{\"time_zone\": \"Europe/London\"}", "t.json: field \"id\": is required", 0, 0, 0, { 0 } },
    { "empty time zone", "{\"id\": \"x\", \"time_zone\": \"\"}",
      "t.json: field \"time_zone\": must not be empty", 0, 0, 0, { 0 } },
    { "not an object", "[1]", "t.json: must be a JSON object", 0, 0, 0, { 0 } },
    { "not JSON", "{\"id\": ", NULL, 0, 0, 0, { 0 } },
};

static void
s_write (const char *path, const char *text)
{
    FILE *f = fopen (path, "w");
    if (!f || fputs (text, f) < 0 || fclose (f) != 0) {
        perror (path);
        exit (2);
    }
}

int
main (void)
{
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS [0]; i++) {
        const row_t *row = &ROWS [i];
        settings_region_t out;
        char err [512] = "";
        int rc = settings_parse (row->text, strlen (row->text), "t.json", &out, err, sizeof err);
        if (strcmp (row->name, "not JSON") == 0) {
            ok (rc == -1 && strncmp (err, "t.json: line 1: ", 16) == 0, "%s: %s", row->name, err);
            continue;
        }
        if (row->error) {
            is_int (rc, -1, "%s: refused", row->name);
            is_str (err, row->error, "%s: the error", row->name);
            continue;
        }
        if (!ok (rc == 0, "%s: read", row->name))
            tap_diag ("%s", err);
        is_str (out.id, "testshire", "%s: id", row->name);
        is_str (out.time_zone, "Europe/London", "%s: time zone", row->name);
        is_int (out.offer_ttl_seconds, row->ttl, "%s: offer ttl", row->name);
        is_int (out.long_absence_seconds, row->long_absence, "%s: long absence", row->name);
        is_int (out.refusals_before_waiting, row->refusals, "%s: refusals", row->name);
        const rank_weights_t *w = &out.weights;
        int got [6] = { w->suggested, w->continuity, w->discipline, w->locality, w->language, w->capacity };
        const int *want = row->weights;
        int defaults = 1;
        for (int k = 0; k < 6; k++)
            defaults = defaults && want [k] == 0;
        const rank_weights_t *d = &rank_default_weights;
        int def [6] = { d->suggested, d->continuity, d->discipline, d->locality, d->language, d->capacity };
        ok (memcmp (got, defaults ? def : want, sizeof got) == 0, "%s: weights", row->name);
    }

    long s;
    ok (settings_duration ("28d", &s) == 0 && s == 28 * 86400, "28d is 28 days");
    ok (settings_duration ("0s", &s) == 0 && s == 0, "0s is read (ranges are the caller's)");
    ok (settings_duration ("1234567h", &s) == 0 && s == 1234567L * 3600, "7 digits");
    ok (settings_duration ("12345678h", &s) == -1, "8 digits are refused");
    ok (settings_duration ("h", &s) == -1 && settings_duration ("", &s) == -1
        && settings_duration (NULL, &s) == -1 && settings_duration ("1 h", &s) == -1,
        "no number, empty, NULL or a space are refused");

    char err [512] = "";
    settings_t *set = settings_load ("deploy/regions", err, sizeof err);
    if (!ok (set && settings_count (set) == 2, "the shipped region files load"))
        tap_diag ("%s", err);
    const settings_region_t *norfolk = settings_for (set, "norfolk");
    is_str (norfolk->id, "norfolk", "norfolk has its own settings");
    is_int (norfolk->offer_ttl_seconds, 72 * 3600, "norfolk: offers stay open 72 hours");
    is_int (norfolk->long_absence_seconds, 28 * 86400, "norfolk: long absence after 28 days");
    is_int (norfolk->refusals_before_waiting, 3, "norfolk: 3 refusals before waiting");
    ok (settings_for (set, "nowhere") == &settings_defaults, "an unknown region has the defaults");
    is_str (settings_defaults.time_zone, "Europe/London", "whose time zone is Europe/London");
    settings_destroy (&set);
    settings_destroy (&set);
    ok (set == NULL, "destroy clears the pointer and is safe twice");

    char dir [64];
    snprintf (dir, sizeof dir, "/tmp/test_assignment_settings.%d", (int) getpid ());
    ok (mkdir (dir, 0700) == 0, "a directory of our own");
    ok (!settings_load (dir, err, sizeof err) && strstr (err, "no *.json region files"),
        "an empty directory is refused: %s", err);
    char a [128], b [128];
    snprintf (a, sizeof a, "%s/a.json", dir);
    snprintf (b, sizeof b, "%s/b.json", dir);
    s_write (a, "{\"id\": \"same\", \"time_zone\": \"Europe/London\"}");
    s_write (b, "{\"id\": \"same\", \"time_zone\": \"Europe/London\"}");
    char want [256];
    snprintf (want, sizeof want, "%s: field \"id\": \"same\" is defined by another file, a.json", b);
    ok (!settings_load (dir, err, sizeof err), "two files of one id are refused");
    is_str (err, want, "naming both files");
    s_write (b, "{\"id\": \"other\", \"time_zone\": \"Europe/London\", \"assignment\": {\"x\": 1}}");
    snprintf (want, sizeof want, "%s: field \"assignment.x\": unknown key", b);
    ok (!settings_load (dir, err, sizeof err), "a bad file refuses the set");
    is_str (err, want, "with its error");
    unlink (a);
    unlink (b);
    rmdir (dir);
    ok (!settings_load (dir, err, sizeof err) && strstr (err, "cannot read the region directory"),
        "a missing directory is refused: %s", err);
    return tap_done ();
}
