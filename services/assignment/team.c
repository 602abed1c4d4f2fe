/*  team: the team around the child. The professionals named in the
    referral join the case's team when it opens (and when information adds
    more), matched to registered professionals of the region by e-mail; the
    family named in the referral is kept with the case. A coordinator adds
    and removes members. Every change of the team is the event
    team_changed with every member's contact details and whether they are
    registered. The team reads like the case (access.c). */
#include <stdio.h>
#include <string.h>
#include "kw_audit.h"
#include "kw_check.h"
#include "kw_log.h"
#include "kw_time.h"
#include "kw_tx.h"
#include "kw_uuid.h"
#include "assignment.h"

#define MAX_TEXT 200
//  The columns before a candidate in team_open_case's rows: the opening
//  time and people_team_rows's nine; NULLs for the columns of the other kind of row.
#define TEAM_OPEN_CANDIDATES 10
#define NULLS_9 ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
#define NULLS_14 NULLS_9 ", NULL, NULL, NULL, NULL, NULL"

//  The professionals named in a referral ($3 to $7: names, agencies,
//  disciplines, e-mails, phones) for case $2 of region $1: matched to the
//  registered professionals of the region by e-mail (whose details win),
//  each once, none already in the team (as team_insert), and only when
//  gate holds.
#define REFERRAL_TEAM(gate) \
    "given AS (" \
    "  SELECT g.n, p.id AS professional_id, CASE WHEN p.id IS NULL THEN coalesce (g.name, '-') ELSE p.name END AS name," \
    "   CASE WHEN p.id IS NULL THEN g.agency ELSE p.agency END AS agency," \
    "   CASE WHEN p.id IS NULL THEN g.discipline ELSE p.discipline END AS discipline," \
    "   CASE WHEN p.id IS NULL THEN g.email ELSE p.email END AS email," \
    "   CASE WHEN p.id IS NULL THEN g.phone ELSE p.phone END AS phone" \
    "  FROM unnest ($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])" \
    "   WITH ORDINALITY AS g (name, agency, discipline, email, phone, n)" \
    /*  Each e-mail looked up by index (a join could read the region). */ \
    "  LEFT JOIN LATERAL (SELECT * FROM assignment.professionals r WHERE r.region = $1" \
    "   AND lower (r.email) = lower (g.email) LIMIT 1) p ON true)," \
    " fresh AS (" \
    "  SELECT DISTINCT ON (coalesce (professional_id::text, lower (email), name || '|' || coalesce (agency, ''))) *" \
    "  FROM given g WHERE NOT EXISTS (SELECT 1 FROM assignment.team_members t WHERE t.case_id = $2::uuid" \
    "   AND t.removed_at IS NULL AND (t.professional_id = g.professional_id OR lower (t.email) = lower (g.email)" \
    "   OR (g.email IS NULL AND t.email IS NULL AND t.name = g.name AND t.agency IS NOT DISTINCT FROM g.agency)))" \
    gate \
    "  ORDER BY coalesce (professional_id::text, lower (email), name || '|' || coalesce (agency, '')), n)"
//  Their insert, answering people_team_rows's columns; conflict: what a
//  member a concurrent transaction added meanwhile does. A case being
//  opened has none: no other transaction sees it, and the e-mails of
//  the members drawn are each once (one registered professional an
//  e-mail), so its insert checks no conflict first.
#define REFERRAL_TEAM_INSERT(conflict) \
    "INSERT INTO assignment.team_members (id, case_id, professional_id, name, agency, discipline, email," \
    " phone, source)" \
    " SELECT gen_random_uuid (), $2::uuid, professional_id, name, agency, discipline, email, phone, 'referral'" \
    " FROM fresh ORDER BY n" conflict \
    " RETURNING id, professional_id, name, agency, discipline, email, phone, source, " TS ("added_at")

