/*  referral: the `kwctl referral` commands: create (POST /v1/referrals with
    an Idempotency-Key), get, list (with filters and paging) and withdraw. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_uuid.h"
#include "kwctl.h"

#define MAX_REFERRAL_FILE   (16L * 1024 * 1024)

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
    if (kwctl_positional (argc, argv, 1, "referral", "needs one FILE.json") != 0)
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
s_get (int argc, char **argv, kwctl_global_t *global)
{
    int rc = kwctl_parse (argc, argv, NULL, 0, global, NULL, NULL, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "referral", "needs one referral ID") != 0)
        return KWCTL_USAGE;
    char *path = kwctl_path ("/v1/referrals/", argv [optind], "");
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
            return kwctl_limit_option (optarg, list->limit);
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
    if (kwctl_positional (argc, argv, 0, "referral", "takes options only") != 0)
        return KWCTL_USAGE;
    char path [KWCTL_MAX_PATH] = "/v1/referrals";
    if (kwctl_query_add (path, sizeof path, "status", list.status)
    ||  kwctl_query_add (path, sizeof path, "source", list.source)
    ||  kwctl_query_add (path, sizeof path, "from", list.from)
    ||  kwctl_query_add (path, sizeof path, "to", list.to)
    ||  kwctl_query_add (path, sizeof path, "limit", *list.limit ? list.limit : NULL)) {
        fprintf (stderr, "kwctl: the list query is too long\n");
        return KWCTL_USAGE;
    }
    return kwctl_list_show (global, path, list.cursor, list.all, kwctl_print_referral_table);
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
    if (kwctl_positional (argc, argv, 1, "referral", "needs one referral ID") != 0)
        return KWCTL_USAGE;
    json_t *text = reason && *reason ? json_string (reason) : NULL;
    if (!text) {
        fprintf (stderr, "kwctl: referral withdraw needs --reason TEXT (UTF-8)\n");
        return KWCTL_USAGE;
    }
    json_t *request = json_pack ("{s:o}", "reason", text);
    char *body = json_dumps (request, JSON_COMPACT);
    json_decref (request);
    char *path = kwctl_path ("/v1/referrals/", argv [optind], "/withdraw");
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
