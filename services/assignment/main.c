/*  assignment: the assignment service. Opens a case for each eligible
    referral, offers the key worker role, closes the case of a child who
    reaches the region's upper age, and answers case reads. */
#include <stdio.h>
#include <string.h>
#include "kw_service.h"
#include "assignment.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static const kw_service_method_t s_methods [] = {
    { "case.get", cases_get },
    { NULL, NULL }
};

static kw_apply_result_t
s_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg)
{
    if (strcmp (event->producer, "eligibility") == 0 && strcmp (event->type, "case_age_out") == 0)
        return closure_age_out (db, event, arena);
    return matching_apply (db, event, arena, arg);
}

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
    static const char *const consumes [] = { "eligibility", NULL };
    static kw_config_var_t extra [] = {
        { "KW_OFFER_TTL_HOURS", "72", "hours a professional has to accept or decline an offer", NULL },
    };
    kw_service_def_t def = {
        .name = "assignment",
        .summary = "The assignment service: cases, key worker matching and offers.",
        .migrations = kw_service_migrations,
        .migration_count = kw_service_migration_count,
        .consumes = consumes,
        .apply = s_apply,
        .methods = s_methods,
        .start = s_start,
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
