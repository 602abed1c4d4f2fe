/*  validate: the referral body rules of API.md (required parts, NHS number,
    real dates not in the future, consent, sizes). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kw_time.h"
#include "validate.h"

#define MAX_TEXT 200
#define MAX_SUMMARY 4000
#define MAX_PROFESSIONALS 50
#define MAX_FAMILY 20

static int
s_fail (validate_error_t *err, const char *field, const char *fmt, ...)
{
    snprintf (err->field, sizeof err->field, "%s", field);
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (err->message, sizeof err->message, fmt, ap);
    va_end (ap);
    return -1;
}

int
validate_nhs_number (const char *s)
{
    if (!s || strlen (s) != 10)
        return 0;
    int sum = 0;
    for (int i = 0; i < 10; i++)
        if (!isdigit ((unsigned char) s [i]))
            return 0;
    for (int i = 0; i < 9; i++)
        sum += (s [i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    return check != 10 && check == s [9] - '0';
}

static int
s_blank (const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (!isspace ((unsigned char) *s))
            return 0;
    return 1;
}

//  Optional text no longer than max characters (bytes of UTF-8, counted loosely).
static int
s_text (const char *s, size_t max, const char *field, validate_error_t *err)
{
    if (s && strlen (s) > max)
        return s_fail (err, field, "%s is longer than %zu characters", field, max);
    return 0;
}

static int
s_required_text (const char *s, size_t max, const char *field, validate_error_t *err)
{
    if (s_blank (s))
        return s_fail (err, field, "%s is required", field);
    return s_text (s, max, field, err);
}

static int
s_past_date (const char *s, int ty, int tm, int td, const char *field, validate_error_t *err)
{
    int y, m, d;
    if (s_blank (s))
        return s_fail (err, field, "%s is required", field);
    if (kw_date_parse (s, &y, &m, &d) != 0)
        return s_fail (err, field, "%s is not a real date in the form YYYY-MM-DD", field);
    if (kw_date_cmp (y, m, d, ty, tm, td) > 0)
        return s_fail (err, field, "%s is in the future", field);
    return 0;
}

int
validate_referral (const Kw__ReferralBody *body, int ty, int tm, int td, validate_error_t *err)
{
    if (!body->has_source)
        return s_fail (err, "source", "source is required");
    if (!body->referrer)
        return s_fail (err, "referrer", "referrer is required");
    if (s_required_text (body->referrer->name, MAX_TEXT, "referrer.name", err)
    ||  s_text (body->referrer->agency, MAX_TEXT, "referrer.agency", err)
    ||  s_text (body->referrer->role, MAX_TEXT, "referrer.role", err)
    ||  s_text (body->referrer->email, MAX_TEXT, "referrer.email", err)
    ||  s_text (body->referrer->phone, MAX_TEXT, "referrer.phone", err))
        return -1;
    const Kw__Child *child = body->child;
    if (!child)
        return s_fail (err, "child", "child is required");
    if (s_blank (child->nhs_number))
        return s_fail (err, "child.nhs_number", "child.nhs_number is required");
    if (!validate_nhs_number (child->nhs_number))
        return s_fail (err, "child.nhs_number",
                       "child.nhs_number must be 10 digits with a valid check digit");
    if (s_required_text (child->given_name, MAX_TEXT, "child.given_name", err)
    ||  s_required_text (child->family_name, MAX_TEXT, "child.family_name", err)
    ||  s_past_date (child->date_of_birth, ty, tm, td, "child.date_of_birth", err)
    ||  s_text (child->postcode, 10, "child.postcode", err)
    ||  s_text (child->gp_practice, 10, "child.gp_practice", err)
    ||  s_text (child->language, 35, "child.language", err))
        return -1;
    if (body->needs && s_text (body->needs->summary, MAX_SUMMARY, "needs.summary", err))
        return -1;
    if (body->n_professionals > MAX_PROFESSIONALS)
        return s_fail (err, "professionals", "professionals has more than %d entries", MAX_PROFESSIONALS);
    for (size_t i = 0; i < body->n_professionals; i++) {
        char field [64];
        snprintf (field, sizeof field, "professionals[%zu].name", i);
        if (s_required_text (body->professionals [i]->name, MAX_TEXT, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].agency", i);
        if (s_required_text (body->professionals [i]->agency, MAX_TEXT, field, err))
            return -1;
    }
    if (body->n_family > MAX_FAMILY)
        return s_fail (err, "family", "family has more than %d entries", MAX_FAMILY);
    for (size_t i = 0; i < body->n_family; i++) {
        char field [64];
        snprintf (field, sizeof field, "family[%zu].name", i);
        if (s_required_text (body->family [i]->name, MAX_TEXT, field, err))
            return -1;
    }
    if (!body->consent)
        return s_fail (err, "consent", "consent is required");
    if (!body->consent->has_basis)
        return s_fail (err, "consent.basis", "consent.basis is required");
    if (s_text (body->consent->given_by, MAX_TEXT, "consent.given_by", err))
        return -1;
    if (body->consent->date && s_past_date (body->consent->date, ty, tm, td, "consent.date", err))
        return -1;
    return 0;
}
