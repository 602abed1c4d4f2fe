/*  rules: the eligibility decision, a pure function of a referral, a
    region's rule set (a tree of all / any / not over leaf criteria, see
    region.h) and the decision date. Every rule is met, not met, or unknown
    (has_met = 0) when the data it needs is missing, combined in three-valued
    logic: all is not met when one rule is not met, else unknown when one is
    unknown; any is met when one rule is met, else unknown when one is
    unknown; not swaps met and not met. The root decides the outcome:
    eligible, ineligible, or more_information_needed with the field paths
    whose absence left it unknown (none for a known outcome, since no value
    of them could change it). Also the dates a child leaves the service. */
#ifndef ELIGIBILITY_RULES_H
#define ELIGIBILITY_RULES_H

#include "kw/eligibility.pb-c.h"
#include "kw/referral.pb-c.h"
#include "kw_arena.h"
#include "region.h"

//  Decide body under region's rule set on date y-m-d. dsr_rating is the
//  child's rating on the region's DSR ("red", ...), NULL when not on it.
//  The decision's criteria are the root's rules when the root is an all
//  rule, else the root alone; each reports its own rules' results in parts.
//  Everything is allocated in arena; decided_at is left unset for the caller.
Kw__EligibilityDecision *rules_decide (const region_t *region, const Kw__ReferralBody *body,
                                       const char *dsr_rating, int y, int m, int d,
                                       kw_arena_t *arena);

//  1 when a decision under rule can depend on the child's DSR rating (a
//  dsr_rating rule anywhere in it); 0 when rules_decide's dsr_rating is
//  never read.
int rules_read_rating (const rule_t *rule);

//  A flag's value in body: 1 true, 0 false, -1 not stated.
int rules_flag (const Kw__ReferralBody *body, region_flag_t flag);

//  "eligible", "ineligible", "more_information_needed", or NULL.
const char *rules_outcome_name (Kw__Outcome outcome);

//  1 when a and b reach the same result: the same outcome, rule set id,
//  missing fields, and the same criteria (ids, met / not met / unknown) at
//  every depth. Details, versions and dates are not compared: a decision
//  that only restates the old one is not a change.
int rules_same_result (const Kw__EligibilityDecision *a, const Kw__EligibilityDecision *b);

//  The birthday on which a child born on dob ("YYYY-MM-DD") reaches the
//  region's upper age (the extended one when in_school is 1), into age_out
//  [y, m, d]; and the day the move to adult services is due, notice days
//  before it, into transition. A 29 February birthday falls on 1 March in
//  other years. 0, or -1 when dob is not a date.
int rules_upper_age_dates (const region_t *region, const char *dob, int in_school,
                           int age_out [3], int transition [3]);

#endif
