/*  eligibility: the eligibility service. Decides each received referral
    against its region's rule set (deploy/regions), records the decision and
    emits eligibility.decided in the same transaction; answers rule set
    reads over RPC. */
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
#include "region.h"
#include "rules.h"

extern const kw_migration_t kw_service_migrations [];
extern const size_t kw_service_migration_count;

static kw_apply_result_t
s_received (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena)
{
    const region_set_t *regions = kw_service_state (svc);
    Kw__ReferralReceived *msg = kw__referral_received__unpack (
        kw_arena_allocator (arena), event->payload.len, event->payload.data);
    if (!msg || !msg->referral_id || !kw_uuid_valid (msg->referral_id) || !msg->region
    ||  !msg->referral)
        return KW_APPLY_SKIP;
    const region_t *region = region_set_find (regions, msg->region);
    if (!region) {
        kw_warn ("unknown_region", "event_id", event->event_id,
                 "referral_id", msg->referral_id, "region", msg->region);
        return KW_APPLY_SKIP;
    }
    int y, m, d;
    if (kw_tz_today (region->time_zone, &y, &m, &d) != 0) {
        kw_error ("date_unavailable", "region", region->region, "time_zone", region->time_zone);
        return KW_APPLY_RETRY;
    }
    Kw__ReferralBody *body = msg->referral;
    Kw__EligibilityDecision *decision = rules_decide (region, body, y, m, d, arena);
    char decided_at [KW_TIME_RFC3339_SIZE];
    kw_time_format (kw_time_now_us (), decided_at);
    decision->decided_at = decided_at;

    size_t size = kw__eligibility_decision__get_packed_size (decision);
    uint8_t *packed = kw_arena_alloc (arena, size ? size : 1);
    kw__eligibility_decision__pack (decision, packed);
    const char *outcome = rules_outcome_name (decision->outcome);
    char version [16];
    snprintf (version, sizeof version, "%u", decision->version);
    const char *values [7] = { msg->referral_id, region->region, outcome, decision->ruleset,
                               version, (const char *) packed, decided_at };
    int lengths [7] = { 0, 0, 0, 0, 0, (int) size, 0 };
    int formats [7] = { 0, 0, 0, 0, 0, 1, 0 };
    PGresult *res = kw_db_queryb (db, "eligibility_insert", 7, values, lengths, formats, 0);
    if (!res)
        return KW_APPLY_RETRY;
    int inserted = strcmp (PQcmdTuples (res), "1") == 0;
    PQclear (res);
    if (!inserted) {
        //  Decided before: the first decision and its event stand.
        kw_info ("already_decided", "referral_id", msg->referral_id);
        return KW_APPLY_OK;
    }

    Kw__EligibilityDecided decided = KW__ELIGIBILITY_DECIDED__INIT;
    decided.referral_id = msg->referral_id;
    decided.region = region->region;
    decided.decision = decision;
    if (body->suggested_key_worker && body->suggested_key_worker->email
    &&  *body->suggested_key_worker->email)
        decided.suggested_key_worker_email = body->suggested_key_worker->email;
    if (body->child) {
        decided.postcode = body->child->postcode;
        decided.language = body->child->language;
    }
    if (kw_outbox_insert (db, "eligibility", "decided", region->region, msg->referral_id,
                          &decided.base, NULL) != 0)
        return KW_APPLY_RETRY;
    kw_info ("decided", "referral_id", msg->referral_id, "region", region->region,
             "outcome", outcome);
    return KW_APPLY_OK;
}

static kw_apply_result_t
s_apply (kw_db_t *db, const Kw__Envelope *event, kw_arena_t *arena, void *arg)
{
    if (strcmp (event->producer, "referral") == 0 && strcmp (event->type, "received") == 0)
        return s_received (arg, db, event, arena);
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

static int
s_start (kw_service_t *svc)
{
    char err [512];
    const char *dir = kw_service_config (svc, "KW_REGION_DIR");
    region_set_t *regions = region_set_load (dir, err, sizeof err);
    if (!regions) {
        fprintf (stderr, "eligibility: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < region_set_count (regions); i++) {
        const region_t *region = region_set_at (regions, i);
        int y, m, d;
        if (kw_tz_today (region->time_zone, &y, &m, &d) != 0) {
            fprintf (stderr, "eligibility: region %s: unknown time zone %s\n",
                     region->region, region->time_zone);
            region_set_destroy (&regions);
            return -1;
        }
        kw_info ("region_loaded", "region", region->region, "rules", region_rules_name (region->rules));
    }
    kw_service_set_state (svc, regions);
    kw_db_prepare (kw_service_db (svc), "eligibility_insert",
        "INSERT INTO eligibility.decisions (referral_id, region, outcome, ruleset, version, decision, decided_at)"
        " VALUES ($1::uuid, $2, $3, $4, $5::int, $6, $7::timestamptz)"
        " ON CONFLICT (referral_id) DO NOTHING");
    return 0;
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
        .extra_vars = extra,
        .extra_count = sizeof extra / sizeof extra [0],
    };
    return kw_service_main (&def, argc, argv);
}
