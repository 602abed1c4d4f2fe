/*  notification: the `kwctl notification`, `kwctl preferences` and
    `kwctl template` commands: the delivery records (list with filters,
    get, retry a failed one), a recipient's preferences (get, set), and the
    check of the notification table and templates on this machine, loaded
    and rendered with example values as the service does at start. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kwctl.h"
#include "../../services/notification/config.h"
#include "../../services/notification/notification.h"
#include "../../services/notification/template.h"

static const char *const s_statuses [] = { "pending", "sending", "sent", "delivered", "failed", "suppressed", NULL };
static const char *const s_channels [] = { "email", "sms", "letter", "webhook", NULL };

void
kwctl_notification_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl notification list [--case ID] [--recipient ID] [--status S] [--channel C]\n"
        "                               [--template T] [--limit N] [--cursor CURSOR] [--all]\n"
        "       kwctl notification get ID\n"
        "       kwctl notification retry ID\n"
        "       kwctl preferences get CONTACT_ID\n"
        "       kwctl preferences set CONTACT_ID [--channels email,sms] [--quiet HH:MM-HH:MM | --no-quiet]\n"
        "                                        [--opt-out | --opt-in]\n"
        "       kwctl template check [--dir DIR] [--regions DIR]\n"
        "\n"
        "  notification list   The region's messages and their delivery: S pending, sending, sent,\n"
        "                      delivered, failed or suppressed; C email, sms, letter or webhook.\n"
        "  notification get    One delivery record.\n"
        "  notification retry  Send a failed message again, with its own message id (coordinators).\n"
        "  preferences         A recipient's channels in order, quiet hours (the region's time)\n"
        "                      and opt-out; CONTACT_ID is a delivery's recipient id.\n"
        "  template check      Load the table and templates (DIR, default deploy/notifications)\n"
        "                      and the regions' sections (default deploy/regions) as the service\n"
        "                      does, render every template with example values and print each;\n"
        "                      exit 1 naming the file of the first problem.\n");
}

static void
s_usage (FILE *out)
{
    kwctl_notification_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

typedef struct {
    const char *case_id, *recipient, *status, *channel, *template_, *cursor, *channels, *quiet;
    const char *dir, *regions;
    char limit [16];
    int all, opt, no_quiet;
} s_options_t;

//  A text option's value into *slot, checked printable: -1, or KWCTL_USAGE.
static int
s_text_option (const char **slot, const char *option)
{
    *slot = optarg;
    return kwctl_check_printable (optarg, option) == 0 ? -1 : KWCTL_USAGE;
}

static int
s_option (int c, void *arg)
{
    s_options_t *self = arg;
    switch (c) {
        case 'k': return s_text_option (&self->case_id, "--case");
        case 'r': return s_text_option (&self->recipient, "--recipient");
        case 't': return s_text_option (&self->template_, "--template");
        case 'c': return s_text_option (&self->cursor, "--cursor");
        case 'C': return s_text_option (&self->channels, "--channels");
        case 'd': return s_text_option (&self->dir, "--dir");
        case 'R': return s_text_option (&self->regions, "--regions");
        case 's':
            self->status = optarg;
            return kwctl_check_choice (optarg, "--status", s_statuses) == 0 ? -1 : KWCTL_USAGE;
        case 'h' + 256:
            self->channel = optarg;
            return kwctl_check_choice (optarg, "--channel", s_channels) == 0 ? -1 : KWCTL_USAGE;
        case 'l':
            return kwctl_limit_option (optarg, self->limit);
        case 'a':
            self->all = 1;
            return -1;
        case 'o':
        case 'i':
            self->opt = c;
            return -1;
        case 'n':
            self->no_quiet = 1;
            return -1;
        case 'q':
            self->quiet = optarg;
            if (strlen (optarg) == 11 && optarg [5] == '-')
                return -1;
            fprintf (stderr, "kwctl: --quiet must be HH:MM-HH:MM\n");
            return KWCTL_USAGE;
        default:
            return KWCTL_USAGE;
    }
}

static const kwctl_column_t s_columns [] = {
    { "ID", "id", NULL }, { "CREATED", "created_at", NULL }, { "EVENT", "event", NULL },
    { "TEMPLATE", "template", NULL }, { "CHANNEL", "channel", NULL }, { "RECIPIENT", "recipient_id", NULL },
    { "STATUS", "status", NULL }, { "ATTEMPTS", "attempts", NULL }, { "LAST_ERROR", "last_error", NULL }
};

static void
s_table (FILE *out, json_t *items)
{
    kwctl_print_table (out, items, s_columns, sizeof s_columns / sizeof s_columns [0], "no notifications\n");
}

static void
s_record (FILE *out, json_t *d)
{
    static const char *const keys [] = {
        "id", "event", "template", "audience", "channel", "recipient_id", "case_id", "status", "attempts",
        "max_attempts", "last_error", "created_at", "updated_at", "sent_at", "next_attempt_at", NULL
    };
    for (int i = 0; keys [i]; i++) {
        json_t *v = json_object_get (d, keys [i]);
        char number [32];
        if (json_is_integer (v))
            snprintf (number, sizeof number, "%lld", (long long) json_integer_value (v));
        kwctl_print_field (out, 16, keys [i], json_is_integer (v) ? number : kwctl_str (d, keys [i]));
    }
}

static void
s_preferences (FILE *out, json_t *p)
{
    json_t *channels = json_object_get (p, "channels");
    char list [64] = "";
    size_t i;
    json_t *c;
    json_array_foreach (channels, i, c)
        snprintf (list + strlen (list), sizeof list - strlen (list), "%s%s", i ? ", " : "",
                  json_string_value (c) ? json_string_value (c) : "?");
    char quiet [32] = "";
    if (kwctl_str (p, "quiet_from"))
        snprintf (quiet, sizeof quiet, "%.5s to %.5s", kwctl_str (p, "quiet_from"), kwctl_str (p, "quiet_to"));
    kwctl_print_field (out, 12, "contact", kwctl_str (p, "id"));
    kwctl_print_field (out, 12, "channels", *list ? list : "the table's");
    kwctl_print_field (out, 12, "quiet hours", *quiet ? quiet : "none");
    kwctl_print_field (out, 12, "opted out", kwctl_yes_no (json_object_get (p, "opted_out")));
    kwctl_print_field (out, 12, "updated", kwctl_str (p, "updated_at"));
}

static int
s_show (const kwctl_global_t *global, const char *method, const char *prefix, const char *id,
        const char *suffix, kwctl_print_fn *print_fn)
{
    char *path = kwctl_path (prefix, id, suffix);
    if (!path)
        return KWCTL_USAGE;
    int rc = kwctl_api_show (global, method, path, NULL, NULL, 0, NULL, print_fn);
    free (path);
    return rc;
}

static const struct option s_list_options [] = {
    { "case", required_argument, NULL, 'k' }, { "recipient", required_argument, NULL, 'r' },
    { "status", required_argument, NULL, 's' }, { "channel", required_argument, NULL, 'h' + 256 },
    { "template", required_argument, NULL, 't' }, { "limit", required_argument, NULL, 'l' },
    { "cursor", required_argument, NULL, 'c' }, { "all", no_argument, NULL, 'a' }
};
static const struct option s_set_options [] = {
    { "channels", required_argument, NULL, 'C' }, { "quiet", required_argument, NULL, 'q' },
    { "no-quiet", no_argument, NULL, 'n' }, { "opt-out", no_argument, NULL, 'o' },
    { "opt-in", no_argument, NULL, 'i' }
};
static const struct option s_check_options [] = {
    { "dir", required_argument, NULL, 'd' }, { "regions", required_argument, NULL, 'R' }
};

static int
s_list (int argc, char **argv, kwctl_global_t *global)
{
    s_options_t o = { .limit = "" };
    int rc = kwctl_parse (argc, argv, s_list_options, sizeof s_list_options / sizeof s_list_options [0],
                          global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (optind != argc) {
        fprintf (stderr, "kwctl: notification list takes options only\n");
        return KWCTL_USAGE;
    }
    char path [KWCTL_MAX_PATH] = "/v1/notifications";
    if (kwctl_query_add (path, sizeof path, "case_id", o.case_id)
    ||  kwctl_query_add (path, sizeof path, "recipient_id", o.recipient)
    ||  kwctl_query_add (path, sizeof path, "status", o.status)
    ||  kwctl_query_add (path, sizeof path, "channel", o.channel)
    ||  kwctl_query_add (path, sizeof path, "template", o.template_)
    ||  kwctl_query_add (path, sizeof path, "limit", *o.limit ? o.limit : NULL)) {
        fprintf (stderr, "kwctl: the query is too long\n");
        return KWCTL_USAGE;
    }
    return kwctl_list_show (global, path, o.cursor, o.all, s_table);
}

int
kwctl_notification (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        s_usage (stderr);
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    if (strcmp (verb, "list") == 0)
        return s_list (argc - 1, argv + 1, global);
    if (strcmp (verb, "get") == 0 || strcmp (verb, "retry") == 0) {
        s_options_t o = { .limit = "" };
        int rc = kwctl_parse (argc - 1, argv + 1, NULL, 0, global, s_option, &o, s_usage);
        if (rc >= 0)
            return rc;
        if (kwctl_positional (argc - 1, argv + 1, 1, "notification", "takes one ID") != 0)
            return KWCTL_USAGE;
        int get = strcmp (verb, "get") == 0;
        return s_show (global, get ? "GET" : "POST", "/v1/notifications/", argv [1 + optind],
                       get ? "" : "/retry", s_record);
    }
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    fprintf (stderr, "kwctl: unknown notification command '%.32s' (try kwctl notification --help)\n", verb);
    return KWCTL_USAGE;
}

//  "HH:MM-HH:MM" (checked by s_option) into the body's quiet_from and quiet_to.
static void
s_quiet (json_t *body, const char *text)
{
    char from [6], to [6];
    memcpy (from, text, 5);
    from [5] = 0;
    memcpy (to, text + 6, 5);
    to [5] = 0;
    json_object_set_new (body, "quiet_from", json_string (from));
    json_object_set_new (body, "quiet_to", json_string (to));
}

//  The preferences as they are, changed by the options, into a new body.
static json_t *
s_changed (const kwctl_global_t *global, const char *path, const s_options_t *o)
{
    kwctl_api_t *api;
    if (kwctl_api_open (global, &api) != KWCTL_OK)
        return NULL;
    json_t *now = NULL;
    int rc = kwctl_api_call (api, "GET", path, NULL, NULL, 0, NULL, &now);
    kwctl_api_destroy (&api);
    if (rc != KWCTL_OK)
        return NULL;
    json_t *body = json_object ();
    json_t *channels = json_array ();
    json_object_set (body, "channels", json_object_get (now, "channels") ? json_object_get (now, "channels")
                                                                          : channels);
    json_decref (channels);
    if (!o->no_quiet && kwctl_str (now, "quiet_from")) {
        json_object_set (body, "quiet_from", json_object_get (now, "quiet_from"));
        json_object_set (body, "quiet_to", json_object_get (now, "quiet_to"));
    }
    json_object_set (body, "opted_out", json_object_get (now, "opted_out") ? json_object_get (now, "opted_out")
                                                                            : json_false ());
    json_decref (now);
    if (o->channels) {
        json_t *list = json_array ();
        char *copy = strdup (o->channels);
        for (char *save = NULL, *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
            json_array_append_new (list, json_string (c));
        free (copy);
        json_object_set_new (body, "channels", list);
    }
    if (o->quiet)
        s_quiet (body, o->quiet);
    if (o->opt)
        json_object_set_new (body, "opted_out", json_boolean (o->opt == 'o'));
    return body;
}

int
kwctl_preferences (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        s_usage (stderr);
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    int set = strcmp (verb, "set") == 0;
    if (!set && strcmp (verb, "get") != 0) {
        if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0) {
            s_usage (stdout);
            return KWCTL_OK;
        }
        fprintf (stderr, "kwctl: unknown preferences command '%.32s' (try kwctl preferences --help)\n", verb);
        return KWCTL_USAGE;
    }
    s_options_t o = { .limit = "" };
    int rc = kwctl_parse (argc - 1, argv + 1, set ? s_set_options : NULL,
                          set ? sizeof s_set_options / sizeof s_set_options [0] : 0, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc - 1, argv + 1, 1, "preferences", "takes one ID") != 0)
        return KWCTL_USAGE;
    if (o.quiet && o.no_quiet) {
        fprintf (stderr, "kwctl: --quiet and --no-quiet exclude each other\n");
        return KWCTL_USAGE;
    }
    if (!set)
        return s_show (global, "GET", "/v1/contacts/", argv [1 + optind], "/preferences", s_preferences);
    char *path = kwctl_path ("/v1/contacts/", argv [1 + optind], "/preferences");
    json_t *body = path ? s_changed (global, path, &o) : NULL;
    rc = body ? kwctl_send_json (global, "PUT", path, body, NULL, s_preferences) : KWCTL_API_ERROR;
    free (path);
    return rc;
}

// ---- template check

static const char *
s_example (const char *name, void *arg)
{
    (void) arg;
    if (strcmp (name, "service_name") == 0)
        return "Example Key Worker Service";
    if (strcmp (name, "public_url") == 0)
        return "https://keyworker.example.org";
    if (strstr (name, "name"))
        return "Alex Example";
    if (strstr (name, "_at") || !strcmp (name, "at") || !strcmp (name, "from") || !strcmp (name, "to"))
        return "2026-12-01T10:00:00Z";
    return "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10";
}

int
kwctl_template (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2 || strcmp (argv [1], "check") != 0) {
        if (argc >= 2 && (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0)) {
            s_usage (stdout);
            return KWCTL_OK;
        }
        fprintf (stderr, "kwctl: template takes check (try kwctl template --help)\n");
        return KWCTL_USAGE;
    }
    s_options_t o = { .dir = "deploy/notifications", .regions = "deploy/regions", .limit = "" };
    int rc = kwctl_parse (argc - 1, argv + 1, s_check_options, sizeof s_check_options / sizeof s_check_options [0],
                          global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    char err [1024];
    config_t *config = config_load (o.dir, o.regions, notification_events, notification_internal, err, sizeof err);
    if (!config) {
        fprintf (stderr, "kwctl: template check: %s\n", err);
        return KWCTL_API_ERROR;
    }
    size_t count;
    const config_row_t *rows = config_rows (config, &count);
    static const char *const parts [] = { "subject", "txt", "html", "sms", NULL };
    for (size_t i = 0; i < count; i++) {
        printf ("ok  %s -> %s by %s: %s%s%s\n", rows [i].event, rows [i].audience, rows [i].channel,
                rows [i].template_, rows [i].urgent ? " (urgent)" : "", rows [i].required ? " (required)" : "");
        for (int p = 0; parts [p]; p++) {
            char name [96];
            snprintf (name, sizeof name, "%s.%s", rows [i].template_, parts [p]);
            const char *text = config_text (config, NULL, name);
            if (!text || (strcmp (rows [i].channel, "sms") == 0) != (strcmp (parts [p], "sms") == 0))
                continue;
            char *out = template_render (text, strcmp (parts [p], "html") == 0 ? TEMPLATE_HTML : TEMPLATE_TEXT,
                                         s_example, NULL, err, sizeof err);
            if (strcmp (parts [p], "sms") == 0)
                printf ("    %s (%zu fragments):\n", parts [p], out ? template_sms_fragments (out) : 0);
            else
                printf ("    %s:\n", parts [p]);
            for (char *line = out, *save = NULL, *l = strtok_r (line, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
                printf ("      %s\n", l);
            free (out);
        }
    }
    printf ("%zu rows, every template renders\n", count);
    config_destroy (&config);
    return KWCTL_OK;
}
