/*  eligibility: the eligibility service. Decides each received referral
    (and each revision with information added) against its region's rule
    set (deploy/regions), decides again on demand, after a rule change and
    when a referred child's DSR rating changes, keeps the DSR ratings it
    needs and says when a DSR entry is due to become a referral, and plans
    the move to adult services at the region's upper age (age_out.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_log.h"
#include "kw_service.h"
#include "kw_tz.h"
#include "eligibility.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

const region_set_t *
eligibility_regions (kw_service_t *svc)
{
    eligibility_t *self = kw_service_state (svc);
    return self ? self->regions : NULL;
}

const region_t *
eligibility_caller_region (kw_service_t *svc, const Kw__Request *req, const char *const *roles,
                           const char *refusal, Kw__Response *resp, kw_arena_t *arena)
{
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, refusal))
        return NULL;
    const region_t *region = region_set_find (eligibility_regions (svc), req->caller->region);
    if (!region)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "region",
                            "no rule set for the caller's region");
    return region;
}

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

//  The region files of KW_REGION_DIR, each with a time zone libical knows.
//  NULL with the reason in err.
static region_set_t *
s_load_regions (kw_service_t *svc, char *err, size_t err_size)
{
    const char *dir = kw_service_config (svc, "KW_REGION_DIR");
    region_set_t *regions = region_set_load (dir, err, err_size);
    for (size_t i = 0; regions && i < region_set_count (regions); i++) {
        const region_t *region = region_set_at (regions, i);
        int y, m, d;
        if (kw_tz_today (region->time_zone, &y, &m, &d) != 0) {
            snprintf (err, err_size, "region %s: unknown time zone %s", region->id, region->time_zone);
            region_set_destroy (&regions);
        }
    }
    for (size_t i = 0; regions && i < region_set_count (regions); i++) {
        const region_t *region = region_set_at (regions, i);
        char version [16];
        snprintf (version, sizeof version, "%u", region->ruleset.version);
        kw_info ("region_loaded", "region", region->id, "ruleset", region->ruleset.id,
                 "version", version);
    }
    return regions;
}

static int
s_start (kw_service_t *svc)
{
    char err [512];
    eligibility_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    kw_service_set_state (svc, self);
    self->regions = s_load_regions (svc, err, sizeof err);
    if (!self->regions) {
        fprintf (stderr, "eligibility: %s\n", err);
        return -1;
    }
    kw_db_t *db = kw_service_db (svc);
    if (referrals_prepare (db) || decide_prepare (db) || reevaluate_prepare (db) || dsr_prepare (db)
    ||  age_out_prepare (db))
        return -1;
    self->age_out = age_out_start (svc);
    return self->age_out ? 0 : -1;
}

//  SIGHUP: read the region files again. Work in progress is not dropped
//  (this runs between events); a set that does not load leaves the old one
//  in force, and the reason is logged.
static void
s_reload (kw_service_t *svc)
{
    char err [512];
    eligibility_t *self = kw_service_state (svc);
    region_set_t *regions = s_load_regions (svc, err, sizeof err);
    if (!regions) {
        kw_error ("regions_reload_failed", "reason", err, "kept", "previous rule sets");
        return;
    }
    region_set_destroy (&self->regions);
    self->regions = regions;
    kw_info ("regions_reloaded");
}

static void
s_stop (kw_service_t *svc)
{
    eligibility_t *self = kw_service_state (svc);
    if (!self)
        return;
    age_out_stop (&self->age_out);
    region_set_destroy (&self->regions);
    free (self);
    kw_service_set_state (svc, NULL);
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
        .reload = s_reload,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
