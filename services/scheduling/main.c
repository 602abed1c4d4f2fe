/*  scheduling: the scheduling service. Meetings, reviews and the Family
    Service Plan build on the cases it records from assignment's
    case_opened events (cases.c). */
#include "kw/assignment.pb-c.h"
#include "kw_service.h"
#include "scheduling.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_OPENED,
      &kw__case_opened__descriptor, cases_opened },
    { NULL }
};

static int
s_start (kw_service_t *svc)
{
    return cases_prepare (kw_service_db (svc));
}

int
main (int argc, char **argv)
{
    kw_service_def_t def = {
        .name = KW_PRODUCER_SCHEDULING,
        .summary = "The scheduling service: meetings, reviews and the Family Service Plan.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .events = s_events,
        .start = s_start,
    };
    return kw_service_main (&def, argc, argv);
}
