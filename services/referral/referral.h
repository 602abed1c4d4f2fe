/*  referral: the referral service's modules: intake (RPC create/get) and the
    projection of decisions and cases fed by events. */
#ifndef REFERRAL_H
#define REFERRAL_H

#include "kw_consumer.h"
#include "kw_rpc.h"
#include "kw_service.h"

//  Register the intake statements; 0 or -1.
int intake_prepare (kw_db_t *db);
//  RPC "referral.create": ReferralBody -> ReferralCreated.
void intake_create (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);
//  RPC "referral.get": IdRequest -> Referral.
void intake_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

//  Register the projection statements; 0 or -1.
int projection_prepare (kw_db_t *db);
//  Apply eligibility.decided and assignment.case_opened to the referral.
kw_apply_result_t projection_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg);

#endif
