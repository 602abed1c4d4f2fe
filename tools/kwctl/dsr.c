/*  dsr: the `kwctl dsr` commands: import a Dynamic Support Register feed
    file (POST /v1/dsr/imports, CSV or NDJSON) and show one entry with its
    rating history (GET /v1/dsr/entries/{id}, the id being the NHS number). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kw_nhs.h"
#include "kwctl.h"

#define MAX_FEED_FILE   (20L * 1024 * 1024)

static const char *const s_formats [] = { "csv", "ndjson", NULL };

//  Print the dsr commands' usage.
void
kwctl_dsr_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl dsr import FILE.csv|FILE.ndjson [--format csv|ndjson]\n"
        "       kwctl dsr get NHS_NUMBER\n"
        "\n"
        "  import    Send a feed file to POST /v1/dsr/imports as text/csv (.csv) or\n"
        "            application/x-ndjson (.ndjson, .jsonl); --format says which for\n"
        "            other names and for '-' (standard input). At most 20 MiB. Prints\n"
        "            the import id, \"rows N: created N, updated N, unchanged N,\n"
        "            rejected N\" and one line per rejected row: \"line L: FIELD: ERROR\".\n"
        "            Rejected rows do not change the exit status; good rows are kept.\n"
        "  get       Show GET /v1/dsr/entries/NHS_NUMBER (10 digits, spaces and hyphens allowed):\n"
        "            the entry and its rating history, oldest first.\n");
}

static void
s_usage (FILE *out)
{
    kwctl_dsr_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

//  --------------------------------------------------------------------------
//  import

static int
s_import_option (int c, void *arg)
{
    if (c != 'f')
        return KWCTL_USAGE;
    *(const char **) arg = optarg;
    return kwctl_check_choice (optarg, "--format", s_formats) == 0 ? -1 : KWCTL_USAGE;
}

//  The format named by path's extension, or NULL.
static const char *
s_format_of (const char *path)
{
    const char *dot = strrchr (path, '.');
    if (!dot || strchr (dot, '/'))
        return NULL;
    if (strcasecmp (dot, ".csv") == 0)
        return "csv";
    if (strcasecmp (dot, ".ndjson") == 0 || strcasecmp (dot, ".jsonl") == 0)
        return "ndjson";
    return NULL;
}

static int
s_import (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "format", required_argument, NULL, 'f' }
    };
    const char *format = NULL;
    int rc = kwctl_parse (argc, argv, own, 1, global, s_import_option, &format, s_usage);
    if (rc >= 0)
        return rc;
    if (argc - optind != 1 || !*argv [optind]) {
        fprintf (stderr, "kwctl: dsr import needs one FILE (try kwctl dsr --help)\n");
        return KWCTL_USAGE;
    }
    const char *path = argv [optind];
    if (!format)
        format = s_format_of (path);
    if (!format) {
        fprintf (stderr, "kwctl: cannot tell the format of %s from its name;"
                         " give --format csv or --format ndjson\n",
                 strcmp (path, "-") == 0 ? "standard input" : path);
        return KWCTL_USAGE;
    }
    size_t len;
    char *body = kwctl_read_input (path, MAX_FEED_FILE, &len);
    if (!body)
        return KWCTL_USAGE;
    const char *content_type = strcmp (format, "csv") == 0 ? "text/csv" : "application/x-ndjson";
    rc = kwctl_api_show (global, "POST", "/v1/dsr/imports", content_type, body, len,
                         NULL, kwctl_print_dsr_import);
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
    if (argc - optind != 1) {
        fprintf (stderr, "kwctl: dsr get needs one NHS_NUMBER (try kwctl dsr --help)\n");
        return KWCTL_USAGE;
    }
    //  The NHS number as written on letters, "943 476 5919" or
    //  "943-476-5919", is accepted too; the ten digits are asked for.
    char nhs [KW_NHS_SIZE];
    kw_nhs_status_t status = kw_nhs_parse (argv [optind], strlen (argv [optind]), nhs);
    if (status != KW_NHS_OK) {
        fprintf (stderr, "kwctl: NHS_NUMBER %s\n", kw_nhs_problem (status));
        return KWCTL_USAGE;
    }
    char path [64];
    snprintf (path, sizeof path, "/v1/dsr/entries/%s", nhs);
    return kwctl_api_show (global, "GET", path, NULL, NULL, 0, NULL, kwctl_print_dsr_entry);
}

//  --------------------------------------------------------------------------

//  kwctl dsr VERB ARGS: argv [0] is "dsr". Returns the exit status.
int
kwctl_dsr (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        fprintf (stderr, "kwctl: dsr needs a command: import or get (try kwctl dsr --help)\n");
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    if (strcmp (verb, "import") == 0)
        return s_import (argc - 1, argv + 1, global);
    if (strcmp (verb, "get") == 0)
        return s_get (argc - 1, argv + 1, global);
    fprintf (stderr, "kwctl: unknown dsr command '%.32s' (try kwctl dsr --help)\n", verb);
    return KWCTL_USAGE;
}
