/*  rules: the eligibility decision, a pure function of a referral, a region's
    rule set and the decision date. Each criterion is met, not met, or
    unknown (has_met = 0) when the data it needs is missing; the missing
    field paths are listed in the decision. Any criterion not met makes the
    referral ineligible; else any unknown asks for more information; else
    it is eligible. */
#ifndef ELIGIBILITY_RULES_H
#define ELIGIBILITY_RULES_H

#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_arena.h"
#include "region.h"

//  Decide body under region's rules on date y-m-d. dsr_rating is the
//  child's rating on the region's DSR ("red", ...), NULL when not on it.
//  Everything is allocated in arena; decided_at is left unset for the caller.
Kw__EligibilityDecision *rules_decide (const region_t *region, const Kw__ReferralBody *body,
                                       const char *dsr_rating, int y, int m, int d,
                                       kw_arena_t *arena);

//  "eligible", "ineligible", "more_information_needed", or NULL.
const char *rules_outcome_name (Kw__Outcome outcome);

#endif
