/*  validate: checks on a referral body before it is stored. Every problem is
    reported with the field path it concerns; values are never echoed. */
#ifndef REFERRAL_VALIDATE_H
#define REFERRAL_VALIDATE_H

#include <stddef.h>
#include "kw/referral.pb-c.h"
#include "kw_arena.h"
#include "kw_check.h"

//  A required NHS number in any written form (kw_nhs): 0, or -1 with the
//  problem (required, characters, length or check digit) added to errs.
int validate_nhs_field (const char *s, const char *field, kw_field_errors_t *errs);
//  1 when s has the shape of a UK postcode (outward code, optional space,
//  inward code: "NR2 3TU", "nr23tu", "SW1A 1AA"); out (9 bytes, may be NULL)
//  gets it upper case with one space.
int validate_postcode (const char *s, char out [9]);
//  1 when s is a GP practice code: a letter and five digits ("D82001").
int validate_gp_practice (const char *s);
//  1 when s is a real date YYYY-MM-DD not after today (ty-tm-td).
int validate_past_date (const char *s, int ty, int tm, int td);

//  Check a referral body against the API contract at today's date
//  (ty-tm-td). 0 when valid, else -1 with every problem in errs (emptied
//  first), in the order of the body's parts: source, referrer, child,
//  needs, professionals, family, suggested key worker, meeting
//  preferences, consent.
int validate_referral (const Kw__ReferralBody *body, int ty, int tm, int td, kw_field_errors_t *errs);

//  After validate_referral: the NHS number as its ten digits, the postcode
//  upper case with one space, the GP practice code's letter upper case (new
//  strings in arena).
void validate_normalise (Kw__ReferralBody *body, kw_arena_t *arena);

#endif
