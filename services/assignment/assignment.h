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
//  Event eligibility.decided (EligibilityDecided): an eligible referral
//  opens a case with an offer.
kw_service_event_fn matching_decided;

int closure_prepare (kw_db_t *db);
//  Event eligibility.case_age_out (CaseAgeOut): close the case as
//  transferred to adult services and emit assignment.case_closed.
kw_service_event_fn closure_age_out;

//  Register the case statements.
int cases_prepare (kw_db_t *db);
//  RPC "case.get": IdRequest -> Case.
void cases_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena);

#endif
