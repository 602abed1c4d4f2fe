/*  validate: checks on a referral body before it is stored. Each problem is
    reported with the field path it concerns; values are never echoed. */
#ifndef REFERRAL_VALIDATE_H
#define REFERRAL_VALIDATE_H

#include <stddef.h>
#include "kw/referral.pb-c.h"

typedef struct {
    char field [128];
    char message [256];
} validate_error_t;

//  1 when s is a 10-digit NHS number with a valid modulus-11 check digit.
int validate_nhs_number (const char *s);
//  Check a referral body against the API contract at today's date
//  (ty-tm-td). 0 when valid, else -1 with the first problem in err.
int validate_referral (const Kw__ReferralBody *body, int ty, int tm, int td, validate_error_t *err);

#endif
