/*  state: the eligibility service's state, which the modules read through
    it: the region set in force (loaded at start from KW_REGION_DIR and
    replaced on SIGHUP, see region.h) and the age-out sweep's handle. */
#include <stdio.h>
#include <stdlib.h>
#include "kw_log.h"
#include "kw_tz.h"
#include "eligibility.h"

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

int
state_start (kw_service_t *svc)
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
    return 0;
}

//  Work in progress is not dropped (this runs between events); a set that
//  does not load leaves the old one in force, and the reason is logged.
void
state_reload (kw_service_t *svc)
{
    char err [512];
    eligibility_t *self = state_get (svc);
    region_set_t *regions = s_load_regions (svc, err, sizeof err);
    if (!regions) {
        kw_error ("regions_reload_failed", "reason", err, "kept", "previous rule sets");
        return;
    }
    region_set_destroy (&self->regions);
    self->regions = regions;
    kw_info ("regions_reloaded");
}

void
state_stop (kw_service_t *svc)
{
    eligibility_t *self = state_get (svc);
    if (!self)
        return;
    region_set_destroy (&self->regions);
    free (self);
    kw_service_set_state (svc, NULL);
}

eligibility_t *
state_get (kw_service_t *svc)
{
    return kw_service_state (svc);
}

const region_set_t *
state_regions (kw_service_t *svc)
{
    eligibility_t *self = state_get (svc);
    return self ? self->regions : NULL;
}

const region_t *
state_caller_region (kw_service_t *svc, const Kw__Request *req, const char *const *roles,
                     const char *refusal, Kw__Response *resp, kw_arena_t *arena)
{
    if (!kw_rpc_role_allowed (req, resp, arena, roles, NULL, refusal))
        return NULL;
    const region_t *region = region_set_find (state_regions (svc), req->caller->region);
    if (!region)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_NOT_FOUND, "region",
                            "no rule set for the caller's region");
    return region;
}
