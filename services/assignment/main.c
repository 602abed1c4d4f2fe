/*  assignment: the assignment service. Keeps the registry of professionals,
    opens a case for each eligible referral, offers the key worker role with
    reasons and follows each offer to its end, names a deputy and keeps the
    team around the child, covers absences, changes key workers on request
    and closes cases; every change is an event and a timeline row. The
    modules are listed in assignment.h. */
#include "kw_service.h"
#include "assignment.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_method_t s_methods [] = {
    { "professional.create", professionals_create },
    { "professional.get", professionals_get },
    { "professional.update", professionals_update },
    { "professional.list", professionals_list },
    { "professional.import", import_professionals },
    { "absence.create", absences_create },
    { "absence.list", absences_list },
    { "absence.cancel", absences_cancel },
    { "case.get", cases_get },
    { "case.list", cases_list },
    { "case.mine", cases_mine },
    { "case.timeline", cases_timeline },
    { "caseload.list", cases_caseloads },
    { "offer.create", offers_create },
    { "offer.accept", offers_accept },
    { "offer.decline", offers_decline },
    { "team.get", team_get },
    { "team.add", team_add },
    { "team.remove", team_remove },
    { "case.change_request", closure_change_request },
    { "case.close", closure_close_rpc },
    { "link.view", links_view },
    { "link.use", links_use },
    { NULL, NULL }
};

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_DECIDED,
      &kw__eligibility_decided__descriptor, matching_decided },
    { KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_CASE_AGE_OUT,
      &kw__case_age_out__descriptor, closure_age_out },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_WITHDRAWN,
      &kw__referral_withdrawn__descriptor, closure_withdrawn },
    { KW_PRODUCER_REFERRAL, KW_EVENT_REFERRAL_INFORMATION_ADDED,
      &kw__referral_received__descriptor, team_information_added },
    { NULL }
};

static int
s_start (kw_service_t *svc)
{
    kw_db_t *db = kw_service_db (svc);
    if (people_prepare (db) || access_prepare (db) || candidates_prepare (db)
    ||  matching_prepare (db) || offers_prepare (db) || team_prepare (db) || absences_prepare (db)
    ||  closure_prepare (db) || professionals_prepare (db) || import_prepare (db) || cases_prepare (db)
    ||  links_prepare (svc))
        return -1;
    return state_start (svc);
}

int
main (int argc, char **argv)
{
    static kw_config_var_t extra [] = {
        { "KW_REGION_DIR", "deploy/regions", "directory of the region files (*.json): their assignment"
          " sections (offer TTL, refusals, long absence, ranking weights); kill -HUP reads them again", NULL },
        { "KW_SWEEP_INTERVAL_MS", "1000", "how often due offers expire and due absences start and end", NULL },
        { "KW_LINK_KEY_FILE", "var/link_key", "file holding the key the offer e-mails' signed links are made"
          " and checked with (at least 32 bytes; missing: links answer unavailable)", NULL },
    };
    kw_service_def_t def = {
        .name = KW_PRODUCER_ASSIGNMENT,
        .summary = "The assignment service: professionals, cases, key worker matching, offers, cover.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .methods = s_methods,
        .events = s_events,
        .start = s_start,
        .stop = state_stop,
        .reload = state_reload,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
        //  Opening a case ranks candidates and writes a dozen rows: small
        //  batches keep offers answered while a backlog of referrals opens.
        .consumer_batch = 16,
    };
    return kw_service_main (&def, argc, argv);
}
