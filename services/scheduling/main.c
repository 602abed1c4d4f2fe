/*  scheduling: the scheduling service. Meetings, reviews and the Family
    Service Plan build on the cases it records here from assignment's
    case_opened events. */
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw_service.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static kw_apply_result_t
s_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg)
{
    if (strcmp (event->producer, "assignment") != 0 || strcmp (event->type, "case_opened") != 0)
        return KW_APPLY_OK;
    Kw__CaseOpened *msg = kw__case_opened__unpack (kw_arena_allocator (arena),
                                                   event->payload.len, event->payload.data);
    if (!msg || !msg->case_id || !msg->referral_id || !msg->region || !msg->opened_at)
        return KW_APPLY_SKIP;
    const char *params [4] = { msg->case_id, msg->referral_id, msg->region, msg->opened_at };
    return kw_db_exec (db, "scheduling_case_opened", 4, params) == 0 ? KW_APPLY_OK : KW_APPLY_RETRY;
}

static int
s_start (kw_service_t *svc)
{
    return kw_db_prepare (kw_service_db (svc), "scheduling_case_opened",
        "INSERT INTO scheduling.cases (case_id, referral_id, region, opened_at)"
        " VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (case_id) DO NOTHING");
}

int
main (int argc, char **argv)
{
    static const char *const consumes [] = { "assignment", NULL };
    kw_service_def_t def = {
        .name = "scheduling",
        .summary = "The scheduling service: meetings, reviews and the Family Service Plan.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .consumes = consumes,
        .apply = s_apply,
        .start = s_start,
    };
    return kw_service_main (&def, argc, argv);
}
