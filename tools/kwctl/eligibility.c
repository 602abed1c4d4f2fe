/*  eligibility: the `kwctl eligibility` commands: show the caller's region's
    rule set (GET /v1/eligibility/ruleset), decide one referral again
    (POST /v1/referrals/{id}/re-evaluate, with an optional Idempotency-Key),
    and the admin's runs for the region: decide every undecided referral
    again and the age-out sweep. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kwctl.h"

#define MAX_PATH    1024

//  Print the eligibility commands' usage.
void
kwctl_eligibility_usage (FILE *out)
{
    fprintf (out,
        "Usage: kwctl eligibility ruleset\n"
        "       kwctl eligibility re-evaluate ID [--idempotency-key KEY]\n"
        "       kwctl eligibility re-evaluate-all\n"
        "       kwctl eligibility age-out\n"
        "\n"
        "  ruleset          Show GET /v1/eligibility/ruleset, the rule set of the token's\n"
        "                   region: region, rule set name and version, time zone, upper\n"
        "                   age, transition notice, review interval, GP prefixes, the\n"
        "                   number of postcode districts, then the rule tree, one rule a\n"
        "                   line: \"KIND ID (PARAMETERS) - DESCRIPTION\", its rules indented.\n"
        "  re-evaluate      Decide referral ID again under the rule set in force\n"
        "                   (POST /v1/referrals/ID/re-evaluate; admin or coordinator).\n"
        "                   Prints \"referral ID: decision changed, now OUTCOME (rule set\n"
        "                   NAME version V)\" or \"referral ID: unchanged, OUTCOME (...)\",\n"
        "                   then each criterion met yes, no or unknown, with its parts.\n"
        "                   --idempotency-key KEY (1 to 200 printable characters) makes\n"
        "                   a repeat with the same key answer as the first did.\n"
        "  re-evaluate-all  Decide again every undecided or more-information referral\n"
        "                   of the region (POST /v1/admin/eligibility/re-evaluate; admin).\n"
        "                   Prints \"evaluated N referrals, M decisions changed\"; a 503\n"
        "                   means the database failed part way: run it again.\n"
        "  age-out          Run the region's age-out sweep now (POST\n"
        "                   /v1/admin/eligibility/age-out; admin). Prints \"transition\n"
        "                   due: N, age out: M\", the events this run emitted.\n");
}

static void
s_usage (FILE *out)
{
    kwctl_eligibility_usage (out);
    fprintf (out, "\n");
    kwctl_common_usage (out);
}

//  A command without options or arguments of its own: one call to path,
//  its answer printed by print_fn. POST sends an empty body.
static int
s_call (int argc, char **argv, kwctl_global_t *global, const char *method, const char *path,
        kwctl_print_fn *print_fn)
{
    int rc = kwctl_parse (argc, argv, NULL, 0, global, NULL, NULL, s_usage);
    if (rc >= 0)
        return rc;
    if (argc != optind) {
        fprintf (stderr, "kwctl: eligibility %s takes no arguments (try kwctl eligibility --help)\n",
                 argv [0]);
        return KWCTL_USAGE;
    }
    const char *body = strcmp (method, "POST") == 0 ? "" : NULL;
    return kwctl_api_show (global, method, path, NULL, body, 0, NULL, print_fn);
}

//  --------------------------------------------------------------------------
//  re-evaluate

static int
s_re_evaluate (int argc, char **argv, kwctl_global_t *global)
{
    static const struct option own [] = {
        { "idempotency-key", required_argument, NULL, 'k' }
    };
    const char *key = NULL;
    int rc = kwctl_parse (argc, argv, own, 1, global, kwctl_idempotency_key_option, &key, s_usage);
    if (rc >= 0)
        return rc;
    if (argc - optind != 1 || !*argv [optind]) {
        fprintf (stderr, "kwctl: eligibility re-evaluate needs one referral ID"
                         " (try kwctl eligibility --help)\n");
        return KWCTL_USAGE;
    }
    char *escaped = kwctl_http_escape (argv [optind]);
    if (!escaped) {
        fprintf (stderr, "kwctl: out of memory\n");
        return KWCTL_USAGE;
    }
    char path [MAX_PATH];
    int len = snprintf (path, sizeof path, "/v1/referrals/%s/re-evaluate", escaped);
    free (escaped);
    if (len < 0 || (size_t) len >= sizeof path) {
        fprintf (stderr, "kwctl: the referral ID is too long\n");
        return KWCTL_USAGE;
    }
    char header [256];
    if (key)
        snprintf (header, sizeof header, "Idempotency-Key: %s", key);

    return kwctl_api_show (global, "POST", path, NULL, "", 0, key ? header : NULL,
                           kwctl_print_re_evaluation);
}

//  --------------------------------------------------------------------------

//  kwctl eligibility VERB ARGS: argv [0] is "eligibility". Returns the exit status.
int
kwctl_eligibility (int argc, char **argv, kwctl_global_t *global)
{
    if (argc < 2) {
        fprintf (stderr, "kwctl: eligibility needs a command: ruleset, re-evaluate,"
                         " re-evaluate-all or age-out (try kwctl eligibility --help)\n");
        return KWCTL_USAGE;
    }
    const char *verb = argv [1];
    if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0 || strcmp (verb, "help") == 0) {
        s_usage (stdout);
        return KWCTL_OK;
    }
    if (strcmp (verb, "ruleset") == 0)
        return s_call (argc - 1, argv + 1, global, "GET", "/v1/eligibility/ruleset",
                       kwctl_print_ruleset);
    if (strcmp (verb, "re-evaluate") == 0)
        return s_re_evaluate (argc - 1, argv + 1, global);
    if (strcmp (verb, "re-evaluate-all") == 0)
        return s_call (argc - 1, argv + 1, global, "POST", "/v1/admin/eligibility/re-evaluate",
                       kwctl_print_re_evaluate_all);
    if (strcmp (verb, "age-out") == 0)
        return s_call (argc - 1, argv + 1, global, "POST", "/v1/admin/eligibility/age-out",
                       kwctl_print_age_out);
    fprintf (stderr, "kwctl: unknown eligibility command '%.32s' (try kwctl eligibility --help)\n",
             verb);
    return KWCTL_USAGE;
}
