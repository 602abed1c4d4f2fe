/*  test_assignment_professional_check: a professional's record as given to
    POST /v1/professionals (create) and PATCH /v1/professionals/{id}. One
    table: a body (JSON), create or change, and the field of the first
    problem ("" when the record is accepted); then the normalisation of an
    accepted record (districts upper case, an empty deputy dropped). */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "kw_arena.h"
#include "kw_pbjson.h"
#include "../../services/assignment/professional_check.h"
#include "tap.h"

#define BASE "\"name\": \"Ann Smith\", \"agency\": \"Norfolk CC\", \"discipline\": \"social_worker\"," \
             " \"email\": \"ann@example.org\""

typedef struct {
    int create;
    const char *body;
    const char *field;              //  of the first problem, "" when accepted
    const char *why;
} row_t;

static const row_t s_rows [] = {
    // ---- create: what is required
    { 1, "{" BASE "}", "", "the four required fields" },
    { 1, "{\"agency\": \"A\", \"discipline\": \"social_worker\", \"email\": \"a@example.org\"}", "name",
      "no name" },
    { 1, "{\"name\": \"  \", \"agency\": \"A\", \"discipline\": \"social_worker\", \"email\": \"a@example.org\"}",
      "name", "a blank name" },
    { 1, "{\"name\": \"N\", \"discipline\": \"social_worker\", \"email\": \"a@example.org\"}", "agency",
      "no agency" },
    { 1, "{\"name\": \"N\", \"agency\": \"A\", \"email\": \"a@example.org\"}", "discipline", "no discipline" },
    { 1, "{\"name\": \"N\", \"agency\": \"A\", \"discipline\": \"social_worker\"}", "email", "no email" },
    { 1, "{\"id\": \"9b2f6c1e-8d4a-4c3b-9e7f-1a2b3c4d5e6f\", " BASE "}", "id", "an id on create" },
    // ---- computed fields
    { 1, "{" BASE ", \"caseload\": 3}", "caseload", "caseload is computed" },
    { 0, "{\"cases\": [\"x\"]}", "cases", "cases are computed" },
    { 0, "{\"pending_offers\": 0}", "pending_offers", "pending_offers is computed" },
    { 0, "{\"cover_load\": 1}", "cover_load", "cover_load is computed" },
    { 0, "{\"absent\": false}", "absent", "absent is computed" },
    { 0, "{\"created_at\": \"2026-01-01T00:00:00Z\"}", "created_at", "created_at is computed" },
    { 0, "{\"updated_at\": \"2026-01-01T00:00:00Z\"}", "updated_at", "updated_at is computed" },
    { 1, "{" BASE ", \"region\": \"norfolk\"}", "region", "the region is the token's" },
    // ---- shapes
    { 1, "{\"name\": \"Ann\", \"agency\": \"A\", \"discipline\": \"wizard\", \"email\": \"a@example.org\"}",
      "discipline", "a discipline not in the list" },
    { 1, "{\"name\": \"Ann\", \"agency\": \"A\", \"discipline\": \"social_worker\", \"email\": \"not-an-email\"}",
      "email", "an e-mail without @" },
    { 1, "{" BASE ", \"phone\": \"01603 123456\"}", "", "a phone number" },
    { 1, "{" BASE ", \"phone\": \"\"}", "", "an empty phone number" },
    { 1, "{" BASE ", \"phone\": \"12\"}", "phone", "a phone number too short" },
    { 1, "{" BASE ", \"languages\": [\"en\", \"pol\"]}", "", "two- and three-letter language codes" },
    { 1, "{" BASE ", \"languages\": [\"EN\"]}", "languages[0]", "an upper-case language code" },
    { 1, "{" BASE ", \"languages\": [\"en\", \"english\"]}", "languages[1]", "a language name" },
    { 1, "{" BASE ", \"languages\": [\"en\", \"en\"]}", "languages[1]", "a language twice" },
    { 1, "{" BASE ", \"localities\": [\"NR2\", \"nr14\", \"IP1A\", \"W1\", \"EC1A\"]}", "",
      "districts of every shape, any case" },
    { 1, "{" BASE ", \"localities\": [\"NR2 1AB\"]}", "localities[0]", "a whole postcode" },
    { 1, "{" BASE ", \"localities\": [\"2NR\"]}", "localities[0]", "a district starting with a digit" },
    { 1, "{" BASE ", \"localities\": [\"NRR22\"]}", "localities[0]", "a district too long" },
    { 1, "{" BASE ", \"localities\": [\"NR2\", \"nr2\"]}", "localities[1]", "a district twice, by case" },
    { 1, "{" BASE ", \"max_caseload\": 0}", "", "a maximum of 0" },
    { 1, "{" BASE ", \"max_caseload\": 200}", "", "a maximum of 200" },
    { 1, "{" BASE ", \"max_caseload\": 201}", "max_caseload", "a maximum above 200" },
    { 1, "{" BASE ", \"working_hours\": {\"mon\": [\"09:00\", \"17:00\"], \"sat\": []}}", "",
      "working hours on Monday, none on Saturday" },
    { 1, "{" BASE ", \"working_hours\": {\"tue\": [\"09:00\"]}}", "working_hours.tue", "one time only" },
    { 1, "{" BASE ", \"working_hours\": {\"wed\": [\"17:00\", \"09:00\"]}}", "working_hours.wed",
      "an end before the start" },
    { 1, "{" BASE ", \"working_hours\": {\"thu\": [\"09:00\", \"09:00\"]}}", "working_hours.thu",
      "an end equal to the start" },
    { 1, "{" BASE ", \"working_hours\": {\"fri\": [\"9am\", \"17:00\"]}}", "working_hours.fri[0]",
      "a start not HH:MM" },
    { 1, "{" BASE ", \"working_hours\": {\"sun\": [\"09:00\", \"24:30\"]}}", "working_hours.sun[1]",
      "an end past midnight" },
    { 1, "{" BASE ", \"deputy_id\": \"9b2f6c1e-8d4a-4c3b-9e7f-1a2b3c4d5e6f\"}", "", "a deputy" },
    { 1, "{" BASE ", \"deputy_id\": \"dep-1\"}", "deputy_id", "a deputy id not a UUID" },
    { 1, "{" BASE ", \"deputy_id\": \"\"}", "", "an empty deputy on create" },
    { 1, "{\"name\": \"Ann\\u0007\", \"agency\": \"A\", \"discipline\": \"social_worker\","
         " \"email\": \"a@example.org\"}", "name", "a control character in the name" },
    // ---- change: only what is given
    { 0, "{}", "", "an empty change" },
    { 0, "{\"max_caseload\": 8, \"active\": false}", "", "a new maximum and inactive" },
    { 0, "{\"name\": \"\"}", "name", "a name made blank" },
    { 0, "{\"agency\": \" \"}", "agency", "an agency made blank" },
    { 0, "{\"discipline\": \"plumber\"}", "discipline", "a discipline not in the list" },
    { 0, "{\"deputy_id\": \"\"}", "", "the deputy removed" },
    { 0, "{\"localities\": []}", "", "no districts" },
};

