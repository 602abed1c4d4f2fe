/*  print: kwctl's readable output of the gateway's answers (referrals, lists
    of them, DSR imports and entries, the rule set and re-evaluations) and
    the JSON printer for --json. Text
    from answers goes through kwctl_print_text, so it cannot drive the
    terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kwctl.h"

#define REFERRAL_WIDTH  12
#define DSR_WIDTH       20
#define RULESET_WIDTH   19

//  Print a JSON value indented, keys in the order received.
void
kwctl_print_json (FILE *out, json_t *value)
{
    char *text = json_dumps (value, JSON_INDENT (2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (text) {
        fprintf (out, "%s\n", text);
        free (text);
    }
}

//  Write s with control characters replaced by '?', so no answer can drive
//  the terminal; "-" when s is NULL or empty.
void
kwctl_print_text (FILE *out, const char *s)
{
    if (!s || !*s) {
        fputc ('-', out);
        return;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        unsigned char next = (unsigned char) s [1];
        if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
            //  U+0080 to U+009F, the C1 controls, in UTF-8
            fputc ('?', out);
            s++;
        }
        else
            fputc (c < 0x20 || c == 0x7f ? '?' : c, out);
    }
}

//  The string member key of object, or NULL when absent or not a string.
const char *
kwctl_str (json_t *object, const char *key)
{
    return json_is_object (object) ? json_string_value (json_object_get (object, key)) : NULL;
}

//  One labelled line of a block: label padded to width, then the text.
void
kwctl_print_field (FILE *out, int width, const char *label, const char *text)
{
    fprintf (out, "%-*s ", width, label);
    kwctl_print_text (out, text);
    fputc ('\n', out);
}

//  "yes", "no" or "unknown" for a JSON true, false or anything else.
const char *
kwctl_yes_no (json_t *value)
{
    return json_is_true (value) ? "yes" : json_is_false (value) ? "no" : "unknown";
}

//  A count from an answer: a JSON integer, or a string of digits.
long long
kwctl_count (json_t *object, const char *key)
{
    json_t *value = json_is_object (object) ? json_object_get (object, key) : NULL;
    if (json_is_integer (value))
        return (long long) json_integer_value (value);
    if (json_is_string (value))
        return strtoll (json_string_value (value), NULL, 10);
    return 0;
}

//  Write s padded with spaces to width.
void
kwctl_print_cell (FILE *out, const char *s, size_t width)
{
    kwctl_print_text (out, s);
    size_t len = s && *s ? strlen (s) : 1;
    for (; len < width; len++)
        fputc (' ', out);
}

//  "Given Family" from a child object, into buf.
static void
s_child_name (json_t *child, char *buf, size_t size)
{
    const char *given = kwctl_str (child, "given_name");
    const char *family = kwctl_str (child, "family_name");
    snprintf (buf, size, "%s%s%s", given ? given : "",
              given && *given && family && *family ? " " : "", family ? family : "");
}

//  The answer to POST /v1/referrals: "referral ID received (region R)".
void
kwctl_print_referral_created (FILE *out, json_t *answer)
{
    const char *status = kwctl_str (answer, "status");
    fprintf (out, "referral ");
    kwctl_print_text (out, kwctl_str (answer, "id"));
    fprintf (out, " ");
    kwctl_print_text (out, status ? status : "received");
    fprintf (out, " (region ");
    kwctl_print_text (out, kwctl_str (answer, "region"));
    fprintf (out, ")\n");
}

//  The widest "indent + id" of criteria and their parts, depth levels in.
static size_t
s_criteria_width (json_t *criteria, size_t depth)
{
    size_t index, width = 0;
    json_t *criterion;
    json_array_foreach (criteria, index, criterion) {
        const char *id = kwctl_str (criterion, "id");
        size_t len = 2 * depth + (id && *id ? strlen (id) : 1);
        size_t parts = s_criteria_width (json_object_get (criterion, "parts"), depth + 1);
        if (len > width)
            width = len;
        if (parts > width)
            width = parts;
    }
    return width;
}

//  One line per criterion: id, met yes/no/unknown, description (detail);
//  each criterion's parts below it, indented, the met column aligned.
static void
s_print_criteria (FILE *out, json_t *criteria, size_t depth, size_t width)
{
    size_t index;
    json_t *criterion;
    json_array_foreach (criteria, index, criterion) {
        const char *description = kwctl_str (criterion, "description");
        const char *detail = kwctl_str (criterion, "detail");
        fprintf (out, "  %*s", (int) (2 * depth), "");
        kwctl_print_cell (out, kwctl_str (criterion, "id"), width - 2 * depth);
        fprintf (out, "  %-7s  ", kwctl_yes_no (json_object_get (criterion, "met")));
        kwctl_print_text (out, description);
        if (detail && *detail) {
            fprintf (out, " (");
            kwctl_print_text (out, detail);
            fprintf (out, ")");
        }
        fputc ('\n', out);
        s_print_criteria (out, json_object_get (criterion, "parts"), depth + 1, width);
    }
}

//  A decision's criteria (with their parts) and the missing fields.
static void
s_print_decision_criteria (FILE *out, json_t *eligibility)
{
    json_t *criteria = json_object_get (eligibility, "criteria");
    size_t width = s_criteria_width (criteria, 0);
    s_print_criteria (out, criteria, 0, width > 4 ? width : 4);
    json_t *missing = json_object_get (eligibility, "missing");
    if (json_array_size (missing) > 0) {
        size_t index;
        json_t *field;
        fprintf (out, "%-*s", REFERRAL_WIDTH, "missing");
        json_array_foreach (missing, index, field) {
            fprintf (out, index ? ", " : " ");
            kwctl_print_text (out, json_string_value (field));
        }
        fputc ('\n', out);
    }
}

static void
s_print_eligibility (FILE *out, json_t *eligibility)
{
    const char *outcome = kwctl_str (eligibility, "outcome");
    if (!json_is_object (eligibility) || !outcome) {
        kwctl_print_field (out, REFERRAL_WIDTH, "eligibility", "not decided yet");
        return;
    }
    fprintf (out, "%-*s ", REFERRAL_WIDTH, "eligibility");
    kwctl_print_text (out, outcome);
    fprintf (out, " (rule set ");
    kwctl_print_text (out, kwctl_str (eligibility, "ruleset"));
    fprintf (out, ", version %lld, decided ", kwctl_count (eligibility, "version"));
    kwctl_print_text (out, kwctl_str (eligibility, "decided_at"));
    fprintf (out, ")\n");
    s_print_decision_criteria (out, eligibility);
}

//  A referral from GET /v1/referrals/{id} as an aligned block.
void
kwctl_print_referral (FILE *out, json_t *referral)
{
    json_t *child = json_object_get (referral, "child");
    char name [512];
    s_child_name (child, name, sizeof name);
    kwctl_print_field (out, REFERRAL_WIDTH, "id", kwctl_str (referral, "id"));
    kwctl_print_field (out, REFERRAL_WIDTH, "status", kwctl_str (referral, "status"));
    kwctl_print_field (out, REFERRAL_WIDTH, "source", kwctl_str (referral, "source"));
    kwctl_print_field (out, REFERRAL_WIDTH, "region", kwctl_str (referral, "region"));
    kwctl_print_field (out, REFERRAL_WIDTH, "received", kwctl_str (referral, "received_at"));
    kwctl_print_field (out, REFERRAL_WIDTH, "child", name);
    kwctl_print_field (out, REFERRAL_WIDTH, "born", kwctl_str (child, "date_of_birth"));
    s_print_eligibility (out, json_object_get (referral, "eligibility"));
    const char *withdrawn = kwctl_str (referral, "withdrawn_at");
    if (withdrawn) {
        fprintf (out, "%-*s ", REFERRAL_WIDTH, "withdrawn");
        kwctl_print_text (out, withdrawn);
        fprintf (out, ": ");
        kwctl_print_text (out, kwctl_str (referral, "withdrawal_reason"));
        fputc ('\n', out);
    }
    const char *case_id = kwctl_str (referral, "case_id");
    kwctl_print_field (out, REFERRAL_WIDTH, "case", case_id ? case_id : "none");
}

//  Referrals (a JSON array) as a table: id, status, source, received_at, child.
void
kwctl_print_referral_table (FILE *out, json_t *items)
{
    if (json_array_size (items) == 0) {
        fprintf (out, "no referrals\n");
        return;
    }
    static const char *const keys [] = { "id", "status", "source", "received_at" };
    static const char *const titles [] = { "ID", "STATUS", "SOURCE", "RECEIVED_AT" };
    size_t widths [4];
    for (int k = 0; k < 4; k++)
        widths [k] = strlen (titles [k]);
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item)
        for (int k = 0; k < 4; k++) {
            const char *value = kwctl_str (item, keys [k]);
            size_t len = value && *value ? strlen (value) : 1;
            if (len > widths [k])
                widths [k] = len;
        }
    for (int k = 0; k < 4; k++) {
        kwctl_print_cell (out, titles [k], widths [k]);
        fprintf (out, "  ");
    }
    fprintf (out, "CHILD\n");
    json_array_foreach (items, index, item) {
        for (int k = 0; k < 4; k++) {
            kwctl_print_cell (out, kwctl_str (item, keys [k]), widths [k]);
            fprintf (out, "  ");
        }
        char name [512];
        s_child_name (json_object_get (item, "child"), name, sizeof name);
        kwctl_print_text (out, name);
        fputc ('\n', out);
    }
}

//  The answer to POST /v1/dsr/imports: the counts, then each rejected row.
void
kwctl_print_dsr_import (FILE *out, json_t *answer)
{
    fprintf (out, "import ");
    kwctl_print_text (out, kwctl_str (answer, "import_id"));
    fputc ('\n', out);
    kwctl_print_import_rows (out, answer);
}

//  An import's counts, then each rejected row: "line L: FIELD: ERROR".
void
kwctl_print_import_rows (FILE *out, json_t *answer)
{
    json_t *rejected = json_object_get (answer, "rejected");
    fprintf (out, "rows %lld: created %lld, updated %lld, unchanged %lld, rejected %zu\n",
             kwctl_count (answer, "rows"), kwctl_count (answer, "created"),
             kwctl_count (answer, "updated"), kwctl_count (answer, "unchanged"),
             json_array_size (rejected));
    size_t index;
    json_t *row;
    json_array_foreach (rejected, index, row) {
        long long line = kwctl_count (row, "line");
        const char *field = kwctl_str (row, "field");
        if (line > 0)
            fprintf (out, "line %lld: ", line);
        else
            fprintf (out, "file: ");
        if (field && *field) {
            kwctl_print_text (out, field);
            fprintf (out, ": ");
        }
        kwctl_print_text (out, kwctl_str (row, "error"));
        fputc ('\n', out);
    }
}

//  A DSR entry as an aligned block followed by its rating history.
void
kwctl_print_dsr_entry (FILE *out, json_t *entry)
{
    char name [512];
    s_child_name (entry, name, sizeof name);
    kwctl_print_field (out, DSR_WIDTH, "nhs number", kwctl_str (entry, "nhs_number"));
    kwctl_print_field (out, DSR_WIDTH, "dsr id", kwctl_str (entry, "dsr_id"));
    kwctl_print_field (out, DSR_WIDTH, "name", name);
    kwctl_print_field (out, DSR_WIDTH, "born", kwctl_str (entry, "date_of_birth"));
    kwctl_print_field (out, DSR_WIDTH, "postcode", kwctl_str (entry, "postcode"));
    kwctl_print_field (out, DSR_WIDTH, "region", kwctl_str (entry, "region"));
    kwctl_print_field (out, DSR_WIDTH, "learning disability",
                       kwctl_yes_no (json_object_get (entry, "learning_disability")));
    kwctl_print_field (out, DSR_WIDTH, "autism", kwctl_yes_no (json_object_get (entry, "autism")));
    kwctl_print_field (out, DSR_WIDTH, "inpatient",
                       kwctl_yes_no (json_object_get (entry, "inpatient")));
    fprintf (out, "%-*s ", DSR_WIDTH, "rating");
    kwctl_print_text (out, kwctl_str (entry, "rag"));
    fprintf (out, " since ");
    kwctl_print_text (out, kwctl_str (entry, "rag_effective_date"));
    fputc ('\n', out);
    kwctl_print_field (out, DSR_WIDTH, "consent basis", kwctl_str (entry, "consent_basis"));
    kwctl_print_field (out, DSR_WIDTH, "lead professional",
                       kwctl_str (entry, "lead_professional_email"));
    kwctl_print_field (out, DSR_WIDTH, "cetr last", kwctl_str (entry, "cetr_last"));
    kwctl_print_field (out, DSR_WIDTH, "cetr next", kwctl_str (entry, "cetr_next"));
    const char *referral = kwctl_str (entry, "referral_id");
    kwctl_print_field (out, DSR_WIDTH, "open referral", referral ? referral : "none");
    kwctl_print_field (out, DSR_WIDTH, "updated", kwctl_str (entry, "updated_at"));

    json_t *history = json_object_get (entry, "history");
    if (json_array_size (history) == 0) {
        fprintf (out, "rating history: none\n");
        return;
    }
    fprintf (out, "rating history (oldest first):\n");
    size_t index;
    json_t *rating;
    json_array_foreach (history, index, rating) {
        fprintf (out, "  ");
        kwctl_print_cell (out, kwctl_str (rating, "effective_date"), 10);
        fprintf (out, "  ");
        kwctl_print_cell (out, kwctl_str (rating, "rag"), 5);
        fprintf (out, "  recorded ");
        kwctl_print_text (out, kwctl_str (rating, "recorded_at"));
        fprintf (out, "  import ");
        kwctl_print_text (out, kwctl_str (rating, "import_id"));
        fputc ('\n', out);
    }
}

//  --------------------------------------------------------------------------
//  Eligibility

//  The answer to POST /v1/referrals/{id}/re-evaluate: whether the decision
//  changed, the outcome, then its criteria as referral get shows them.
void
kwctl_print_re_evaluation (FILE *out, json_t *answer)
{
    json_t *eligibility = json_object_get (answer, "eligibility");
    int changed = json_is_true (json_object_get (answer, "changed"));
    fprintf (out, "referral ");
    kwctl_print_text (out, kwctl_str (answer, "referral_id"));
    fprintf (out, changed ? ": decision changed, now " : ": unchanged, ");
    kwctl_print_text (out, kwctl_str (eligibility, "outcome"));
    fprintf (out, " (rule set ");
    kwctl_print_text (out, kwctl_str (eligibility, "ruleset"));
    fprintf (out, " version %lld)\n", kwctl_count (eligibility, "version"));
    s_print_decision_criteria (out, eligibility);
}

//  A rule's parameters, by kind, as " (...)"; nothing when it has none.
static void
s_print_rule_parameters (FILE *out, json_t *rule)
{
    const char *kind = kwctl_str (rule, "kind");
    kind = kind ? kind : "";
    if (strcmp (kind, "age_under") == 0) {
        fprintf (out, " (years %lld", kwctl_count (rule, "years"));
        if (kwctl_count (rule, "extended_years") > 0) {
            fprintf (out, ", %lld when ", kwctl_count (rule, "extended_years"));
            kwctl_print_text (out, kwctl_str (rule, "extended_when"));
        }
        fprintf (out, ")");
    }
    else
    if (strcmp (kind, "flag") == 0) {
        fprintf (out, " (field ");
        kwctl_print_text (out, kwctl_str (rule, "field"));
        fprintf (out, ")");
    }
    else
    if (strcmp (kind, "professionals") == 0)
        fprintf (out, " (at least %lld, from at least %lld agencies)",
                 kwctl_count (rule, "at_least"), kwctl_count (rule, "agencies_at_least"));
    else
    if (strcmp (kind, "dsr_rating") == 0) {
        size_t index;
        json_t *rating;
        fprintf (out, " (ratings");
        json_array_foreach (json_object_get (rule, "ratings"), index, rating) {
            fprintf (out, index ? ", " : " ");
            kwctl_print_text (out, json_string_value (rating));
        }
        fprintf (out, ")");
    }
}

//  One line per rule: "KIND ID (PARAMETERS) — DESCRIPTION", its rules
//  below it, indented.
static void
s_print_rule (FILE *out, json_t *rule, int depth)
{
    if (!json_is_object (rule))
        return;
    fprintf (out, "%*s", 2 * depth, "");
    kwctl_print_text (out, kwctl_str (rule, "kind"));
    fputc (' ', out);
    kwctl_print_text (out, kwctl_str (rule, "id"));
    s_print_rule_parameters (out, rule);
    const char *description = kwctl_str (rule, "description");
    if (description && *description) {
        fprintf (out, " \xe2\x80\x94 ");
        kwctl_print_text (out, description);
    }
    fputc ('\n', out);
    size_t index;
    json_t *child;
    json_array_foreach (json_object_get (rule, "rules"), index, child)
        s_print_rule (out, child, depth + 1);
}

//  Strings (a JSON array) joined by ", " on one labelled line.
static void
s_print_list_field (FILE *out, int width, const char *label, json_t *items)
{
    fprintf (out, "%-*s ", width, label);
    if (json_array_size (items) == 0)
        fputc ('-', out);
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item) {
        fprintf (out, index ? ", " : "");
        kwctl_print_text (out, json_string_value (item));
    }
    fputc ('\n', out);
}

//  GET /v1/eligibility/ruleset: the region's settings as an aligned block,
//  then the rule tree as an indented outline.
void
kwctl_print_ruleset (FILE *out, json_t *ruleset)
{
    fprintf (out, "%-*s ", RULESET_WIDTH, "region");
    kwctl_print_text (out, kwctl_str (ruleset, "region"));
    const char *region_name = kwctl_str (ruleset, "region_name");
    if (region_name && *region_name) {
        fprintf (out, " (");
        kwctl_print_text (out, region_name);
        fprintf (out, ")");
    }
    fprintf (out, "\n%-*s ", RULESET_WIDTH, "rule set");
    kwctl_print_text (out, kwctl_str (ruleset, "name"));
    fprintf (out, " version %lld\n", kwctl_count (ruleset, "version"));
    kwctl_print_field (out, RULESET_WIDTH, "description", kwctl_str (ruleset, "description"));
    kwctl_print_field (out, RULESET_WIDTH, "time zone", kwctl_str (ruleset, "time_zone"));
    json_t *upper = json_object_get (ruleset, "upper_age");
    fprintf (out, "%-*s ", RULESET_WIDTH, "upper age");
    if (!json_is_object (upper))
        fputc ('-', out);
    else {
        fprintf (out, "%lld", kwctl_count (upper, "years"));
        if (kwctl_count (upper, "extended_years") > 0) {
            fprintf (out, ", %lld when ", kwctl_count (upper, "extended_years"));
            kwctl_print_text (out, kwctl_str (upper, "extended_when"));
        }
    }
    fprintf (out, "\n%-*s %lld days\n", RULESET_WIDTH, "transition notice",
             kwctl_count (ruleset, "transition_notice_days"));
    fprintf (out, "%-*s %lld days\n", RULESET_WIDTH, "review interval",
             kwctl_count (ruleset, "review_interval_days"));
    s_print_list_field (out, RULESET_WIDTH, "gp prefixes", json_object_get (ruleset, "gp_prefixes"));
    fprintf (out, "%-*s %zu\n", RULESET_WIDTH, "postcode districts",
             json_array_size (json_object_get (ruleset, "postcode_districts")));
    fprintf (out, "rules:\n");
    s_print_rule (out, json_object_get (ruleset, "rule"), 1);
}

//  POST /v1/admin/eligibility/re-evaluate: "evaluated N referrals, M decisions changed".
void
kwctl_print_re_evaluate_all (FILE *out, json_t *answer)
{
    fprintf (out, "evaluated %lld referrals, %lld decisions changed\n",
             kwctl_count (answer, "evaluated"), kwctl_count (answer, "changed"));
}

//  POST /v1/admin/eligibility/age-out: "transition due: N, age out: M".
void
kwctl_print_age_out (FILE *out, json_t *answer)
{
    fprintf (out, "transition due: %lld, age out: %lld\n",
             kwctl_count (answer, "transition_due"), kwctl_count (answer, "age_out"));
}
