/*  print_assignment: kwctl's readable output of the assignment answers:
    professionals, absences and caseloads, cases with their offers (and each
    offer's reasons), teams and timelines, and the column tables they share.
    Text from answers goes through kwctl_print_text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kwctl.h"

#define BLOCK_WIDTH 16
#define CELL_SIZE 256

//  The text of a value for a cell: a string, a number, yes/no, or NULL.
static const char *
s_value_text (json_t *value, char *buf, size_t size)
{
    if (json_is_string (value))
        return json_string_value (value);
    if (json_is_integer (value)) {
        snprintf (buf, size, "%lld", (long long) json_integer_value (value));
        return buf;
    }
    if (json_is_boolean (value))
        return json_is_true (value) ? "yes" : "no";
    return NULL;
}

//  The cell of column in item: item[key], or item[key][sub].
static const char *
s_cell_text (json_t *item, const kwctl_column_t *column, char *buf, size_t size)
{
    json_t *value = json_object_get (item, column->key);
    if (column->sub)
        value = json_is_object (value) ? json_object_get (value, column->sub) : NULL;
    return s_value_text (value, buf, size);
}

void
kwctl_print_table (FILE *out, json_t *items, const kwctl_column_t *columns, size_t count,
                   const char *none)
{
    if (json_array_size (items) == 0) {
        fprintf (out, "%s\n", none);
        return;
    }
    size_t widths [16];
    char buf [CELL_SIZE];
    for (size_t k = 0; k < count && k < 16; k++)
        widths [k] = strlen (columns [k].title);
    size_t index;
    json_t *item;
    json_array_foreach (items, index, item)
        for (size_t k = 0; k < count && k < 16; k++) {
            const char *text = s_cell_text (item, &columns [k], buf, sizeof buf);
            size_t len = text && *text ? strlen (text) : 1;
            if (len > widths [k])
                widths [k] = len;
        }
    for (size_t k = 0; k < count && k < 16; k++) {
        if (k + 1 < count)
            kwctl_print_cell (out, columns [k].title, widths [k] + 2);
        else
            fputs (columns [k].title, out);
    }
    fputc ('\n', out);
    json_array_foreach (items, index, item) {
        for (size_t k = 0; k < count && k < 16; k++) {
            const char *text = s_cell_text (item, &columns [k], buf, sizeof buf);
            if (k + 1 < count)
                kwctl_print_cell (out, text, widths [k] + 2);
            else
                kwctl_print_text (out, text);
        }
        fputc ('\n', out);
    }
}

//  A JSON array of strings joined with ", " into buf.
static const char *
s_join (json_t *array, char *buf, size_t size)
{
    size_t len = 0, index;
    json_t *item;
    buf [0] = 0;
    json_array_foreach (array, index, item)
        if (json_is_string (item) && len < size)
            len += (size_t) snprintf (buf + len, size - len, "%s%s", len ? ", " : "", json_string_value (item));
    return buf;
}

//  "Name (kind, id)" of a person object into buf, or NULL when there is none.
static const char *
s_person (json_t *person, char *buf, size_t size)
{
    if (!json_is_object (person))
        return NULL;
    const char *name = kwctl_str (person, "name");
    const char *id = kwctl_str (person, "id");
    const char *kind = kwctl_str (person, "kind");
    snprintf (buf, size, "%s%s%s%s%s", name ? name : "-",
              id || (kind && strcmp (kind, "family_member") == 0) ? " (" : "",
              kind && strcmp (kind, "family_member") == 0 ? "family member" : id ? id : "",
              kind && strcmp (kind, "family_member") == 0 && id ? ", " : "",
              id || (kind && strcmp (kind, "family_member") == 0) ? ")" : "");
    return buf;
}

static const char *const s_days [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

void
kwctl_print_professional (FILE *out, json_t *p)
{
    char buf [1024];
    kwctl_print_field (out, BLOCK_WIDTH, "professional", kwctl_str (p, "id"));
    kwctl_print_field (out, BLOCK_WIDTH, "name", kwctl_str (p, "name"));
    kwctl_print_field (out, BLOCK_WIDTH, "region", kwctl_str (p, "region"));
    kwctl_print_field (out, BLOCK_WIDTH, "agency", kwctl_str (p, "agency"));
    kwctl_print_field (out, BLOCK_WIDTH, "discipline", kwctl_str (p, "discipline"));
    kwctl_print_field (out, BLOCK_WIDTH, "email", kwctl_str (p, "email"));
    kwctl_print_field (out, BLOCK_WIDTH, "phone", kwctl_str (p, "phone"));
    kwctl_print_field (out, BLOCK_WIDTH, "languages", s_join (json_object_get (p, "languages"), buf, sizeof buf));
    kwctl_print_field (out, BLOCK_WIDTH, "localities", s_join (json_object_get (p, "localities"), buf, sizeof buf));
    snprintf (buf, sizeof buf, "%lld of %lld (pending offers %lld, covering %lld)",
              kwctl_count (p, "caseload"), kwctl_count (p, "max_caseload"),
              kwctl_count (p, "pending_offers"), kwctl_count (p, "cover_load"));
    kwctl_print_field (out, BLOCK_WIDTH, "caseload", buf);
    kwctl_print_field (out, BLOCK_WIDTH, "cases", s_join (json_object_get (p, "cases"), buf, sizeof buf));
    kwctl_print_field (out, BLOCK_WIDTH, "deputy", kwctl_str (p, "deputy_id"));
    kwctl_print_field (out, BLOCK_WIDTH, "active", kwctl_yes_no (json_object_get (p, "active")));
    kwctl_print_field (out, BLOCK_WIDTH, "absent", kwctl_yes_no (json_object_get (p, "absent")));
    json_t *hours = json_object_get (p, "working_hours");
    for (size_t d = 0; d < sizeof s_days / sizeof s_days [0]; d++) {
        json_t *day = json_object_get (hours, s_days [d]);
        if (json_array_size (day) == 2) {
            char label [32];
            snprintf (label, sizeof label, "hours %s", s_days [d]);
            snprintf (buf, sizeof buf, "%s-%s", json_string_value (json_array_get (day, 0)),
                      json_string_value (json_array_get (day, 1)));
            kwctl_print_field (out, BLOCK_WIDTH, label, buf);
        }
    }
    kwctl_print_field (out, BLOCK_WIDTH, "updated", kwctl_str (p, "updated_at"));
}

void
kwctl_print_professional_table (FILE *out, json_t *items)
{
    static const kwctl_column_t columns [] = {
        { "ID", "id", NULL }, { "NAME", "name", NULL }, { "DISCIPLINE", "discipline", NULL },
        { "AGENCY", "agency", NULL }, { "CASELOAD", "caseload", NULL }, { "MAX", "max_caseload", NULL },
        { "ACTIVE", "active", NULL }, { "ABSENT", "absent", NULL }
    };
    kwctl_print_table (out, items, columns, sizeof columns / sizeof columns [0], "no professionals");
}

void
kwctl_print_caseload_table (FILE *out, json_t *items)
{
    static const kwctl_column_t columns [] = {
        { "PROFESSIONAL", "professional_id", NULL }, { "NAME", "name", NULL },
        { "CASELOAD", "caseload", NULL }, { "MAX", "max_caseload", NULL },
        { "PENDING", "pending_offers", NULL }, { "COVERING", "cover_load", NULL },
        { "SPARE", "spare", NULL }, { "ABSENT", "absent", NULL }, { "ACTIVE", "active", NULL }
    };
    kwctl_print_table (out, items, columns, sizeof columns / sizeof columns [0], "no professionals");
}

void
kwctl_print_absence (FILE *out, json_t *a)
{
    fprintf (out, "absence ");
    kwctl_print_text (out, kwctl_str (a, "id"));
    fprintf (out, " of ");
    kwctl_print_text (out, kwctl_str (a, "professional_id"));
    fprintf (out, ": ");
    kwctl_print_text (out, kwctl_str (a, "from"));
    fprintf (out, " to ");
    kwctl_print_text (out, kwctl_str (a, "to"));
    fprintf (out, ", ");
    kwctl_print_text (out, kwctl_str (a, "status"));
    if (json_is_true (json_object_get (a, "long_absence")))
        fprintf (out, ", long: the cases are offered anew");
    fputc ('\n', out);
}

void
kwctl_print_absence_table (FILE *out, json_t *list)
{
    static const kwctl_column_t columns [] = {
        { "ID", "id", NULL }, { "FROM", "from", NULL }, { "TO", "to", NULL },
        { "STATUS", "status", NULL }, { "LONG", "long_absence", NULL }, { "REASON", "reason", NULL }
    };
    json_t *items = json_is_array (list) ? list : json_object_get (list, "items");
    kwctl_print_table (out, items, columns, sizeof columns / sizeof columns [0], "no absences");
}

void
kwctl_print_case_table (FILE *out, json_t *items)
{
    static const kwctl_column_t columns [] = {
        { "ID", "id", NULL }, { "STATUS", "status", NULL }, { "KEY_WORKER", "key_worker", "name" },
        { "AWAITING", "awaiting_reason", NULL }, { "RELATIONSHIP", "relationship", NULL },
        { "OPENED_AT", "opened_at", NULL }
    };
    kwctl_print_table (out, items, columns, sizeof columns / sizeof columns [0], "no cases");
}

void
kwctl_print_team (FILE *out, json_t *team)
{
    static const kwctl_column_t columns [] = {
        { "MEMBER", "id", NULL }, { "NAME", "name", NULL }, { "DISCIPLINE", "discipline", NULL },
        { "AGENCY", "agency", NULL }, { "EMAIL", "email", NULL }, { "REGISTERED", "registered", NULL },
        { "PROFESSIONAL", "professional_id", NULL }
    };
    json_t *members = json_is_array (team) ? team : json_object_get (team, "members");
    kwctl_print_table (out, members, columns, sizeof columns / sizeof columns [0], "no team members");
}

void
kwctl_print_case (FILE *out, json_t *c)
{
    char buf [512];
    kwctl_print_field (out, BLOCK_WIDTH, "case", kwctl_str (c, "id"));
    kwctl_print_field (out, BLOCK_WIDTH, "referral", kwctl_str (c, "referral_id"));
    kwctl_print_field (out, BLOCK_WIDTH, "status", kwctl_str (c, "status"));
    kwctl_print_field (out, BLOCK_WIDTH, "key worker", s_person (json_object_get (c, "key_worker"), buf, sizeof buf));
    kwctl_print_field (out, BLOCK_WIDTH, "deputy", s_person (json_object_get (c, "deputy"), buf, sizeof buf));
    json_t *cover = json_object_get (c, "cover");
    if (json_is_object (cover)) {
        const char *who = s_person (cover, buf, sizeof buf);
        char line [768];
        snprintf (line, sizeof line, "%s from %s to %s", who ? who : "the coordinator",
                  kwctl_str (cover, "from") ? kwctl_str (cover, "from") : "-",
                  kwctl_str (cover, "to") ? kwctl_str (cover, "to") : "-");
        kwctl_print_field (out, BLOCK_WIDTH, "cover", line);
    }
    if (json_is_true (json_object_get (c, "awaiting")))
        kwctl_print_field (out, BLOCK_WIDTH, "awaiting", kwctl_str (c, "awaiting_reason"));
    if (kwctl_str (c, "review_flagged_at"))
        kwctl_print_field (out, BLOCK_WIDTH, "review flagged", kwctl_str (c, "review_flagged_at"));
    kwctl_print_field (out, BLOCK_WIDTH, "opened", kwctl_str (c, "opened_at"));
    if (kwctl_str (c, "closed_at")) {
        kwctl_print_field (out, BLOCK_WIDTH, "closed", kwctl_str (c, "closed_at"));
        kwctl_print_field (out, BLOCK_WIDTH, "close reason", kwctl_str (c, "close_reason"));
        kwctl_print_field (out, BLOCK_WIDTH, "close note", kwctl_str (c, "close_note"));
    }
    json_t *offers = json_object_get (c, "offers");
    if (json_array_size (offers)) {
        fprintf (out, "offers (oldest first):\n");
        size_t index;
        json_t *offer;
        json_array_foreach (offers, index, offer) {
            fprintf (out, "  ");
            kwctl_print_text (out, kwctl_str (offer, "id"));
            fprintf (out, "  ");
            kwctl_print_text (out, kwctl_str (offer, "status"));
            fprintf (out, "  to ");
            kwctl_print_text (out, kwctl_str (offer, "name"));
            fprintf (out, " (");
            kwctl_print_text (out, kwctl_str (offer, "professional_id") ? kwctl_str (offer, "professional_id")
                                                                        : kwctl_str (offer, "kind"));
            fprintf (out, "), round %lld, ", kwctl_count (offer, "round"));
            kwctl_print_text (out, kwctl_str (offer, "purpose"));
            fprintf (out, ", score %lld, expires ", kwctl_count (offer, "score"));
            kwctl_print_text (out, kwctl_str (offer, "expires_at"));
            fputc ('\n', out);
            size_t r;
            json_t *reason;
            json_array_foreach (json_object_get (offer, "reasons"), r, reason) {
                fprintf (out, "      ");
                kwctl_print_text (out, json_string_value (reason));
                fputc ('\n', out);
            }
            if (kwctl_str (offer, "reason")) {
                fprintf (out, "      reason given: ");
                kwctl_print_text (out, kwctl_str (offer, "reason"));
                fputc ('\n', out);
            }
        }
    }
    json_t *team = json_object_get (c, "team");
    if (json_array_size (team)) {
        fprintf (out, "team:\n");
        kwctl_print_team (out, team);
    }
}

void
kwctl_print_timeline (FILE *out, json_t *items)
{
    static const kwctl_column_t columns [] = {
        { "AT", "at", NULL }, { "KIND", "kind", NULL }, { "ACTOR", "actor", NULL }, { "DETAIL", "detail", NULL }
    };
    kwctl_print_table (out, items, columns, sizeof columns / sizeof columns [0], "no timeline entries");
}
