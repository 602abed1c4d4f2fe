/*  professional: the `kwctl professional` commands: add (POST
    /v1/professionals), get, list with filters, update (PATCH), deactivate,
    import a CSV workforce file, absences (add, list, cancel) and the
    region's caseloads. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_uuid.h"
#include "kwctl.h"

#define MAX_WORKFORCE_FILE (20L * 1024 * 1024)

void
kwctl_professional_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl professional add FILE.json [--idempotency-key KEY]\n"
        "       kwctl professional get ID\n"
        "       kwctl professional list [--agency A] [--discipline D] [--locality DISTRICT]\n"
        "                               [--language CODE] [--available] [--inactive]\n"
        "                               [--limit N] [--cursor CURSOR] [--all]\n"
        "       kwctl professional update ID FILE.json\n"
        "       kwctl professional deactivate ID\n"
        "       kwctl professional import FILE.csv\n"
        "       kwctl professional absence add ID --from WHEN --to WHEN [--reason TEXT]\n"
        "       kwctl professional absence list ID\n"
        "       kwctl professional absence cancel ID ABSENCE_ID\n"
        "       kwctl professional caseloads [--limit N] [--cursor CURSOR] [--all]\n"
        "\n"
        "  add         Register the professional in FILE.json ('-' reads standard input):\n"
        "              name, agency, discipline, email, phone, languages, localities,\n"
        "              max_caseload, working_hours, deputy_id. Carries an\n"
        "              Idempotency-Key (a new UUID unless given).\n"
        "  get         Show a professional: contact, caseload, cases, deputy, hours.\n"
        "  list        The region's professionals as a table; --available: active, not\n"
        "              absent, with room for another case; --inactive: the deactivated.\n"
        "  update      PATCH the fields in FILE.json (\"deputy_id\": \"\" removes the deputy).\n"
        "  deactivate  PATCH {\"active\": false}: no new offers; cases held stay.\n"
        "  import      Send a workforce CSV file to POST /v1/professionals/import\n"
        "              (columns name, agency, discipline, email, phone, languages,\n"
        "              localities, max_caseload, deputy_email, working_hours); prints\n"
        "              the counts and \"line L: FIELD: ERROR\" for each rejected row.\n"
        "  absence     add: the professional is away from WHEN to WHEN (RFC 3339 instants,\n"
        "              or dates meaning whole days in the region); list; cancel.\n"
        "  caseloads   Each professional's caseload, maximum, pending offers, covered\n"
        "              cases and room (GET /v1/caseloads).\n");
}

static void
s_usage (FILE *out)
{
    kwctl_professional_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}


//  The professional's path + suffix; NULL (printed) when out of memory.
static char *
s_path (const char *id, const char *suffix)
{
    char *path = kwctl_path ("/v1/professionals/", id, suffix);
    if (!path)
        fprintf (stderr, "kwctl: out of memory\n");
    return path;
}

//  --------------------------------------------------------------------------

static int
s_add (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "idempotency-key", required_argument, NULL, 'k' }
    };
    const char *key = NULL;
    int rc = kwctl_parse (argc, argv, own, 1, global, kwctl_idempotency_key_option, &key, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "professional", "needs one FILE.json") != 0)
        return KWCTL_USAGE;
    json_t *body = kwctl_read_json_object (argv [optind]);
    if (!body)
        return KWCTL_USAGE;
    char uuid [KW_UUID_SIZE];
    if (!key) {
        kw_uuid_generate (uuid);
        key = uuid;
    }
    return kwctl_send_json (global, "POST", "/v1/professionals", body, key, kwctl_print_professional);
}

static int
s_get (int argc, char **argv, kwctl_global_t *global)
{
    int rc = kwctl_parse (argc, argv, NULL, 0, global, NULL, NULL, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "professional", "needs one professional ID") != 0)
        return KWCTL_USAGE;
    char *path = s_path (argv [optind], "");
    if (!path)
        return KWCTL_USAGE;
    rc = kwctl_api_show (global, "GET", path, NULL, NULL, 0, NULL, kwctl_print_professional);
    free (path);
    return rc;
}

static int
s_update (int argc, char **argv, kwctl_global_t *global, int deactivate)
{
    int rc = kwctl_parse (argc, argv, NULL, 0, global, NULL, NULL, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, deactivate ? 1 : 2, "professional",
                          deactivate ? "needs one professional ID" : "needs an ID and FILE.json") != 0)
        return KWCTL_USAGE;
    json_t *body = deactivate ? json_pack ("{s:b}", "active", 0) : kwctl_read_json_object (argv [optind + 1]);
    if (!body)
        return KWCTL_USAGE;
    char *path = s_path (argv [optind], "");
    if (!path) {
        json_decref (body);
        return KWCTL_USAGE;
    }
    rc = kwctl_send_json (global, "PATCH", path, body, NULL, kwctl_print_professional);
    free (path);
    return rc;
}

//  --------------------------------------------------------------------------
//  list and caseloads

typedef struct {
    const char *agency, *discipline, *locality, *language, *cursor;
    int available, inactive, all;
    char limit [16];
} s_list_t;

static int
s_list_option (int c, void *arg)
{
    s_list_t *list = arg;
    switch (c) {
        case 'A': list->agency = optarg; return kwctl_check_printable (optarg, "--agency") == 0 ? -1 : KWCTL_USAGE;
        case 'd': list->discipline = optarg; return kwctl_check_printable (optarg, "--discipline") == 0 ? -1 : KWCTL_USAGE;
        case 'L': list->locality = optarg; return kwctl_check_printable (optarg, "--locality") == 0 ? -1 : KWCTL_USAGE;
        case 'g': list->language = optarg; return kwctl_check_printable (optarg, "--language") == 0 ? -1 : KWCTL_USAGE;
        case 'v': list->available = 1; return -1;
        case 'i': list->inactive = 1; return -1;
        case 'l': return kwctl_limit_option (optarg, list->limit);
        case 'c': list->cursor = optarg; return kwctl_check_printable (optarg, "--cursor") == 0 ? -1 : KWCTL_USAGE;
        case 'a': list->all = 1; return -1;
        default: return KWCTL_USAGE;
    }
}

static int
s_list (int argc, char **argv, kwctl_global_t *global, int caseloads)
{
    static const struct option own [] = {
        { "limit", required_argument, NULL, 'l' },
        { "cursor", required_argument, NULL, 'c' },
        { "all", no_argument, NULL, 'a' },
        { "agency", required_argument, NULL, 'A' },
        { "discipline", required_argument, NULL, 'd' },
        { "locality", required_argument, NULL, 'L' },
        { "language", required_argument, NULL, 'g' },
        { "available", no_argument, NULL, 'v' },
        { "inactive", no_argument, NULL, 'i' },
    };
    s_list_t list = { .agency = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, own, caseloads ? 3 : sizeof own / sizeof own [0], global,
                          s_list_option, &list, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 0, "professional", "takes options only") != 0)
        return KWCTL_USAGE;
    char path [KWCTL_MAX_PATH];
    snprintf (path, sizeof path, "%s", caseloads ? "/v1/caseloads" : "/v1/professionals");
    if (kwctl_query_add (path, sizeof path, "agency", list.agency)
    ||  kwctl_query_add (path, sizeof path, "discipline", list.discipline)
    ||  kwctl_query_add (path, sizeof path, "locality", list.locality)
    ||  kwctl_query_add (path, sizeof path, "language", list.language)
    ||  kwctl_query_add (path, sizeof path, "available", list.available ? "true" : NULL)
    ||  kwctl_query_add (path, sizeof path, "active", list.inactive ? "false" : NULL)
    ||  kwctl_query_add (path, sizeof path, "limit", *list.limit ? list.limit : NULL)) {
        fprintf (stderr, "kwctl: the list query is too long\n");
        return KWCTL_USAGE;
    }
    return kwctl_list_show (global, path, list.cursor, list.all,
                            caseloads ? kwctl_print_caseload_table : kwctl_print_professional_table);
}

//  --------------------------------------------------------------------------
//  import

static int
s_import (int argc, char **argv, kwctl_global_t *global)
{
    int rc = kwctl_parse (argc, argv, NULL, 0, global, NULL, NULL, s_usage);
    if (rc >= 0)
        return rc;
    if (kwctl_positional (argc, argv, 1, "professional", "needs one FILE.csv") != 0)
        return KWCTL_USAGE;
    size_t len;
    char *body = kwctl_read_input (argv [optind], MAX_WORKFORCE_FILE, &len);
    if (!body)
        return KWCTL_USAGE;
    rc = kwctl_api_show (global, "POST", "/v1/professionals/import", "text/csv", body, len, NULL,
                         kwctl_print_import_rows);
    free (body);
    return rc;
}

//  --------------------------------------------------------------------------
//  absences

typedef struct {
    const char *from, *to, *reason;
} s_absence_t;

static int
s_absence_option (int c, void *arg)
{
    s_absence_t *a = arg;
    switch (c) {
        case 'f': a->from = optarg; return -1;
        case 't': a->to = optarg; return -1;
        case 'r': a->reason = optarg; return -1;
        default: return KWCTL_USAGE;
    }
}

static int
s_absence (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "reason", required_argument, NULL, 'r' },
    };
    if (argc < 2) {
        fprintf (stderr, "kwctl: professional absence needs add, list or cancel"
                         " (try kwctl professional --help)\n");
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    argc--;
    argv++;
    s_absence_t a = { NULL, NULL, NULL };
    int add = strcmp (verb, "add") == 0;
    int rc = kwctl_parse (argc, argv, own, add ? 3 : 0, global, s_absence_option, &a, s_usage);
    if (rc >= 0)
        return rc;
    if (add) {
        if (kwctl_positional (argc, argv, 1, "professional", "needs one professional ID") != 0)
            return KWCTL_USAGE;
        if (!a.from || !a.to) {
            fprintf (stderr, "kwctl: professional absence add needs --from and --to\n");
            return KWCTL_USAGE;
        }
        json_t *body = json_pack ("{s:s?, s:s?}", "from", a.from, "to", a.to);
        json_t *reason = a.reason ? json_string (a.reason) : NULL;
        if (!body || (a.reason && !reason)) {
            fprintf (stderr, "kwctl: --from, --to and --reason must be UTF-8 text\n");
            json_decref (body);
            return KWCTL_USAGE;
        }
        if (reason)
            json_object_set_new (body, "reason", reason);
        char *path = s_path (argv [optind], "/absences");
        if (!path) {
            json_decref (body);
            return KWCTL_USAGE;
        }
        rc = kwctl_send_json (global, "POST", path, body, NULL, kwctl_print_absence);
        free (path);
        return rc;
    }
    if (strcmp (verb, "list") == 0) {
        if (kwctl_positional (argc, argv, 1, "professional", "needs one professional ID") != 0)
            return KWCTL_USAGE;
        char *path = s_path (argv [optind], "/absences");
        if (!path)
            return KWCTL_USAGE;
        rc = kwctl_api_show (global, "GET", path, NULL, NULL, 0, NULL, kwctl_print_absence_table);
        free (path);
        return rc;
    }
    if (strcmp (verb, "cancel") == 0) {
        if (kwctl_positional (argc, argv, 2, "professional", "needs a professional ID and an ABSENCE_ID") != 0)
            return KWCTL_USAGE;
        char *absence = kwctl_path ("/absences/", argv [optind + 1], "/cancel");
        char *path = absence ? s_path (argv [optind], absence) : NULL;
        free (absence);
        if (!path)
            return KWCTL_USAGE;
        rc = kwctl_api_show (global, "POST", path, NULL, NULL, 0, NULL, kwctl_print_absence);
        free (path);
        return rc;
    }
    fprintf (stderr, "kwctl: unknown absence command '%.32s' (try kwctl professional --help)\n", verb);
    return KWCTL_USAGE;
}

//  --------------------------------------------------------------------------

int
kwctl_professional (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        fprintf (stderr, "kwctl: professional needs a command: add, get, list, update, deactivate,"
                         " import, absence or caseloads (try kwctl professional --help)\n");
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    if (strcmp (verb, "add") == 0)
        return s_add (argc - 1, argv + 1, global);
    if (strcmp (verb, "get") == 0)
        return s_get (argc - 1, argv + 1, global);
    if (strcmp (verb, "list") == 0)
        return s_list (argc - 1, argv + 1, global, 0);
    if (strcmp (verb, "update") == 0)
        return s_update (argc - 1, argv + 1, global, 0);
    if (strcmp (verb, "deactivate") == 0)
        return s_update (argc - 1, argv + 1, global, 1);
    if (strcmp (verb, "import") == 0)
        return s_import (argc - 1, argv + 1, global);
    if (strcmp (verb, "absence") == 0)
        return s_absence (argc - 1, argv + 1, global);
    if (strcmp (verb, "caseloads") == 0)
        return s_list (argc - 1, argv + 1, global, 1);
    fprintf (stderr, "kwctl: unknown professional command '%.32s' (try kwctl professional --help)\n", verb);
    return KWCTL_USAGE;
}
