/*  meeting: the `kwctl meeting` commands (book, get, respond, reschedule,
    cancel, outcome, ics) and the `kwctl plan` commands (get, versions,
    complete) over the scheduling routes of the gateway. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kwctl.h"

static const char *const s_types [] = { "planning", "review", "tac", "cetr", NULL };
static const char *const s_responses [] = { "accepted", "declined", "tentative", NULL };

void
kwctl_meeting_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl meeting book CASE_ID --type TYPE [--duration MINUTES] [--earliest DATE]\n"
        "                          [--latest DATE] [--required WHO,...] [--optional WHO,...]\n"
        "                          [--location TEXT] [--start TIME]\n"
        "       kwctl meeting get MEETING_ID\n"
        "       kwctl meeting respond MEETING_ID --response R [--participant ID]\n"
        "       kwctl meeting reschedule MEETING_ID [--earliest DATE] [--latest DATE] [--start TIME]\n"
        "       kwctl meeting cancel MEETING_ID --reason TEXT\n"
        "       kwctl meeting outcome MEETING_ID FILE.json ('-': standard input)\n"
        "       kwctl meeting ics MEETING_ID\n"
        "       kwctl plan get CASE_ID [--version N]\n"
        "       kwctl plan versions CASE_ID\n"
        "       kwctl plan complete ACTION_ID\n"
        "\n"
        "  book        The earliest slot from --earliest to --latest (default: the next 28 days)\n"
        "              for the required people (default key_worker,family), preferring slots\n"
        "              the optional ones can come to; TYPE planning, review, tac or cetr; WHO\n"
        "              key_worker, deputy, cover, team, family or a professional's id; --start\n"
        "              (RFC 3339) fixes the time instead (a coordinator).\n"
        "  respond     R accepted, declined or tentative, for yourself (or, as a coordinator,\n"
        "              for --participant).\n"
        "  outcome     FILE.json: {\"held_at\", \"attended\", \"notes\", \"family_views\",\n"
        "              \"actions\": [{\"description\", \"owner\", \"due\"}]}: the plan's next version.\n"
        "  ics         The invitation (text/calendar) as it is, e.g. > invite.ics.\n"
        "  plan get    The Family Service Plan now, or as --version N was written.\n"
        "  versions    Every version of the plan, oldest first.\n");
}

static void
s_usage (FILE *out)
{
    kwctl_meeting_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

typedef struct {
    const char *type, *duration, *earliest, *latest, *required, *optional, *location, *start;
    const char *response, *participant, *reason, *version;
} s_opts_t;

static int
s_option (int c, void *arg)
{
    s_opts_t *o = arg;
    switch (c) {
        case 't': o->type = optarg; return kwctl_check_choice (optarg, "--type", s_types) == 0 ? -1 : KWCTL_USAGE;
        case 'd': o->duration = optarg; return -1;
        case 'e': o->earliest = optarg; return kwctl_check_date (optarg, "--earliest") == 0 ? -1 : KWCTL_USAGE;
        case 'l': o->latest = optarg; return kwctl_check_date (optarg, "--latest") == 0 ? -1 : KWCTL_USAGE;
        case 'q': o->required = optarg; return -1;
        case 'o': o->optional = optarg; return -1;
        case 'L': o->location = optarg; return -1;
        case 's': o->start = optarg; return kwctl_check_printable (optarg, "--start") == 0 ? -1 : KWCTL_USAGE;
        case 'R': o->response = optarg;
                  return kwctl_check_choice (optarg, "--response", s_responses) == 0 ? -1 : KWCTL_USAGE;
        case 'p': o->participant = optarg;
                  return kwctl_check_printable (optarg, "--participant") == 0 ? -1 : KWCTL_USAGE;
        case 'r': o->reason = optarg; return -1;
        case 'v': o->version = optarg; return kwctl_check_printable (optarg, "--version") == 0 ? -1 : KWCTL_USAGE;
        default: return KWCTL_USAGE;
    }
}

static const struct option s_options [] = {
    { "type", required_argument, NULL, 't' }, { "duration", required_argument, NULL, 'd' },
    { "earliest", required_argument, NULL, 'e' }, { "latest", required_argument, NULL, 'l' },
    { "required", required_argument, NULL, 'q' }, { "optional", required_argument, NULL, 'o' },
    { "location", required_argument, NULL, 'L' }, { "start", required_argument, NULL, 's' },
    { "response", required_argument, NULL, 'R' }, { "participant", required_argument, NULL, 'p' },
    { "reason", required_argument, NULL, 'r' }, { "version", required_argument, NULL, 'v' },
};

// ---- output

static void
s_print_meeting (FILE *out, json_t *m)
{
    static const char *const fields [][2] = {
        { "id", "id" }, { "case", "case_id" }, { "type", "type" }, { "status", "status" }, { "start", "start" },
        { "end", "end" }, { "location", "location" }, { "uid", "uid" }, { "flag", "flag_reason" },
        { "cancelled", "cancel_reason" }, { "held at", "held_at" }
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        if (kwctl_str (m, fields [i][1]) || i < 6)
            kwctl_print_field (out, 10, fields [i][0], kwctl_str (m, fields [i][1]));
    fprintf (out, "%-10s %lld\n", "sequence", kwctl_count (m, "sequence"));
    json_t *suggested = json_object_get (m, "reschedule_suggested");
    if (json_is_object (suggested))
        kwctl_print_field (out, 10, "suggested", kwctl_str (suggested, "start"));
    size_t i;
    json_t *cover;
    json_array_foreach (json_object_get (m, "covers"), i, cover)
        kwctl_print_field (out, 10, "covers", json_string_value (cover));
    static const kwctl_column_t columns [] = {
        { "PARTICIPANT", "id", NULL }, { "ROLE", "role", NULL }, { "REQUIRED", "required", NULL },
        { "RESPONSE", "response", NULL }, { "NAME", "name", NULL }
    };
    fprintf (out, "\n");
    kwctl_print_table (out, json_object_get (m, "participants"), columns, sizeof columns / sizeof columns [0],
                       "no participants");
}

static void
s_print_plan (FILE *out, json_t *plan)
{
    fprintf (out, "%-10s %lld\n", "version", kwctl_count (plan, "version"));
    kwctl_print_field (out, 10, "meeting", kwctl_str (plan, "meeting_id"));
    kwctl_print_field (out, 10, "held at", kwctl_str (plan, "held_at"));
    kwctl_print_field (out, 10, "review by", kwctl_str (plan, "next_review_due"));
    kwctl_print_field (out, 10, "notes", kwctl_str (plan, "notes"));
    kwctl_print_field (out, 10, "family", kwctl_str (plan, "family_views"));
    static const kwctl_column_t columns [] = {
        { "ACTION", "id", NULL }, { "DESCRIPTION", "description", NULL }, { "OWNER", "owner_name", NULL },
        { "DUE", "due", NULL }, { "STATUS", "status", NULL }
    };
    fprintf (out, "\n");
    kwctl_print_table (out, json_object_get (plan, "actions"), columns, sizeof columns / sizeof columns [0],
                       "no actions");
}

static void
s_print_action (FILE *out, json_t *a)
{
    fprintf (out, "action ");
    kwctl_print_text (out, kwctl_str (a, "id"));
    fprintf (out, ": ");
    kwctl_print_text (out, kwctl_str (a, "status"));
    fprintf (out, "\n");
}

// ---- commands

//  Parse the options; 0 with one positional argument (or two with two)
//  from optind, else the exit status.
static int
s_args (int argc, char **argv, kwctl_global_t *global, s_opts_t *o, int count, const char *what)
{
    int rc = kwctl_parse (argc, argv, s_options, sizeof s_options / sizeof s_options [0], global, s_option, o,
                          s_usage);
    if (rc >= 0)
        return rc;
    if (argc - optind != count || !*argv [optind]) {
        fprintf (stderr, "kwctl: %s %s (try kwctl meeting --help)\n", argv [0], what);
        return KWCTL_USAGE;
    }
    return -1;
}

//  Add a text member; add a comma-separated list as an array.
static void
s_set (json_t *body, const char *key, const char *value, int list)
{
    if (!value)
        return;
    if (!list) {
        json_t *text = json_string (value);
        if (text)
            json_object_set_new (body, key, text);
        return;
    }
    json_t *items = json_array ();
    char *copy = strdup (value);
    for (char *save = NULL, *p = copy ? strtok_r (copy, ",", &save) : NULL; p; p = strtok_r (NULL, ",", &save))
        json_array_append_new (items, json_string (p));
    free (copy);
    json_object_set_new (body, key, items);
}

static int
s_send (const kwctl_global_t *global, const char *method, const char *prefix, const char *id, const char *suffix,
        json_t *body, kwctl_print_fn *print_fn)
{
    char *path = kwctl_path (prefix, id, suffix);
    if (!path) {
        json_decref (body);
        fprintf (stderr, "kwctl: out of memory\n");
        return KWCTL_USAGE;
    }
    int rc = body ? kwctl_send_json (global, method, path, body, NULL, print_fn)
                  : kwctl_api_show (global, method, path, NULL, NULL, 0, NULL, print_fn);
    free (path);
    return rc;
}

static int
s_book (int argc, char **argv, kwctl_global_t *global)
{
    s_opts_t o = { 0 };
    int rc = s_args (argc, argv, global, &o, 1, "needs CASE_ID and --type");
    if (rc >= 0)
        return rc;
    if (!o.type) {
        fprintf (stderr, "kwctl: meeting book needs --type (planning, review, tac or cetr)\n");
        return KWCTL_USAGE;
    }
    json_t *body = json_object ();
    s_set (body, "type", o.type, 0);
    if (o.duration)
        json_object_set_new (body, "duration_minutes", json_integer (atoi (o.duration)));
    s_set (body, "earliest", o.earliest, 0);
    s_set (body, "latest", o.latest, 0);
    s_set (body, "required", o.required, 1);
    s_set (body, "optional", o.optional, 1);
    s_set (body, "location", o.location, 0);
    s_set (body, "start", o.start, 0);
    return s_send (global, "POST", "/v1/cases/", argv [optind], "/meetings", body, s_print_meeting);
}

static int
s_meeting_call (int argc, char **argv, kwctl_global_t *global, const char *verb)
{
    s_opts_t o = { 0 };
    int rc = s_args (argc, argv, global, &o, 1, "needs MEETING_ID");
    if (rc >= 0)
        return rc;
    const char *id = argv [optind];
    if (strcmp (verb, "get") == 0)
        return s_send (global, "GET", "/v1/meetings/", id, "", NULL, s_print_meeting);
    if (strcmp (verb, "ics") == 0) {
        char *path = kwctl_path ("/v1/meetings/", id, "/invite.ics");
        rc = path ? kwctl_api_get_text (global, path, stdout) : KWCTL_USAGE;
        free (path);
        return rc;
    }
    json_t *body = json_object ();
    if (strcmp (verb, "respond") == 0) {
        if (!o.response) {
            json_decref (body);
            fprintf (stderr, "kwctl: meeting respond needs --response (accepted, declined or tentative)\n");
            return KWCTL_USAGE;
        }
        s_set (body, "response", o.response, 0);
        s_set (body, "participant_id", o.participant, 0);
        return s_send (global, "POST", "/v1/meetings/", id, "/responses", body, s_print_meeting);
    }
    if (strcmp (verb, "cancel") == 0) {
        s_set (body, "reason", o.reason, 0);
        return s_send (global, "POST", "/v1/meetings/", id, "/cancel", body, s_print_meeting);
    }
    s_set (body, "earliest", o.earliest, 0);
    s_set (body, "latest", o.latest, 0);
    s_set (body, "start", o.start, 0);
    return s_send (global, "POST", "/v1/meetings/", id, "/reschedule", body, s_print_meeting);
}

static int
s_outcome (int argc, char **argv, kwctl_global_t *global)
{
    s_opts_t o = { 0 };
    int rc = s_args (argc, argv, global, &o, 2, "needs MEETING_ID and FILE.json");
    if (rc >= 0)
        return rc;
    json_t *body = kwctl_read_json_object (argv [optind + 1]);
    if (!body)
        return KWCTL_USAGE;
    return s_send (global, "POST", "/v1/meetings/", argv [optind], "/outcome", body, s_print_plan);
}

int
kwctl_meeting (int argc, char **argv, kwctl_global_t *global)
{
    const char *verb = argc >= 2 ? argv [1] : "";
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    if (strcmp (verb, "book") == 0)
        return s_book (argc - 1, argv + 1, global);
    if (strcmp (verb, "outcome") == 0)
        return s_outcome (argc - 1, argv + 1, global);
    static const char *const verbs [] = { "get", "respond", "reschedule", "cancel", "ics", NULL };
    for (int i = 0; verbs [i]; i++)
        if (strcmp (verb, verbs [i]) == 0)
            return s_meeting_call (argc - 1, argv + 1, global, verb);
    fprintf (stderr, "kwctl: meeting needs a command: book, get, respond, reschedule, cancel, outcome or ics"
                     " (try kwctl meeting --help)\n");
    return KWCTL_USAGE;
}

//  Every version of a case's plan, oldest first.
static int
s_versions (const kwctl_global_t *global, const char *case_id)
{
    kwctl_api_t *api;
    int rc = kwctl_api_open (global, &api);
    if (rc != KWCTL_OK)
        return rc;
    char *path = kwctl_path ("/v1/cases/", case_id, "/plan");
    json_t *current = NULL;
    rc = path ? kwctl_api_call (api, "GET", path, NULL, NULL, 0, NULL, &current) : KWCTL_USAGE;
    free (path);
    long long last = rc == KWCTL_OK ? kwctl_count (current, "version") : 0;
    json_decref (current);
    for (long long n = 1; rc == KWCTL_OK && n <= last; n++) {
        char suffix [48];
        snprintf (suffix, sizeof suffix, "/plan/versions/%lld", n);
        json_t *version = NULL;
        path = kwctl_path ("/v1/cases/", case_id, suffix);
        rc = path ? kwctl_api_call (api, "GET", path, NULL, NULL, 0, NULL, &version) : KWCTL_USAGE;
        free (path);
        if (rc == KWCTL_OK) {
            if (kwctl_api_json (api))
                kwctl_print_json (stdout, version);
            else {
                s_print_plan (stdout, version);
                fprintf (stdout, "\n");
            }
        }
        json_decref (version);
    }
    kwctl_api_destroy (&api);
    return rc;
}

int
kwctl_plan (int argc, char **argv, kwctl_global_t *global)
{
    const char *verb = argc >= 2 ? argv [1] : "";
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    int known = strcmp (verb, "get") == 0 || strcmp (verb, "versions") == 0 || strcmp (verb, "complete") == 0;
    if (!known) {
        fprintf (stderr, "kwctl: plan needs a command: get, versions or complete (try kwctl plan --help)\n");
        return KWCTL_USAGE;
    }
    s_opts_t o = { 0 };
    int rc = s_args (argc - 1, argv + 1, global, &o, 1, strcmp (verb, "complete") == 0 ? "needs ACTION_ID"
                                                                                       : "needs CASE_ID");
    if (rc >= 0)
        return rc;
    const char *id = argv [1 + optind];
    if (strcmp (verb, "complete") == 0)
        return s_send (global, "POST", "/v1/plan-actions/", id, "/complete", NULL, s_print_action);
    if (strcmp (verb, "versions") == 0)
        return s_versions (global, id);
    char suffix [48] = "/plan";
    if (o.version)
        snprintf (suffix, sizeof suffix, "/plan/versions/%.16s", o.version);
    return s_send (global, "GET", "/v1/cases/", id, suffix, NULL, s_print_plan);
}
