/*  case: the `kwctl case` commands: get, list, mine, accept and decline an
    offer, a coordinator's offer, the team (show, add, remove), close, a
    change request and the timeline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kwctl.h"

static const char *const s_statuses [] = { "awaiting_key_worker", "offered", "active", "closed", NULL };
static const char *const s_reasons [] = {
    "no_longer_needed", "moved_away", "transferred_to_adult_services", "other", NULL
};
static const char *const s_requesters [] = { "family", "key_worker", "coordinator", NULL };

void
kwctl_case_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl case get ID\n"
        "       kwctl case list [--status S] [--key-worker ID] [--awaiting] [--limit N]\n"
        "                       [--cursor CURSOR] [--all]\n"
        "       kwctl case mine [--status S] [--limit N] [--cursor CURSOR] [--all]\n"
        "       kwctl case accept ID OFFER_ID\n"
        "       kwctl case decline ID OFFER_ID --reason TEXT\n"
        "       kwctl case offer ID --professional PROFESSIONAL_ID --reason TEXT\n"
        "       kwctl case team ID [add --professional PROFESSIONAL_ID |\n"
        "                           add --name NAME [--email E] [--agency A] [--discipline D] [--phone P] |\n"
        "                           remove MEMBER_ID]\n"
        "       kwctl case close ID --reason REASON [--note TEXT]\n"
        "       kwctl case change-request ID --reason TEXT [--requested-by WHO]\n"
        "       kwctl case timeline ID [--limit N] [--cursor CURSOR] [--all]\n"
        "\n"
        "  get             The case: status, key worker, deputy, cover, each offer with its\n"
        "                  score and reasons, the team.\n"
        "  list            The region's cases; --status awaiting_key_worker, offered, active\n"
        "                  or closed; --awaiting: cases the coordinator has to act on.\n"
        "  mine            The caller's own cases (a key worker's, or a family's).\n"
        "  accept/decline  Answer an offer (the offeree, a coordinator or an admin).\n"
        "  offer           A coordinator's offer to a chosen professional, with the reason.\n"
        "  team            Show the team around the child, add a member, remove one.\n"
        "  close           REASON: no_longer_needed, moved_away, transferred_to_adult_services\n"
        "                  or other.\n"
        "  change-request  Ask for another key worker; WHO: family, key_worker or coordinator\n"
        "                  (the caller's role by default).\n"
        "  timeline        Every event of the case, oldest first.\n");
}

static void
s_usage (FILE *out)
{
    kwctl_case_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

//  Options of the case commands; which a command takes is its own table.
typedef struct {
    const char *status, *key_worker, *cursor, *reason, *note, *requested_by, *professional;
    const char *name, *email, *agency, *discipline, *phone;
    int awaiting, all;
    char limit [16];
} s_opts_t;

static int
s_option (int c, void *arg)
{
    s_opts_t *o = arg;
    switch (c) {
        case 's': o->status = optarg; return kwctl_check_choice (optarg, "--status", s_statuses) == 0 ? -1 : KWCTL_USAGE;
        case 'K': o->key_worker = optarg; return kwctl_check_printable (optarg, "--key-worker") == 0 ? -1 : KWCTL_USAGE;
        case 'w': o->awaiting = 1; return -1;
        case 'l': return kwctl_limit_option (optarg, o->limit);
        case 'c': o->cursor = optarg; return kwctl_check_printable (optarg, "--cursor") == 0 ? -1 : KWCTL_USAGE;
        case 'a': o->all = 1; return -1;
        case 'r': o->reason = optarg; return -1;
        case 'n': o->note = optarg; return -1;
        case 'b': o->requested_by = optarg;
                  return kwctl_check_choice (optarg, "--requested-by", s_requesters) == 0 ? -1 : KWCTL_USAGE;
        case 'p': o->professional = optarg; return kwctl_check_printable (optarg, "--professional") == 0 ? -1 : KWCTL_USAGE;
        case 'N': o->name = optarg; return -1;
        case 'E': o->email = optarg; return -1;
        case 'A': o->agency = optarg; return -1;
        case 'D': o->discipline = optarg; return -1;
        case 'P': o->phone = optarg; return -1;
        default: return KWCTL_USAGE;
    }
}

static const struct option s_list_options [] = {
    { "status", required_argument, NULL, 's' },
    { "limit", required_argument, NULL, 'l' },
    { "cursor", required_argument, NULL, 'c' },
    { "all", no_argument, NULL, 'a' },
    { "key-worker", required_argument, NULL, 'K' },
    { "awaiting", no_argument, NULL, 'w' },
};
static const struct option s_reason_options [] = {
    { "reason", required_argument, NULL, 'r' },
    { "note", required_argument, NULL, 'n' },
    { "requested-by", required_argument, NULL, 'b' },
};
static const struct option s_member_options [] = {
    { "professional", required_argument, NULL, 'p' },
    { "reason", required_argument, NULL, 'r' },
    { "name", required_argument, NULL, 'N' },
    { "email", required_argument, NULL, 'E' },
    { "agency", required_argument, NULL, 'A' },
    { "discipline", required_argument, NULL, 'D' },
    { "phone", required_argument, NULL, 'P' },
};


//  "/v1/cases/ID" + suffix; NULL (printed) when out of memory.
static char *
s_path (const char *id, const char *suffix)
{
    char *path = kwctl_path ("/v1/cases/", id, suffix);
    if (!path)
        fprintf (stderr, "kwctl: out of memory\n");
    return path;
}

//  Add the optional text member key to body; -1 (printed) when not UTF-8.
static int
s_text (json_t *body, const char *key, const char *value)
{
    if (!value)
        return 0;
    json_t *text = json_string (value);
    if (!text) {
        fprintf (stderr, "kwctl: --%s must be UTF-8 text\n", key);
        return -1;
    }
    json_object_set_new (body, key, text);
    return 0;
}

//  POST (or method) body to the case's path + suffix and print the answer.
static int
s_send (const kwctl_global_t *global, const char *method, const char *id, const char *suffix,
        json_t *body, kwctl_print_fn *print_fn)
{
    char *path = s_path (id, suffix);
    if (!path) {
        json_decref (body);
        return KWCTL_USAGE;
    }
    int rc = body ? kwctl_send_json (global, method, path, body, NULL, print_fn)
                  : kwctl_api_show (global, method, path, NULL, NULL, 0, NULL, print_fn);
    free (path);
    return rc;
}

//  --------------------------------------------------------------------------

static int
s_get (int argc, char **argv, kwctl_global_t *global)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, NULL, 0, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "case", "needs one case ID") != 0)
        return KWCTL_USAGE;
    return s_send (global, "GET", argv [optind], "", NULL, kwctl_print_case);
}

static int
s_list (int argc, char **argv, kwctl_global_t *global, int mine)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, s_list_options, mine ? 4 : 6, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 0, "case", "takes options only") != 0)
        return KWCTL_USAGE;
    char path [KWCTL_MAX_PATH];
    snprintf (path, sizeof path, "%s", mine ? "/v1/me/cases" : "/v1/cases");
    if (kwctl_query_add (path, sizeof path, "status", o.status)
    ||  kwctl_query_add (path, sizeof path, "key_worker_id", o.key_worker)
    ||  kwctl_query_add (path, sizeof path, "awaiting", o.awaiting ? "true" : NULL)
    ||  kwctl_query_add (path, sizeof path, "limit", *o.limit ? o.limit : NULL)) {
        fprintf (stderr, "kwctl: the list query is too long\n");
        return KWCTL_USAGE;
    }
    return kwctl_list_show (global, path, o.cursor, o.all, kwctl_print_case_table);
}

static int
s_answer_offer (int argc, char **argv, kwctl_global_t *global, int accept)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, s_reason_options, accept ? 0 : 1, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 2, "case", "needs a case ID and an OFFER_ID") != 0)
        return KWCTL_USAGE;
    if (!accept && (!o.reason || !*o.reason)) {
        fprintf (stderr, "kwctl: case decline needs --reason TEXT\n");
        return KWCTL_USAGE;
    }
    json_t *body = accept ? NULL : json_object ();
    if (body && s_text (body, "reason", o.reason) != 0) {
        json_decref (body);
        return KWCTL_USAGE;
    }
    char *offer = kwctl_path ("/offers/", argv [optind + 1], accept ? "/accept" : "/decline");
    if (!offer) {
        json_decref (body);
        return KWCTL_USAGE;
    }
    rc = s_send (global, "POST", argv [optind], offer, body, kwctl_print_case);
    free (offer);
    return rc;
}

static int
s_offer (int argc, char **argv, kwctl_global_t *global)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, s_member_options, 2, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "case", "needs one case ID") != 0)
        return KWCTL_USAGE;
    if (!o.professional || !o.reason || !*o.reason) {
        fprintf (stderr, "kwctl: case offer needs --professional ID and --reason TEXT\n");
        return KWCTL_USAGE;
    }
    json_t *body = json_pack ("{s:s}", "professional_id", o.professional);
    if (!body || s_text (body, "reason", o.reason) != 0) {
        json_decref (body);
        return KWCTL_USAGE;
    }
    return s_send (global, "POST", argv [optind], "/offers", body, kwctl_print_case);
}

static int
s_team (int argc, char **argv, kwctl_global_t *global)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    //  kwctl case team ID [add ...|remove MEMBER_ID]
    int rc = kwctl_parse (argc, argv, s_member_options, sizeof s_member_options / sizeof s_member_options [0],
                          global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    int given = argc - optind;
    if (given == 1 && *argv [optind])
        return s_send (global, "GET", argv [optind], "/team", NULL, kwctl_print_team);
    if (given == 2 && strcmp (argv [optind + 1], "add") == 0) {
        if (!o.professional && !o.name) {
            fprintf (stderr, "kwctl: case team ID add needs --professional ID or --name NAME\n");
            return KWCTL_USAGE;
        }
        json_t *body = json_object ();
        if (s_text (body, "professional_id", o.professional) || s_text (body, "name", o.name)
        ||  s_text (body, "email", o.email) || s_text (body, "agency", o.agency)
        ||  s_text (body, "discipline", o.discipline) || s_text (body, "phone", o.phone)) {
            json_decref (body);
            return KWCTL_USAGE;
        }
        return s_send (global, "POST", argv [optind], "/team", body, kwctl_print_team);
    }
    if (given == 3 && strcmp (argv [optind + 1], "remove") == 0 && *argv [optind + 2]) {
        char *member = kwctl_path ("/team/", argv [optind + 2], "");
        if (!member)
            return KWCTL_USAGE;
        rc = s_send (global, "DELETE", argv [optind], member, NULL, kwctl_print_team);
        free (member);
        return rc;
    }
    fprintf (stderr, "kwctl: case team needs ID, ID add ..., or ID remove MEMBER_ID"
                     " (try kwctl case --help)\n");
    return KWCTL_USAGE;
}

static int
s_close_or_change (int argc, char **argv, kwctl_global_t *global, int close)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, s_reason_options, 3, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "case", "needs one case ID") != 0)
        return KWCTL_USAGE;
    if (!o.reason || !*o.reason) {
        fprintf (stderr, "kwctl: case %s needs --reason\n", argv [0]);
        return KWCTL_USAGE;
    }
    if (close && kwctl_check_choice (o.reason, "--reason", s_reasons) != 0)
        return KWCTL_USAGE;
    json_t *body = json_object ();
    if (s_text (body, "reason", o.reason) || s_text (body, "note", close ? o.note : NULL)
    ||  s_text (body, "requested_by", close ? NULL : o.requested_by)) {
        json_decref (body);
        return KWCTL_USAGE;
    }
    return s_send (global, "POST", argv [optind], close ? "/close" : "/change-request", body,
                   kwctl_print_case);
}

static int
s_timeline (int argc, char **argv, kwctl_global_t *global)
{
    s_opts_t o = { .status = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, s_list_options + 1, 3, global, s_option, &o, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "case", "needs one case ID") != 0)
        return KWCTL_USAGE;
    char *path = s_path (argv [optind], "/timeline");
    if (!path)
        return KWCTL_USAGE;
    char query [KWCTL_MAX_PATH];
    snprintf (query, sizeof query, "%s", path);
    free (path);
    if (kwctl_query_add (query, sizeof query, "limit", *o.limit ? o.limit : NULL)) {
        fprintf (stderr, "kwctl: the case id is too long\n");
        return KWCTL_USAGE;
    }
    return kwctl_list_show (global, query, o.cursor, o.all, kwctl_print_timeline);
}

//  --------------------------------------------------------------------------

int
kwctl_case (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        fprintf (stderr, "kwctl: case needs a command: get, list, mine, accept, decline, offer, team,"
                         " close, change-request or timeline (try kwctl case --help)\n");
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    argc--;
    argv++;
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    if (strcmp (verb, "get") == 0)
        return s_get (argc, argv, global);
    if (strcmp (verb, "list") == 0)
        return s_list (argc, argv, global, 0);
    if (strcmp (verb, "mine") == 0)
        return s_list (argc, argv, global, 1);
    if (strcmp (verb, "accept") == 0)
        return s_answer_offer (argc, argv, global, 1);
    if (strcmp (verb, "decline") == 0)
        return s_answer_offer (argc, argv, global, 0);
    if (strcmp (verb, "offer") == 0)
        return s_offer (argc, argv, global);
    if (strcmp (verb, "team") == 0)
        return s_team (argc, argv, global);
    if (strcmp (verb, "close") == 0)
        return s_close_or_change (argc, argv, global, 1);
    if (strcmp (verb, "change-request") == 0)
        return s_close_or_change (argc, argv, global, 0);
    if (strcmp (verb, "timeline") == 0)
        return s_timeline (argc, argv, global);
    fprintf (stderr, "kwctl: unknown case command '%.32s' (try kwctl case --help)\n", verb);
    return KWCTL_USAGE;
}
