/*  kw_check: field checks of API input (see kw_check.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "kw_check.h"

const char *const kw_check_disciplines [] = {
    "social_worker", "occupational_therapist", "speech_and_language_therapist", "physiotherapist",
    "special_educator", "teacher", "family_support_worker", "behaviour_specialist", "ld_nurse",
    "mh_nurse", "community_nurse", "health_visitor", "school_nurse", "psychologist", "psychiatrist",
    "paediatrician", "gp", "dietitian", "housing_officer", "youth_worker", "other", NULL
};


int
kw_check_email_shape (const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen (s);
    const char *at = strchr (s, '@');
    if (len > 254 || !at || at == s || strchr (at + 1, '@') || at - s > 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr ("\"(),:;<>[]\\", *p))
            return 0;
    //  Dots separate non-empty parts, on both sides of the @; the last part
    //  of the domain is letters, at least two.
    if (s [0] == '.' || at [-1] == '.' || strstr (s, ".."))
        return 0;
    const char *domain = at + 1;
    const char *dot = strrchr (domain, '.');
    if (!dot || dot == domain || domain [0] == '.' || domain [0] == '-' || strlen (dot + 1) < 2)
        return 0;
    for (const char *p = dot + 1; *p; p++)
        if (!isalpha ((unsigned char) *p))
            return 0;
    for (const char *p = domain; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '.' && *p != '-')
            return 0;
    return 1;
}


int
kw_check_phone_shape (const char *s)
{
    if (!s)
        return 0;
    int digits = 0;
    if (strlen (s) > 30)
        return 0;
    for (const char *p = s; *p; p++) {
        if (isdigit ((unsigned char) *p))
            digits++;
        else
        if (*p == '+' ? p != s : !strchr (" -()", *p))
            return 0;
    }
    return digits >= 10 && digits <= 15;
}


int
kw_check_blank (const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (!isspace ((unsigned char) *s))
            return 0;
    return 1;
}


//  Optional text no longer than max bytes, without control characters
//  (summary-like fields may hold line breaks and tabs).
int
kw_check_text_lines (const char *s, size_t max, int lines, const char *field, kw_field_errors_t *errs)
{
    if (!s)
        return 0;
    if (strlen (s) > max)
        return kw_field_errors_add (errs, field, "%s is longer than %zu characters", field, max);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
            return kw_field_errors_add (errs, field, "%s contains a control character", field);
    return 0;
}

int
kw_check_text (const char *s, size_t max, const char *field, kw_field_errors_t *errs)
{
    return kw_check_text_lines (s, max, 0, field, errs);
}

int
kw_check_required_text (const char *s, size_t max, const char *field, kw_field_errors_t *errs)
{
    if (kw_check_blank (s))
        return kw_field_errors_add (errs, field, "%s is required", field);
    return kw_check_text (s, max, field, errs);
}

//  Optional value that must be one of names (NULL-terminated).
int
kw_check_one_of (const char *s, const char *const *names, const char *field, kw_field_errors_t *errs)
{
    if (!s)
        return 0;
    for (const char *const *n = names; *n; n++)
        if (strcmp (s, *n) == 0)
            return 0;
    char list [512];
    size_t len = 0;
    for (const char *const *n = names; *n && len < sizeof list; n++)
        len += (size_t) snprintf (list + len, sizeof list - len, "%s%s", len ? ", " : "", *n);
    return kw_field_errors_add (errs, field, "%s must be one of: %s", field, list);
}

int
kw_check_email (const char *s, const char *field, kw_field_errors_t *errs)
{
    if (s && strlen (s) > 254)
        return kw_field_errors_add (errs, field, "%s is longer than 254 characters", field);
    if (s && !kw_check_email_shape (s))
        return kw_field_errors_add (errs, field, "%s is not an e-mail address", field);
    return 0;
}

int
kw_check_phone (const char *s, const char *field, kw_field_errors_t *errs)
{
    if (s && strlen (s) > 30)
        return kw_field_errors_add (errs, field, "%s is longer than 30 characters", field);
    if (s && !kw_check_phone_shape (s))
        return kw_field_errors_add (errs, field, "%s is not a phone number (10 to 15 digits)", field);
    return 0;
}

//  A language code: ISO 639 (two or three lower-case letters).
int
kw_check_language (const char *s, const char *field, kw_field_errors_t *errs)
{
    size_t n = s ? strlen (s) : 0;
    int valid = n == 2 || n == 3;
    for (size_t i = 0; s && valid && i < n; i++)
        valid = s [i] >= 'a' && s [i] <= 'z';
    if (s && !valid)
        return kw_field_errors_add (errs, field, "%s must be an ISO 639 language code such as en", field);
    return 0;
}

//  "HH:MM" on a 24-hour clock; minutes since midnight in *minutes.
int
kw_check_clock (const char *s, const char *field, int *minutes, kw_field_errors_t *errs)
{
    *minutes = -1;
    if (!s)
        return 0;
    if (strlen (s) != 5 || !isdigit ((unsigned char) s [0]) || !isdigit ((unsigned char) s [1])
    ||  s [2] != ':' || !isdigit ((unsigned char) s [3]) || !isdigit ((unsigned char) s [4]))
        return kw_field_errors_add (errs, field, "%s must be a time HH:MM", field);
    int h = (s [0] - '0') * 10 + s [1] - '0', m = (s [3] - '0') * 10 + s [4] - '0';
    if (h > 23 || m > 59)
        return kw_field_errors_add (errs, field, "%s must be a time HH:MM", field);
    *minutes = h * 60 + m;
    return 0;
}
