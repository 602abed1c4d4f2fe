/*  professional_check: a professional's record checked field by field
    (see professional_check.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "kw_uuid.h"
#include "professional_check.h"

#define MAX_TEXT 200

int
professional_check_district (const char *s)
{
    size_t n = s ? strlen (s) : 0;
    if (n < 2 || n > 4)
        return 0;
    char shape [5];
    for (size_t i = 0; i < n; i++) {
        if (!isascii ((unsigned char) s [i]) || !isalnum ((unsigned char) s [i]))
            return 0;
        shape [i] = isdigit ((unsigned char) s [i]) ? '9' : 'A';
    }
    shape [n] = 0;
    static const char *const shapes [] = { "A9", "A99", "AA9", "AA99", "A9A", "AA9A" };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes [0]; i++)
        if (strcmp (shape, shapes [i]) == 0)
            return 1;
    return 0;
}

//  A list of at most PROFESSIONAL_MAX_LIST items, none twice (after
//  upper-casing when upper), each passing item_ok.
static void
s_list (char **items, size_t count, const char *name, int upper, int (*item_ok) (const char *),
        const char *shape, kw_arena_t *arena, kw_field_errors_t *errs)
{
    if (count > PROFESSIONAL_MAX_LIST) {
        kw_field_errors_add (errs, name, "%s has more than %d items", name, PROFESSIONAL_MAX_LIST);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        char field [64];
        snprintf (field, sizeof field, "%s[%zu]", name, i);
        if (!item_ok (items [i])) {
            kw_field_errors_add (errs, field, "%s must be %s", field, shape);
            continue;
        }
        if (upper) {
            char *copy = kw_arena_strdup (arena, items [i]);
            for (char *c = copy; *c; c++)
                *c = (char) toupper ((unsigned char) *c);
            items [i] = copy;
        }
        for (size_t j = 0; j < i; j++)
            if (items [j] && strcmp (items [i], items [j]) == 0) {
                kw_field_errors_add (errs, field, "%s is listed twice", field);
                break;
            }
    }
}

static int
s_language_ok (const char *s)
{
    kw_field_errors_t ignored;
    kw_field_errors_init (&ignored);
    return s && kw_check_language (s, "", &ignored) == 0;
}

static void
s_hours (const Kw__WorkingHours *hours, kw_field_errors_t *errs)
{
    static const char *const days [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    size_t counts [7] = { hours->n_mon, hours->n_tue, hours->n_wed, hours->n_thu, hours->n_fri,
                          hours->n_sat, hours->n_sun };
    char **lists [7] = { hours->mon, hours->tue, hours->wed, hours->thu, hours->fri, hours->sat, hours->sun };
    for (int d = 0; d < 7; d++) {
        char field [48];
        snprintf (field, sizeof field, "working_hours.%s", days [d]);
        if (counts [d] == 0)
            continue;
        if (counts [d] != 2) {
            kw_field_errors_add (errs, field, "%s must be [start, end] as HH:MM, or empty", field);
            continue;
        }
        int start, end;
        char start_field [64], end_field [64];
        snprintf (start_field, sizeof start_field, "%s[0]", field);
        snprintf (end_field, sizeof end_field, "%s[1]", field);
        int bad = kw_check_clock (lists [d][0], start_field, &start, errs) != 0;
        bad |= kw_check_clock (lists [d][1], end_field, &end, errs) != 0;
        if (!bad && end <= start)
            kw_field_errors_add (errs, field, "%s must start before it ends", field);
    }
}

//  The fields the service computes.
static void
s_computed (const Kw__ProfessionalRecord *in, kw_field_errors_t *errs)
{
    const struct { int given; const char *name; } computed [] = {
        { in->has_caseload, "caseload" }, { in->n_cases > 0, "cases" },
        { in->has_pending_offers, "pending_offers" }, { in->has_cover_load, "cover_load" },
        { in->has_absent, "absent" }, { in->created_at != NULL, "created_at" },
        { in->updated_at != NULL, "updated_at" }, { in->region != NULL, "region" },
    };
    for (size_t i = 0; i < sizeof computed / sizeof computed [0]; i++)
        if (computed [i].given)
            kw_field_errors_add (errs, computed [i].name, "%s is kept by the service and cannot be set",
                                 computed [i].name);
}

int
professional_check (Kw__ProfessionalRecord *in, int create, kw_arena_t *arena, kw_field_errors_t *errs)
{
    kw_field_errors_init (errs);
    s_computed (in, errs);
    if (create && in->id)
        kw_field_errors_add (errs, "id", "id is given by the service");
    if (create || in->name)
        kw_check_required_text (in->name, MAX_TEXT, "name", errs);
    if (create || in->agency)
        kw_check_required_text (in->agency, MAX_TEXT, "agency", errs);
    if (create && !in->discipline)
        kw_field_errors_add (errs, "discipline", "discipline is required");
    kw_check_one_of (in->discipline, kw_check_disciplines, "discipline", errs);
    if (create && !in->email)
        kw_field_errors_add (errs, "email", "email is required");
    kw_check_email (in->email, "email", errs);
    if (in->phone && *in->phone)
        kw_check_phone (in->phone, "phone", errs);
    s_list (in->languages, in->n_languages, "languages", 0, s_language_ok,
            "an ISO 639 language code such as en", arena, errs);
    s_list (in->localities, in->n_localities, "localities", 1, professional_check_district,
            "a postcode district such as NR2", arena, errs);
    if (in->has_max_caseload && in->max_caseload > PROFESSIONAL_MAX_CASELOAD)
        kw_field_errors_add (errs, "max_caseload", "max_caseload must be from 0 to %d", PROFESSIONAL_MAX_CASELOAD);
    if (in->working_hours)
        s_hours (in->working_hours, errs);
    if (in->deputy_id && *in->deputy_id && !kw_uuid_valid (in->deputy_id))
        kw_field_errors_add (errs, "deputy_id", "deputy_id must be the id of a registered professional");
    if (create && in->deputy_id && !*in->deputy_id)
        in->deputy_id = NULL;
    return errs->count ? -1 : 0;
}
