/*  records: a meeting read whole (its row and participants, times in the
    region's zone with their offset), and the meeting events: the whole
    meeting with every participant's contact details and the invitation
    to attach, written to the outbox in the caller's transaction. The
    topic and envelope carry ids and times only. */
#include <stdlib.h>
#include <string.h>
#include "kw_outbox.h"
#include "scheduling.h"
#include "zone.h"

#define MEETING_COLUMNS \
    "id, case_id, type, status, " EPOCH ("starts_at") ", " EPOCH ("ends_at") ", location, sequence," \
    " array_to_string (covers, ','), flagged, flag_reason, " EPOCH ("suggested_start") ", " \
    EPOCH ("suggested_end") ", cancel_reason, " TS ("created_at") ", " TS ("updated_at") ", region, " \
    TS ("held_at")

int
records_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "records_meeting",
        "SELECT " MEETING_COLUMNS " FROM scheduling.meetings WHERE id = $1::uuid");
    kw_db_prepare (db, "records_participants",
        "SELECT person_id, role, required, response, name, email, phone, " TS ("responded_at")
        " FROM scheduling.participants WHERE meeting_id = $1::uuid ORDER BY position, person_id");
    kw_db_prepare (db, "records_key_worker",
        "SELECT person_id, role, name, email, phone FROM scheduling.case_people WHERE case_id = $1::uuid"
        " AND role = 'key_worker' LIMIT 1");
    return 0;
}

char *
rows_text (PGresult *res, int row, int col, kw_arena_t *arena)
{
    return PQgetisnull (res, row, col) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, row, col));
}

static char *
s_time (const settings_region_t *region, PGresult *res, int col, kw_arena_t *arena)
{
    if (PQgetisnull (res, 0, col))
        return NULL;
    char *text = kw_arena_alloc (arena, ZONE_TIME_SIZE);
    zone_format (region ? region->zone : NULL, atoll (PQgetvalue (res, 0, col)), text);
    return text;
}

//  Split "a,b" into a list (arena).
static char **
s_split (const char *text, size_t *count, kw_arena_t *arena)
{
    *count = 0;
    size_t len = text ? strlen (text) : 0;
    char **items = kw_arena_calloc (arena, sizeof *items * (len / 2 + 2));
    char *copy = len ? kw_arena_strdup (arena, text) : NULL;
    for (char *save = NULL, *item = copy ? strtok_r (copy, ",", &save) : NULL; item; item = strtok_r (NULL, ",", &save))
        items [(*count)++] = item;
    return items;
}

static int
s_participants (kw_db_t *db, Kw__Meeting *m, kw_arena_t *arena)
{
    const char *params [1] = { m->id };
    PGresult *res = kw_db_query (db, "records_participants", 1, params);
    if (!res)
        return -1;
    m->n_participants = (size_t) PQntuples (res);
    m->participants = kw_arena_calloc (arena, sizeof *m->participants * (m->n_participants + 1));
    for (int i = 0; i < PQntuples (res); i++) {
        Kw__Participant *p = kw_arena_calloc (arena, sizeof *p);
        kw__participant__init (p);
        p->id = rows_text (res, i, 0, arena);
        p->role = rows_text (res, i, 1, arena);
        p->has_required = 1;
        p->required = PQgetvalue (res, i, 2) [0] == 't';
        p->response = rows_text (res, i, 3, arena);
        p->name = rows_text (res, i, 4, arena);
        p->email = rows_text (res, i, 5, arena);
        p->phone = rows_text (res, i, 6, arena);
        p->responded_at = rows_text (res, i, 7, arena);
        m->participants [i] = p;
    }
    PQclear (res);
    return 0;
}

