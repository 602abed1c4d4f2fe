/*  ratings: the eligibility service's projection of DSR ratings (the
    child's rating on its region's register, kept from the referral
    service's DSR entry events), which decisions read (decide.c). */
#include "eligibility.h"

int
ratings_prepare (kw_db_t *db)
{
    kw_db_prepare (db, "eligibility_dsr_upsert",
        "INSERT INTO eligibility.dsr_ratings (region, nhs_number, rag, effective_date)"
        " VALUES ($1, $2, $3, $4::date) ON CONFLICT (region, nhs_number) DO UPDATE"
        " SET rag = EXCLUDED.rag, effective_date = EXCLUDED.effective_date, updated_at = now ()");
    return 0;
}

int
ratings_keep (kw_db_t *db, const char *region, const char *nhs_number, const char *rag,
              const char *effective_date)
{
    const char *params [4] = { region, nhs_number, rag, effective_date };
    return kw_db_exec (db, "eligibility_dsr_upsert", 4, params);
}
