/*  dsr_entries: reading a DSR entry with its rating history (RPC dsr.entry),
    and turning an entry into a referral with source "dsr" when eligibility
    says it is due (event eligibility.dsr_referral_due). */
#include <stdio.h>
#include <string.h>
#include "kw/dsr.pb-c.h"
#include "kw_log.h"
#include "kw_nhs.h"
#include "kw_time.h"
#include "referral.h"
#include "validate.h"

//  The identity recorded as the maker of referrals made from the register.
#define DSR_MAKER "system:dsr"

int
dsr_entries_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "dsr_entry_get",
        "SELECT " DSR_ENTRY_COLUMNS ","
        " to_char (e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " to_char (e.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " e.last_import_id,"
        " (SELECT o.id FROM referral.referrals o WHERE o.region = e.region"
        "  AND o.nhs_number = e.nhs_number AND o.status IN " RECORD_OPEN_STATUSES ")"
        " FROM referral.dsr_entries e WHERE e.region = $1 AND e.nhs_number = $2");
    kw_db_prepare (db, "dsr_entry_history",
        "SELECT rag, effective_date::text,"
        " to_char (recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), import_id"
        " FROM referral.dsr_ratings WHERE region = $1 AND nhs_number = $2 ORDER BY id");
    return 0;
}

//  A column's text: copied into arena, or (arena NULL) the result's own.
static char *
s_text (PGresult *res, int row, int col, kw_arena_t *arena)
{
    if (PQgetisnull (res, row, col))
        return NULL;
    return arena ? kw_arena_strdup (arena, PQgetvalue (res, row, col)) : PQgetvalue (res, row, col);
}

static void
s_flag (PGresult *res, int row, int col, protobuf_c_boolean *has, protobuf_c_boolean *value)
{
    *has = !PQgetisnull (res, row, col);
    *value = *has && PQgetvalue (res, row, col) [0] == 't';
}

void
dsr_entry_from_row (PGresult *res, int row, kw_arena_t *arena, Kw__DsrEntry *e)
{
    kw__dsr_entry__init (e);
    e->dsr_id = s_text (res, row, 0, arena);
    e->nhs_number = s_text (res, row, 1, arena);
    e->given_name = s_text (res, row, 2, arena);
    e->family_name = s_text (res, row, 3, arena);
    e->date_of_birth = s_text (res, row, 4, arena);
    e->postcode = s_text (res, row, 5, arena);
    s_flag (res, row, 6, &e->has_learning_disability, &e->learning_disability);
    s_flag (res, row, 7, &e->has_autism, &e->autism);
    e->rag = s_text (res, row, 8, arena);
    e->rag_effective_date = s_text (res, row, 9, arena);
    s_flag (res, row, 10, &e->has_inpatient, &e->inpatient);
    e->consent_basis = s_text (res, row, 11, arena);
    e->lead_professional_email = s_text (res, row, 12, arena);
    e->cetr_last = s_text (res, row, 13, arena);
    e->cetr_next = s_text (res, row, 14, arena);
    e->region = s_text (res, row, 15, arena);
}

//  The entry for nhs_number in region, in arena; NULL when there is none or
//  on a database error (*failed set).
static Kw__DsrEntry *
s_load (kw_db_t *db, const char *region, const char *nhs_number, kw_arena_t *arena, int *failed)
{
    const char *params [2] = { region, nhs_number };
    PGresult *res = kw_db_query (db, "dsr_entry_get", 2, params);
    *failed = !res;
    if (!res || PQntuples (res) == 0) {
        PQclear (res);
        return NULL;
    }
    Kw__DsrEntry *e = kw_arena_alloc (arena, sizeof *e);
    dsr_entry_from_row (res, 0, arena, e);
    e->created_at = s_text (res, 0, 16, arena);
    e->updated_at = s_text (res, 0, 17, arena);
    e->last_import_id = s_text (res, 0, 18, arena);
    e->referral_id = s_text (res, 0, 19, arena);
    PQclear (res);
    return e;
}

void
dsr_entries_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const roles [] = { "admin", "coordinator", "dsr_feed", NULL };
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, "this role may not read the DSR"))
        return;
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    //  The id is the NHS number in any written form ("400 000 0039").
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    if (validate_nhs_field (in->id, "nhs_number", &errs) != 0) {
        kw_rpc_reply_invalid (resp, arena, &errs);
        return;
    }
    char nhs [KW_NHS_SIZE];
    kw_nhs_parse (in->id, strlen (in->id), nhs);
    in->id = kw_arena_strdup (arena, nhs);
    kw_db_t *db = kw_service_db (svc);
    int failed;
    Kw__DsrEntry *entry = s_load (db, req->caller->region, in->id, arena, &failed);
    const char *params [2] = { req->caller->region, in->id };
    PGresult *res = entry ? kw_db_query (db, "dsr_entry_history", 2, params) : NULL;
    if (failed || (entry && !res)) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    if (!entry) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "nhs_number",
                            "no DSR entry for this NHS number in the region");
        return;
    }
    int rows = PQntuples (res);
    entry->history = kw_arena_alloc (arena, (rows ? (size_t) rows : 1) * sizeof *entry->history);
    for (int i = 0; i < rows; i++) {
        Kw__DsrRating *r = kw_arena_alloc (arena, sizeof *r);
        kw__dsr_rating__init (r);
        r->rag = s_text (res, i, 0, arena);
        r->effective_date = s_text (res, i, 1, arena);
        r->recorded_at = s_text (res, i, 2, arena);
        r->import_id = s_text (res, i, 3, arena);
        entry->history [entry->n_history++] = r;
    }
    PQclear (res);
    const char *ids [1] = { in->id };
    if (record_audit_many (db, resp, req->caller, "read", "dsr_entry", ids, 1, arena) != 0)
        return;
    kw_rpc_reply_ok (resp, arena, &entry->base);
}