int
team_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "team_registered",
        "SELECT id, name, agency, discipline, email, phone FROM assignment.professionals"
        " WHERE region = $1 AND lower (email) = lower ($2)");
    kw_db_prepare (db, "team_registered_by_id",
        "SELECT id, name, agency, discipline, email, phone FROM assignment.professionals"
        " WHERE region = $1 AND id = $2::uuid");
    //  A member already there (same professional, same e-mail, or same name
    //  and agency without an e-mail) is not added again.
    kw_db_prepare (db, "team_insert",
        "INSERT INTO assignment.team_members (id, case_id, professional_id, name, agency, discipline,"
        " email, phone, source)"
        " SELECT $1, $2, $3::uuid, $4, $5, $6, $7, $8, $9 WHERE NOT EXISTS ("
        "  SELECT 1 FROM assignment.team_members t WHERE t.case_id = $2::uuid AND t.removed_at IS NULL"
        "  AND (t.professional_id = $3::uuid OR lower (t.email) = lower ($7)"
        "       OR ($7 IS NULL AND t.email IS NULL AND t.name = $4 AND t.agency IS NOT DISTINCT FROM $5)))"
        " ON CONFLICT DO NOTHING");
    //  The family named in a referral, each member once (by e-mail, or by
    //  name without one), in one statement.
    kw_db_prepare (db, "team_family_insert",
        "INSERT INTO assignment.case_family (id, case_id, name, relationship, email, phone, language,"
        " preferred_contact, has_parental_responsibility, address)"
        " SELECT gen_random_uuid (), $1::uuid, name, relationship, email, phone, language, preferred_contact,"
        " responsibility, address FROM (SELECT DISTINCT ON (coalesce (lower (g.email), 'name ' || g.name)) g.*"
        "  FROM unnest ($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[],"
        "   $9::text[]) WITH ORDINALITY"
        "   AS g (name, relationship, email, phone, language, preferred_contact, responsibility, address, n)"
        "  WHERE NOT EXISTS (SELECT 1 FROM assignment.case_family f WHERE f.case_id = $1::uuid"
        "   AND (lower (f.email) = lower (g.email) OR (g.email IS NULL AND f.email IS NULL AND f.name = g.name)))"
        "  ORDER BY coalesce (lower (g.email), 'name ' || g.name), g.n) AS fresh ORDER BY n");
    kw_db_prepare (db, "team_insert_referral", "WITH " REFERRAL_TEAM ("") ", t AS ("
        REFERRAL_TEAM_INSERT (" ON CONFLICT DO NOTHING") ")"
        " SELECT * FROM t");
    //  A case opened with the team named in its referral in one statement:
    //  the case (once per referral), then the team, only when the case was
    //  inserted, and the candidates for its first offer (candidates.c, the
    //  team being the one inserted; $14 the fitting disciplines, $15 the
    //  suggested e-mail to rank by). The case is inserted as offered, as
    //  its first offer (made in the same transaction) leaves it, so that
    //  the offer need not change it; waiting for the coordinator instead
    //  sets it awaiting_key_worker (matching.c). Rows: the case's opening
    //  time with each member (one row of NULL members without a team),
    //  then each candidate after TEAM_OPEN_CANDIDATES columns of NULL.
    kw_db_prepare (db, "team_open_case",
        "WITH c AS (INSERT INTO assignment.cases (id, referral_id, region, status, needs, district, language,"
        "  suggested_email, suggested_family) VALUES ($2::uuid, $8::uuid, $1, 'offered', $9::text[],"
        "  $10, $11, $12, $13::boolean) ON CONFLICT (referral_id) DO NOTHING RETURNING opened_at), "
        REFERRAL_TEAM (" AND EXISTS (SELECT 1 FROM c)") ", t AS (" REFERRAL_TEAM_INSERT ("") "),"
        " team AS (SELECT professional_id FROM t WHERE professional_id IS NOT NULL),"
        CANDIDATES_DRAWN ("$1", "$15", "$10", "$11", "$14")
        " SELECT " TS ("c.opened_at") ", t.*" NULLS_14 " FROM c LEFT JOIN t ON true"
        " UNION ALL SELECT NULL" NULLS_9 ", " CANDIDATES_SELECT " FROM drawn d WHERE EXISTS (SELECT 1 FROM c)");
    kw_db_prepare (db, "team_remove",
        "UPDATE assignment.team_members SET removed_at = now () WHERE id = $1::uuid AND case_id = $2::uuid"
        " AND removed_at IS NULL RETURNING professional_id, name, agency, discipline, email, phone, source,"
        " " TS ("added_at"));
    kw_db_prepare (db, "team_open_case_of_referral",
        "SELECT id, region FROM assignment.cases WHERE referral_id = $1::uuid AND status <> 'closed'"
        " FOR UPDATE");
    return 0;
}

