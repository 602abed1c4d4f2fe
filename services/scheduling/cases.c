/*  cases: the cases the scheduling service plans meetings, reviews and
    Family Service Plans for, recorded from assignment.case_opened. */
#include "kw/assignment.pb-c.h"
#include "scheduling.h"

int
cases_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "scheduling_case_opened",
        "INSERT INTO scheduling.cases (case_id, referral_id, region, opened_at)"
        " VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (case_id) DO NOTHING");
    return 0;
}

kw_apply_result_t
cases_opened (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
              kw_arena_t *arena)
{
    const Kw__CaseOpened *msg = payload;
    if (!msg->case_id || !msg->referral_id || !msg->region || !msg->opened_at)
        return KW_APPLY_SKIP;
    const char *params [4] = { msg->case_id, msg->referral_id, msg->region, msg->opened_at };
    return kw_db_exec (db, "scheduling_case_opened", 4, params) == 0 ? KW_APPLY_OK : KW_APPLY_RETRY;
}