Kw__Meeting *
records_meeting (kw_service_t *svc, kw_db_t *db, const char *id, kw_arena_t *arena, int *failed)
{
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, "records_meeting", 1, params);
    if (!res) {
        *failed = 1;
        return NULL;
    }
    if (PQntuples (res) != 1) {
        PQclear (res);
        return NULL;
    }
    const settings_region_t *region = scheduling_region (svc, PQgetvalue (res, 0, 16));
    Kw__Meeting *m = kw_arena_calloc (arena, sizeof *m);
    kw__meeting__init (m);
    m->id = rows_text (res, 0, 0, arena);
    m->case_id = rows_text (res, 0, 1, arena);
    m->type = rows_text (res, 0, 2, arena);
    m->status = rows_text (res, 0, 3, arena);
    m->start = s_time (region, res, 4, arena);
    m->end = s_time (region, res, 5, arena);
    m->has_duration_minutes = 1;
    m->duration_minutes = (uint32_t) ((atoll (PQgetvalue (res, 0, 5)) - atoll (PQgetvalue (res, 0, 4))) / 60);
    m->location = rows_text (res, 0, 6, arena);
    m->has_sequence = 1;
    m->sequence = (uint32_t) atoi (PQgetvalue (res, 0, 7));
    m->covers = s_split (PQgetvalue (res, 0, 8), &m->n_covers, arena);
    m->has_flagged = 1;
    m->flagged = PQgetvalue (res, 0, 9) [0] == 't';
    m->flag_reason = rows_text (res, 0, 10, arena);
    if (!PQgetisnull (res, 0, 11)) {
        m->reschedule_suggested = kw_arena_calloc (arena, sizeof *m->reschedule_suggested);
        kw__slot_alternative__init (m->reschedule_suggested);
        m->reschedule_suggested->start = s_time (region, res, 11, arena);
        m->reschedule_suggested->end = s_time (region, res, 12, arena);
    }
    m->cancel_reason = rows_text (res, 0, 13, arena);
    m->created_at = rows_text (res, 0, 14, arena);
    m->updated_at = rows_text (res, 0, 15, arena);
    m->region = rows_text (res, 0, 16, arena);
    m->held_at = rows_text (res, 0, 17, arena);
    m->time_zone = region ? kw_arena_strdup (arena, region->time_zone) : NULL;
    size_t uid_size = strlen (m->id) + strlen (m->region) + 24;
    m->uid = kw_arena_alloc (arena, uid_size);
    snprintf (m->uid, uid_size, "%s@%s.keyworker", m->id, m->region);
    PQclear (res);
    if (s_participants (db, m, arena) != 0) {
        *failed = 1;
        return NULL;
    }
    return m;
}

Kw__Participant *
records_key_worker (kw_db_t *db, const char *case_id, kw_arena_t *arena, int *failed)
{
    const char *params [1] = { case_id };
    PGresult *res = kw_db_query (db, "records_key_worker", 1, params);
    if (!res) {
        *failed = 1;
        return NULL;
    }
    Kw__Participant *p = PQntuples (res) ? records_participant (res, 0, arena) : NULL;
    PQclear (res);
    return p;
}

Kw__Participant *
records_participant (PGresult *res, int row, kw_arena_t *arena)
{
    Kw__Participant *p = kw_arena_calloc (arena, sizeof *p);
    kw__participant__init (p);
    p->id = rows_text (res, row, 0, arena);
    p->role = rows_text (res, row, 1, arena);
    p->name = rows_text (res, row, 2, arena);
    p->email = rows_text (res, row, 3, arena);
    p->phone = rows_text (res, row, 4, arena);
    return p;
}

int
records_emit (kw_service_t *svc, kw_db_t *db, const char *id, const char *type, const char *change,
              const char *actor, kw_arena_t *arena)
{
    int failed = 0;
    Kw__Meeting *m = records_meeting (svc, db, id, arena, &failed);
    if (!m)
        return -1;
    const settings_region_t *region = scheduling_region (svc, m->region);
    Kw__MeetingChanged event = KW__MEETING_CHANGED__INIT;
    event.meeting = m;
    event.ics = region ? ics_render (m, region, arena) : NULL;
    event.change = (char *) change;
    event.at = m->updated_at;
    event.actor = (char *) actor;
    return kw_outbox_insert (db, KW_PRODUCER_SCHEDULING, type, m->region, m->case_id, &event.base, NULL);
}