static Kw__ProfessionalRecord *
s_record (const char *body, kw_arena_t *arena)
{
    json_error_t jerr;
    json_t *json = json_loads (body, 0, &jerr);
    if (!json)
        return NULL;
    ProtobufCMessage *msg = NULL;
    kw_field_error_t err;
    int rc = kw_pbjson_from_json (&kw__professional_record__descriptor, json, arena, &msg, &err);
    json_decref (json);
    return rc == 0 ? (Kw__ProfessionalRecord *) msg : NULL;
}

int
main (void)
{
    kw_arena_t *arena = kw_arena_new (16384);
    for (size_t i = 0; i < sizeof s_rows / sizeof s_rows [0]; i++) {
        const row_t *row = &s_rows [i];
        kw_arena_reset (arena);
        Kw__ProfessionalRecord *in = s_record (row->body, arena);
        if (!in) {
            ok (0, "%s: the body reads as a record", row->why);
            continue;
        }
        kw_field_errors_t errs;
        int rc = professional_check (in, row->create, arena, &errs);
        const kw_field_error_t *first = errs.count ? &errs.items [0] : NULL;
        if (!*row->field)
            ok (rc == 0 && errs.count == 0, "%s %s: accepted (%s %s)", row->create ? "create" : "change",
                row->why, first ? first->field : "", first ? first->message : "");
        else
            ok (rc == -1 && errs.count == 1 && strcmp (first->field, row->field) == 0 && *first->message,
                "%s %s: refused on %s alone (%s: %s)", row->create ? "create" : "change", row->why, row->field,
                first ? first->field : "", first ? first->message : "");
    }

    //  Normalised in place.
    kw_arena_reset (arena);
    Kw__ProfessionalRecord *in = s_record ("{" BASE ", \"localities\": [\"nr2\", \"Ip1a\"], \"deputy_id\": \"\"}",
                                           arena);
    kw_field_errors_t errs;
    ok (in && professional_check (in, 1, arena, &errs) == 0 && in->n_localities == 2
        && strcmp (in->localities [0], "NR2") == 0 && strcmp (in->localities [1], "IP1A") == 0,
        "districts are kept upper case");
    ok (in && in->deputy_id == NULL, "an empty deputy on create is no deputy");
    in = s_record ("{\"deputy_id\": \"\"}", arena);
    ok (in && professional_check (in, 0, arena, &errs) == 0 && in->deputy_id && !*in->deputy_id,
        "an empty deputy in a change stays empty (it removes the deputy)");

    //  A value never appears in the message.
    in = s_record ("{\"name\": \"Ann\", \"agency\": \"A\", \"discipline\": \"social_worker\","
                   " \"email\": \"secret-address\"}", arena);
    ok (in && professional_check (in, 1, arena, &errs) == -1 && errs.count == 1
        && !strstr (errs.items [0].message, "secret-address"),
        "the refused value is not echoed (%s)", errs.count ? errs.items [0].message : "");

    //  Every problem of a record at once, in the order of its fields.
    in = s_record ("{\"name\": \" \", \"discipline\": \"astronaut\", \"email\": \"x\", \"phone\": \"12\","
                   " \"languages\": [\"EN\", \"fr\", \"fr\"], \"max_caseload\": 500, \"caseload\": 3}", arena);
    static const char *const fields [] = { "caseload", "name", "agency", "discipline", "email", "phone",
                                           "languages[0]", "languages[2]", "max_caseload" };
    size_t want = sizeof fields / sizeof fields [0];
    int rc = in ? professional_check (in, 1, arena, &errs) : 0;
    ok (rc == -1 && errs.count == want, "a record with %zu problems gets %zu errors (got %zu)", want, want,
        errs.count);
    for (size_t i = 0; rc == -1 && i < want; i++)
        is_str (i < errs.count ? errs.items [i].field : "", fields [i], "error %zu is on %s", i, fields [i]);

    //  Districts alone.
    static const struct { const char *s; int ok; } districts [] = {
        { "A9", 1 }, { "A99", 1 }, { "AA9", 1 }, { "AA99", 1 }, { "A9A", 1 }, { "AA9A", 1 }, { "nr2", 1 },
        { "", 0 }, { "A", 0 }, { "9A", 0 }, { "AAA", 0 }, { "AA999", 0 }, { "A-9", 0 }, { "NR2 ", 0 },
        { "\xc3\x89" "9", 0 },
    };
    for (size_t i = 0; i < sizeof districts / sizeof districts [0]; i++)
        is_int (professional_check_district (districts [i].s), districts [i].ok, "district %s: %s",
                districts [i].s, districts [i].ok ? "a district" : "not a district");
    is_int (professional_check_district (NULL), 0, "no district");
    kw_arena_destroy (&arena);
    return tap_done ();
}
