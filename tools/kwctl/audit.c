/*  audit: kwctl audit, the audit trail of the caller's region
    (GET /v1/audit, admins only), filtered by record, actor and date,
    oldest first, as a table or JSON. */
#include <stdio.h>
#include <string.h>
#include "kwctl.h"

#define COLUMNS 7

void
kwctl_audit_usage (FILE *out)
{
    fprintf (out,
        "kwctl audit [--record ID] [--actor SUB] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
        "            [--limit N] [--cursor C] [--all]\n"
        "    who read or changed which record of the region and when, oldest first\n"
        "    (an admin's token); --all follows every page\n");
}

typedef struct {
    const char *record, *actor, *from, *to, *cursor;
    char limit [16];
    int all;
} s_audit_t;

static int
s_option (int c, void *arg)
{
    s_audit_t *self = arg;
    switch (c) {
        case 'r':
            self->record = optarg;
            return kwctl_check_printable (optarg, "--record") == 0 ? -1 : KWCTL_USAGE;
        case 'u':
            self->actor = optarg;
            return kwctl_check_printable (optarg, "--actor") == 0 ? -1 : KWCTL_USAGE;
        case 'f':
            self->from = optarg;
            return kwctl_check_date (optarg, "--from") == 0 ? -1 : KWCTL_USAGE;
        case 't':
            self->to = optarg;
            return kwctl_check_date (optarg, "--to") == 0 ? -1 : KWCTL_USAGE;
        case 'l':
            return kwctl_limit_option (optarg, self->limit);
        case 'c':
            self->cursor = optarg;
            return kwctl_check_printable (optarg, "--cursor") == 0 ? -1 : KWCTL_USAGE;
        case 'a':
            self->all = 1;
            return -1;
        default:
            return KWCTL_USAGE;
    }
}

static void
s_table (FILE *out, json_t *items)
{
    if (json_array_size (items) == 0) {
        fprintf (out, "no audit rows\n");
        return;
    }
    static const char *const keys [COLUMNS] = { "at", "actor", "role", "action", "record_type",
                                                "record_id", "outcome" };
    static const char *const titles [COLUMNS] = { "AT", "ACTOR", "ROLE", "ACTION", "RECORD_TYPE",
                                                  "RECORD_ID", "OUTCOME" };
    size_t widths [COLUMNS], index;
    json_t *item;
    for (int k = 0; k < COLUMNS; k++)
        widths [k] = strlen (titles [k]);
    json_array_foreach (items, index, item)
        for (int k = 0; k < COLUMNS; k++) {
            const char *value = kwctl_str (item, keys [k]);
            size_t len = value && *value ? strlen (value) : 1;
            widths [k] = len > widths [k] ? len : widths [k];
        }
    for (int k = 0; k < COLUMNS; k++) {
        kwctl_print_cell (out, titles [k], k + 1 < COLUMNS ? widths [k] : 0);
        fputs (k + 1 < COLUMNS ? "  " : "\n", out);
    }
    json_array_foreach (items, index, item)
        for (int k = 0; k < COLUMNS; k++) {
            kwctl_print_cell (out, kwctl_str (item, keys [k]), k + 1 < COLUMNS ? widths [k] : 0);
            fputs (k + 1 < COLUMNS ? "  " : "\n", out);
        }
}

int
kwctl_audit (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "record", required_argument, NULL, 'r' },
        { "actor", required_argument, NULL, 'u' },
        { "from", required_argument, NULL, 'f' },
        { "to", required_argument, NULL, 't' },
        { "limit", required_argument, NULL, 'l' },
        { "cursor", required_argument, NULL, 'c' },
        { "all", no_argument, NULL, 'a' }
    };
    s_audit_t self = { .record = NULL, .limit = "" };
    int rc = kwctl_parse (argc, argv, own, sizeof own / sizeof own [0], global, s_option, &self,
                          kwctl_audit_usage);
    if (rc >= 0)
        return rc;
    if (optind != argc) {
        fprintf (stderr, "kwctl: audit takes options only (try kwctl audit --help)\n");
        return KWCTL_USAGE;
    }
    char path [KWCTL_MAX_PATH] = "/v1/audit";
    if (kwctl_query_add (path, sizeof path, "record_id", self.record)
    ||  kwctl_query_add (path, sizeof path, "actor", self.actor)
    ||  kwctl_query_add (path, sizeof path, "from", self.from)
    ||  kwctl_query_add (path, sizeof path, "to", self.to)
    ||  kwctl_query_add (path, sizeof path, "limit", *self.limit ? self.limit : NULL)) {
        fprintf (stderr, "kwctl: the audit query is too long\n");
        return KWCTL_USAGE;
    }
    return kwctl_list_show (global, path, self.cursor, self.all, s_table);
}