//  Insert one member (a registered professional's details win over the
//  referral's); the member added in *added (arena), NULL when already
//  there. 0 or -1.
static int
s_insert (kw_db_t *db, const char *region, const char *case_id, const char *professional_id,
          const Kw__Professional *given, const char *source, kw_arena_t *arena, Kw__TeamMember **added)
{
    *added = NULL;
    PGresult *res;
    if (professional_id) {
        const char *params [2] = { region, professional_id };
        res = kw_db_query (db, "team_registered_by_id", 2, params);
    }
    else {
        const char *params [2] = { region, given->email ? given->email : "" };
        res = kw_db_query (db, "team_registered", 2, params);
    }
    if (!res)
        return -1;
    Kw__TeamMember *m = kw_arena_calloc (arena, sizeof *m);
    kw__team_member__init (m);
    char id [KW_UUID_SIZE];
    kw_uuid_generate (id);
    m->id = kw_arena_strdup (arena, id);
    m->has_registered = 1;
    m->registered = PQntuples (res) == 1;
    if (m->registered) {
        m->professional_id = rows_text (res, 0, 0, arena);
        m->name = rows_text (res, 0, 1, arena);
        m->agency = rows_text (res, 0, 2, arena);
        m->discipline = rows_text (res, 0, 3, arena);
        m->email = rows_text (res, 0, 4, arena);
        m->phone = rows_text (res, 0, 5, arena);
    }
    else {
        m->name = given->name;
        m->agency = given->agency;
        m->discipline = given->discipline;
        m->email = given->email;
        m->phone = given->phone;
    }
    PQclear (res);
    m->source = (char *) source;
    const char *params [9] = { m->id, case_id, m->professional_id, m->name ? m->name : "-", m->agency,
                               m->discipline, m->email, m->phone, source };
    int inserted = kw_db_exec_count (db, "team_insert", 9, params, NULL, NULL);
    if (inserted < 0)
        return -1;
    if (inserted == 1)
        *added = m;
    return 0;
}

static int
s_family (kw_db_t *db, const char *case_id, const Kw__ReferralBody *referral, kw_arena_t *arena)
{
    const char *params [9] = { case_id };
    if (!event_rows_family (referral, params + 1, arena))
        return 0;
    //  Nothing of its result is read: it goes with the transaction's next
    //  statement or its COMMIT, whose failure its own failure becomes.
    return kw_db_defer (db, "team_family_insert", 9, params, NULL, NULL, -1);
}

