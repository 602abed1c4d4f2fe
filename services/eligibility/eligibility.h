/*  eligibility: the service's event handlers: deciding referrals (decide.c)
    and the DSR projection (dsr.c). The service state is the region set. */
#ifndef ELIGIBILITY_H
#define ELIGIBILITY_H

#include "kw_consumer.h"
#include "kw_service.h"
#include "region.h"
#include "rules.h"

int decide_prepare (kw_db_t *db);
//  Apply referral.received or referral.information_added: decide the
//  referral's revision once and emit eligibility.decided.
kw_apply_result_t decide_referral (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                                   kw_arena_t *arena);
//  The child's DSR rating in region (in arena), NULL when not on the DSR;
//  *failed set on a database error.
char *dsr_rating (kw_db_t *db, const char *region, const char *nhs_number, kw_arena_t *arena,
                  int *failed);

int dsr_prepare (kw_db_t *db);
//  Apply referral.dsr_entry_created or referral.dsr_entry_changed: keep the
//  rating, and emit eligibility.dsr_referral_due when a new or newly rated
//  entry with consent and no open referral meets the region's rules as far
//  as the entry tells.
kw_apply_result_t dsr_entry_apply (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event,
                                   kw_arena_t *arena);

#endif