Kw__ReferralBody *
dsr_entry_referral (const Kw__DsrEntry *e, int contact, dsr_referral_t *r)
{
    kw__referral_body__init (&r->body);
    r->body.has_source = 1;
    r->body.source = KW__SOURCE__SOURCE_DSR;
    kw__child__init (&r->child);
    r->child.nhs_number = e->nhs_number;
    r->child.date_of_birth = e->date_of_birth;
    r->child.postcode = e->postcode;
    r->body.child = &r->child;
    kw__needs__init (&r->needs);
    r->needs.has_learning_disability = e->has_learning_disability;
    r->needs.learning_disability = e->learning_disability;
    r->needs.has_autism = e->has_autism;
    r->needs.autism = e->autism;
    r->needs.has_inpatient = e->has_inpatient;
    r->needs.inpatient = e->inpatient;
    r->body.needs = &r->needs;
    if (e->consent_basis) {
        kw__consent__init (&r->consent);
        r->consent.has_basis = 1;
        r->consent.basis = strcmp (e->consent_basis, "own_consent") == 0
                         ? KW__CONSENT_BASIS__CONSENT_BASIS_OWN_CONSENT
                         : strcmp (e->consent_basis, "parental_responsibility") == 0
                         ? KW__CONSENT_BASIS__CONSENT_BASIS_PARENTAL_RESPONSIBILITY
                         : KW__CONSENT_BASIS__CONSENT_BASIS_BEST_INTEREST;
        r->body.consent = &r->consent;
    }
    if (!contact)
        return &r->body;
    r->child.given_name = e->given_name;
    r->child.family_name = e->family_name;
    kw__referrer__init (&r->referrer);
    snprintf (r->agency, sizeof r->agency, "%s DSR", e->region);
    r->referrer.name = "Dynamic Support Register";
    r->referrer.agency = r->agency;
    r->referrer.role = "DSR triage";
    r->referrer.email = e->lead_professional_email;
    r->body.referrer = &r->referrer;
    if (e->consent_basis)
        r->consent.given_by = "recorded on the Dynamic Support Register";
    return &r->body;
}

const char *
dsr_entries_due_body (const Kw__DsrEntry *entry, int ty, int tm, int td, dsr_referral_t *made,
                      kw_field_errors_t *errs, Kw__ReferralBody **body)
{
    *body = NULL;
    kw_field_errors_init (errs);
    //  The entry may have changed since: only a rating still due refers.
    if (!entry)
        return "no_entry";
    if (!entry->consent_basis)
        return "no_consent";
    if (!entry->rag || strcmp (entry->rag, "green") == 0)
        return "rating";
    if (entry->referral_id)
        return "open_referral";
    Kw__ReferralBody *made_body = dsr_entry_referral (entry, 1, made);
    if (validate_referral (made_body, ty, tm, td, errs) != 0)
        return "invalid";
    *body = made_body;
    return NULL;
}

kw_apply_result_t
dsr_entries_referral_due (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                          const void *payload, kw_arena_t *arena)
{
    const Kw__DsrReferralDue *msg = payload;
    if (!msg->region || !msg->nhs_number)
        return KW_APPLY_SKIP;
    int failed;
    Kw__DsrEntry *entry = s_load (db, msg->region, msg->nhs_number, arena, &failed);
    if (failed)
        return KW_APPLY_RETRY;
    dsr_referral_t made;
    Kw__ReferralBody *body;
    int ty, tm, td;
    kw_date_today_utc (&ty, &tm, &td);
    kw_field_errors_t errs;
    const char *why = dsr_entries_due_body (entry, ty, tm, td, &made, &errs, &body);
    if (why && strcmp (why, "invalid") == 0) {
        kw_warn ("dsr_referral_invalid", "event_id", event->event_id, "field", errs.items [0].field);
        return KW_APPLY_OK;
    }
    if (why) {
        kw_info ("dsr_referral_not_made", "event_id", event->event_id, "reason", why);
        return KW_APPLY_OK;
    }
    Kw__Caller caller = KW__CALLER__INIT;
    caller.sub = DSR_MAKER;
    caller.role = "dsr_feed";
    caller.region = msg->region;
    char id [KW_UUID_SIZE], received_at [KW_TIME_RFC3339_SIZE];
    int stored = intake_store (db, &caller, body, arena, id, received_at);
    if (stored < 0)
        return KW_APPLY_RETRY;
    if (stored > 0) {
        kw_info ("dsr_referral_not_made", "event_id", event->event_id, "reason", "open_referral");
        return KW_APPLY_OK;
    }
    kw_info ("dsr_referral_made", "referral_id", id, "region", msg->region);
    return KW_APPLY_OK;
}
