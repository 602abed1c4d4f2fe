/*  candidates: the registered professionals a case may be offered to,
    drawn by indexes rather than by reading the whole region: the family's
    suggestion, the child's team, and, among the active, present
    professionals with room, those of each discipline that fits a need,
    those working in the child's postcode district, those speaking the
    family's language (assignment.professional_terms) and those with the
    most room (each source at most CANDIDATES_DISCIPLINE_LIMIT or
    CANDIDATES_SOURCE_LIMIT, those with the most room first: the draw's SQL
    is in assignment.h, as the statement that opens a case draws them too).
    Room is max_caseload less the counts kept in each row (cases held,
    covered, offered), so no case or offer is counted here. The union is
    ranked by rank.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "assignment.h"

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
    //  The child's team read once, by the case's index.
    kw_db_prepare (db, "candidates",
        "WITH team AS MATERIALIZED (SELECT professional_id FROM assignment.team_members"
        "  WHERE case_id = $3::uuid AND removed_at IS NULL AND professional_id IS NOT NULL),"
        CANDIDATES_DRAWN ("$1", "$2", "$4", "$5", "$6") " SELECT " CANDIDATES_SELECT " FROM drawn d");
    return 0;
}

char *
candidates_fitting (char *const *needs, size_t need_count, kw_arena_t *arena)
{
    char buf [1024] = "{";
    size_t len = 1;
    const char *seen [64];
    size_t seen_count = 0;
    for (size_t i = 0; i < need_count; i++) {
        const char *const *fit = rank_need_disciplines (needs [i]);
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

//  The column of the professionals' ids, for s_by_id.
typedef struct {
    PGresult *res;
    int col;
} id_column_t;

static int
s_by_id (const void *a, const void *b, void *arg)
{
    const id_column_t *ids = arg;
    return strcmp (PQgetvalue (ids->res, *(const int *) a, ids->col),
                   PQgetvalue (ids->res, *(const int *) b, ids->col));
}

//  The rows of res with an id in column col, in the order of their ids,
//  each id once: their numbers in rows (count of them, in arena).
static int *
s_distinct (PGresult *res, int col, kw_arena_t *arena, size_t *count)
{
    int total = PQntuples (res);
    int *rows = kw_arena_calloc (arena, sizeof *rows * (size_t) (total ? total : 1));
    size_t drawn = 0;
    for (int r = 0; r < total; r++)
        if (!PQgetisnull (res, r, col))
            rows [drawn++] = r;
    id_column_t ids = { res, col };
    qsort_r (rows, drawn, sizeof *rows, s_by_id, &ids);
    size_t kept = 0;
    for (size_t i = 0; i < drawn; i++)
        if (kept == 0 || strcmp (PQgetvalue (res, rows [kept - 1], col), PQgetvalue (res, rows [i], col)) != 0)
            rows [kept++] = rows [i];
    *count = kept;
    return rows;
}

void
candidates_read (PGresult *res, int col, const candidates_child_t *child, const rank_weights_t *weights,
                 kw_arena_t *arena, candidates_t *out)
{
    memset (out, 0, sizeof *out);
    size_t count;
    const int *rows = s_distinct (res, col, arena, &count);
    out->items = kw_arena_calloc (arena, sizeof *out->items * (count ? count : 1));
    for (size_t i = 0; i < count; i++) {
        int r = rows [i];
        rank_candidate_t *c = &out->items [i];
        c->id = kw_arena_strdup (arena, PQgetvalue (res, r, col));
        c->email = kw_arena_strdup (arena, PQgetvalue (res, r, col + 1));
        c->discipline = kw_arena_strdup (arena, PQgetvalue (res, r, col + 2));
        c->languages = (const char *const *) rows_array (PQgetvalue (res, r, col + 3), arena, &c->language_count);
        c->localities = (const char *const *) rows_array (PQgetvalue (res, r, col + 4), arena, &c->locality_count);
        c->max_caseload = atoi (PQgetvalue (res, r, col + 5));
        c->caseload = atoi (PQgetvalue (res, r, col + 6));
        c->cover_load = atoi (PQgetvalue (res, r, col + 7));
        c->pending_offers = atoi (PQgetvalue (res, r, col + 8));
        c->active = PQgetvalue (res, r, col + 9) [0] == 't';
        c->absent = PQgetvalue (res, r, col + 10) [0] == 't';
        c->name = kw_arena_strdup (arena, PQgetvalue (res, r, col + 11));
        c->phone = PQgetisnull (res, r, col + 12) ? NULL : kw_arena_strdup (arena, PQgetvalue (res, r, col + 12));
        c->in_team = PQgetvalue (res, r, col + 13) [0] == 't';
    }
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
}

int
candidates_rank (kw_db_t *db, const candidates_child_t *child, const rank_weights_t *weights,
                 kw_arena_t *arena, candidates_t *out)
{
    const char *params [6] = {
        child->region, child->suggested_email ? child->suggested_email : "",
        child->case_id, child->district && *child->district ? child->district : "",
        child->language && *child->language ? child->language : "",
        candidates_fitting (child->needs, child->need_count, arena)
    };
    PGresult *res = kw_db_query (db, "candidates", 6, params);
    if (!res)
        return -1;
    candidates_read (res, 0, child, weights, arena, out);
    PQclear (res);
    return 0;
}
