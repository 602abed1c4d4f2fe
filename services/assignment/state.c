/*  state: the assignment service's state, which the modules read through
    it: each region's settings (the assignment section of the region files
    in KW_REGION_DIR, see settings.h), read at start and again on SIGHUP,
    and the sweep's handle. */
#include <stdio.h>
#include <stdlib.h>
#include "kw_config.h"
#include "kw_log.h"
#include "assignment.h"

static settings_t *
s_load (kw_service_t *svc, char *err, size_t err_size)
{
    settings_t *settings = settings_load (kw_service_config (svc, "KW_REGION_DIR"), err, err_size);
    char count [16];
    snprintf (count, sizeof count, "%zu", settings_count (settings));
    if (settings)
        kw_info ("settings_loaded", "regions", count);
    return settings;
}

int
state_start (kw_service_t *svc)
{
    char err [512];
    long interval;
    if (kw_config_int ("KW_SWEEP_INTERVAL_MS", kw_service_config (svc, "KW_SWEEP_INTERVAL_MS"),
                       10, 3600000, &interval, err, sizeof err) != 0) {
        fprintf (stderr, "assignment: %s\n", err);
        return -1;
    }
    assignment_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    kw_service_set_state (svc, self);
    self->settings = s_load (svc, err, sizeof err);
    if (!self->settings) {
        fprintf (stderr, "assignment: %s\n", err);
        return -1;
    }
    self->sweep = sweep_new (svc, (unsigned) interval);
    return self->sweep ? 0 : -1;
}

void
state_reload (kw_service_t *svc)
{
    char err [512];
    assignment_t *self = kw_service_state (svc);
    settings_t *settings = s_load (svc, err, sizeof err);
    if (!settings) {
        kw_error ("settings_reload_failed", "reason", err, "kept", "previous settings");
        return;
    }
    settings_destroy (&self->settings);
    self->settings = settings;
    kw_info ("settings_reloaded");
}

void
state_stop (kw_service_t *svc)
{
    assignment_t *self = kw_service_state (svc);
    if (!self)
        return;
    sweep_destroy (&self->sweep);
    settings_destroy (&self->settings);
    free (self);
    kw_service_set_state (svc, NULL);
}

const settings_region_t *
state_settings (kw_service_t *svc, const char *region)
{
    assignment_t *self = kw_service_state (svc);
    return settings_for (self ? self->settings : NULL, region);
}
