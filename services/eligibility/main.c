/*  eligibility: the eligibility service. Decides each received referral
    (and each revision with information added) against its region's rule
    set (deploy/regions), keeps the DSR ratings it needs and says when a DSR
    entry is due to become a referral; answers rule set reads over RPC. */
#include <stdio.h>
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_log.h"
#include "kw_outbox.h"
#include "kw_service.h"
#include "kw_time.h"
#include "kw_tz.h"
#include "kw_uuid.h"
#include "eligibility.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static kw_apply_result_t
s_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg)
{
    if (strcmp (event->producer, "referral") != 0)
        return KW_APPLY_OK;
    if (strcmp (event->type, "received") == 0 || strcmp (event->type, "information_added") == 0)
        return decide_referral (arg, db, event, arena);
    if (strcmp (event->type, "dsr_entry_created") == 0 || strcmp (event->type, "dsr_entry_changed") == 0)
        return dsr_entry_apply (arg, db, event, arena);
    return KW_APPLY_OK;
}

//  RPC "eligibility.ruleset": RulesetRequest -> Ruleset; the caller's region
//  when the request names none.
static void
s_ruleset (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__RulesetRequest *in = (Kw__RulesetRequest *) kw_rpc_unpack (
        req, resp, arena, &kw__ruleset_request__descriptor);
    if (!in)
        return;
    const char *name = in->region && *in->region ? in->region
                     : req->caller ? req->caller->region : NULL;
    if (!name || !*name) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "region", "no region given");
        return;
    }
    const region_t *region = region_set_find (kw_service_state (svc), name);
    if (!region) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "region",
                            "unknown region %.64s", name);
        return;
    }
    Kw__Ruleset out = KW__RULESET__INIT;
    out.region = region->region;
    out.name = region->name;
    out.has_version = 1;
    out.version = region->version;
    out.n_criteria = region->criterion_count;
    out.criteria = kw_arena_calloc (arena, (region->criterion_count + 1) * sizeof (Kw__Criterion *));
    for (size_t i = 0; i < region->criterion_count; i++) {
        Kw__Criterion *c = kw_arena_alloc (arena, sizeof *c);
        kw__criterion__init (c);
        c->id = region->criteria [i].id;
        c->description = region->criteria [i].description;
        out.criteria [i] = c;
    }
    kw_rpc_reply_ok (resp, arena, &out.base);
}

static const kw_service_method_t s_methods [] = {
    { "eligibility.ruleset", s_ruleset },
    { NULL, NULL }
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
            snprintf (err, err_size, "region %s: unknown time zone %s", region->region, region->time_zone);
            region_set_destroy (&regions);
        }
    }
    for (size_t i = 0; regions && i < region_set_count (regions); i++) {
        const region_t *region = region_set_at (regions, i);
        char version [16];
        snprintf (version, sizeof version, "%u", region->version);
        kw_info ("region_loaded", "region", region->region, "rules", region_rules_name (region->rules),
                 "version", version);
    }
    return regions;
}

static int
s_start (kw_service_t *svc)
{
    char err [512];
    region_set_t *regions = s_load_regions (svc, err, sizeof err);
    if (!regions) {
        fprintf (stderr, "eligibility: %s\n", err);
        return -1;
    }
    kw_service_set_state (svc, regions);
    return decide_prepare (kw_service_db (svc)) || dsr_prepare (kw_service_db (svc)) ? -1 : 0;
}

//  SIGHUP: read the region files again. Work in progress is not dropped
//  (this runs between events); a set that does not load leaves the old one
//  in force, and the reason is logged.
static void
s_reload (kw_service_t *svc)
{
    char err [512];
    region_set_t *regions = s_load_regions (svc, err, sizeof err);
    if (!regions) {
        kw_error ("regions_reload_failed", "reason", err, "kept", "previous rule sets");
        return;
    }
    region_set_t *old = kw_service_state (svc);
    kw_service_set_state (svc, regions);
    region_set_destroy (&old);
    kw_info ("regions_reloaded");
}

static void
s_stop (kw_service_t *svc)
{
    region_set_t *regions = kw_service_state (svc);
    region_set_destroy (&regions);
    kw_service_set_state (svc, NULL);
}

int
main (int argc, char **argv)
{
    static const char *const consumes [] = { "referral", NULL };
    static kw_config_var_t extra [] = {
        { "KW_REGION_DIR", "deploy/regions", "directory of the region rule set files (*.json)", NULL },
    };
    kw_service_def_t def = {
        .name = "eligibility",
        .summary = "The eligibility service: decides referrals against their region's rule set.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .consumes = consumes,
        .apply = s_apply,
        .methods = s_methods,
        .start = s_start,
        .stop = s_stop,
        .reload = s_reload,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
