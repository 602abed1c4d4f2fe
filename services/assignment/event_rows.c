/*  event_rows: what an event tells the assignment service, as the columns
    and parameters its handlers write, with no database (the handlers run
    the statements; tests/fuzz/fuzz_envelope drives these with any bytes):
    the case an eligible decision opens (needs, district, language, the
    family's suggestion), a referral's professionals and family as the
    text[] parameters of the team and family inserts, and the id each other
    event names. An id that is not a UUID, or a part missing, means the
    event can never be applied: the handler skips it. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "kw_uuid.h"
#include "assignment.h"

static int
s_uuid (const char *id)
{
    return id && kw_uuid_valid (id);
}

int
event_rows_decided (const Kw__EligibilityDecided *msg)
{
    return s_uuid (msg->referral_id) && msg->region && msg->decision && msg->decision->has_outcome ? 0 : -1;
}

const char *
event_rows_age_out (const Kw__CaseAgeOut *msg)
{
    return s_uuid (msg->case_id) ? msg->case_id : NULL;
}

const char *
event_rows_withdrawn (const Kw__ReferralWithdrawn *msg)
{
    return s_uuid (msg->referral_id) ? msg->referral_id : NULL;
}

const char *
event_rows_information (const Kw__ReferralReceived *msg)
{
    return s_uuid (msg->referral_id) && msg->referral ? msg->referral_id : NULL;
}

//  The district of a postcode ("NR2 3TU" -> "NR2") into out; "" when none.
static void
s_district (const char *postcode, char out [8])
{
    out [0] = 0;
    if (!postcode)
        return;
    //  Stored postcodes have one space before the inward code (three characters).
    size_t len = strlen (postcode);
    const char *space = strchr (postcode, ' ');
    size_t n = space ? (size_t) (space - postcode) : len > 3 ? len - 3 : 0;
    if (n > 7)
        n = 7;
    for (size_t i = 0; i < n; i++)
        out [i] = (char) toupper ((unsigned char) postcode [i]);
    out [n] = 0;
}

//  The need flags that hold, as a PostgreSQL array text.
static char *
s_needs (const Kw__Needs *needs, kw_arena_t *arena)
{
    if (!needs)
        return "{}";
    const struct { int has, value; const char *name; } flags [] = {
        { needs->has_complex_health_needs, needs->complex_health_needs, "complex_health_needs" },
        { needs->has_high_level_of_need, needs->high_level_of_need, "high_level_of_need" },
        { needs->has_learning_disability, needs->learning_disability, "learning_disability" },
        { needs->has_autism, needs->autism, "autism" },
        { needs->has_inpatient, needs->inpatient, "inpatient" },
    };
    char buf [256] = "{";
    size_t len = 1;
    for (size_t i = 0; i < sizeof flags / sizeof flags [0]; i++)
        if (flags [i].has && flags [i].value)
            len += (size_t) snprintf (buf + len, sizeof buf - len, "%s%s", len > 1 ? "," : "", flags [i].name);
    snprintf (buf + len, sizeof buf - len, "}");
    return kw_arena_strdup (arena, buf);
}

void
event_rows_opening (const Kw__EligibilityDecided *msg, const char *case_id, kw_arena_t *arena,
                    event_rows_opening_t *out)
{
    memset (out, 0, sizeof *out);
    const Kw__ReferralBody *body = msg->referral;
    const Kw__Child *child = body ? body->child : NULL;
    const Kw__SuggestedKeyWorker *suggested = body ? body->suggested_key_worker : NULL;
    const char *postcode = child && child->postcode ? child->postcode : msg->postcode;
    const char *language = child && child->language ? child->language : msg->language;
    for (size_t i = 0; !language && body && i < body->n_family; i++)
        language = body->family [i]->language;
    const char *email = suggested && suggested->email ? suggested->email : msg->suggested_key_worker_email;
    s_district (postcode, out->district);
    team_case_t *c = &out->columns;
    c->id = case_id;
    c->referral_id = msg->referral_id;
    c->region = msg->region;
    c->needs = s_needs (body ? body->needs : NULL, arena);
    c->district = *out->district ? out->district : NULL;
    c->language = language && *language ? language : NULL;
    c->suggested_email = email && *email ? email : NULL;
    c->suggested_family = suggested && suggested->has_family_member && suggested->family_member;
    out->needs = rows_array (c->needs, arena, &out->need_count);
}

void
event_rows_team (const Kw__ReferralBody *referral, const char **params, kw_arena_t *arena)
{
    size_t n = referral ? referral->n_professionals : 0;
    char **columns [5];
    for (size_t c = 0; c < 5; c++)
        columns [c] = kw_arena_calloc (arena, sizeof (char *) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        const Kw__Professional *p = referral->professionals [i];
        columns [0][i] = p->name;
        columns [1][i] = p->agency;
        columns [2][i] = p->discipline;
        columns [3][i] = p->email && *p->email ? p->email : NULL;
        columns [4][i] = p->phone;
    }
    for (size_t c = 0; c < 5; c++)
        params [c] = rows_array_literal (columns [c], n, arena);
}

//  Address lines joined by LF in arena, or NULL when there are none.
static char *
s_lines (char *const *lines, size_t n, kw_arena_t *arena)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen (lines [i]) + 1;
    char *out = n ? kw_arena_alloc (arena, len) : NULL;
    for (size_t i = 0, at = 0; out && i < n; i++)
        at += (size_t) sprintf (out + at, "%s%s", i ? "\n" : "", lines [i]);
    return out;
}

size_t
event_rows_family (const Kw__ReferralBody *referral, const char **params, kw_arena_t *arena)
{
    size_t n = referral ? referral->n_family : 0;
    char **columns [8];
    for (size_t c = 0; c < 8; c++)
        columns [c] = kw_arena_calloc (arena, sizeof (char *) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        const Kw__FamilyMember *f = referral->family [i];
        columns [0][i] = f->name;
        columns [1][i] = f->relationship;
        columns [2][i] = f->email;
        columns [3][i] = f->phone;
        columns [4][i] = f->language;
        columns [5][i] = f->preferred_contact;
        columns [6][i] = !f->has_has_parental_responsibility ? NULL
                       : f->has_parental_responsibility ? "true" : "false";
        columns [7][i] = s_lines (f->address, f->n_address, arena);
    }
    for (size_t c = 0; c < 8; c++)
        params [c] = rows_array_literal (columns [c], n, arena);
    return n;
}