//  team_changed (below) with the team given: the members of a case that
//  has no key worker yet (members NULL: read them and the case).
static int
s_changed (kw_db_t *db, journal_actor_t actor, const char *region, const char *case_id,
           const char *referral_id, Kw__TeamMember *added, Kw__TeamMember *removed,
           Kw__TeamMember **members, size_t member_count, kw_arena_t *arena)
{
    Kw__TeamChanged event = KW__TEAM_CHANGED__INIT;
    event.case_id = (char *) case_id;
    event.referral_id = (char *) referral_id;
    event.region = (char *) region;
    event.added = added;
    event.removed = removed;
    char at [32];
    kw_time_format (kw_time_now_us (), at);
    event.at = at;
    if (members) {
        event.members = members;
        event.n_members = member_count;
    }
    else {
        case_row_t row;
        int failed = 0;
        if (people_team (db, case_id, arena, &event.members, &event.n_members) != 0
        ||  access_row (db, case_id, 0, &row, arena) != 1)
            return -1;
        event.key_worker = people_key_worker (db, row.key_worker_kind, row.key_worker_id,
                                              row.key_worker_family_id, arena, &failed);
        if (failed)
            return -1;
    }
    const Kw__TeamMember *who = added ? added : removed;
    return journal_event (db, actor, region, case_id, NULL, KW_EVENT_ASSIGNMENT_TEAM_CHANGED, &event.base,
                          who ? who->professional_id : NULL, NULL, "%s%s%s: %zu in the team",
                          who ? (added ? "added " : "removed ") : "the team named in the referral",
                          who && who->name ? who->name : "", who && !who->registered ? " (not registered)" : "",
                          event.n_members);
}

int
team_changed (kw_db_t *db, journal_actor_t actor, const char *region, const char *case_id,
              const char *referral_id, Kw__TeamMember *added, Kw__TeamMember *removed, kw_arena_t *arena)
{
    return s_changed (db, actor, region, case_id, referral_id, added, removed, NULL, 0, arena);
}

int
team_from_referral (kw_db_t *db, const char *region, const char *case_id, const char *referral_id,
                    const Kw__ReferralBody *referral, int opening, kw_arena_t *arena)
{
    if (s_family (db, case_id, referral, arena) != 0)
        return -1;
    if (!referral->n_professionals)
        return 0;
    const char *params [7] = { region, case_id };
    event_rows_team (referral, params + 2, arena);
    PGresult *res = kw_db_query (db, "team_insert_referral", 7, params);
    if (!res)
        return -1;
    Kw__TeamMember **added;
    size_t added_count;
    people_team_rows (res, 0, arena, &added, &added_count);
    PQclear (res);
    return team_opened (db, region, case_id, referral_id, added, added_count, opening, arena);
}

int
team_open_case (kw_db_t *db, const team_case_t *c, const Kw__ReferralBody *referral,
                const candidates_child_t *child, const rank_weights_t *weights, kw_arena_t *arena,
                char **opened_at, Kw__TeamMember ***added, size_t *added_count, candidates_t *ranked)
{
    const char *params [15] = {
        c->region, c->id, NULL, NULL, NULL, NULL, NULL, c->referral_id, c->needs, c->district, c->language,
        c->suggested_email, c->suggested_family ? "true" : "false",
        candidates_fitting (child->needs, child->need_count, arena), child->suggested_email
    };
    event_rows_team (referral, params + 2, arena);
    PGresult *res = kw_db_query (db, "team_open_case", 15, params);
    if (!res)
        return -1;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return 0;
    }
    *opened_at = rows_text (res, 0, 0, arena);
    people_team_rows (res, 1, arena, added, added_count);
    candidates_read (res, TEAM_OPEN_CANDIDATES, child, weights, arena, ranked);
    PQclear (res);
    return referral && s_family (db, c->id, referral, arena) != 0 ? -1 : 1;
}

int
team_opened (kw_db_t *db, const char *region, const char *case_id, const char *referral_id,
             Kw__TeamMember **added, size_t added_count, int opening, kw_arena_t *arena)
{
    if (!added_count)
        return 0;
    //  A case being opened has no other member and no key worker yet.
    return s_changed (db, NULL, region, case_id, referral_id, added_count == 1 ? added [0] : NULL, NULL,
                      opening ? added : NULL, added_count, arena);
}

