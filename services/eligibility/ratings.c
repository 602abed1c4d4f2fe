/*  ratings: the eligibility service's projection of DSR ratings (the
    child's rating on its region's register, kept from the referral
    service's DSR entry events), which decisions read. */
#include "eligibility.h"

int
ratings_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "eligibility_dsr_rating",
        "SELECT rag FROM eligibility.dsr_ratings WHERE region = $1 AND nhs_number = $2");
    kw_db_prepare (db, "eligibility_dsr_upsert",
        "INSERT INTO eligibility.dsr_ratings (region, nhs_number, rag, effective_date)"
        " VALUES ($1, $2, $3, $4::date) ON CONFLICT (region, nhs_number) DO UPDATE"
        " SET rag = EXCLUDED.rag, effective_date = EXCLUDED.effective_date, updated_at = now ()");
    return 0;
}

char *
ratings_find (kw_db_t *db, const char *region, const char *nhs_number, kw_arena_t *arena, int *failed)
{
    const char *params [2] = { region, nhs_number };
    PGresult *res = kw_db_query (db, "eligibility_dsr_rating", 2, params);
    *failed = !res;
    char *rag = res && PQntuples (res) ? kw_arena_strdup (arena, PQgetvalue (res, 0, 0)) : NULL;
    PQclear (res);
    return rag;
}

int
ratings_keep (kw_db_t *db, const char *region, const char *nhs_number, const char *rag,
              const char *effective_date)
{
    const char *params [4] = { region, nhs_number, rag, effective_date };
    return kw_db_exec (db, "eligibility_dsr_upsert", 4, params);
}
