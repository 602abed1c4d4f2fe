/*  professional_check: the checks on a professional's record as given to
    POST /v1/professionals (create: name, agency, discipline and email
    required) or PATCH /v1/professionals/{id} (only the fields given), with
    no database: text lengths and shapes, the discipline list, ISO 639
    languages, postcode districts (stored upper case), the maximum caseload
    (0 to 200), working hours ([start, end] a day, start before end), a
    deputy id's shape, and the computed fields a caller may not set. Every
    problem is reported with its field; values are never echoed. */
#ifndef ASSIGNMENT_PROFESSIONAL_CHECK_H
#define ASSIGNMENT_PROFESSIONAL_CHECK_H

#include "kw/assignment.pb-c.h"
#include "kw_arena.h"
#include "kw_check.h"

#define PROFESSIONAL_MAX_CASELOAD 200
#define PROFESSIONAL_MAX_LIST 50

//  Check in (create: a new record; else a change) and normalise it in
//  place (districts upper case, new strings in arena). 0, or -1 with every
//  problem in errs (emptied first), in the order of the record's fields.
int professional_check (Kw__ProfessionalRecord *in, int create, kw_arena_t *arena, kw_field_errors_t *errs);

//  1 when s is a postcode district (an outward code: A9, A99, AA9, AA99,
//  A9A or AA9A, any case).
int professional_check_district (const char *s);

#endif
