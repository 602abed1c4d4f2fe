/*  referral: the `kwctl referral` commands: create (POST /v1/referrals with
    an Idempotency-Key), get, list (with filters and paging) and withdraw. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_config.h"
#include "kw_uuid.h"
#include "kwctl.h"

#define MAX_REFERRAL_FILE   (16L * 1024 * 1024)
#define MAX_PATH            4096
#define MAX_PAGES           100000

static const char *const s_statuses [] = {
    "received", "eligible", "ineligible", "more_information_needed", "withdrawn", "closed", NULL
};
static const char *const s_sources [] = { "professional", "self", "dsr", NULL };

//  Print the referral commands' usage.
void
kwctl_referral_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl referral create FILE.json [--idempotency-key KEY]\n"
        "       kwctl referral get ID\n"
        "       kwctl referral list [--status STATUS] [--source SOURCE] [--from YYYY-MM-DD]\n"
        "                           [--to YYYY-MM-DD] [--limit N] [--cursor CURSOR] [--all]\n"
        "       kwctl referral withdraw ID --reason TEXT\n"
        "\n"
        "  create    Send the referral in FILE.json ('-' reads standard input) to\n"
        "            POST /v1/referrals; prints \"referral ID received (region REGION)\".\n"
        "            Every create carries an Idempotency-Key, a new UUID unless\n"
        "            --idempotency-key KEY (1 to 200 printable characters) is given.\n"
        "            When the outcome is unknown (no answer, or status 5xx) the key is\n"
        "            printed: repeat with --idempotency-key KEY and the same file to\n"
        "            retry without making a second referral.\n"
        "  get       Show GET /v1/referrals/ID: status, source, child, the eligibility\n"
        "            decision with each criterion met yes, no or unknown, the case.\n"
        "  list      List GET /v1/referrals as a table (id, status, source, received_at,\n"
        "            child), oldest first (by time received) as the gateway orders it.\n"
        "            --status   received, eligible, ineligible, more_information_needed,\n"
        "                       withdrawn or closed\n"
        "            --source   professional, self or dsr\n"
        "            --from, --to  received on or after, on or before this date\n"
        "            --limit N  referrals per page, 1 to 500 (the gateway's default: 50)\n"
        "            --cursor   start at this page (the next_cursor of an earlier page)\n"
        "            --all      follow next_cursor to the last page; with --json prints\n"
        "                       {\"items\": [every referral], \"next_cursor\": null}\n"
        "  withdraw  POST /v1/referrals/ID/withdraw with {\"reason\": TEXT}.\n");
}

static void
s_usage (FILE *out)
{
    kwctl_referral_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

//  Check the positional arguments: exactly count of them, not empty.
static int
s_positional (int argc, char **argv, int count, const char *what)
{
    if (argc - optind == count && (count == 0 || *argv [optind]))
        return 0;
    fprintf (stderr, "kwctl: referral %s %s (try kwctl referral --help)\n", argv [0], what);
    return -1;
}

//  --------------------------------------------------------------------------
//  create

static int
s_create (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "idempotency-key", required_argument, NULL, 'k' }
    };
    const char *idempotency_key = NULL;
    int rc = kwctl_parse (argc, argv, own, 1, global, kwctl_idempotency_key_option, &idempotency_key, s_usage);
    if (rc >= 0)
        return rc;
    if (s_positional (argc, argv, 1, "needs one FILE.json") != 0)
        return KWCTL_USAGE;
    const char *path = argv [optind];
    size_t len;
    char *body = kwctl_read_input (path, MAX_REFERRAL_FILE, &len);
    if (!body)
        return KWCTL_USAGE;
    json_error_t json_err;
    json_t *parsed = json_loadb (body, len, JSON_DECODE_ANY, &json_err);
    if (!json_is_object (parsed)) {
        if (parsed)
            fprintf (stderr, "kwctl: %s must hold one JSON object\n",
                     strcmp (path, "-") == 0 ? "standard input" : path);
        else
            fprintf (stderr, "kwctl: %s is not JSON: line %d column %d: %s\n",
                     strcmp (path, "-") == 0 ? "standard input" : path,
                     json_err.line, json_err.column, json_err.text);
        json_decref (parsed);
        free (body);
        return KWCTL_USAGE;
    }
    json_decref (parsed);

    char key [KW_UUID_SIZE];
    if (!idempotency_key) {
        kw_uuid_generate (key);
        idempotency_key = key;
    }
    char header [256];
    snprintf (header, sizeof header, "Idempotency-Key: %s", idempotency_key);
    kwctl_api_t *api;
    rc = kwctl_api_open (global, &api);
    if (rc == KWCTL_OK) {
        json_t *answer;
        rc = kwctl_api_call (api, "POST", "/v1/referrals", "application/json", body, len,
                             header, &answer);
        if (rc == KWCTL_OK) {
            if (kwctl_api_json (api))
                kwctl_print_json (stdout, answer);
            else
                kwctl_print_referral_created (stdout, answer);
            json_decref (answer);
        }
        else
        if (rc == KWCTL_UNREACHABLE || kwctl_api_status (api) >= 500)
            fprintf (stderr, "kwctl: the referral may or may not have been received; to retry"
                             " safely repeat with --idempotency-key %s\n", idempotency_key);
        kwctl_api_destroy (&api);
    }
    free (body);
    return rc;
}

//  --------------------------------------------------------------------------
//  get

static int
s_no_option (int c, void *arg)
{
    return KWCTL_USAGE;
}

//  "/v1/referrals/ID" + suffix, with ID escaped; NULL when out of memory.
static char *
s_referral_path (const char *id, const char *suffix)
{
    char *escaped = kwctl_http_escape (id);
    if (!escaped)
        return NULL;
    size_t size = strlen ("/v1/referrals/") + strlen (escaped) + strlen (suffix) + 1;
    char *path = malloc (size);
    if (path)
        snprintf (path, size, "/v1/referrals/%s%s", escaped, suffix);
    free (escaped);
    return path;
}

static int
s_get (int argc, char **argv, kwctl_global_t *global)
{
    int rc = kwctl_parse (argc, argv, NULL, 0, global, s_no_option, NULL, s_usage);
    if (rc >= 0)
        return rc;
    if (s_positional (argc, argv, 1, "needs one referral ID") != 0)
        return KWCTL_USAGE;
    char *path = s_referral_path (argv [optind], "");
    if (!path) {
        fprintf (stderr, "kwctl: out of memory\n");
        return KWCTL_USAGE;
    }
    rc = kwctl_api_show (global, "GET", path, NULL, NULL, 0, NULL, kwctl_print_referral);
    free (path);
    return rc;
}

//  --------------------------------------------------------------------------
//  list

typedef struct {
    const char *status;
    const char *source;
    const char *from;
    const char *to;
    char limit [16];
    const char *cursor;
    int all;
} s_list_t;

static int
s_list_option (int c, void *arg)
{
    s_list_t *list = (s_list_t *) arg;
    long limit;
    char err [128];
    switch (c) {
        case 's':
            list->status = optarg;
            return kwctl_check_choice (optarg, "--status", s_statuses) == 0 ? -1 : KWCTL_USAGE;
        case 'o':
            list->source = optarg;
            return kwctl_check_choice (optarg, "--source", s_sources) == 0 ? -1 : KWCTL_USAGE;
        case 'f':
            list->from = optarg;
            return kwctl_check_date (optarg, "--from") == 0 ? -1 : KWCTL_USAGE;
        case 't':
            list->to = optarg;
            return kwctl_check_date (optarg, "--to") == 0 ? -1 : KWCTL_USAGE;
        case 'l':
            if (kw_config_int ("--limit", optarg, 1, 500, &limit, err, sizeof err) == 0) {
                snprintf (list->limit, sizeof list->limit, "%ld", limit);
                return -1;
            }
            fprintf (stderr, "kwctl: %s\n", err);
            return KWCTL_USAGE;
        case 'c':
            list->cursor = optarg;
            return kwctl_check_printable (optarg, "--cursor") == 0 ? -1 : KWCTL_USAGE;
        case 'a':
            list->all = 1;
            return -1;
        default:
            return KWCTL_USAGE;
    }
}

//  Append "&key=value" (value escaped) to the query in path; -1 when it does not fit.
static int
s_query (char *path, const char *key, const char *value)
{
    if (!value)
        return 0;
    char *escaped = kwctl_http_escape (value);
    if (!escaped)
        return -1;
    size_t len = strlen (path);
    int n = snprintf (path + len, MAX_PATH - len, "%s%s=%s",
                      strchr (path, '?') ? "&" : "?", key, escaped);
    free (escaped);
    return n < 0 || (size_t) n >= MAX_PATH - len ? -1 : 0;
}

//  Fetch one page into *answer_p; the exit status.
static int
s_list_page (kwctl_api_t *api, const s_list_t *list, const char *cursor, json_t **answer_p)
{
    char path [MAX_PATH] = "/v1/referrals";
    *answer_p = NULL;
    if (s_query (path, "status", list->status) || s_query (path, "source", list->source)
    ||  s_query (path, "from", list->from) || s_query (path, "to", list->to)
    ||  s_query (path, "limit", *list->limit ? list->limit : NULL)
    ||  s_query (path, "cursor", cursor)) {
        fprintf (stderr, "kwctl: the list query is too long\n");
        return KWCTL_USAGE;
    }
    int rc = kwctl_api_call (api, "GET", path, NULL, NULL, 0, NULL, answer_p);
    if (rc == KWCTL_OK && !json_is_array (json_object_get (*answer_p, "items"))) {
        fprintf (stderr, "kwctl: the gateway's list has no \"items\" array\n");
        json_decref (*answer_p);
        *answer_p = NULL;
        rc = KWCTL_API_ERROR;
    }
    return rc;
}

//  Follow next_cursor from the first page to the last; every item in *items_p.
static int
s_list_all (kwctl_api_t *api, const s_list_t *list, json_t **items_p)
{
    json_t *items = json_array ();
    char *cursor = list->cursor ? strdup (list->cursor) : NULL;
    int rc = KWCTL_OK;
    for (int page = 0; rc == KWCTL_OK; page++) {
        json_t *answer = NULL;
        rc = s_list_page (api, list, cursor, &answer);
        if (rc != KWCTL_OK)
            break;
        json_array_extend (items, json_object_get (answer, "items"));
        const char *next = kwctl_str (answer, "next_cursor");
        int last = !next || !*next;
        if (!last && ((cursor && strcmp (next, cursor) == 0) || page + 1 >= MAX_PAGES)) {
            fprintf (stderr, "kwctl: the gateway's next_cursor does not move on; stopped\n");
            rc = KWCTL_API_ERROR;
        }
        free (cursor);
        cursor = last ? NULL : strdup (next);
        json_decref (answer);
        if (last)
            break;
    }
    free (cursor);
    if (rc != KWCTL_OK) {
        json_decref (items);
        items = NULL;
    }
    *items_p = items;
    return rc;
}

static int
s_list (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "status", required_argument, NULL, 's' },
        { "source", required_argument, NULL, 'o' },
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "limit", required_argument, NULL, 'l' },
        { "cursor", required_argument, NULL, 'c' },
        { "all", no_argument, NULL, 'a' }
    };
    s_list_t list = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, own, sizeof own / sizeof own [0], global,
                          s_list_option, &list, s_usage);
    if (rc >= 0)
        return rc;
    if (s_positional (argc, argv, 0, "takes options only") != 0)
        return KWCTL_USAGE;
    kwctl_api_t *api;
    rc = kwctl_api_open (global, &api);
    if (rc != KWCTL_OK)
        return rc;
    if (list.all) {
        json_t *items;
        rc = s_list_all (api, &list, &items);
        if (rc == KWCTL_OK && kwctl_api_json (api)) {
            json_t *whole = json_pack ("{s:o, s:n}", "items", items, "next_cursor");
            kwctl_print_json (stdout, whole);
            json_decref (whole);
        }
        else
        if (rc == KWCTL_OK) {
            kwctl_print_referral_table (stdout, items);
            json_decref (items);
        }
    }
    else {
        json_t *answer = NULL;
        rc = s_list_page (api, &list, list.cursor, &answer);
        if (rc == KWCTL_OK && kwctl_api_json (api))
            kwctl_print_json (stdout, answer);
        else
        if (rc == KWCTL_OK) {
            kwctl_print_referral_table (stdout, json_object_get (answer, "items"));
            const char *next = kwctl_str (answer, "next_cursor");
            if (next && *next) {
                printf ("more: add --cursor ");
                kwctl_print_text (stdout, next);
                printf (" for the next page, or --all\n");
            }
        }
        json_decref (answer);
    }
    kwctl_api_destroy (&api);
    return rc;
}

//  --------------------------------------------------------------------------
//  withdraw

static int
s_withdraw_option (int c, void *arg)
{
    if (c != 'r')
        return KWCTL_USAGE;
    *(const char **) arg = optarg;
    return -1;
}

static void
s_print_withdrawn (FILE *out, json_t *answer)
{
    const char *status = kwctl_str (answer, "status");
    fprintf (out, "referral ");
    kwctl_print_text (out, kwctl_str (answer, "id"));
    fprintf (out, " ");
    kwctl_print_text (out, status ? status : "withdrawn");
    fputc ('\n', out);
}

static int
s_withdraw (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "reason", required_argument, NULL, 'r' }
    };
    const char *reason = NULL;
    int rc = kwctl_parse (argc, argv, own, 1, global, s_withdraw_option, &reason, s_usage);
    if (rc >= 0)
        return rc;
    if (s_positional (argc, argv, 1, "needs one referral ID") != 0)
        return KWCTL_USAGE;
    json_t *text = reason && *reason ? json_string (reason) : NULL;
    if (!text) {
        fprintf (stderr, "kwctl: referral withdraw needs --reason TEXT (UTF-8)\n");
        return KWCTL_USAGE;
    }
    json_t *request = json_pack ("{s:o}", "reason", text);
    char *body = json_dumps (request, JSON_COMPACT);
    json_decref (request);
    char *path = s_referral_path (argv [optind], "/withdraw");
    if (!body || !path) {
        fprintf (stderr, "kwctl: out of memory\n");
        free (body);
        free (path);
        return KWCTL_USAGE;
    }
    rc = kwctl_api_show (global, "POST", path, "application/json", body, strlen (body),
                         NULL, s_print_withdrawn);
    free (body);
    free (path);
    return rc;
}

//  --------------------------------------------------------------------------

//  kwctl referral VERB ARGS: argv [0] is "referral". Returns the exit status.
int
kwctl_referral (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        fprintf (stderr, "kwctl: referral needs a command: create, get, list or withdraw"
                         " (try kwctl referral --help)\n");
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    if (strcmp (verb, "create") == 0)
        return s_create (argc - 1, argv + 1, global);
    if (strcmp (verb, "get") == 0)
        return s_get (argc - 1, argv + 1, global);
    if (strcmp (verb, "list") == 0)
        return s_list (argc - 1, argv + 1, global);
    if (strcmp (verb, "withdraw") == 0)
        return s_withdraw (argc - 1, argv + 1, global);
    fprintf (stderr, "kwctl: unknown referral command '%.32s' (try kwctl referral --help)\n", verb);
    return KWCTL_USAGE;
}
