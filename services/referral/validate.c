/*  validate: the rules a referral body meets (required parts, NHS number,
    real dates not in the future, consent, sizes). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kw_time.h"
#include "kw_check.h"
#include "kw_nhs.h"
#include "validate.h"

#define MAX_TEXT 200
#define ADDRESS_LINES_MIN 3
#define ADDRESS_LINES_MAX 7
#define ADDRESS_LINE_MAX 80
#define MAX_SUMMARY 4000
#define MAX_PROFESSIONALS 50
#define MAX_FAMILY 20

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
s_past_date (const char *s, int ty, int tm, int td, const char *field, kw_field_errors_t *errs)
{
    int y, m, d;
    if (kw_check_blank (s))
        return kw_field_errors_add (errs, field, "%s is required", field);
    if (kw_date_parse (s, &y, &m, &d) != 0)
        return kw_field_errors_add (errs, field, "%s is not a real date in the form YYYY-MM-DD", field);
    if (kw_date_cmp (y, m, d, ty, tm, td) > 0)
        return kw_field_errors_add (errs, field, "%s is in the future", field);
    return 0;
}

static const char *const RELATIONSHIPS [] = {
    "mother", "father", "parent", "step_parent", "foster_carer", "adoptive_parent", "guardian",
    "grandparent", "sibling", "aunt_or_uncle", "carer", "self", "other", NULL
};
static const char *const CONTACTS [] = { "email", "sms", "phone", "post", NULL };
static const char *const LOCATIONS [] = { "home", "school", "clinic", "online", "other", NULL };
static const char *const DAYS [] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

//  A family member's postal address: 3 to 7 lines (GOV.UK Notify's
//  letters), each one line of text.
static void
s_family_address (const Kw__FamilyMember *f, size_t i, kw_field_errors_t *errs)
{
    char field [64];
    snprintf (field, sizeof field, "family[%zu].address", i);
    if (f->n_address && (f->n_address < ADDRESS_LINES_MIN || f->n_address > ADDRESS_LINES_MAX)) {
        kw_field_errors_add (errs, field, "%s must have %d to %d lines", field, ADDRESS_LINES_MIN,
                             ADDRESS_LINES_MAX);
        return;
    }
    for (size_t l = 0; l < f->n_address; l++) {
        snprintf (field, sizeof field, "family[%zu].address[%zu]", i, l);
        kw_check_required_text (f->address [l], ADDRESS_LINE_MAX, field, errs);
    }
}

//  A parent or carer suggested as key worker is named by the e-mail given
//  for them in the family list.
static int
s_family_key_worker (const Kw__ReferralBody *body, kw_field_errors_t *errs)
{
    const Kw__SuggestedKeyWorker *k = body->suggested_key_worker;
    if (!k->has_family_member || !k->family_member)
        return 0;
    if (!k->email)
        return kw_field_errors_add (errs, "suggested_key_worker.email",
                       "suggested_key_worker.email is required to suggest a family member");
    for (size_t i = 0; i < body->n_family; i++)
        if (body->family [i]->email && strcasecmp (body->family [i]->email, k->email) == 0)
            return 0;
    return kw_field_errors_add (errs, "suggested_key_worker.email",
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

static void
s_meeting_preferences (const Kw__MeetingPreferences *mp, kw_field_errors_t *errs)
{
    kw_check_one_of (mp->location, LOCATIONS, "meeting_preferences.location", errs);
    if (mp->n_days > 7)
        kw_field_errors_add (errs, "meeting_preferences.days", "meeting_preferences.days has more than 7 days");
    for (size_t i = 0; i < mp->n_days && i < 7; i++) {
        char field [64];
        snprintf (field, sizeof field, "meeting_preferences.days[%zu]", i);
        if (kw_check_one_of (mp->days [i], DAYS, field, errs))
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcmp (mp->days [i], mp->days [j]) == 0) {
                kw_field_errors_add (errs, field, "%s repeats a day", field);
                break;
            }
    }
    int earliest, latest;
    kw_check_clock (mp->earliest, "meeting_preferences.earliest", &earliest, errs);
    kw_check_clock (mp->latest, "meeting_preferences.latest", &latest, errs);
    if (earliest >= 0 && latest >= 0 && earliest >= latest)
        kw_field_errors_add (errs, "meeting_preferences.latest",
                             "meeting_preferences.latest is not after meeting_preferences.earliest");
}

void
validate_normalise (Kw__ReferralBody *body, kw_arena_t *arena)
{
    char postcode [9];
    char nhs [KW_NHS_SIZE];
    if (body->child && body->child->nhs_number
    &&  kw_nhs_parse (body->child->nhs_number, strlen (body->child->nhs_number), nhs) == KW_NHS_OK)
        body->child->nhs_number = kw_arena_strdup (arena, nhs);
    if (body->child && body->child->postcode && validate_postcode (body->child->postcode, postcode))
        body->child->postcode = kw_arena_strdup (arena, postcode);
    if (body->child && body->child->gp_practice && validate_gp_practice (body->child->gp_practice)) {
        char *code = kw_arena_strdup (arena, body->child->gp_practice);
        code [0] = (char) toupper ((unsigned char) code [0]);
        body->child->gp_practice = code;
    }
}

//  The referrer: name required, contacts well formed; a self-referral
//  gives the family member's e-mail or phone.
static void
s_referrer (const Kw__ReferralBody *body, kw_field_errors_t *errs)
{
    const Kw__Referrer *r = body->referrer;
    if (!r) {
        kw_field_errors_add (errs, "referrer", "referrer is required");
        return;
    }
    kw_check_required_text (r->name, MAX_TEXT, "referrer.name", errs);
    kw_check_text (r->agency, MAX_TEXT, "referrer.agency", errs);
    kw_check_text (r->role, MAX_TEXT, "referrer.role", errs);
    kw_check_email (r->email, "referrer.email", errs);
    kw_check_phone (r->phone, "referrer.phone", errs);
    if (body->has_source && body->source == KW__SOURCE__SOURCE_SELF && !r->email && !r->phone)
        kw_field_errors_add (errs, "referrer.email",
                             "a self-referral needs the family member's referrer.email or referrer.phone");
}

int
validate_nhs_field (const char *s, const char *field, kw_field_errors_t *errs)
{
    if (kw_check_blank (s))
        return kw_field_errors_add (errs, field, "%s is required", field);
    char digits [KW_NHS_SIZE];
    kw_nhs_status_t status = kw_nhs_parse (s, strlen (s), digits);
    if (status != KW_NHS_OK)
        return kw_field_errors_add (errs, field, "%s %s", field, kw_nhs_problem (status));
    return 0;
}

static void
s_child (const Kw__Child *child, int ty, int tm, int td, kw_field_errors_t *errs)
{
    if (!child) {
        kw_field_errors_add (errs, "child", "child is required");
        return;
    }
    validate_nhs_field (child->nhs_number, "child.nhs_number", errs);
    kw_check_required_text (child->given_name, MAX_TEXT, "child.given_name", errs);
    kw_check_required_text (child->family_name, MAX_TEXT, "child.family_name", errs);
    s_past_date (child->date_of_birth, ty, tm, td, "child.date_of_birth", errs);
    if (kw_check_text (child->postcode, 10, "child.postcode", errs) == 0
    &&  child->postcode && !validate_postcode (child->postcode, NULL))
        kw_field_errors_add (errs, "child.postcode", "child.postcode is not a UK postcode");
    if (kw_check_text (child->gp_practice, 10, "child.gp_practice", errs) == 0
    &&  child->gp_practice && !validate_gp_practice (child->gp_practice))
        kw_field_errors_add (errs, "child.gp_practice",
                             "child.gp_practice must be a GP practice code: a letter and five digits");
    if (kw_check_text (child->language, 35, "child.language", errs) == 0)
        kw_check_language (child->language, "child.language", errs);
}

static void
s_professionals (const Kw__ReferralBody *body, kw_field_errors_t *errs)
{
    if (body->n_professionals > MAX_PROFESSIONALS) {
        kw_field_errors_add (errs, "professionals", "professionals has more than %d entries",
                             MAX_PROFESSIONALS);
        return;
    }
    for (size_t i = 0; i < body->n_professionals; i++) {
        const Kw__Professional *p = body->professionals [i];
        char field [64];
        snprintf (field, sizeof field, "professionals[%zu].name", i);
        kw_check_required_text (p->name, MAX_TEXT, field, errs);
        snprintf (field, sizeof field, "professionals[%zu].agency", i);
        kw_check_required_text (p->agency, MAX_TEXT, field, errs);
        snprintf (field, sizeof field, "professionals[%zu].discipline", i);
        kw_check_one_of (p->discipline, kw_check_disciplines, field, errs);
        snprintf (field, sizeof field, "professionals[%zu].email", i);
        kw_check_email (p->email, field, errs);
        snprintf (field, sizeof field, "professionals[%zu].phone", i);
        kw_check_phone (p->phone, field, errs);
    }
}

static void
s_family (const Kw__ReferralBody *body, kw_field_errors_t *errs)
{
    if (body->n_family > MAX_FAMILY) {
        kw_field_errors_add (errs, "family", "family has more than %d entries", MAX_FAMILY);
        return;
    }
    for (size_t i = 0; i < body->n_family; i++) {
        char field [64];
        const Kw__FamilyMember *f = body->family [i];
        snprintf (field, sizeof field, "family[%zu].name", i);
        kw_check_required_text (f->name, MAX_TEXT, field, errs);
        snprintf (field, sizeof field, "family[%zu].relationship", i);
        kw_check_one_of (f->relationship, RELATIONSHIPS, field, errs);
        snprintf (field, sizeof field, "family[%zu].email", i);
        kw_check_email (f->email, field, errs);
        snprintf (field, sizeof field, "family[%zu].phone", i);
        kw_check_phone (f->phone, field, errs);
        snprintf (field, sizeof field, "family[%zu].language", i);
        kw_check_language (f->language, field, errs);
        s_family_address (f, i, errs);
        snprintf (field, sizeof field, "family[%zu].preferred_contact", i);
        if (kw_check_one_of (f->preferred_contact, CONTACTS, field, errs) != 0 || !f->preferred_contact)
            continue;
        if (strcmp (f->preferred_contact, "post") == 0 && !f->n_address)
            kw_field_errors_add (errs, field, "%s is post but family[%zu].address is not given", field, i);
        if (strcmp (f->preferred_contact, "email") == 0 && !f->email)
            kw_field_errors_add (errs, field, "%s is email but family[%zu].email is not given", field, i);
        if ((strcmp (f->preferred_contact, "sms") == 0 || strcmp (f->preferred_contact, "phone") == 0)
        &&  !f->phone)
            kw_field_errors_add (errs, field, "%s is %s but family[%zu].phone is not given", field,
                                 f->preferred_contact, i);
    }
}

static void
s_consent (const Kw__Consent *consent, int ty, int tm, int td, kw_field_errors_t *errs)
{
    if (!consent) {
        kw_field_errors_add (errs, "consent", "consent is required");
        return;
    }
    if (!consent->has_basis)
        kw_field_errors_add (errs, "consent.basis", "consent.basis is required");
    else
    if (consent->basis < KW__CONSENT_BASIS__CONSENT_BASIS_OWN_CONSENT
    ||  consent->basis > KW__CONSENT_BASIS__CONSENT_BASIS_BEST_INTEREST)
        kw_field_errors_add (errs, "consent.basis",
                             "consent.basis must be one of: own_consent, parental_responsibility, best_interest");
    kw_check_text (consent->given_by, MAX_TEXT, "consent.given_by", errs);
    if (consent->date && !validate_past_date (consent->date, 9999, 12, 31))
        kw_field_errors_add (errs, "consent.date", "consent.date is not a real date in the form YYYY-MM-DD");
    else
    if (consent->date)
        s_past_date (consent->date, ty, tm, td, "consent.date", errs);
}

int
validate_referral (const Kw__ReferralBody *body, int ty, int tm, int td, kw_field_errors_t *errs)
{
    kw_field_errors_init (errs);
    if (!body->has_source)
        kw_field_errors_add (errs, "source", "source is required");
    else
    if (body->source < KW__SOURCE__SOURCE_PROFESSIONAL || body->source > KW__SOURCE__SOURCE_DSR)
        kw_field_errors_add (errs, "source", "source must be one of: professional, self, dsr");
    s_referrer (body, errs);
    s_child (body->child, ty, tm, td, errs);
    if (body->needs)
        kw_check_text_lines (body->needs->summary, MAX_SUMMARY, 1, "needs.summary", errs);
    s_professionals (body, errs);
    s_family (body, errs);
    if (body->suggested_key_worker
    &&  kw_check_email (body->suggested_key_worker->email, "suggested_key_worker.email", errs) == 0)
        s_family_key_worker (body, errs);
    if (body->meeting_preferences)
        s_meeting_preferences (body->meeting_preferences, errs);
    s_consent (body->consent, ty, tm, td, errs);
    return errs->count ? -1 : 0;
}
