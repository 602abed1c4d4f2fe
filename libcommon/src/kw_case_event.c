/*  kw_case_event: case_opened and case_closed as statement parameters
    (kw_case_event.h). */
#include "kw_case_event.h"
#include "kw_time.h"
#include "kw_uuid.h"

//  An instant an event states, or NULL (the statement's now ()) when it
//  states none PostgreSQL would read.
static const char *
s_instant (const char *at)
{
    return at && kw_time_valid (at) ? at : NULL;
}

int
kw_case_opened_params (const Kw__CaseOpened *msg, const char *params [4])
{
    params [0] = msg->case_id;
    params [1] = msg->referral_id;
    params [2] = msg->region;
    params [3] = s_instant (msg->opened_at);
    return msg->case_id && kw_uuid_valid (msg->case_id) && msg->referral_id && kw_uuid_valid (msg->referral_id)
        && msg->region ? 0 : -1;
}

int
kw_case_closed_params (const Kw__CaseClosed *msg, const char *params [2])
{
    params [0] = msg->case_id;
    params [1] = s_instant (msg->closed_at);
    return msg->case_id && kw_uuid_valid (msg->case_id) ? 0 : -1;
}