kw_apply_result_t
team_information_added (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                        kw_arena_t *arena)
{
    const Kw__ReferralReceived *msg = payload;
    const char *params [1] = { event_rows_information (msg) };
    if (!params [0])
        return KW_APPLY_SKIP;
    PGresult *res = kw_db_query (db, "team_open_case_of_referral", 1, params);
    if (!res)
        return KW_APPLY_RETRY;
    char *case_id = PQntuples (res) ? rows_text (res, 0, 0, arena) : NULL;
    char *region = PQntuples (res) ? rows_text (res, 0, 1, arena) : NULL;
    PQclear (res);
    //  No case yet: the decision on this revision will carry the whole team.
    if (!case_id)
        return KW_APPLY_OK;
    return team_from_referral (db, region, case_id, msg->referral_id, msg->referral, 0, arena) == 0
         ? KW_APPLY_OK : KW_APPLY_RETRY;
}

// ---- RPCs

static int
s_answer (kw_db_t *db, const char *case_id, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__Team team = KW__TEAM__INIT;
    team.case_id = (char *) case_id;
    if (people_team (db, case_id, arena, &team.members, &team.n_members) != 0)
        return -1;
    kw_rpc_reply_ok (resp, arena, &team.base);
    return 0;
}

void
team_get (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    Kw__IdRequest *in = (Kw__IdRequest *) kw_rpc_unpack (req, resp, arena, &kw__id_request__descriptor);
    if (!in)
        return;
    kw_db_t *db = kw_service_db (svc);
    case_row_t row;
    int rc = access_read (db, req, in->id, "read_team", &row, NULL, resp, arena);
    if (rc > 0 && (kw_audit (db, req->caller, "read_team", "case", row.id, "ok") != 0
                   || s_answer (db, row.id, resp, arena) != 0))
        rc = -1;
    if (rc < 0)
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_UNAVAILABLE, NULL, "database unavailable");
}

typedef struct {
    const Kw__TeamAdd *add;
    const Kw__TeamRemove *remove;
    case_row_t row;
} team_change_t;

static int
s_authorise (kw_tx_t *tx)
{
    team_change_t *self = tx->arg;
    const char *id = self->add ? self->add->id : self->remove->id;
    int found = access_load (tx->db, tx->req, id, "change_team", 1, &self->row, tx->resp, tx->arena);
    if (found <= 0)
        return found;
    return access_coordinator (tx->db, tx->req, "case", self->row.id, "change_team", tx->resp, tx->arena);
}

static int
s_add_write (kw_tx_t *tx)
{
    team_change_t *self = tx->arg;
    const Kw__TeamAdd *in = self->add;
    Kw__Professional given = KW__PROFESSIONAL__INIT;
    given.name = in->name;
    given.agency = in->agency;
    given.discipline = in->discipline;
    given.email = in->email;
    given.phone = in->phone;
    Kw__TeamMember *added;
    if (in->professional_id) {
        const char *params [2] = { self->row.region, in->professional_id };
        PGresult *res = kw_db_query (tx->db, "team_registered_by_id", 2, params);
        if (!res)
            return -1;
        int known = PQntuples (res) == 1;
        PQclear (res);
        if (!known) {
            kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_INVALID, "professional_id",
                                "no such professional in the region");
            return 0;
        }
    }
    if (s_insert (tx->db, self->row.region, self->row.id, in->professional_id, &given, "coordinator",
                  tx->arena, &added) != 0)
        return -1;
    if (!added) {
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_CONFLICT, in->professional_id
                            ? "professional_id" : "email", "they are in the team already");
        tx->resp->code = "already_in_team";
        return 0;
    }
    if (team_changed (tx->db, tx->req->caller, self->row.region, self->row.id, self->row.referral_id,
                      added, NULL, tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "change_team", "case", self->row.id, "ok") != 0)
        return -1;
    return s_answer (tx->db, self->row.id, tx->resp, tx->arena);
}

