/*  referral: the referral intake service. Creates, lists, changes and reads
    referrals over RPC, imports DSR feed files, keeps each referral's
    decision and case current from events, and answers admins' questions to
    the audit trail (audit_log.c). */
#include <string.h>
#include "kw/assignment.pb-c.h"
#include "kw/eligibility.pb-c.h"
#include "kw_service.h"
#include "referral.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_method_t s_methods [] = {
    { "referral.create", intake_create },
    { "referral.get", intake_get },
    { "referral.list", listing_list },
    { "referral.withdraw", changes_withdraw },
    { "referral.information", changes_information },
    { "dsr.import", dsr_import },
    { "dsr.entry", dsr_entries_get },
    { "audit.list", audit_log_list },
    { NULL, NULL }
};

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_DECIDED,
      &kw__eligibility_decided__descriptor, projection_decided },
    { KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_DSR_REFERRAL_DUE,
      &kw__dsr_referral_due__descriptor, dsr_entries_referral_due },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_OPENED,
      &kw__case_opened__descriptor, projection_case_opened },
    { KW_PRODUCER_ASSIGNMENT, KW_EVENT_ASSIGNMENT_CASE_CLOSED,
      &kw__case_closed__descriptor, projection_case_closed },
    { NULL }
};

static int
s_start (kw_service_t *svc)
{
    kw_db_t *db = kw_service_db (svc);
    return record_prepare (db) || intake_prepare (db)
        || listing_prepare (db) || changes_prepare (db) || dsr_import_prepare (db)
        || dsr_entries_prepare (db) || projection_prepare (db) || audit_log_start (svc) ? -1 : 0;
}

int
main (int argc, char **argv)
{
    static kw_config_var_t extra [] = {
        { "KW_AUDIT_DB_USER", "kw_audit_reader",
          "PostgreSQL role that reads audit.events for GET /v1/audit (and nothing else)", NULL },
    };
    kw_service_def_t def = {
        .name = KW_PRODUCER_REFERRAL,
        .summary = "The referral service: intake of referrals and DSR feeds, and their status.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .methods = s_methods,
        .events = s_events,
        .start = s_start,
        .stop = audit_log_stop,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
