/*  matching: when a referral is decided eligible, open its case and offer
    the key worker role: to the professional the family suggested when they
    are registered in the region, else to the registered professional with
    the most spare capacity. Everything happens in the consumer's
    transaction, with case.opened and offer_made events in the outbox. */
#include <stdio.h>
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_uuid.h"
#include "assignment.h"

//  Spare capacity: the caseload limit less open cases and pending offers.
#define SPARE_CAPACITY \
    "p.max_caseload" \
    " - (SELECT count(*) FROM assignment.cases c WHERE c.key_worker_id = p.id AND c.status <> 'closed')" \
    " - (SELECT count(*) FROM assignment.offers o WHERE o.professional_id = p.id AND o.status = 'pending')"

//  Hours an offer stays open (KW_OFFER_TTL_HOURS), as a statement parameter.
static char s_ttl_hours [24];

int
matching_prepare (kw_db_t *db, long ttl_hours)
{
    kw_db_prepare (db, "assignment_open_case",
        "INSERT INTO assignment.cases (id, referral_id, region, status) VALUES ($1, $2, $3, 'awaiting_key_worker')"
        " ON CONFLICT (referral_id) DO NOTHING"
        " RETURNING to_char (opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    kw_db_prepare (db, "assignment_suggested",
        "SELECT p.id, p.name, p.email FROM assignment.professionals p"
        " WHERE p.region = $1 AND lower (p.email) = lower ($2) AND p.active");
    kw_db_prepare (db, "assignment_most_spare",
        "SELECT p.id, p.name, p.email FROM assignment.professionals p"
        " WHERE p.region = $1 AND p.active AND (" SPARE_CAPACITY ") > 0"
        " ORDER BY (" SPARE_CAPACITY ") DESC, p.id LIMIT 1");
    snprintf (s_ttl_hours, sizeof s_ttl_hours, "%ld", ttl_hours);
    kw_db_prepare (db, "assignment_offer",
        "INSERT INTO assignment.offers (id, case_id, professional_id, status, expires_at)"
        " VALUES ($1, $2, $3, 'pending', now () + $4::int * interval '1 hour')"
        " RETURNING to_char (expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    kw_db_prepare (db, "assignment_case_offered",
        "UPDATE assignment.cases SET status = 'offered' WHERE id = $1");
    return 0;
}

//  Choose the professional to offer the case to: 1 found, 0 none, -1 error.
static int
s_choose (kw_db_t *db, const Kw__EligibilityDecided *msg, kw_arena_t *arena,
          char **id, char **name, char **email)
{
    PGresult *res = NULL;
    if (msg->suggested_key_worker_email && *msg->suggested_key_worker_email) {
        const char *params [2] = { msg->region, msg->suggested_key_worker_email };
        res = kw_db_query (db, "assignment_suggested", 2, params);
        if (!res)
            return -1;
        if (PQntuples (res) == 0) {
            PQclear (res);
            res = NULL;
        }
    }
    if (!res) {
        const char *params [1] = { msg->region };
        res = kw_db_query (db, "assignment_most_spare", 1, params);
        if (!res)
            return -1;
    }
    int found = PQntuples (res) > 0;
    if (found) {
        *id = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
        *name = kw_arena_strdup (arena, PQgetvalue (res, 0, 1));
        *email = kw_arena_strdup (arena, PQgetvalue (res, 0, 2));
    }
    PQclear (res);
    return found;
}

kw_apply_result_t
matching_decided (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                  kw_arena_t *arena)
{
    const Kw__EligibilityDecided *msg = payload;
    if (!msg->referral_id || !kw_uuid_valid (msg->referral_id) || !msg->region
    ||  !msg->decision || !msg->decision->has_outcome)
        return KW_APPLY_SKIP;
    if (msg->decision->outcome != KW__OUTCOME__OUTCOME_ELIGIBLE)
        return KW_APPLY_OK;

    char case_id [KW_UUID_SIZE];
    kw_uuid_generate (case_id);
    const char *open_params [3] = { case_id, msg->referral_id, msg->region };
    PGresult *res = kw_db_query (db, "assignment_open_case", 3, open_params);
    if (!res)
        return KW_APPLY_RETRY;
    if (PQntuples (res) == 0) {
        //  A later decision for a referral that already has its case.
        PQclear (res);
        return KW_APPLY_OK;
    }
    char *opened_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    PQclear (res);

    Kw__CaseOpened opened = KW__CASE_OPENED__INIT;
    opened.case_id = case_id;
    opened.referral_id = msg->referral_id;
    opened.region = msg->region;
    opened.opened_at = opened_at;
    if (kw_outbox_insert (db, KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_OPENED, msg->region,
                          case_id, &opened.base, NULL) != 0)
        return KW_APPLY_RETRY;

    char *pid = NULL, *pname = NULL, *pemail = NULL;
    int found = s_choose (db, msg, arena, &pid, &pname, &pemail);
    if (found < 0)
        return KW_APPLY_RETRY;
    if (!found) {
        kw_warn ("no_key_worker_available", "case_id", case_id, "region", msg->region);
        return KW_APPLY_OK;
    }
    char offer_id [KW_UUID_SIZE];
    kw_uuid_generate (offer_id);
    const char *offer_params [4] = { offer_id, case_id, pid, s_ttl_hours };
    res = kw_db_query (db, "assignment_offer", 4, offer_params);
    if (!res)
        return KW_APPLY_RETRY;
    char *expires_at = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    PQclear (res);
    const char *case_params [1] = { case_id };
    if (kw_db_exec (db, "assignment_case_offered", 1, case_params) != 0)
        return KW_APPLY_RETRY;

    Kw__OfferMade offer = KW__OFFER_MADE__INIT;
    offer.offer_id = offer_id;
    offer.case_id = case_id;
    offer.referral_id = msg->referral_id;
    offer.professional_id = pid;
    offer.professional_name = pname;
    offer.professional_email = pemail;
    offer.expires_at = expires_at;
    offer.region = msg->region;
    if (kw_outbox_insert (db, KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_OFFER_MADE, msg->region,
                          case_id, &offer.base, NULL) != 0)
        return KW_APPLY_RETRY;
    kw_info ("offer_made", "case_id", case_id, "offer_id", offer_id, "professional_id", pid);
    return KW_APPLY_OK;
}
