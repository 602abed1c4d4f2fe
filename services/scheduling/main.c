/*  scheduling: the scheduling service. Meetings for each case found in the
    working time of everyone invited and the family's wishes, invitations
    calendars understand, responses and changes, the Family Service Plan
    with its actions, and reviews on a cadence (docs/scheduling.md). It
    knows cases, people, working hours, absences, wishes and ratings only
    from other services' events; the modules are listed in scheduling.h. */
#include <stdio.h>
#include <stdlib.h>
#include "kw_config.h"
#include "kw_log.h"
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_service.h"
#include "scheduling.h"
#include "zone.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_method_t s_methods [] = {
    { "meeting.book", meetings_book },
    { "meeting.get", meetings_get },
    { "meeting.list", meetings_list },
    { "meeting.invite", meetings_invite },
    { "meeting.respond", meetings_respond },
    { "meeting.reschedule", meetings_reschedule },
    { "meeting.cancel", meetings_cancel },
    { "meeting.outcome", plan_outcome },
    { "plan.get", plan_get },
    { "plan.version", plan_get },
    { "plan.html", plan_html },
    { "plan.action_complete", plan_action_complete },
    { "plan.action_cancel", plan_action_cancel },
    { "plan.action_reassign", plan_action_reassign },
    { "scheduling.sweep", sweep_now },
    { "meeting_link.view", links_view },
    { "meeting_link.use", links_use },
    { NULL, NULL }
};

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_OPENED, &kw__case_opened__descriptor, cases_opened },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_CLOSED, &kw__case_closed__descriptor, cases_closed },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_KEY_WORKER_CHANGED, &kw__key_worker_changed__descriptor,
      cases_key_worker },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_COVER_STARTED, &kw__cover_changed__descriptor, cases_cover },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_COVER_ENDED, &kw__cover_changed__descriptor, cases_cover },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_TEAM_CHANGED, &kw__team_changed__descriptor, cases_team },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_PROFESSIONAL_CHANGED, &kw__professional_changed__descriptor,
      cases_professional },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_ABSENCE_RECORDED, &kw__absence_changed__descriptor, cases_absence },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_ABSENCE_CANCELLED, &kw__absence_changed__descriptor, cases_absence },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_RECEIVED, &kw__referral_received__descriptor, cases_referral },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_INFORMATION_ADDED, &kw__referral_received__descriptor,
      cases_referral },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_DSR_ENTRY_CREATED, &kw__dsr_entry_event__descriptor, cases_dsr },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_DSR_ENTRY_CHANGED, &kw__dsr_entry_event__descriptor, cases_dsr },
    { NULL }
};

const settings_region_t *
scheduling_region (kw_service_t *svc, const char *region)
{
    scheduling_t *self = kw_service_state (svc);
    return self ? settings_region (self->settings, region) : NULL;
}

int32_t
scheduling_today (const settings_region_t *region)
{
    int32_t day;
    int minute, offset;
    zone_local (region->zone, (int64_t) time (NULL), &day, &minute, &offset);
    return day;
}

static settings_t *
s_load (kw_service_t *svc)
{
    char err [512];
    settings_t *settings = settings_load (kw_service_config (svc, "KW_REGION_DIR"), err, sizeof err);
    if (!settings)
        kw_error ("settings_failed", "reason", err);
    return settings;
}

static int
s_start (kw_service_t *svc)
{
    kw_db_t *db = kw_service_db (svc);
    char err [256];
    long interval;
    if (kw_config_int ("KW_SCHEDULING_SWEEP_MS", kw_service_config (svc, "KW_SCHEDULING_SWEEP_MS"), 10,
                       86400000, &interval, err, sizeof err) != 0) {
        fprintf (stderr, "scheduling: %s\n", err);
        return -1;
    }
    scheduling_t *self = calloc (1, sizeof *self);
    if (!self)
        return -1;
    kw_service_set_state (svc, self);
    if (!(self->settings = s_load (svc)))
        return -1;
    if (cases_prepare (db) || access_prepare (db) || calendar_prepare (db) || records_prepare (db)
    ||  meetings_prepare (db) || plan_prepare (db) || links_prepare (svc))
        return -1;
    self->sweep = sweep_new (svc, (unsigned) interval);
    return self->sweep ? 0 : -1;
}

static void
s_stop (kw_service_t *svc)
{
    scheduling_t *self = kw_service_state (svc);
    if (!self)
        return;
    sweep_destroy (&self->sweep);
    settings_destroy (&self->settings);
    free (self);
    kw_service_set_state (svc, NULL);
}

static void
s_reload (kw_service_t *svc)
{
    scheduling_t *self = kw_service_state (svc);
    settings_t *settings = s_load (svc);
    if (!self || !settings)
        return;
    settings_destroy (&self->settings);
    self->settings = settings;
    kw_info ("settings_reloaded");
}

int
main (int argc, char **argv)
{
    static kw_config_var_t extra [] = {
        { "KW_REGION_DIR", "deploy/regions", "directory of the region files (*.json): their time zone, review"
          " interval and scheduling sections, and the public holidays files they name; kill -HUP reads them"
          " again", NULL },
        { "KW_SCHEDULING_SWEEP_MS", "60000", "how often the sweep looks for reviews due and overdue actions"
          " (each is announced once however often it runs)", NULL },
        { "KW_LINK_KEY_FILE", "var/link_key", "file holding the key the invitations' signed attend and decline"
          " links are checked with (at least 32 bytes; missing: the links answer unavailable)", NULL },
    };
    kw_service_def_t def = {
        .name = KW_PRODUCER_SCHEDULING,
        .summary = "The scheduling service: meetings, reviews and the Family Service Plan.",
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
