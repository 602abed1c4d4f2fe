/*  kw_case_event: the parameters of assignment.case_opened and
    assignment.case_closed as the services that keep cases of their own
    write them (eligibility, scheduling), with no database. */
#ifndef KW_CASE_EVENT_H
#define KW_CASE_EVENT_H

#include "kw/assignment.pb-c.h"

//  case_id, referral_id, region, opened_at (NULL when not an instant: the
//  statement's now ()). 0, or -1 when an id is not a UUID or the region is
//  missing: the event can never be applied.
int kw_case_opened_params (const Kw__CaseOpened *msg, const char *params [4]);
//  case_id, closed_at (NULL when not an instant). 0, or -1 when the case id
//  is not a UUID.
int kw_case_closed_params (const Kw__CaseClosed *msg, const char *params [2]);

#endif
