/*  eligibility: the eligibility service. Decides each received referral
    (and each revision with information added) against its region's rule
    set (deploy/regions), decides again on demand, after a rule change and
    when a referred child's DSR rating changes, keeps the DSR ratings it
    needs and says when a DSR entry is due to become a referral, and plans
    the move to adult services at the region's upper age (age_out.c). This
    file wires the modules to the runtime: methods, events, start and stop. */
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_service.h"
#include "eligibility.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_method_t s_methods [] = {
    { "eligibility.ruleset", ruleset_get },
    { "eligibility.re_evaluate", reevaluate_one },
    { "eligibility.re_evaluate_all", reevaluate_all },
    { "eligibility.age_out_sweep", age_out_sweep_rpc },
    { NULL, NULL }
};

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_RECEIVED,
      &kw__referral_received__descriptor, decide_received },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_INFORMATION_ADDED,
      &kw__referral_received__descriptor, decide_information_added },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_WITHDRAWN,
      &kw__referral_withdrawn__descriptor, referrals_withdrawn },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_DSR_ENTRY_CREATED,
      &kw__dsr_entry_event__descriptor, dsr_entry_apply },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_DSR_ENTRY_CHANGED,
      &kw__dsr_entry_event__descriptor, dsr_entry_apply },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_OPENED,
      &kw__case_opened__descriptor, referrals_case_opened },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_CLOSED,
      &kw__case_closed__descriptor, referrals_case_closed },
    { NULL }
};

static int
s_start (kw_service_t *svc)
{
    if (state_start (svc) != 0)
        return -1;
    kw_db_t *db = kw_service_db (svc);
    if (referrals_prepare (db) || decide_prepare (db) || reevaluate_prepare (db) || ratings_prepare (db)
    ||  age_out_prepare (db))
        return -1;
    eligibility_t *self = state_get (svc);
    self->age_out = age_out_start (svc);
    return self->age_out ? 0 : -1;
}

static void
s_stop (kw_service_t *svc)
{
    eligibility_t *self = state_get (svc);
    if (self)
        age_out_stop (&self->age_out);
    state_stop (svc);
}

int
main (int argc, char **argv)
{
    static kw_config_var_t extra [] = {
        { "KW_REGION_DIR", "deploy/regions", "directory of the region rule set files (*.json)", NULL },
        { "KW_AGE_OUT_CHECK_SECONDS", "3600",
          "how often to check whether a region's day has changed and its age-out sweep is due", NULL },
    };
    kw_service_def_t def = {
        .name = KW_PRODUCER_ELIGIBILITY,
        .summary = "The eligibility service: decides referrals against their region's rule set.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .methods = s_methods,
        .events = s_events,
        .start = s_start,
        .stop = s_stop,
        .reload = state_reload,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
