/*  dsr: the DSR entry events: the rating is kept (ratings.c); the referral
    of a child whose rating changed is decided again; and the first step
    of turning a DSR entry into a referral: an entry that is new
    or newly rated for referral, has consent recorded and no open referral,
    and is not ruled out by the region's rules on what the entry tells, is
    announced as eligibility.dsr_referral_due for the referral service. */
#include <string.h>
#include "kw/dsr.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_time.h"
#include "kw_tz.h"
#include "eligibility.h"

static int
s_refers (const region_t *region, const char *rag)
{
    for (size_t i = 0; i < region->dsr_referral_rating_count; i++)
        if (strcmp (rag, region->dsr_referral_ratings [i]) == 0)
            return 1;
    return 0;
}

int
dsr_entry_check (const Kw__DsrEntryEvent *msg)
{
    int y, m, d;
    return msg->region && msg->nhs_number && msg->rag && msg->as_referral
        && kw_date_parse (msg->rag_effective_date, &y, &m, &d) == 0 ? 0 : -1;
}

int
dsr_entry_newly_rated (const Kw__DsrEntryEvent *msg)
{
    return !msg->previous_rag || strcmp (msg->previous_rag, msg->rag) != 0;
}

int
dsr_entry_due (const region_t *region, const Kw__DsrEntryEvent *msg, int referred, int y, int m, int d,
               kw_arena_t *arena, Kw__DsrReferralDue *due)
{
    kw__dsr_referral_due__init (due);
    int consent = msg->as_referral->consent && msg->as_referral->consent->has_basis;
    if (!dsr_entry_newly_rated (msg) || msg->referral_id || referred || !consent || !s_refers (region, msg->rag))
        return 0;
    Kw__EligibilityDecision *decision = rules_decide (region, msg->as_referral, msg->rag, y, m, d, arena);
    if (decision->outcome == KW__OUTCOME__OUTCOME_INELIGIBLE)
        return -1;
    //  The referral service reads its own entry: the rating stays here.
    due->region = msg->region;
    due->nhs_number = msg->nhs_number;
    return 1;
}

kw_apply_result_t
dsr_entry_apply (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                 kw_arena_t *arena)
{
    const Kw__DsrEntryEvent *msg = payload;
    if (dsr_entry_check (msg) != 0)
        return KW_APPLY_SKIP;
    const region_t *region = region_set_find (state_regions (svc), msg->region);
    if (!region) {
        kw_warn ("unknown_region", "event_id", event->event_id, "region", msg->region);
        return KW_APPLY_SKIP;
    }
    if (ratings_keep (db, msg->region, msg->nhs_number, msg->rag, msg->rag_effective_date) != 0)
        return KW_APPLY_RETRY;
    int referred = 0;
    if (dsr_entry_newly_rated (msg) && reevaluate_child (db, region, msg->nhs_number, &referred, arena) != 0)
        return KW_APPLY_RETRY;
    int y, m, d;
    if (kw_tz_today (region->time_zone, &y, &m, &d) != 0)
        return KW_APPLY_RETRY;
    Kw__DsrReferralDue due;
    int rc = dsr_entry_due (region, msg, referred, y, m, d, arena, &due);
    if (rc < 0)
        kw_info ("dsr_entry_not_due", "event_id", event->event_id, "region", msg->region);
    if (rc <= 0)
        return KW_APPLY_OK;
    if (kw_outbox_insert (db, KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_DSR_REFERRAL_DUE,
                          msg->region, event->correlation_id, &due.base, NULL) != 0)
        return KW_APPLY_RETRY;
    return KW_APPLY_OK;
}
