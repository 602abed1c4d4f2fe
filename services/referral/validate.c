/*  validate: the rules a referral body meets (required parts, NHS number,
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

int
validate_postcode (const char *s, char out [9])
{
    if (!s)
        return 0;
    //  At most one space, and only between the outward and inward codes.
    size_t len = strlen (s);
    const char *space = strchr (s, ' ');
    if (len < 5 || len > 8 || (space && (strchr (space + 1, ' ') || space != s + len - 4)))
        return 0;
    char code [8];
    size_t n = 0;
    for (const char *p = s; *p; p++)
        if (*p != ' ') {
            if (!isalnum ((unsigned char) *p) || n == 7)
                return 0;
            code [n++] = (char) toupper ((unsigned char) *p);
        }
    if (n < 5)
        return 0;
    code [n] = 0;
    //  Inward code: digit letter letter. Outward code: A9, A99, AA9, AA99,
    //  A9A or AA9A (and the one special code GIR 0AA).
    size_t outward = n - 3;
    int inward = isdigit ((unsigned char) code [outward]) && isalpha ((unsigned char) code [outward + 1])
              && isalpha ((unsigned char) code [outward + 2]);
    char shape [5] = "";
    for (size_t i = 0; i < outward; i++)
        shape [i] = isdigit ((unsigned char) code [i]) ? '9' : 'A';
    shape [outward] = 0;
    static const char *const shapes [] = { "A9", "A99", "AA9", "AA99", "A9A", "AA9A" };
    int known = strcmp (code, "GIR0AA") == 0;
    for (size_t i = 0; !known && i < sizeof shapes / sizeof shapes [0]; i++)
        known = strcmp (shape, shapes [i]) == 0;
    if (!inward || !known)
        return 0;
    if (out) {
        memcpy (out, code, outward);
        out [outward] = ' ';
        memcpy (out + outward + 1, code + outward, 4);
    }
    return 1;
}

int
validate_email (const char *s)
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
validate_phone (const char *s)
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
validate_past_date (const char *s, int ty, int tm, int td)
{
    int y, m, d;
    return s && kw_date_parse (s, &y, &m, &d) == 0 && kw_date_cmp (y, m, d, ty, tm, td) <= 0;
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

//  Optional text no longer than max bytes, without control characters
//  (summary-like fields may hold line breaks and tabs).
static int
s_text_lines (const char *s, size_t max, int lines, const char *field, validate_error_t *err)
{
    if (!s)
        return 0;
    if (strlen (s) > max)
        return s_fail (err, field, "%s is longer than %zu characters", field, max);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
            return s_fail (err, field, "%s contains a control character", field);
    return 0;
}

static int
s_text (const char *s, size_t max, const char *field, validate_error_t *err)
{
    return s_text_lines (s, max, 0, field, err);
}

static int
s_required_text (const char *s, size_t max, const char *field, validate_error_t *err)
{
    if (s_blank (s))
        return s_fail (err, field, "%s is required", field);
    return s_text (s, max, field, err);
}

//  Optional value that must be one of names (NULL-terminated).
static int
s_one_of (const char *s, const char *const *names, const char *field, validate_error_t *err)
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
    return s_fail (err, field, "%s must be one of: %s", field, list);
}

static int
s_email (const char *s, const char *field, validate_error_t *err)
{
    if (s && strlen (s) > 254)
        return s_fail (err, field, "%s is longer than 254 characters", field);
    if (s && !validate_email (s))
        return s_fail (err, field, "%s is not an e-mail address", field);
    return 0;
}

static int
s_phone (const char *s, const char *field, validate_error_t *err)
{
    if (s && strlen (s) > 30)
        return s_fail (err, field, "%s is longer than 30 characters", field);
    if (s && !validate_phone (s))
        return s_fail (err, field, "%s is not a phone number (10 to 15 digits)", field);
    return 0;
}

//  A language code: ISO 639 (two or three lower-case letters).
static int
s_language (const char *s, const char *field, validate_error_t *err)
{
    size_t n = s ? strlen (s) : 0;
    int valid = n == 2 || n == 3;
    for (size_t i = 0; s && valid && i < n; i++)
        valid = s [i] >= 'a' && s [i] <= 'z';
    if (s && !valid)
        return s_fail (err, field, "%s must be an ISO 639 language code such as en", field);
    return 0;
}

//  "HH:MM" on a 24-hour clock; minutes since midnight in *minutes.
static int
s_clock (const char *s, const char *field, int *minutes, validate_error_t *err)
{
    *minutes = -1;
    if (!s)
        return 0;
    if (strlen (s) != 5 || !isdigit ((unsigned char) s [0]) || !isdigit ((unsigned char) s [1])
    ||  s [2] != ':' || !isdigit ((unsigned char) s [3]) || !isdigit ((unsigned char) s [4]))
        return s_fail (err, field, "%s must be a time HH:MM", field);
    int h = (s [0] - '0') * 10 + s [1] - '0', m = (s [3] - '0') * 10 + s [4] - '0';
    if (h > 23 || m > 59)
        return s_fail (err, field, "%s must be a time HH:MM", field);
    *minutes = h * 60 + m;
    return 0;
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

static const char *const DISCIPLINES [] = {
    "social_worker", "occupational_therapist", "speech_and_language_therapist", "physiotherapist",
    "special_educator", "teacher", "family_support_worker", "behaviour_specialist", "ld_nurse",
    "mh_nurse", "community_nurse", "health_visitor", "school_nurse", "psychologist", "psychiatrist",
    "paediatrician", "gp", "dietitian", "housing_officer", "youth_worker", "other", NULL
};
static const char *const RELATIONSHIPS [] = {
    "mother", "father", "parent", "step_parent", "foster_carer", "adoptive_parent", "guardian",
    "grandparent", "sibling", "aunt_or_uncle", "carer", "self", "other", NULL
};
static const char *const CONTACTS [] = { "email", "sms", "phone", "post", NULL };
static const char *const LOCATIONS [] = { "home", "school", "clinic", "online", "other", NULL };
static const char *const DAYS [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

int
validate_gp_practice (const char *s)
{
    if (!s || strlen (s) != 6 || !isalpha ((unsigned char) s [0]))
        return 0;
    for (int i = 1; i < 6; i++)
        if (!isdigit ((unsigned char) s [i]))
            return 0;
    return 1;
}

static int
s_meeting_preferences (const Kw__MeetingPreferences *mp, validate_error_t *err)
{
    if (s_one_of (mp->location, LOCATIONS, "meeting_preferences.location", err))
        return -1;
    if (mp->n_days > 7)
        return s_fail (err, "meeting_preferences.days", "meeting_preferences.days has more than 7 days");
    for (size_t i = 0; i < mp->n_days; i++) {
        char field [64];
        snprintf (field, sizeof field, "meeting_preferences.days[%zu]", i);
        if (s_one_of (mp->days [i], DAYS, field, err))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp (mp->days [i], mp->days [j]) == 0)
                return s_fail (err, field, "%s repeats a day", field);
    }
    int earliest, latest;
    if (s_clock (mp->earliest, "meeting_preferences.earliest", &earliest, err)
    ||  s_clock (mp->latest, "meeting_preferences.latest", &latest, err))
        return -1;
    if (earliest >= 0 && latest >= 0 && earliest >= latest)
        return s_fail (err, "meeting_preferences.latest",
                       "meeting_preferences.latest is not after meeting_preferences.earliest");
    return 0;
}

void
validate_normalise (Kw__ReferralBody *body, kw_arena_t *arena)
{
    char postcode [9];
    if (body->child && body->child->postcode && validate_postcode (body->child->postcode, postcode))
        body->child->postcode = kw_arena_strdup (arena, postcode);
    if (body->child && body->child->gp_practice && validate_gp_practice (body->child->gp_practice)) {
        char *code = kw_arena_strdup (arena, body->child->gp_practice);
        code [0] = (char) toupper ((unsigned char) code [0]);
        body->child->gp_practice = code;
    }
}

int
validate_referral (const Kw__ReferralBody *body, int ty, int tm, int td, validate_error_t *err)
{
    if (!body->has_source)
        return s_fail (err, "source", "source is required");
    if (body->source < KW__SOURCE__SOURCE_PROFESSIONAL || body->source > KW__SOURCE__SOURCE_DSR)
        return s_fail (err, "source", "source must be one of: professional, self, dsr");
    if (!body->referrer)
        return s_fail (err, "referrer", "referrer is required");
    if (s_required_text (body->referrer->name, MAX_TEXT, "referrer.name", err)
    ||  s_text (body->referrer->agency, MAX_TEXT, "referrer.agency", err)
    ||  s_text (body->referrer->role, MAX_TEXT, "referrer.role", err)
    ||  s_email (body->referrer->email, "referrer.email", err)
    ||  s_phone (body->referrer->phone, "referrer.phone", err))
        return -1;
    if (body->source == KW__SOURCE__SOURCE_SELF && !body->referrer->email && !body->referrer->phone)
        return s_fail (err, "referrer.email",
                       "a self-referral needs the family member's referrer.email or referrer.phone");
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
    ||  s_text (child->language, 35, "child.language", err)
    ||  s_language (child->language, "child.language", err))
        return -1;
    if (child->postcode && !validate_postcode (child->postcode, NULL))
        return s_fail (err, "child.postcode", "child.postcode is not a UK postcode");
    if (child->gp_practice && !validate_gp_practice (child->gp_practice))
        return s_fail (err, "child.gp_practice",
                       "child.gp_practice must be a GP practice code: a letter and five digits");
    if (body->needs && s_text_lines (body->needs->summary, MAX_SUMMARY, 1, "needs.summary", err))
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
        snprintf (field, sizeof field, "professionals[%zu].discipline", i);
        if (s_one_of (body->professionals [i]->discipline, DISCIPLINES, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].email", i);
        if (s_email (body->professionals [i]->email, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].phone", i);
        if (s_phone (body->professionals [i]->phone, field, err))
            return -1;
    }
    if (body->n_family > MAX_FAMILY)
        return s_fail (err, "family", "family has more than %d entries", MAX_FAMILY);
    for (size_t i = 0; i < body->n_family; i++) {
        char field [64];
        const Kw__FamilyMember *f = body->family [i];
        snprintf (field, sizeof field, "family[%zu].name", i);
        if (s_required_text (f->name, MAX_TEXT, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].relationship", i);
        if (s_one_of (f->relationship, RELATIONSHIPS, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].email", i);
        if (s_email (f->email, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].phone", i);
        if (s_phone (f->phone, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].language", i);
        if (s_language (f->language, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].preferred_contact", i);
        if (s_one_of (f->preferred_contact, CONTACTS, field, err))
            return -1;
        if (f->preferred_contact && strcmp (f->preferred_contact, "email") == 0 && !f->email)
            return s_fail (err, field, "%s is email but family[%zu].email is not given", field, i);
        if (f->preferred_contact && (strcmp (f->preferred_contact, "sms") == 0
                                     || strcmp (f->preferred_contact, "phone") == 0) && !f->phone)
            return s_fail (err, field, "%s is %s but family[%zu].phone is not given", field,
                           f->preferred_contact, i);
    }
    if (body->suggested_key_worker && s_email (body->suggested_key_worker->email,
                                               "suggested_key_worker.email", err))
        return -1;
    if (body->meeting_preferences && s_meeting_preferences (body->meeting_preferences, err))
        return -1;
    if (!body->consent)
        return s_fail (err, "consent", "consent is required");
    if (!body->consent->has_basis)
        return s_fail (err, "consent.basis", "consent.basis is required");
    if (body->consent->basis < KW__CONSENT_BASIS__CONSENT_BASIS_OWN_CONSENT
    ||  body->consent->basis > KW__CONSENT_BASIS__CONSENT_BASIS_BEST_INTEREST)
        return s_fail (err, "consent.basis",
                       "consent.basis must be one of: own_consent, parental_responsibility, best_interest");
    if (s_text (body->consent->given_by, MAX_TEXT, "consent.given_by", err))
        return -1;
    if (body->consent->date && !validate_past_date (body->consent->date, 9999, 12, 31))
        return s_fail (err, "consent.date", "consent.date is not a real date in the form YYYY-MM-DD");
    if (body->consent->date && s_past_date (body->consent->date, ty, tm, td, "consent.date", err))
        return -1;
    return 0;
}
