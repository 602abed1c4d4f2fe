/*  assignment: the assignment service. Opens a case for each eligible
    referral, offers the key worker role, closes the case of a child who
    reaches the region's upper age, and answers case reads. */
#include <stdio.h>
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "kw_service.h"
#include "assignment.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_method_t s_methods [] = {
    { "case.get", cases_get },
    { NULL, NULL }
};

static const kw_service_event_t s_events [] = {
    { KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_DECIDED,
      &kw__eligibility_decided__descriptor, matching_decided },
    { KW_PRODUCER_ELIGIBILITY, KW_EVENT_ELIGIBILITY_CASE_AGE_OUT,
      &kw__case_age_out__descriptor, closure_age_out },
    { NULL }
};

static int
s_start (kw_service_t *svc)
{
    long ttl = 0;
    char err [256];
    if (kw_config_int ("KW_OFFER_TTL_HOURS", kw_service_config (svc, "KW_OFFER_TTL_HOURS"),
                       1, 24 * 90, &ttl, err, sizeof err) != 0) {
        fprintf (stderr, "assignment: %s\n", err);
        return -1;
    }
    kw_db_t *db = kw_service_db (svc);
    return matching_prepare (db, ttl) || closure_prepare (db) || cases_prepare (db) ? -1 : 0;
}

int
main (int argc, char **argv)
{
    static kw_config_var_t extra [] = {
        { "KW_OFFER_TTL_HOURS", "72", "hours a professional has to accept or decline an offer", NULL },
    };
    kw_service_def_t def = {
        .name = KW_PRODUCER_ASSIGNMENT,
        .summary = "The assignment service: cases, key worker matching and offers.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .methods = s_methods,
        .events = s_events,
        .start = s_start,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
