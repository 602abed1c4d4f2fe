/*  reevaluate: deciding referrals again. On demand for one referral
    (coordinators), for every undecided or more-information referral of a
    region after a rule change (admins), and for a referred child whose DSR
    rating changed. Each referral is decided in its own transaction; only a
    changed result is recorded and announced (decide.c). A region's
    re-evaluation is done 16 referrals a turn of the loop, so the service
    answers other calls and applies events meanwhile, and is answered when
    done. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw/eligibility.pb-c.h"
#include "kw/rpc.pb-c.h"
#include "kw_audit.h"
#include "kw_log.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "eligibility.h"

//  At most this many referrals are decided again per admin request.
#define REEVALUATE_ALL_MAX 100000

int
reevaluate_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "eligibility_child_referral",
        "SELECT referral_id FROM eligibility.referrals WHERE region = $1 AND nhs_number = $2"
        " AND NOT withdrawn AND EXISTS (SELECT 1 FROM eligibility.decisions d"
        " WHERE d.referral_id = eligibility.referrals.referral_id)"
        " ORDER BY updated_at DESC LIMIT 1");
    kw_db_prepare (db, "eligibility_undecided",
        "SELECT r.referral_id FROM eligibility.referrals r LEFT JOIN LATERAL"
        " (SELECT outcome FROM eligibility.decisions d WHERE d.referral_id = r.referral_id"
        "  ORDER BY sequence DESC LIMIT 1) d ON true"
        " WHERE r.region = $1 AND NOT r.withdrawn"
        " AND (d.outcome IS NULL OR d.outcome = 'more_information_needed')"
        " ORDER BY r.referral_id LIMIT $2::int");
    return 0;
}

//  One referral of a region decided again after a rule change.
typedef struct {
    const region_t *region;
    const char *referral_id;
    kw_arena_t *arena;
} alone_t;

//  Load and decide the referral (a kw_tx_job): 1 changed, 0 unchanged (or
//  no longer there), -1 database error.
static int
s_decide_alone (kw_db_t *db, void *arg)
{
    alone_t *self = arg;
    referral_seen_t referral;
    Kw__EligibilityDecision *decision;
    int changed = 0;
    int found = referrals_load (db, self->referral_id, &referral, self->arena);
    if (found <= 0)
        return found;
    if (decide_record (db, self->region, &referral, CAUSE_RE_EVALUATION, 0, &decision, &changed,
                       self->arena) != 0)
        return -1;
    return changed;
}

int
reevaluate_child (kw_db_t *db, const region_t *region, const char *nhs_number, int *open,
                  kw_arena_t *arena)
{
    *open = 0;
    const char *params [2] = { region->id, nhs_number };
    PGresult *res = kw_db_query (db, "eligibility_child_referral", 2, params);
    if (!res)
        return -1;
    char *referral_id = PQntuples (res) ? kw_arena_strdup (arena, PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    if (!referral_id)
        return 0;
    referral_seen_t referral;
    Kw__EligibilityDecision *decision;
    int changed;
    if (referrals_load (db, referral_id, &referral, arena) != 1
    ||  decide_record (db, region, &referral, CAUSE_DSR_RATING_CHANGED, 0, &decision, &changed, arena) != 0)
        return -1;
    *open = decision->outcome != KW__OUTCOME__OUTCOME_INELIGIBLE;
    return 0;
}

//  One referral decided again on request: the id asked for, the caller's
//  region, and the referral as eligibility has seen it.
typedef struct {
    const char *id;
    const region_t *region;
    referral_seen_t referral;
} reevaluation_t;

//  Coordinators and admins, for a referral of their own region; a refusal
//  is audited.
static int
s_one_authorise (kw_tx_t *tx)
{
    static const char *const roles [] = { "admin", "coordinator", NULL };
    reevaluation_t *self = tx->arg;
    self->region = state_caller_region (tx->svc, tx->req, roles,
                                        "only coordinators may re-evaluate referrals",
                                        tx->resp, tx->arena);
    if (!self->region)
        return 0;
    int found = kw_uuid_valid (self->id)
              ? referrals_load (tx->db, self->id, &self->referral, tx->arena) : 0;
    if (found < 0)
        return -1;
    //  Another region's referral is not there for this caller.
    if (found == 1 && strcmp (self->referral.region, self->region->id) == 0)
        return 1;
    kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "id", "no such referral");
    return kw_audit (tx->db, tx->req->caller, "re_evaluate", "referral", self->id, "refused") == 0
         ? 0 : -1;
}

//  The decision, its event when it changed, the audit record and the answer.
static int
s_one_write (kw_tx_t *tx)
{
    reevaluation_t *self = tx->arg;
    if (self->referral.withdrawn) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, "status",
                            "the referral is withdrawn");
        tx->resp->code = "referral_withdrawn";
        return kw_audit (tx->db, tx->req->caller, "re_evaluate", "referral", self->id, "refused");
    }
    Kw__EligibilityDecision *decision;
    int changed = 0;
    if (decide_record (tx->db, self->region, &self->referral, CAUSE_RE_EVALUATION, 0, &decision,
                       &changed, tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "re_evaluate", "referral", self->id, "ok") != 0)
        return -1;
    Kw__ReEvaluation out = KW__RE_EVALUATION__INIT;
    out.referral_id = (char *) self->id;
    out.has_changed = 1;
    out.changed = changed == 1;
    out.eligibility = decision;
    kw_rpc_reply_ok (tx->resp, tx->arena, &out.base);
    return 0;
}

void
reevaluate_one (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t one = {
        .name = "re_evaluate", .what = "re-evaluation",
        .authorise = s_one_authorise, .write = s_one_write
    };
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    reevaluation_t self = { .id = in->id };
    kw_tx_run (&one, svc, req, resp, arena, &self);
}

//  Referrals decided again in one turn of the loop; the service answers
//  other calls between turns.
#define REEVALUATE_ALL_STEP 16

//  A re-evaluation of a region, in steps between turns of the loop.
typedef struct {
    kw_service_t *svc;
    uv_idle_t idle;
    kw_rpc_pending_t *pending;
    kw_arena_t *arena;                  //  ids, the answer
    char region [128];
    char **ids;
    size_t count, next;
    Kw__ReEvaluateAllResult out;
    int failed;
} sweep_t;

static void
s_sweep_free (uv_handle_t *handle)
{
    sweep_t *self = handle->data;
    kw_arena_destroy (&self->arena);
    free (self);
}

//  The answer, once every referral is decided or the database failed.
static void
s_sweep_finish (sweep_t *self)
{
    char evaluated [16], changed [16];
    snprintf (evaluated, sizeof evaluated, "%u", self->out.evaluated);
    snprintf (changed, sizeof changed, "%u", self->out.changed);
    kw_info ("re_evaluated_all", "region", self->region, "evaluated", evaluated, "changed", changed);
    Kw__Response resp = KW__RESPONSE__INIT;
    if (self->failed)
        kw_rpc_reply_error (&resp, self->arena, KW__STATUS__STATUS_UNAVAILABLE, NULL,
                            "database unavailable after %u referrals; run it again", self->out.evaluated);
    else
        kw_rpc_reply_ok (&resp, self->arena, &self->out.base);
    kw_service_answer (self->svc, &self->pending, &resp);
    uv_idle_stop (&self->idle);
    uv_close ((uv_handle_t *) &self->idle, s_sweep_free);
}

//  One step: the next REEVALUATE_ALL_STEP referrals, each in its own
//  transaction, with the region's rules as loaded now.
static void
s_sweep_step (uv_idle_t *idle)
{
    sweep_t *self = idle->data;
    const region_t *region = region_set_find (state_regions (self->svc), self->region);
    self->failed = !region;
    kw_arena_t *scratch = kw_arena_new (0);
    for (int n = 0; region && n < REEVALUATE_ALL_STEP && self->next < self->count && !self->failed; n++) {
        alone_t job = { region, self->ids [self->next++], scratch };
        int changed = kw_tx_job (self->svc, s_decide_alone, &job);
        kw_arena_reset (scratch);
        self->failed = changed == -1;
        self->out.evaluated += changed >= 0;
        self->out.changed += changed == 1;
    }
    kw_arena_destroy (&scratch);
    if (self->failed || self->next == self->count)
        s_sweep_finish (self);
}

void
reevaluate_all (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const char *const roles [] = { "admin", NULL };
    const region_t *region = state_caller_region (svc, req, roles,
                                                  "only admins may re-evaluate all referrals",
                                                  resp, arena);
    if (!region)
        return;
    kw_db_t *db = kw_service_db (svc);
    char limit [16];
    snprintf (limit, sizeof limit, "%d", REEVALUATE_ALL_MAX);
    const char *params [2] = { region->id, limit };
    PGresult *res = kw_db_query (db, "eligibility_undecided", 2, params);
    if (!res) {
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
        return;
    }
    //  Audited when it starts: a sweep that cannot be audited does not run.
    if (kw_audit_read (db, req->caller, "re_evaluate_all", "region", region->id, "ok", resp, arena) != 0) {
        PQclear (res);
        return;
    }
    sweep_t *self = calloc (1, sizeof *self);
    assert (self);
    self->svc = svc;
    self->arena = kw_arena_new (0);
    snprintf (self->region, sizeof self->region, "%s", region->id);
    self->count = (size_t) PQntuples (res);
    self->ids = kw_arena_alloc (self->arena, (self->count + 1) * sizeof *self->ids);
    for (size_t i = 0; i < self->count; i++)
        self->ids [i] = kw_arena_strdup (self->arena, PQgetvalue (res, (int) i, 0));
    PQclear (res);
    kw__re_evaluate_all_result__init (&self->out);
    self->out.has_evaluated = self->out.has_changed = 1;
    self->pending = kw_service_defer_answer (svc, resp, arena);
    if (!self->pending) {
        kw_arena_destroy (&self->arena);
        free (self);
        return;
    }
    char count [16];
    snprintf (count, sizeof count, "%zu", self->count);
    kw_info ("re_evaluate_all_started", "region", self->region, "referrals", count);
    uv_idle_init (kw_service_loop (svc), &self->idle);
    self->idle.data = self;
    uv_idle_start (&self->idle, s_sweep_step);
}
