/*  matching: an eligible referral opens a case (once per referral), with
    what matching needs about the child, the family and the team named in
    the referral, and the first offer of the key worker role. Offers come
    in rounds: the first when the case opens, a new one for a change
    request or a replacement after a long absence. Within a round the next
    offer goes to the family member the family suggested (first round only,
    when they asked for one) or to the best-ranked professional who has not
    refused in the round; after the region's number of refusals, or when
    nobody can be offered the case, it waits for the coordinator, who is
    told (case_awaiting_key_worker). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_log.h"
#include "kw_uuid.h"
#include "assignment.h"

int
matching_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "matching_case_of_referral",
        "SELECT id FROM assignment.cases WHERE referral_id = $1::uuid");
    kw_db_prepare (db, "matching_facts",
        "SELECT needs, district, language, suggested_email, suggested_family FROM assignment.cases"
        " WHERE id = $1::uuid");
    kw_db_prepare (db, "matching_round",
        "SELECT professional_id, family_member_id, status FROM assignment.offers"
        " WHERE case_id = $1::uuid AND round = $2::int");
    kw_db_prepare (db, "matching_family_emails",
        "SELECT id, email FROM assignment.case_family WHERE case_id = $1::uuid ORDER BY id");
    kw_db_prepare (db, "matching_wait",
        "UPDATE assignment.cases SET status = CASE WHEN key_worker_kind IS NULL"
        " THEN 'awaiting_key_worker' ELSE status END, awaiting_reason = $2, updated_at = now ()"
        " WHERE id = $1::uuid RETURNING " TS ("updated_at"));
    kw_db_prepare (db, "matching_new_round",
        "UPDATE assignment.cases SET round = round + 1, round_purpose = $2, awaiting_reason = NULL,"
        " updated_at = now () WHERE id = $1::uuid RETURNING round");
    kw_db_prepare (db, "matching_own_deputy",
        "SELECT d.id FROM assignment.professionals p JOIN assignment.professionals d ON d.id = p.deputy_id"
        " WHERE p.id = $1::uuid AND d.active");
    return 0;
}

//  What the case records about the child (matching_facts), in arena.
typedef struct {
    char **needs;
    size_t need_count;
    char *district;
    char *language;
    char *suggested_email;
    int suggested_family;
} facts_t;

static int
s_facts (kw_db_t *db, const char *case_id, kw_arena_t *arena, facts_t *facts)
{
    const char *params [1] = { case_id };
    PGresult *res = kw_db_query (db, "matching_facts", 1, params);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return -1;
    }
    facts->needs = rows_array (PQgetvalue (res, 0, 0), arena, &facts->need_count);
    facts->district = rows_text (res, 0, 1, arena);
    facts->language = rows_text (res, 0, 2, arena);
    facts->suggested_email = rows_text (res, 0, 3, arena);
    facts->suggested_family = PQgetvalue (res, 0, 4) [0] == 't';
    PQclear (res);
    return 0;
}

//  The case waits for the coordinator: why (no_candidate, refusal_limit).
static int
s_wait (kw_db_t *db, journal_actor_t actor, const case_row_t *row, const char *why, unsigned refusals,
        kw_arena_t *arena)
{
    const char *params [2] = { row->id, why };
    PGresult *res = kw_db_query (db, "matching_wait", 2, params);
    if (!res)
        return -1;
    Kw__CaseAwaitingKeyWorker event = KW__CASE_AWAITING_KEY_WORKER__INIT;
    event.at = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
    PQclear (res);
    int failed = 0;
    event.case_id = row->id;
    event.referral_id = row->referral_id;
    event.region = row->region;
    event.reason = (char *) why;
    event.has_refusals = 1;
    event.refusals = refusals;
    event.has_round = 1;
    event.round = (uint32_t) row->round;
    event.purpose = row->round_purpose;
    event.key_worker = people_key_worker (db, row->key_worker_kind, row->key_worker_id,
                                          row->key_worker_family_id, arena, &failed);
    if (failed)
        return -1;
    kw_info ("case_awaiting_key_worker", "case_id", row->id, "reason", why);
    if (strcmp (why, "refusal_limit") == 0)
        return journal_event (db, actor, row->region, row->id, NULL,
                              KW_EVENT_ASSIGNMENT_CASE_AWAITING_KEY_WORKER, &event.base, NULL, NULL,
                              "%u offers declined or lapsed in round %d: the coordinator is asked to"
                              " find a key worker", refusals, row->round);
    return journal_event (db, actor, row->region, row->id, NULL, KW_EVENT_ASSIGNMENT_CASE_AWAITING_KEY_WORKER,
                          &event.base, NULL, NULL,
                          "nobody registered can be offered the case in round %d: the coordinator is"
                          " asked to find a key worker", row->round);
}

//  The round so far: refusals, the professionals who refused, whether the
//  family member refused, whether an offer is pending.
typedef struct {
    unsigned refusals;
    char **refused;
    size_t refused_count;
    int family_refused;
    int pending;
} round_t;

static int
s_round (kw_db_t *db, const case_row_t *row, kw_arena_t *arena, round_t *round)
{
    char number [16];
    snprintf (number, sizeof number, "%d", row->round);
    const char *params [2] = { row->id, number };
    PGresult *res = kw_db_query (db, "matching_round", 2, params);
    if (!res)
        return -1;
    memset (round, 0, sizeof *round);
    int rows = PQntuples (res);
    round->refused = kw_arena_calloc (arena, sizeof (char *) * (size_t) (rows ? rows : 1));
    for (int i = 0; i < rows; i++) {
        const char *status = PQgetvalue (res, i, 2);
        if (strcmp (status, "pending") == 0)
            round->pending = 1;
        if (strcmp (status, "declined") != 0 && strcmp (status, "expired") != 0)
            continue;
        round->refusals++;
        if (!PQgetisnull (res, i, 0))
            round->refused [round->refused_count++] = kw_arena_strdup (arena, PQgetvalue (res, i, 0));
        else
            round->family_refused = 1;
    }
    PQclear (res);
    return 0;
}

//  The family member the family asked for as key worker: their id in
//  *family_id (arena), or NULL.
static int
s_family_member (kw_db_t *db, const case_row_t *row, const facts_t *facts, kw_arena_t *arena,
                 char **family_id)
{
    *family_id = NULL;
    const char *params [1] = { row->id };
    PGresult *res = kw_db_query (db, "matching_family_emails", 1, params);
    if (!res)
        return -1;
    size_t count = (size_t) PQntuples (res);
    const char **emails = kw_arena_calloc (arena, sizeof *emails * (count ? count : 1));
    for (size_t i = 0; i < count; i++)
        emails [i] = PQgetisnull (res, (int) i, 1) ? NULL : PQgetvalue (res, (int) i, 1);
    int at = rank_family_member (facts->suggested_email, facts->suggested_family, emails, count);
    if (at >= 0)
        *family_id = kw_arena_strdup (arena, PQgetvalue (res, at, 0));
    PQclear (res);
    return 0;
}

//  A note for the first offer when the family's suggestion could not be
//  followed, in arena, or NULL.
static char *
s_suggestion_note (const facts_t *facts, const candidates_t *ranked, kw_arena_t *arena)
{
    if (!facts->suggested_email || !*facts->suggested_email)
        return NULL;
    for (size_t i = 0; i < ranked->count; i++)
        if (ranked->items [i].suggested) {
            if (ranked->items [i].offerable)
                return NULL;
            rank_reasons_t why;
            rank_explain (&ranked->child, &ranked->weights, &ranked->items [i], &why);
            return kw_arena_printf (arena, "the professional the family suggested %s", why.lines [0]);
        }
    return facts->suggested_family
         ? kw_arena_strdup (arena, "the family member the family suggested cannot be offered the role again")
         : kw_arena_strdup (arena, "the professional the family suggested is not registered in the region");
}

//  What the candidates are drawn and ranked for: the child, less the
//  professionals refused in the round and the key worker being replaced.
static candidates_child_t
s_child (const case_row_t *row, const facts_t *facts, const round_t *round, int first_round)
{
    return (candidates_child_t) {
        .region = row->region, .case_id = row->id, .needs = facts->needs, .need_count = facts->need_count,
        .district = facts->district, .language = facts->language,
        .suggested_email = facts->suggested_family ? NULL : facts->suggested_email,
        .excluded = round->refused, .excluded_count = round->refused_count,
        .keeping_id = first_round ? NULL : row->key_worker_id
    };
}

//  The next offer of the round, knowing the child and the round so far;
//  drawn: the candidates already ranked, or NULL.
static int
s_next (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, const case_row_t *row, facts_t facts,
        round_t round, const candidates_t *drawn, kw_arena_t *arena)
{
    const settings_region_t *settings = state_settings (svc, row->region);
    if (round.pending)
        return 0;
    if (round.refusals >= settings->refusals_before_waiting)
        return s_wait (db, actor, row, "refusal_limit", round.refusals, arena);
    int first_round = strcmp (row->round_purpose, PURPOSE_INITIAL) == 0;
    if (first_round && facts.suggested_family && !round.family_refused) {
        char *family_id;
        if (s_family_member (db, row, &facts, arena, &family_id) != 0)
            return -1;
        if (family_id) {
            char *reason = kw_arena_printf (arena, "suggested by the family: a parent or carer as key"
                                            " worker, with a professional as deputy (+%d)",
                                            settings->weights.suggested);
            return offers_make (svc, db, actor, row, NULL, NULL, family_id, settings->weights.suggested,
                                &reason, 1, row->round_purpose, NULL, arena);
        }
    }
    candidates_child_t child = s_child (row, &facts, &round, first_round);
    candidates_t ranked;
    if (drawn)
        ranked = *drawn;
    else
    if (candidates_rank (db, &child, &settings->weights, arena, &ranked) != 0)
        return -1;
    if (ranked.offerable == 0)
        return s_wait (db, actor, row, "no_candidate", round.refusals, arena);
    rank_candidate_t *best = &ranked.items [0];
    rank_reasons_t why;
    rank_explain (&ranked.child, &ranked.weights, best, &why);
    char **reasons = kw_arena_calloc (arena, sizeof *reasons * (why.count + 1));
    size_t count = 0;
    for (size_t i = 0; i < why.count; i++)
        reasons [count++] = kw_arena_strdup (arena, why.lines [i]);
    char *note = first_round && round.refusals == 0 ? s_suggestion_note (&facts, &ranked, arena) : NULL;
    if (note)
        reasons [count++] = note;
    return offers_make (svc, db, actor, row, best->id, best, NULL, best->score, reasons, count,
                        row->round_purpose, NULL, arena);
}

int
matching_next (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, const case_row_t *row,
               kw_arena_t *arena)
{
    facts_t facts;
    round_t round;
    if (s_facts (db, row->id, arena, &facts) != 0 || s_round (db, row, arena, &round) != 0)
        return -1;
    return s_next (svc, db, actor, row, facts, round, NULL, arena);
}

int
matching_new_round (kw_service_t *svc, kw_db_t *db, journal_actor_t actor, case_row_t *row,
                    const char *purpose, kw_arena_t *arena)
{
    if (offers_withdraw_pending (db, actor, row, "a new round of offers started", arena) != 0)
        return -1;
    const char *params [2] = { row->id, purpose };
    PGresult *res = kw_db_query (db, "matching_new_round", 2, params);
    if (!res)
        return -1;
    row->round = atoi (PQgetvalue (res, 0, 0));
    PQclear (res);
    row->round_purpose = (char *) purpose;
    row->awaiting_reason = NULL;
    return matching_next (svc, db, actor, row, arena);
}

int
matching_deputy (kw_service_t *svc, kw_db_t *db, const case_row_t *row, const char *key_worker_id,
                 kw_arena_t *arena, char **deputy_id)
{
    *deputy_id = NULL;
    if (key_worker_id) {
        const char *params [1] = { key_worker_id };
        PGresult *res = kw_db_query (db, "matching_own_deputy", 1, params);
        if (!res)
            return -1;
        if (PQntuples (res))
            *deputy_id = kw_arena_strdup (arena, PQgetvalue (res, 0, 0));
        PQclear (res);
        if (*deputy_id)
            return 0;
    }
    facts_t facts;
    if (s_facts (db, row->id, arena, &facts) != 0)
        return -1;
    candidates_child_t child = {
        .region = row->region, .case_id = row->id, .needs = facts.needs, .need_count = facts.need_count,
        .district = facts.district, .language = facts.language, .keeping_id = key_worker_id
    };
    candidates_t ranked;
    if (candidates_rank (db, &child, &state_settings (svc, row->region)->weights, arena, &ranked) != 0)
        return -1;
    if (ranked.offerable)
        *deputy_id = kw_arena_strdup (arena, ranked.items [0].id);
    return 0;
}

// ---- eligibility.decided

//  Open the case of an eligible referral. 1 opened, 0 it has one, -1 error.
static int
s_open (kw_service_t *svc, kw_db_t *db, const Kw__EligibilityDecided *msg, kw_arena_t *arena)
{
    char case_id [KW_UUID_SIZE];
    kw_uuid_generate (case_id);
    event_rows_opening_t opening;
    event_rows_opening (msg, case_id, arena, &opening);
    const team_case_t *c = &opening.columns;
    facts_t facts = {
        .needs = opening.needs, .need_count = opening.need_count, .district = (char *) c->district,
        .language = (char *) c->language, .suggested_email = (char *) c->suggested_email,
        .suggested_family = c->suggested_family
    };
    case_row_t row = {
        .id = case_id, .referral_id = msg->referral_id, .region = msg->region,
        .status = "offered", .round = 1, .round_purpose = PURPOSE_INITIAL, .opening = 1
    };
    //  A new case: its first round has no offer yet.
    round_t round = { .refused = NULL };
    candidates_child_t child = s_child (&row, &facts, &round, 1);
    Kw__CaseOpened opened = KW__CASE_OPENED__INIT;
    Kw__TeamMember **team;
    size_t team_count;
    candidates_t drawn;
    int rc = team_open_case (db, c, msg->referral, &child, &state_settings (svc, msg->region)->weights, arena,
                             &opened.opened_at, &team, &team_count, &drawn);
    if (rc <= 0)
        return rc;
    row.opened_at = opened.opened_at;
    opened.case_id = case_id;
    opened.referral_id = msg->referral_id;
    opened.region = msg->region;
    if (journal_event (db, NULL, msg->region, case_id, NULL, KW_EVENT_ASSIGNMENT_CASE_OPENED,
                       &opened.base, NULL, NULL, "case opened: the referral was found eligible") != 0
    ||  team_opened (db, msg->region, case_id, msg->referral_id, team, team_count, 1, arena) != 0)
        return -1;
    if (s_next (svc, db, NULL, &row, facts, round, &drawn, arena) != 0)
        return -1;
    kw_info ("case_opened", "case_id", case_id, "referral_id", msg->referral_id);
    return 1;
}

kw_apply_result_t
matching_decided (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                  kw_arena_t *arena)
{
    const Kw__EligibilityDecided *msg = payload;
    if (event_rows_decided (msg) != 0)
        return KW_APPLY_SKIP;
    //  Most decisions found eligible open a case; one that finds the case
    //  already open is a later decision, as is any other outcome.
    if (msg->decision->outcome == KW__OUTCOME__OUTCOME_ELIGIBLE) {
        int opened = s_open (svc, db, msg, arena);
        if (opened != 0)
            return opened < 0 ? KW_APPLY_RETRY : KW_APPLY_OK;
    }
    const char *params [1] = { msg->referral_id };
    PGresult *res = kw_db_query (db, "matching_case_of_referral", 1, params);
    if (!res)
        return KW_APPLY_RETRY;
    char *case_id = PQntuples (res) ? kw_arena_strdup (arena, PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    if (case_id) {
        //  A later decision on a referral with a case: reviewed, never reopened.
        case_row_t row;
        if (access_row (db, case_id, 1, &row, arena) != 1)
            return KW_APPLY_RETRY;
        return closure_review (db, &row, msg, arena) == 0 ? KW_APPLY_OK : KW_APPLY_RETRY;
    }
    return KW_APPLY_OK;
}
