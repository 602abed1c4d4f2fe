/*  validate: the rules a referral body meets (required parts, NHS number,
    real dates not in the future, consent, sizes). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kw_time.h"
#include "kw_check.h"
#include "validate.h"

#define MAX_TEXT 200
#define MAX_SUMMARY 4000
#define MAX_PROFESSIONALS 50
#define MAX_FAMILY 20

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
validate_past_date (const char *s, int ty, int tm, int td)
{
    int y, m, d;
    return s && kw_date_parse (s, &y, &m, &d) == 0 && kw_date_cmp (y, m, d, ty, tm, td) <= 0;
}

static int
s_past_date (const char *s, int ty, int tm, int td, const char *field, validate_error_t *err)
{
    int y, m, d;
    if (kw_check_blank (s))
        return kw_check_fail (err, field, "%s is required", field);
    if (kw_date_parse (s, &y, &m, &d) != 0)
        return kw_check_fail (err, field, "%s is not a real date in the form YYYY-MM-DD", field);
    if (kw_date_cmp (y, m, d, ty, tm, td) > 0)
        return kw_check_fail (err, field, "%s is in the future", field);
    return 0;
}

static const char *const RELATIONSHIPS [] = {
    "mother", "father", "parent", "step_parent", "foster_carer", "adoptive_parent", "guardian",
    "grandparent", "sibling", "aunt_or_uncle", "carer", "self", "other", NULL
};
static const char *const CONTACTS [] = { "email", "sms", "phone", "post", NULL };
static const char *const LOCATIONS [] = { "home", "school", "clinic", "online", "other", NULL };
static const char *const DAYS [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

//  A parent or carer suggested as key worker is named by the e-mail given
//  for them in the family list.
static int
s_family_key_worker (const Kw__ReferralBody *body, validate_error_t *err)
{
    const Kw__SuggestedKeyWorker *k = body->suggested_key_worker;
    if (!k->has_family_member || !k->family_member)
        return 0;
    if (!k->email)
        return kw_check_fail (err, "suggested_key_worker.email",
                       "suggested_key_worker.email is required to suggest a family member");
    for (size_t i = 0; i < body->n_family; i++)
        if (body->family [i]->email && strcasecmp (body->family [i]->email, k->email) == 0)
            return 0;
    return kw_check_fail (err, "suggested_key_worker.email",
                   "suggested_key_worker.email must be the e-mail of a member of family to suggest"
                   " a family member");
}

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
    if (kw_check_one_of (mp->location, LOCATIONS, "meeting_preferences.location", err))
        return -1;
    if (mp->n_days > 7)
        return kw_check_fail (err, "meeting_preferences.days", "meeting_preferences.days has more than 7 days");
    for (size_t i = 0; i < mp->n_days; i++) {
        char field [64];
        snprintf (field, sizeof field, "meeting_preferences.days[%zu]", i);
        if (kw_check_one_of (mp->days [i], DAYS, field, err))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp (mp->days [i], mp->days [j]) == 0)
                return kw_check_fail (err, field, "%s repeats a day", field);
    }
    int earliest, latest;
    if (kw_check_clock (mp->earliest, "meeting_preferences.earliest", &earliest, err)
    ||  kw_check_clock (mp->latest, "meeting_preferences.latest", &latest, err))
        return -1;
    if (earliest >= 0 && latest >= 0 && earliest >= latest)
        return kw_check_fail (err, "meeting_preferences.latest",
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
        return kw_check_fail (err, "source", "source is required");
    if (body->source < KW__SOURCE__SOURCE_PROFESSIONAL || body->source > KW__SOURCE__SOURCE_DSR)
        return kw_check_fail (err, "source", "source must be one of: professional, self, dsr");
    if (!body->referrer)
        return kw_check_fail (err, "referrer", "referrer is required");
    if (kw_check_required_text (body->referrer->name, MAX_TEXT, "referrer.name", err)
    ||  kw_check_text (body->referrer->agency, MAX_TEXT, "referrer.agency", err)
    ||  kw_check_text (body->referrer->role, MAX_TEXT, "referrer.role", err)
    ||  kw_check_email (body->referrer->email, "referrer.email", err)
    ||  kw_check_phone (body->referrer->phone, "referrer.phone", err))
        return -1;
    if (body->source == KW__SOURCE__SOURCE_SELF && !body->referrer->email && !body->referrer->phone)
        return kw_check_fail (err, "referrer.email",
                       "a self-referral needs the family member's referrer.email or referrer.phone");
    const Kw__Child *child = body->child;
    if (!child)
        return kw_check_fail (err, "child", "child is required");
    if (kw_check_blank (child->nhs_number))
        return kw_check_fail (err, "child.nhs_number", "child.nhs_number is required");
    if (!validate_nhs_number (child->nhs_number))
        return kw_check_fail (err, "child.nhs_number",
                       "child.nhs_number must be 10 digits with a valid check digit");
    if (kw_check_required_text (child->given_name, MAX_TEXT, "child.given_name", err)
    ||  kw_check_required_text (child->family_name, MAX_TEXT, "child.family_name", err)
    ||  s_past_date (child->date_of_birth, ty, tm, td, "child.date_of_birth", err)
    ||  kw_check_text (child->postcode, 10, "child.postcode", err)
    ||  kw_check_text (child->gp_practice, 10, "child.gp_practice", err)
    ||  kw_check_text (child->language, 35, "child.language", err)
    ||  kw_check_language (child->language, "child.language", err))
        return -1;
    if (child->postcode && !validate_postcode (child->postcode, NULL))
        return kw_check_fail (err, "child.postcode", "child.postcode is not a UK postcode");
    if (child->gp_practice && !validate_gp_practice (child->gp_practice))
        return kw_check_fail (err, "child.gp_practice",
                       "child.gp_practice must be a GP practice code: a letter and five digits");
    if (body->needs && kw_check_text_lines (body->needs->summary, MAX_SUMMARY, 1, "needs.summary", err))
        return -1;
    if (body->n_professionals > MAX_PROFESSIONALS)
        return kw_check_fail (err, "professionals", "professionals has more than %d entries", MAX_PROFESSIONALS);
    for (size_t i = 0; i < body->n_professionals; i++) {
        char field [64];
        snprintf (field, sizeof field, "professionals[%zu].name", i);
        if (kw_check_required_text (body->professionals [i]->name, MAX_TEXT, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].agency", i);
        if (kw_check_required_text (body->professionals [i]->agency, MAX_TEXT, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].discipline", i);
        if (kw_check_one_of (body->professionals [i]->discipline, kw_check_disciplines, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].email", i);
        if (kw_check_email (body->professionals [i]->email, field, err))
            return -1;
        snprintf (field, sizeof field, "professionals[%zu].phone", i);
        if (kw_check_phone (body->professionals [i]->phone, field, err))
            return -1;
    }
    if (body->n_family > MAX_FAMILY)
        return kw_check_fail (err, "family", "family has more than %d entries", MAX_FAMILY);
    for (size_t i = 0; i < body->n_family; i++) {
        char field [64];
        const Kw__FamilyMember *f = body->family [i];
        snprintf (field, sizeof field, "family[%zu].name", i);
        if (kw_check_required_text (f->name, MAX_TEXT, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].relationship", i);
        if (kw_check_one_of (f->relationship, RELATIONSHIPS, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].email", i);
        if (kw_check_email (f->email, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].phone", i);
        if (kw_check_phone (f->phone, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].language", i);
        if (kw_check_language (f->language, field, err))
            return -1;
        snprintf (field, sizeof field, "family[%zu].preferred_contact", i);
        if (kw_check_one_of (f->preferred_contact, CONTACTS, field, err))
            return -1;
        if (f->preferred_contact && strcmp (f->preferred_contact, "email") == 0 && !f->email)
            return kw_check_fail (err, field, "%s is email but family[%zu].email is not given", field, i);
        if (f->preferred_contact && (strcmp (f->preferred_contact, "sms") == 0
                                     || strcmp (f->preferred_contact, "phone") == 0) && !f->phone)
            return kw_check_fail (err, field, "%s is %s but family[%zu].phone is not given", field,
                           f->preferred_contact, i);
    }
    if (body->suggested_key_worker && kw_check_email (body->suggested_key_worker->email,
                                               "suggested_key_worker.email", err))
        return -1;
    if (body->suggested_key_worker && s_family_key_worker (body, err))
        return -1;
    if (body->meeting_preferences && s_meeting_preferences (body->meeting_preferences, err))
        return -1;
    if (!body->consent)
        return kw_check_fail (err, "consent", "consent is required");
    if (!body->consent->has_basis)
        return kw_check_fail (err, "consent.basis", "consent.basis is required");
    if (body->consent->basis < KW__CONSENT_BASIS__CONSENT_BASIS_OWN_CONSENT
    ||  body->consent->basis > KW__CONSENT_BASIS__CONSENT_BASIS_BEST_INTEREST)
        return kw_check_fail (err, "consent.basis",
                       "consent.basis must be one of: own_consent, parental_responsibility, best_interest");
    if (kw_check_text (body->consent->given_by, MAX_TEXT, "consent.given_by", err))
        return -1;
    if (body->consent->date && !validate_past_date (body->consent->date, 9999, 12, 31))
        return kw_check_fail (err, "consent.date", "consent.date is not a real date in the form YYYY-MM-DD");
    if (body->consent->date && s_past_date (body->consent->date, ty, tm, td, "consent.date", err))
        return -1;
    return 0;
}