static int
s_remove_write (kw_tx_t *tx)
{
    team_change_t *self = tx->arg;
    const char *params [2] = { self->remove->member_id, self->row.id };
    PGresult *res = kw_uuid_valid (self->remove->member_id)
                  ? kw_db_query (tx->db, "team_remove", 2, params) : NULL;
    if (kw_uuid_valid (self->remove->member_id) && !res)
        return -1;
    if (!res || PQntuples (res) == 0) {
        PQclear (res);
        kw_rpc_reply_error (tx->resp, tx->arena, KW__STATUS__STATUS_NOT_FOUND, "member_id",
                            "no such member in the case's team");
        return 0;
    }
    Kw__TeamMember *m = kw_arena_calloc (tx->arena, sizeof *m);
    kw__team_member__init (m);
    m->id = self->remove->member_id;
    m->professional_id = rows_text (res, 0, 0, tx->arena);
    m->name = rows_text (res, 0, 1, tx->arena);
    m->agency = rows_text (res, 0, 2, tx->arena);
    m->discipline = rows_text (res, 0, 3, tx->arena);
    m->email = rows_text (res, 0, 4, tx->arena);
    m->phone = rows_text (res, 0, 5, tx->arena);
    m->source = rows_text (res, 0, 6, tx->arena);
    m->added_at = rows_text (res, 0, 7, tx->arena);
    m->has_registered = 1;
    m->registered = m->professional_id != NULL;
    PQclear (res);
    if (team_changed (tx->db, tx->req->caller, self->row.region, self->row.id, self->row.referral_id,
                      NULL, m, tx->arena) != 0
    ||  kw_audit (tx->db, tx->req->caller, "change_team", "case", self->row.id, "ok") != 0)
        return -1;
    return s_answer (tx->db, self->row.id, tx->resp, tx->arena);
}

//  The fields of a member added by name. 0, or -1 with resp answered.
static int
s_check_member (const Kw__TeamAdd *in, Kw__Response *resp, kw_arena_t *arena)
{
    if (in->professional_id) {
        if (kw_uuid_valid (in->professional_id) && !in->name && !in->email)
            return 0;
        kw_rpc_reply_error (resp, arena, KW__STATUS__STATUS_INVALID, "professional_id", in->name || in->email
                            ? "give a registered professional's id, or a name and contact details, not both"
                            : "professional_id must be the id of a registered professional");
        return -1;
    }
    kw_field_errors_t errs;
    kw_field_errors_init (&errs);
    kw_check_required_text (in->name, MAX_TEXT, "name", &errs);
    kw_check_text (in->agency, MAX_TEXT, "agency", &errs);
    kw_check_one_of (in->discipline, kw_check_disciplines, "discipline", &errs);
    kw_check_email (in->email, "email", &errs);
    kw_check_phone (in->phone, "phone", &errs);
    if (errs.count == 0)
        return 0;
    kw_rpc_reply_invalid (resp, arena, &errs);
    return -1;
}

void
team_add (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "team_add", .what = "team member", .authorise = s_authorise, .write = s_add_write,
        .unique_field = "email", .unique_message = "they are in the team already"
    };
    team_change_t self = { .add = (Kw__TeamAdd *) kw_rpc_unpack (req, resp, arena, &kw__team_add__descriptor) };
    if (!self.add || s_check_member (self.add, resp, arena) != 0)
        return;
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("team_member_added", "case_id", self.row.id);
}

void
team_remove (kw_service_t *svc, const Kw__Request *req, Kw__Response *resp, kw_arena_t *arena)
{
    static const kw_tx_def_t def = {
        .name = "team_remove", .what = "team change", .authorise = s_authorise, .write = s_remove_write
    };
    team_change_t self = { .remove = (Kw__TeamRemove *) kw_rpc_unpack (req, resp, arena,
                                                                       &kw__team_remove__descriptor) };
    if (!self.remove)
        return;
    if (kw_tx_run (&def, svc, req, resp, arena, &self))
        kw_info ("team_member_removed", "case_id", self.row.id);
}
