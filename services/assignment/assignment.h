/*  assignment: the assignment service's modules: matching (opening a case
    and offering it when a referral is found eligible), closure (closing a
    case when the child moves to adult services) and cases (RPC reads). */
#ifndef ASSIGNMENT_H
#define ASSIGNMENT_H

#include "kw_consumer.h"
#include "kw_rpc.h"
#include "kw_service.h"

//  Register the matching statements; offers expire after ttl_hours.
int matching_prepare (kw_db_t *db, long ttl_hours);
//  Apply eligibility.decided: an eligible referral opens a case with an offer.
kw_apply_result_t matching_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg);

int closure_prepare (kw_db_t *db);
//  Apply eligibility.case_age_out: close the case as transferred to adult
//  services and emit assignment.case_closed.
kw_apply_result_t closure_age_out (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena);

//  Register the case statements.
int cases_prepare (kw_db_t *db);
//  RPC "case.get": IdRequest -> Case.
void cases_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
