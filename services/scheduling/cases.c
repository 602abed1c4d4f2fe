/*  cases: the scheduling service's projections of other services' events
    (it never reads their tables): the cases (case_opened, case_closed),
    the people around each case by role (key_worker_changed, cover_started
    and cover_ended, team_changed; the family from the first two),
    professionals' contact details and working hours (professional_changed),
    absences (absence_recorded, absence_cancelled), the family's meeting
    wishes (referral.received, information_added) and the child's DSR
    rating (referral.dsr_entry_created, dsr_entry_changed). A change of key
    worker or cover also changes the participants of the case's future
    meetings (a new SEQUENCE, meeting_updated): a new key worker replaces
    the old one, a cover joins the meetings of the cover's time where the
    key worker is and leaves them when the cover ends; an absence that hits a
    scheduled meeting of a required participant flags it; a closed case's
    future meetings are cancelled. An event's people of a case are written
    by one statement, which also says whether the case has future meetings
    to look at. Each event's checks and parameters come from case_rows.c
    (case_opened, case_closed: kw_case_event.c): an event that could never
    be applied is skipped. A statement whose result is not read goes with
    the consumer batch's next statement or its COMMIT (kw_db_defer): its
    failure fails that one, nothing of the batch commits, and the batch is
    applied again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "kw_case_event.h"
#include "kw_log.h"
#include "kw/assignment.pb-c.h"
#include "kw/dsr.pb-c.h"
#include "kw/referral.pb-c.h"
#include "case_rows.h"
#include "scheduling.h"

int
cases_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "cases_opened",
        "INSERT INTO scheduling.cases (case_id, referral_id, region, opened_at)"
        " VALUES ($1, $2, $3, coalesce ($4::timestamptz, now ())) ON CONFLICT (case_id) DO NOTHING");
    kw_db_prepare (db, "cases_closed",
        "UPDATE scheduling.cases SET status = 'closed', closed_at = coalesce ($2::timestamptz, now ())"
        " WHERE case_id = $1::uuid AND status = 'active'");
    kw_db_prepare (db, "cases_future_meetings",
        "SELECT id FROM scheduling.meetings WHERE case_id = $1::uuid AND status = 'scheduled'"
        " AND starts_at > now () ORDER BY starts_at, id FOR UPDATE");
    kw_db_prepare (db, "cases_cancel_meeting",
        "UPDATE scheduling.meetings SET status = 'cancelled', cancel_reason = $2, sequence = sequence + 1,"
        " updated_at = now () WHERE id = $1::uuid");
    //  The people of case $1 in the roles $2 become those of $3 (a JSON
    //  array, case_rows_people_add), in one statement: the others of those
    //  roles are removed, the rest written (for a case the service knows);
    //  and whether the case has future meetings their change may touch.
    kw_db_prepare (db, "cases_people_set",
        "WITH people AS (SELECT * FROM json_to_recordset ($3::json)"
        "  AS x (r text, p text, k uuid, n text, e text, t text)),"
        " gone AS (DELETE FROM scheduling.case_people c WHERE c.case_id = $1::uuid AND c.role = ANY ($2::text[])"
        "  AND NOT EXISTS (SELECT 1 FROM people WHERE r = c.role AND p = c.person_id)),"
        " kept AS (INSERT INTO scheduling.case_people (case_id, role, person_id, professional_id, name, email,"
        "  phone) SELECT $1::uuid, r, p, k, n, e, t FROM people"
        "  WHERE EXISTS (SELECT 1 FROM scheduling.cases WHERE case_id = $1::uuid)"
        "  ON CONFLICT (case_id, role, person_id) DO UPDATE SET professional_id = excluded.professional_id,"
        "  name = excluded.name, email = excluded.email, phone = excluded.phone"
        "  WHERE (case_people.professional_id, case_people.name, case_people.email, case_people.phone)"
        "  IS DISTINCT FROM (excluded.professional_id, excluded.name, excluded.email, excluded.phone))"
        " SELECT EXISTS (SELECT 1 FROM scheduling.meetings WHERE case_id = $1::uuid AND status = 'scheduled'"
        "  AND starts_at > now ())");
    //  Future meetings of the case with a participant in role $2: the one
    //  there is replaced by $3 (or removed when $3 is NULL).
    kw_db_prepare (db, "cases_meetings_with_role",
        "SELECT DISTINCT m.id FROM scheduling.meetings m JOIN scheduling.participants p ON p.meeting_id = m.id"
        " WHERE m.case_id = $1::uuid AND m.status = 'scheduled' AND m.starts_at > now () AND p.role = $2"
        " AND p.person_id IS DISTINCT FROM $3 ORDER BY m.id");
    kw_db_prepare (db, "cases_participant_take",
        "DELETE FROM scheduling.participants WHERE meeting_id = $1::uuid AND role = $2"
        " RETURNING required, position");
    kw_db_prepare (db, "cases_participant_put",
        "INSERT INTO scheduling.participants (meeting_id, person_id, role, required, name, email, phone, position)"
        " VALUES ($1::uuid, $2, $3, $4::boolean, $5, $6, $7, $8::int)"
        " ON CONFLICT (meeting_id, person_id) DO UPDATE SET required = participants.required OR excluded.required");
    //  Future meetings of the case in [$2, $3) with its key worker and no
    //  cover yet: the cover joins them, required as the key worker is.
    kw_db_prepare (db, "cases_meetings_to_cover",
        "SELECT m.id, p.required FROM scheduling.meetings m JOIN scheduling.participants p"
        " ON p.meeting_id = m.id AND p.role = 'key_worker'"
        " WHERE m.case_id = $1::uuid AND m.status = 'scheduled' AND m.starts_at > now ()"
        " AND m.starts_at < $3::timestamptz AND m.ends_at > $2::timestamptz AND NOT EXISTS ("
        "  SELECT 1 FROM scheduling.participants c WHERE c.meeting_id = m.id AND c.role = 'cover')"
        " ORDER BY m.id");
    kw_db_prepare (db, "cases_meeting_changed",
        "UPDATE scheduling.meetings SET sequence = sequence + 1, updated_at = now () WHERE id = $1::uuid");
    kw_db_prepare (db, "cases_professional",
        "INSERT INTO scheduling.professionals (id, region, name, email, phone, hours, active)"
        " VALUES ($1::uuid, $2, $3, $4, $5, $6::int[], $7::boolean) ON CONFLICT (id) DO UPDATE SET"
        " region = excluded.region, name = excluded.name, email = excluded.email, phone = excluded.phone,"
        " hours = excluded.hours, active = excluded.active");
    kw_db_prepare (db, "cases_absence",
        "INSERT INTO scheduling.absences (id, professional_id, starts_at, ends_at, cancelled)"
        " VALUES ($1::uuid, $2::uuid, $3::timestamptz, $4::timestamptz, $5::boolean) ON CONFLICT (id) DO UPDATE"
        " SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, cancelled = excluded.cancelled");
    //  Scheduled meetings absence $1 hits where its professional is required.
    kw_db_prepare (db, "cases_absence_hits",
        "UPDATE scheduling.meetings m SET flagged = true, flag_reason = 'a required participant is absent',"
        " updated_at = now () FROM scheduling.absences a, scheduling.participants p"
        " WHERE a.id = $1::uuid AND NOT a.cancelled AND p.meeting_id = m.id AND p.required"
        " AND p.person_id = a.professional_id::text AND m.status = 'scheduled' AND NOT m.flagged"
        " AND m.starts_at < a.ends_at AND m.ends_at > a.starts_at RETURNING m.id");
    kw_db_prepare (db, "cases_referral",
        "INSERT INTO scheduling.referrals (referral_id, region, location, days, earliest, latest, revision)"
        " VALUES ($1::uuid, $2, $3, $4::text[], $5, $6, $7::int) ON CONFLICT (referral_id) DO UPDATE SET"
        " location = excluded.location, days = excluded.days, earliest = excluded.earliest,"
        " latest = excluded.latest, revision = excluded.revision"
        " WHERE referrals.revision <= excluded.revision");
    kw_db_prepare (db, "cases_dsr",
        "INSERT INTO scheduling.dsr (case_id, rag, rated_on, admitted_on)"
        " SELECT $1::uuid, $2, $3::date, CASE WHEN $2 = 'blue' THEN $3::date END"
        " WHERE EXISTS (SELECT 1 FROM scheduling.cases WHERE case_id = $1::uuid)"
        " ON CONFLICT (case_id) DO UPDATE SET rag = excluded.rag, rated_on = excluded.rated_on,"
        " admitted_on = CASE WHEN excluded.rag = 'blue' AND dsr.rag <> 'blue' THEN excluded.rated_on"
        "  WHEN excluded.rag = 'blue' THEN dsr.admitted_on END");
    return 0;
}

static kw_apply_result_t
s_result (int rc)
{
    return rc == 0 ? KW_APPLY_OK : KW_APPLY_RETRY;
}

//  Send a statement whose result is not read with the batch's next
//  statement or its COMMIT (kw_db_defer): its failure fails that one. 0 or -1.
static int
s_later (kw_db_t *db, const char *stmt, int nparams, const char *const *params)
{
    return kw_db_defer (db, stmt, nparams, params, NULL, NULL, -1);
}

kw_apply_result_t
cases_opened (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
              kw_arena_t *arena)
{
    const char *params [4];
    if (kw_case_opened_params (payload, params) != 0)
        return KW_APPLY_SKIP;
    return s_result (s_later (db, "cases_opened", 4, params));
}

kw_apply_result_t
cases_closed (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
              kw_arena_t *arena)
{
    const char *params [2];
    if (kw_case_closed_params (payload, params) != 0)
        return KW_APPLY_SKIP;
    if (s_later (db, "cases_closed", 2, params) != 0)
        return KW_APPLY_RETRY;
    PGresult *res = kw_db_query (db, "cases_future_meetings", 1, params);
    if (!res)
        return KW_APPLY_RETRY;
    int failed = 0;
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        const char *cancel [2] = { PQgetvalue (res, i, 0), "the case is closed" };
        failed = kw_db_exec (db, "cases_cancel_meeting", 2, cancel) != 0
              || records_emit (svc, db, cancel [0], KW_EVENT_SCHEDULING_MEETING_CANCELLED, "cancelled", NULL,
                               arena) != 0;
    }
    PQclear (res);
    return s_result (failed ? -1 : 0);
}

//  The person's id among a case's people: a professional's id, else the
//  team member's id, else "family" or the role.
static const char *
s_person_id (const char *professional_id, const char *member_id, const char *fallback)
{
    return professional_id && *professional_id ? professional_id : member_id && *member_id ? member_id
                                                                                           : fallback;
}

static void
s_add (json_t *people, const char *case_id, const char *role, const char *person_id,
       const char *professional_id, const char *name, const char *email, const char *phone)
{
    const char *params [7];
    case_rows_person (case_id, role, person_id, professional_id, name, email, phone, params);
    case_rows_people_add (people, params);
}

//  The case's people in role become who (NULL: none).
static void
s_person (json_t *people, const char *case_id, const char *role, const Kw__KeyWorker *who)
{
    if (who)
        s_add (people, case_id, role, s_person_id (who->id, NULL, role), who->id, who->name, who->email,
               who->phone);
}

//  The family's contact: every member, the first with an e-mail first; no
//  members leave the family as it is (0), else 1.
static int
s_family (json_t *people, const char *case_id, Kw__KeyWorker **family, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char id [32];
        snprintf (id, sizeof id, "family:%zu", i + 1);
        s_add (people, case_id, "family", id, NULL, family [i]->name, family [i]->email, family [i]->phone);
    }
    return n > 0;
}

//  Write the people of case_id in roles (a text[] literal) as people
//  says, and take people. *meetings: the case has future meetings; NULL
//  when not asked (the statement then goes later, s_later). 0 or -1.
static int
s_people_set (kw_db_t *db, const char *case_id, const char *roles, json_t *people, int *meetings)
{
    char *json = json_dumps (people, JSON_COMPACT);
    json_decref (people);
    if (!json)
        return -1;
    const char *params [3] = { case_id, roles, json };
    if (!meetings) {
        int rc = s_later (db, "cases_people_set", 3, params);
        free (json);
        return rc;
    }
    PGresult *res = kw_db_query (db, "cases_people_set", 3, params);
    free (json);
    if (!res)
        return -1;
    *meetings = PQntuples (res) == 1 && PQgetvalue (res, 0, 0) [0] == 't';
    PQclear (res);
    return 0;
}

//  In each future meeting of the case with a participant in role, put who
//  there instead (or nobody), raising its SEQUENCE; meeting_updated.
static int
s_replace_in_meetings (kw_service_t *svc, kw_db_t *db, const char *case_id, const char *role,
                       const Kw__KeyWorker *who, kw_arena_t *arena)
{
    const char *person = who ? s_person_id (who->id, NULL, role) : NULL;
    const char *params [3] = { case_id, role, person };
    PGresult *res = kw_db_query (db, "cases_meetings_with_role", 3, params);
    if (!res)
        return -1;
    int failed = 0;
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        const char *meeting = PQgetvalue (res, i, 0);
        const char *take [2] = { meeting, role };
        PGresult *taken = kw_db_query (db, "cases_participant_take", 2, take);
        if (!taken)
            return PQclear (res), -1;
        char *required = PQntuples (taken) ? rows_text (taken, 0, 0, arena) : "t";
        char *position = PQntuples (taken) ? rows_text (taken, 0, 1, arena) : "0";
        PQclear (taken);
        const char *put [8] = { meeting, person, role, required, who ? who->name : NULL,
                                who ? who->email : NULL, who ? who->phone : NULL, position };
        failed = (who && kw_db_exec (db, "cases_participant_put", 8, put) != 0)
              || kw_db_exec (db, "cases_meeting_changed", 1, take) != 0
              || records_emit (svc, db, meeting, KW_EVENT_SCHEDULING_MEETING_UPDATED, "participants", NULL,
                               arena) != 0;
    }
    PQclear (res);
    return failed ? -1 : 0;
}

kw_apply_result_t
cases_key_worker (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                  kw_arena_t *arena)
{
    const Kw__KeyWorkerChanged *msg = payload;
    if (case_rows_case (msg->case_id) != 0 || !msg->key_worker)
        return KW_APPLY_SKIP;
    json_t *people = json_array ();
    s_person (people, msg->case_id, "key_worker", msg->key_worker);
    s_person (people, msg->case_id, "deputy", msg->deputy);
    const char *roles = s_family (people, msg->case_id, msg->family, msg->n_family)
                      ? "{key_worker,deputy,family}" : "{key_worker,deputy}";
    int meetings;
    int rc = s_people_set (db, msg->case_id, roles, people, &meetings)
          || (meetings && s_replace_in_meetings (svc, db, msg->case_id, "key_worker", msg->key_worker, arena));
    return s_result (rc);
}

//  The cover joins the case's future meetings within the cover's time
//  that have the key worker and no cover yet (a new SEQUENCE,
//  meeting_updated).
static int
s_cover_joins (kw_service_t *svc, kw_db_t *db, const Kw__CoverChanged *msg, kw_arena_t *arena)
{
    const Kw__KeyWorker *cover = msg->cover;
    const char *window [2];
    if (!cover || !cover->id || case_rows_cover_window (msg, window) != 0)
        return 0;
    const char *params [3] = { msg->case_id, window [0], window [1] };
    PGresult *res = kw_db_query (db, "cases_meetings_to_cover", 3, params);
    if (!res)
        return -1;
    int failed = 0;
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        const char *meeting = PQgetvalue (res, i, 0);
        const char *put [8] = { meeting, cover->id, "cover", PQgetvalue (res, i, 1), cover->name, cover->email,
                                cover->phone, "1" };
        const char *changed [1] = { meeting };
        failed = kw_db_exec (db, "cases_participant_put", 8, put) != 0
              || kw_db_exec (db, "cases_meeting_changed", 1, changed) != 0
              || records_emit (svc, db, meeting, KW_EVENT_SCHEDULING_MEETING_UPDATED, "participants", NULL,
                               arena) != 0;
    }
    PQclear (res);
    return failed ? -1 : 0;
}

kw_apply_result_t
cases_cover (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
             kw_arena_t *arena)
{
    const Kw__CoverChanged *msg = payload;
    if (case_rows_case (msg->case_id) != 0)
        return KW_APPLY_SKIP;
    const Kw__KeyWorker *cover = msg->ended_at ? NULL : msg->cover;
    json_t *people = json_array ();
    s_person (people, msg->case_id, "cover", cover);
    const char *roles = s_family (people, msg->case_id, msg->family, msg->n_family) ? "{cover,family}" : "{cover}";
    int meetings;
    int rc = s_people_set (db, msg->case_id, roles, people, &meetings)
          || (meetings && s_replace_in_meetings (svc, db, msg->case_id, "cover", cover, arena))
          || (meetings && cover && s_cover_joins (svc, db, msg, arena));
    return s_result (rc);
}

kw_apply_result_t
cases_team (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
            kw_arena_t *arena)
{
    const Kw__TeamChanged *msg = payload;
    if (case_rows_case (msg->case_id) != 0)
        return KW_APPLY_SKIP;
    json_t *people = json_array ();
    for (size_t i = 0; i < msg->n_members; i++) {
        const Kw__TeamMember *m = msg->members [i];
        s_add (people, msg->case_id, "team", s_person_id (m->professional_id, m->id, "team"), m->professional_id,
               m->name, m->email, m->phone);
    }
    return s_result (s_people_set (db, msg->case_id, "{team}", people, NULL));
}

kw_apply_result_t
cases_professional (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                    kw_arena_t *arena)
{
    char hours [256];
    const char *params [7];
    if (case_rows_professional (payload, hours, sizeof hours, params) != 0)
        return KW_APPLY_SKIP;
    return s_result (s_later (db, "cases_professional", 7, params));
}

kw_apply_result_t
cases_absence (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
               kw_arena_t *arena)
{
    const Kw__AbsenceChanged *msg = payload;
    const char *params [5];
    if (case_rows_absence (msg, params) != 0)
        return KW_APPLY_SKIP;
    if (s_later (db, "cases_absence", 5, params) != 0)
        return KW_APPLY_RETRY;
    PGresult *res = kw_db_query (db, "cases_absence_hits", 1, params);
    if (!res)
        return KW_APPLY_RETRY;
    int failed = 0;
    for (int i = 0; i < PQntuples (res) && !failed; i++) {
        kw_info ("meeting_flagged", "meeting_id", PQgetvalue (res, i, 0), "absence_id", params [0]);
        failed = records_emit (svc, db, PQgetvalue (res, i, 0), KW_EVENT_SCHEDULING_MEETING_UPDATED, "flagged",
                               NULL, arena) != 0;
    }
    PQclear (res);
    return s_result (failed ? -1 : 0);
}

kw_apply_result_t
cases_referral (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
                kw_arena_t *arena)
{
    char days [64], revision [16];
    const char *params [7];
    int rc = case_rows_referral (payload, days, revision, params);
    if (rc != 0)
        return rc > 0 ? KW_APPLY_OK : KW_APPLY_SKIP;
    return s_result (s_later (db, "cases_referral", 7, params));
}

kw_apply_result_t
cases_dsr (kw_service_t *svc, kw_db_t *db, const Kw__Envelope *event, const void *payload,
           kw_arena_t *arena)
{
    const Kw__DsrEntryEvent *msg = payload;
    if (!msg->case_id || !msg->rag || !msg->rag_effective_date)
        return KW_APPLY_OK;
    const char *params [3];
    if (case_rows_dsr (msg, params) != 0)
        return KW_APPLY_SKIP;
    return s_result (s_later (db, "cases_dsr", 3, params));
}
