/*  people: the people of a case as parts of events and answers, read from
    the registry and the case: a professional or a family member in a role
    (KeyWorker), the case's family, and its team (TeamMember). Events carry
    them so that the services that tell people need not read these tables. */
#include <string.h>
#include "assignment.h"

int
people_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "people_professional",
        "SELECT id, name, email, phone, agency, discipline FROM assignment.professionals WHERE id = $1::uuid");
    kw_db_prepare (db, "people_family_member",
        "SELECT id, name, email, phone, relationship FROM assignment.case_family WHERE id = $1::uuid");
    kw_db_prepare (db, "people_family",
        "SELECT id, name, email, phone, relationship, preferred_contact, address FROM assignment.case_family"
        " WHERE case_id = $1::uuid ORDER BY position");
    kw_db_prepare (db, "people_team",
        "SELECT id, professional_id, name, agency, discipline, email, phone, source, " TS ("added_at")
        " FROM assignment.team_members WHERE case_id = $1::uuid AND removed_at IS NULL"
        " ORDER BY added_at, id");
    return 0;
}

Kw__KeyWorker *
people_from (PGresult *res, int row, int col, int family, kw_arena_t *arena)
{
    if (PQgetisnull (res, row, col))
        return NULL;
    Kw__KeyWorker *p = kw_arena_calloc (arena, sizeof *p);
    kw__key_worker__init (p);
    if (!family)
        p->id = rows_text (res, row, col, arena);
    p->name = rows_text (res, row, col + 1, arena);
    p->email = rows_text (res, row, col + 2, arena);
    p->phone = rows_text (res, row, col + 3, arena);
    p->kind = family ? "family_member" : "professional";
    if (family)
        p->relationship = rows_text (res, row, col + 4, arena);
    else {
        p->agency = rows_text (res, row, col + 4, arena);
        p->discipline = rows_text (res, row, col + 5, arena);
    }
    return p;
}

static Kw__KeyWorker *
s_one (kw_db_t *db, const char *stmt, const char *id, int family, kw_arena_t *arena, int *failed)
{
    if (!id || !*id)
        return NULL;
    const char *params [1] = { id };
    PGresult *res = kw_db_query (db, stmt, 1, params);
    if (!res) {
        *failed = 1;
        return NULL;
    }
    Kw__KeyWorker *p = PQntuples (res) ? people_from (res, 0, 0, family, arena) : NULL;
    PQclear (res);
    return p;
}

Kw__KeyWorker *
people_professional (kw_db_t *db, const char *id, kw_arena_t *arena, int *failed)
{
    return s_one (db, "people_professional", id, 0, arena, failed);
}

Kw__KeyWorker *
people_family_member (kw_db_t *db, const char *family_id, kw_arena_t *arena, int *failed)
{
    return s_one (db, "people_family_member", family_id, 1, arena, failed);
}

Kw__KeyWorker *
people_key_worker (kw_db_t *db, const char *kind, const char *professional_id, const char *family_id,
                   kw_arena_t *arena, int *failed)
{
    if (kind && strcmp (kind, "family_member") == 0)
        return people_family_member (db, family_id, arena, failed);
    return people_professional (db, professional_id, arena, failed);
}

int
people_family (kw_db_t *db, const char *case_id, kw_arena_t *arena, Kw__KeyWorker ***out, size_t *n)
{
    const char *params [1] = { case_id };
    PGresult *res = kw_db_query (db, "people_family", 1, params);
    if (!res)
        return -1;
    *n = (size_t) PQntuples (res);
    *out = kw_arena_calloc (arena, sizeof **out * (*n ? *n : 1));
    for (size_t i = 0; i < *n; i++) {
        (*out) [i] = people_from (res, (int) i, 0, 1, arena);
        (*out) [i]->preferred_contact = rows_text (res, (int) i, 5, arena);
        (*out) [i]->address = rows_text (res, (int) i, 6, arena);
    }
    PQclear (res);
    return 0;
}

int
people_team (kw_db_t *db, const char *case_id, kw_arena_t *arena, Kw__TeamMember ***out, size_t *n)
{
    const char *params [1] = { case_id };
    PGresult *res = kw_db_query (db, "people_team", 1, params);
    if (!res)
        return -1;
    people_team_rows (res, 0, arena, out, n);
    PQclear (res);
    return 0;
}

void
people_team_rows (PGresult *res, int col, kw_arena_t *arena, Kw__TeamMember ***out, size_t *n)
{
    int rows = PQntuples (res);
    *n = 0;
    *out = kw_arena_calloc (arena, sizeof **out * (size_t) (rows ? rows : 1));
    for (int r = 0; r < rows; r++) {
        if (PQgetisnull (res, r, col))
            continue;
        Kw__TeamMember *m = kw_arena_calloc (arena, sizeof *m);
        kw__team_member__init (m);
        m->id = rows_text (res, r, col + 0, arena);
        m->professional_id = rows_text (res, r, col + 1, arena);
        m->name = rows_text (res, r, col + 2, arena);
        m->agency = rows_text (res, r, col + 3, arena);
        m->discipline = rows_text (res, r, col + 4, arena);
        m->email = rows_text (res, r, col + 5, arena);
        m->phone = rows_text (res, r, col + 6, arena);
        m->has_registered = 1;
        m->registered = m->professional_id != NULL;
        m->source = rows_text (res, r, col + 7, arena);
        m->added_at = rows_text (res, r, col + 8, arena);
        (*out) [(*n)++] = m;
    }
}
