/*  candidates: the registered professionals a case may be offered to,
    drawn by indexes rather than by reading the whole region: the family's
    suggestion, the child's team, and, among the active, present
    professionals with room, those of each discipline that fits a need,
    those working in the child's postcode district, those speaking the
    family's language (assignment.professional_terms) and those with the
    most room (each source at most DISCIPLINE_LIMIT or SOURCE_LIMIT, those
    with the most room first). Room is max_caseload less the counts kept in each row (cases
    held, covered, offered), so no case or offer is counted here. The union
    is ranked by rank.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "assignment.h"

#define SOURCE_LIMIT "10"
#define DISCIPLINE_LIMIT "6"
#define ROOM "(max_caseload - caseload - cover_load - pending_offers)"
#define PRESENT "active AND NOT absent"
//  What ranking reads of a professional, and what an offer to them tells
//  (candidates_rank's columns 0 to 12).
#define COLUMNS "p.id, p.email, p.discipline, p.languages, p.localities, p.max_caseload, p.caseload," \
                " p.cover_load, p.pending_offers, p.active, p.absent, p.name, p.phone"

//  Statements are planned once a connection (generic plans): matching's
//  query would otherwise be planned again for every case.
static void
s_plan_once (kw_db_t *db, void *arg)
{
    kw_db_exec (db, "SET plan_cache_mode = force_generic_plan", 0, NULL);
}

int
candidates_prepare (kw_db_t *db)
{
    kw_db_on_connect (db, s_plan_once, NULL);
    if (kw_db_up (db))
        s_plan_once (db, NULL);
    //  Each source is one ordered index scan that reads the rows it draws
    //  (the district's and the language's by primary key); a professional
    //  drawn twice is ranked once (candidates_rank keeps one row an id,
    //  which costs less than a sort and a unique step in every execution).
    kw_db_prepare (db, "candidates",
        //  The child's team read once, by the case's index.
        "WITH team AS MATERIALIZED (SELECT professional_id FROM assignment.team_members"
        "  WHERE case_id = $3::uuid AND removed_at IS NULL AND professional_id IS NOT NULL),"
        " drawn AS ("
        "  (SELECT " COLUMNS " FROM assignment.professionals p WHERE region = $1 AND lower (email) = lower ($2))"
        "  UNION ALL (SELECT " COLUMNS " FROM team t JOIN assignment.professionals p ON p.id = t.professional_id"
        "         WHERE p.region = $1)"
        "  UNION ALL (SELECT d.* FROM unnest ($6::text[]) want (discipline) CROSS JOIN LATERAL"
        "         (SELECT " COLUMNS " FROM assignment.professionals p WHERE region = $1"
        "          AND discipline = want.discipline AND " PRESENT " AND " ROOM " > 0"
        "          ORDER BY " ROOM " DESC, id LIMIT " DISCIPLINE_LIMIT ") d)"
        "  UNION ALL (SELECT " COLUMNS " FROM (SELECT professional_id FROM assignment.professional_terms"
        "         WHERE region = $1 AND term = 'district ' || $4 AND present AND room > 0"
        "         ORDER BY room DESC, professional_id LIMIT " SOURCE_LIMIT ") t"
        "         JOIN assignment.professionals p ON p.id = t.professional_id)"
        "  UNION ALL (SELECT " COLUMNS " FROM (SELECT professional_id FROM assignment.professional_terms"
        "         WHERE region = $1 AND term = 'language ' || $5 AND present AND room > 0"
        "         ORDER BY room DESC, professional_id LIMIT " SOURCE_LIMIT ") t"
        "         JOIN assignment.professionals p ON p.id = t.professional_id)"
        "  UNION ALL (SELECT " COLUMNS " FROM assignment.professionals p WHERE region = $1 AND " PRESENT
        "         ORDER BY " ROOM " DESC, id LIMIT " SOURCE_LIMIT "))"
        " SELECT d.*, coalesce (d.id = ANY (ARRAY (SELECT professional_id FROM team)), false) FROM drawn d");
    return 0;
}

//  The needs as a PostgreSQL array of the disciplines that fit any of
//  them, each once (one index scan a discipline).
static char *
s_fitting (const candidates_child_t *child, kw_arena_t *arena)
{
    char buf [1024] = "{";
    size_t len = 1;
    const char *seen [64];
    size_t seen_count = 0;
    for (size_t i = 0; i < child->need_count; i++) {
        const char *const *fit = rank_need_disciplines (child->needs [i]);
        for (size_t j = 0; fit && fit [j] && len < sizeof buf - 64; j++) {
            size_t k = 0;
            while (k < seen_count && strcmp (seen [k], fit [j]) != 0)
                k++;
            if (k < seen_count || seen_count == sizeof seen / sizeof seen [0])
                continue;
            seen [seen_count++] = fit [j];
            len += (size_t) snprintf (buf + len, sizeof buf - len, "%s%s", len > 1 ? "," : "", fit [j]);
        }
    }
    snprintf (buf + len, sizeof buf - len, "}");
    return kw_arena_strdup (arena, buf);
}

static int
s_by_id (const void *a, const void *b, void *res)
{
    return strcmp (PQgetvalue (res, *(const int *) a, 0), PQgetvalue (res, *(const int *) b, 0));
}

//  The rows of res in the order of their ids, each id once: their numbers
//  in rows (count of them, in arena).
static int *
s_distinct (PGresult *res, kw_arena_t *arena, size_t *count)
{
    int total = PQntuples (res);
    int *rows = kw_arena_calloc (arena, sizeof *rows * (size_t) (total ? total : 1));
    for (int r = 0; r < total; r++)
        rows [r] = r;
    qsort_r (rows, (size_t) total, sizeof *rows, s_by_id, res);
    size_t kept = 0;
    for (int i = 0; i < total; i++)
        if (kept == 0 || strcmp (PQgetvalue (res, rows [kept - 1], 0), PQgetvalue (res, rows [i], 0)) != 0)
            rows [kept++] = rows [i];
    *count = kept;
    return rows;
}

int
candidates_rank (kw_db_t *db, const candidates_child_t *child, const rank_weights_t *weights,
                 kw_arena_t *arena, candidates_t *out)
{
    memset (out, 0, sizeof *out);
    const char *params [6] = {
        child->region, child->suggested_email ? child->suggested_email : "",
        child->case_id, child->district && *child->district ? child->district : "",
        child->language && *child->language ? child->language : "", s_fitting (child, arena)
    };
    PGresult *res = kw_db_query (db, "candidates", 6, params);
    if (!res)
        return -1;
    size_t count;
    const int *rows = s_distinct (res, arena, &count);
    out->items = kw_arena_calloc (arena, sizeof *out->items * (count ? count : 1));
    for (size_t i = 0; i < count; i++) {
        int r = rows [i];
        rank_candidate_t *c = &out->items [i];
        c->id = kw_arena_strdup (arena, PQgetvalue (res, r, 0));
        c->email = kw_arena_strdup (arena, PQgetvalue (res, r, 1));
        c->discipline = kw_arena_strdup (arena, PQgetvalue (res, r, 2));
        c->languages = (const char *const *) rows_array (PQgetvalue (res, r, 3), arena, &c->language_count);
        c->localities = (const char *const *) rows_array (PQgetvalue (res, r, 4), arena, &c->locality_count);
        c->max_caseload = atoi (PQgetvalue (res, r, 5));
        c->caseload = atoi (PQgetvalue (res, r, 6));
        c->cover_load = atoi (PQgetvalue (res, r, 7));
        c->pending_offers = atoi (PQgetvalue (res, r, 8));
        c->active = PQgetvalue (res, r, 9) [0] == 't';
        c->absent = PQgetvalue (res, r, 10) [0] == 't';
        c->name = kw_arena_strdup (arena, PQgetvalue (res, r, 11));
        c->phone = PQgetisnull (res, r, 12) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, r, 12));
        c->in_team = PQgetvalue (res, r, 13) [0] == 't';
    }
    PQclear (res);
    out->child = (rank_child_t) {
        .needs = (const char *const *) child->needs, .need_count = child->need_count,
        .district = child->district, .language = child->language,
        .suggested_email = child->suggested_email,
        .excluded = (const char *const *) child->excluded, .excluded_count = child->excluded_count,
        .excluded_why = "declined or let an offer lapse in this round",
        .keeping_id = child->keeping_id
    };
    out->weights = *weights;
    out->count = count;
    out->offerable = rank_candidates (&out->child, weights, out->items, count);
    return 0;
}
