/*  Unit tests for the key worker ranking (services/assignment/rank.c), as a
    table: each row is a child (needs, district, language, the family's
    suggestion, who is excluded) and a set of registered professionals; the
    row names the order of those who may be offered the case, their exact
    scores, how many may be offered, and reasons in words that must appear
    for a named candidate (including why one may not be offered). Then the
    family member suggestion (a parent or carer as key worker), also as a
    table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../services/assignment/rank.h"
#include "tap.h"

#define MAX_CANDIDATES 8
#define MAX_LIST 8

//  A candidate: "id:discipline:languages:localities:max/caseload/cover/pending:flags",
//  lists comma-separated, flags T (in the team), I (inactive), X (absent).
//  The e-mail is id@example.org.
typedef struct {
    const char *name;
    const rank_weights_t *weights;      //  NULL: rank_default_weights
    const char *needs;                  //  comma-separated flags
    const char *district;
    const char *language;
    const char *suggested;
    const char *excluded;               //  comma-separated ids
    const char *keeping;
    const char *pros [MAX_CANDIDATES];
    const char *order;                  //  the offerable ids, best first
    const char *scores;                 //  their scores
    const char *who;                    //  a candidate whose reasons include
    const char *reason;                 //  this line, exactly
} row_t;

//  Every reason's weight set apart, so that a score names its parts.
static const rank_weights_t TENS = {
    .suggested = 10000, .continuity = 1000, .discipline = 100, .locality = 10, .language = 1,
    .capacity = 0
};
static const rank_weights_t NO_SUGGESTION = {
    .suggested = 0, .continuity = 200, .discipline = 60, .locality = 40, .language = 40, .capacity = 30
};

static const row_t ROWS [] = {
    //  default weights: suggested 1000, continuity 200, discipline 60, locality 40, language 40, capacity 30
    { "the family's suggestion comes first", NULL, "high_level_of_need", "NR2", "en", "b@example.org",
      NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/5/0/0:" },
      "b,a", "1055,170", "b", "suggested by the family (+1000)" },
    { "the suggestion's e-mail matches in any case", NULL, "high_level_of_need", "NR2", "en",
      "B@Example.ORG", NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/5/0/0:" },
      "b,a", "1055,170", "b", "suggested by the family (+1000)" },
    { "a suggestion with no room is passed over", NULL, "high_level_of_need", "NR2", "en",
      "b@example.org", NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/10/0/0:" },
      "a", "170", "b", "cannot be offered: no room: 10 of 10 places taken or offered" },
    { "an inactive suggestion is passed over", NULL, "high_level_of_need", "NR2", "en",
      "b@example.org", NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/0/0/0:I" },
      "a", "170", "b", "cannot be offered: not active" },
    { "an absent suggestion is passed over", NULL, "high_level_of_need", "NR2", "en",
      "b@example.org", NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/0/0/0:X" },
      "a", "170", "b", "cannot be offered: absent" },
    { "a suggestion nobody registered ranks the rest as usual", NULL, "high_level_of_need", "NR2", "en",
      "nobody@example.org", NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/5/0/0:" },
      "a,b", "170,55", "a", "social worker fits high level of need (+60)" },
    { "a region that gives the suggestion no weight", &NO_SUGGESTION, "high_level_of_need", "NR2", "en",
      "b@example.org", NULL, NULL,
      { "a:social_worker:en:NR2,NR3:10/0/0/0:", "b:teacher:en:NR9:10/5/0/0:" },
      "a,b", "170,55", "b", "suggested by the family (+0)" },
    { "continuity: a team member before a better fit", NULL, "high_level_of_need", "NR2", "en", NULL,
      NULL, NULL,
      { "a:social_worker:en:NR2:10/0/0/0:", "c:teacher:en:NR9:10/0/0/0:T" },
      "c,a", "270,170", "c", "already in the child's team (+200)" },
    { "discipline: the share of needs fitted", &TENS, "autism,complex_health_needs", NULL, NULL, NULL,
      NULL, NULL,
      { "slt:speech_and_language_therapist:en::10/0/0/0:", "ot:occupational_therapist:en::10/0/0/0:",
        "t:teacher:en::10/0/0/0:" },
      "slt,ot,t", "100,50,0", "slt", "speech and language therapist fits autism, complex health needs (+100)" },
    { "discipline: one need of two", &TENS, "autism,complex_health_needs", NULL, NULL, NULL, NULL, NULL,
      { "ot:occupational_therapist:en::10/0/0/0:" },
      "ot", "50", "ot", "occupational therapist fits complex health needs (+50)" },
    { "discipline: no fit is said", &TENS, "inpatient", NULL, NULL, NULL, NULL, NULL,
      { "t:teacher:en::10/0/0/0:" },
      "t", "0", "t", "teacher fits none of the child's needs" },
    { "discipline: no needs, no discipline reason", &TENS, "", NULL, NULL, NULL, NULL, NULL,
      { "t:teacher:en::10/0/0/0:" },
      "t", "0", "t", "10 of 10 places free (+0)" },
    { "locality: the child's district, in any case", &TENS, "", "NR2", NULL, NULL, NULL, NULL,
      { "a:teacher:en:nr2:10/0/0/0:", "b:teacher:en:NR20:10/0/0/0:" },
      "a,b", "10,0", "a", "works in NR2 (+10)" },
    { "locality: a district not worked in is said", &TENS, "", "NR2", NULL, NULL, NULL, NULL,
      { "b:teacher:en:NR20:10/0/0/0:" },
      "b", "0", "b", "does not work in NR2" },
    { "language: the family's language", &TENS, "", NULL, "pl", NULL, NULL, NULL,
      { "a:teacher:en:NR2:10/0/0/0:", "b:teacher:en,pl:NR2:10/0/0/0:" },
      "b,a", "1,0", "a", "does not speak pl" },
    { "language: spoken", &TENS, "", NULL, "pl", NULL, NULL, NULL,
      { "b:teacher:en,pl:NR2:10/0/0/0:" },
      "b", "1", "b", "speaks pl (+1)" },
    { "every part adds up", &TENS, "autism", "NR2", "pl", "a@example.org", NULL, NULL,
      { "a:psychologist:pl:NR2:10/0/0/0:T" },
      "a", "11111", "a", "psychologist fits autism (+100)" },
    { "capacity: the share of places free, rounded", NULL, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::12/9/0/0:", "b:teacher:en::12/4/0/0:" },
      "b,a", "20,8", "a", "3 of 12 places free (+8)" },
    { "capacity: covered cases and pending offers take room", NULL, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::12/2/3/4:", "b:teacher:en::12/0/0/0:" },
      "b,a", "30,8", "a", "3 of 12 places free (+8)" },
    { "capacity: full with covered cases", NULL, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::10/6/4/0:", "b:teacher:en::10/0/0/0:" },
      "b", "30", "a", "cannot be offered: no room: 10 of 10 places taken or offered" },
    { "capacity: full with pending offers", NULL, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::3/1/0/2:", "b:teacher:en::10/0/0/0:" },
      "b", "30", "a", "cannot be offered: no room: 3 of 3 places taken or offered" },
    { "capacity: a maximum of 0 takes nobody", NULL, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::0/0/0/0:" },
      "", "", "a", "cannot be offered: no room: 0 of 0 places taken or offered" },
    { "ties: equal scores go to more places free", &TENS, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::10/5/0/0:", "b:teacher:en::10/2/0/0:", "c:teacher:en::10/9/0/0:" },
      "b,a,c", "0,0,0", NULL, NULL },
    { "ties: then the lower id", &TENS, "", NULL, NULL, NULL, NULL, NULL,
      { "c:teacher:en::10/5/0/0:", "a:teacher:en::10/5/0/0:", "b:teacher:en::10/5/0/0:" },
      "a,b,c", "0,0,0", NULL, NULL },
    { "excluded: refused in this round", NULL, "", NULL, NULL, NULL, "a,c", NULL,
      { "a:teacher:en::10/0/0/0:", "b:teacher:en::10/5/0/0:", "c:teacher:en::10/0/0/0:" },
      "b", "15", "a", "cannot be offered: declined or let an offer lapse in this round" },
    { "keeping: the key worker being replaced", NULL, "", NULL, NULL, NULL, NULL, "a",
      { "a:teacher:en::10/0/0/0:", "b:teacher:en::10/5/0/0:" },
      "b", "15", "a", "cannot be offered: the key worker the new one replaces" },
    { "nobody may be offered", NULL, "", NULL, NULL, NULL, NULL, NULL,
      { "a:teacher:en::10/0/0/0:I", "b:teacher:en::10/0/0/0:X", "c:teacher:en::1/1/0/0:" },
      "", "", "c", "cannot be offered: no room: 1 of 1 places taken or offered" },
    { "no candidates at all", NULL, "autism", "NR2", "en", "a@example.org", NULL, NULL,
      { NULL }, "", "", NULL, NULL },
};

//  Split s at sep into list (up to max items, in buf); returns the count.
static size_t
s_split (const char *s, char sep, char *buf, size_t size, const char **list, size_t max)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    snprintf (buf, size, "%s", s);
    char *p = buf;
    while (n < max) {
        list [n++] = p;
        char *next = strchr (p, sep);
        if (!next)
            break;
        *next = 0;
        p = next + 1;
    }
    return n;
}

typedef struct {
    char buf [256];
    char email [64];
    const char *parts [6];
    const char *languages [MAX_LIST];
    const char *localities [MAX_LIST];
    char lang_buf [64], loc_buf [64];
} spec_t;

static void
s_candidate (const char *text, spec_t *spec, rank_candidate_t *c)
{
    memset (c, 0, sizeof *c);
    size_t n = s_split (text, ':', spec->buf, sizeof spec->buf, spec->parts, 6);
    if (n != 6) {
        fprintf (stderr, "bad candidate spec %s\n", text);
        exit (2);
    }
    c->id = spec->parts [0];
    snprintf (spec->email, sizeof spec->email, "%s@example.org", c->id);
    c->email = spec->email;
    c->discipline = spec->parts [1];
    c->language_count = s_split (spec->parts [2], ',', spec->lang_buf, sizeof spec->lang_buf,
                                 spec->languages, MAX_LIST);
    c->languages = spec->languages;
    c->locality_count = s_split (spec->parts [3], ',', spec->loc_buf, sizeof spec->loc_buf,
                                 spec->localities, MAX_LIST);
    c->localities = spec->localities;
    if (sscanf (spec->parts [4], "%d/%d/%d/%d", &c->max_caseload, &c->caseload, &c->cover_load,
                &c->pending_offers) != 4) {
        fprintf (stderr, "bad counts in %s\n", text);
        exit (2);
    }
    c->active = !strchr (spec->parts [5], 'I');
    c->absent = strchr (spec->parts [5], 'X') != NULL;
    c->in_team = strchr (spec->parts [5], 'T') != NULL;
}

static void
s_run (const row_t *row)
{
    spec_t specs [MAX_CANDIDATES];
    rank_candidate_t candidates [MAX_CANDIDATES];
    size_t count = 0;
    while (count < MAX_CANDIDATES && row->pros [count]) {
        s_candidate (row->pros [count], &specs [count], &candidates [count]);
        count++;
    }
    char needs_buf [128], excluded_buf [128];
    const char *needs [MAX_LIST], *excluded [MAX_LIST];
    rank_child_t child = {
        .needs = needs,
        .need_count = s_split (row->needs, ',', needs_buf, sizeof needs_buf, needs, MAX_LIST),
        .district = row->district, .language = row->language, .suggested_email = row->suggested,
        .excluded = excluded,
        .excluded_count = s_split (row->excluded, ',', excluded_buf, sizeof excluded_buf, excluded, MAX_LIST),
        .excluded_why = "declined or let an offer lapse in this round",
        .keeping_id = row->keeping
    };
    size_t offerable = rank_candidates (&child, row->weights ? row->weights : &rank_default_weights,
                                        candidates, count);
    char order [256] = "", scores [256] = "";
    size_t olen = 0, slen = 0;
    for (size_t i = 0; i < offerable; i++) {
        olen += (size_t) snprintf (order + olen, sizeof order - olen, "%s%s", i ? "," : "", candidates [i].id);
        slen += (size_t) snprintf (scores + slen, sizeof scores - slen, "%s%d", i ? "," : "",
                                   candidates [i].score);
    }
    is_str (order, row->order, "%s: order", row->name);
    is_str (scores, row->scores, "%s: scores", row->name);
    const rank_weights_t *weights = row->weights ? row->weights : &rank_default_weights;
    rank_reasons_t why [MAX_CANDIDATES];
    for (size_t i = 0; i < count; i++)
        rank_explain (&child, weights, &candidates [i], &why [i]);
    int rest_closed = 1;
    for (size_t i = offerable; i < count; i++)
        rest_closed = rest_closed && !candidates [i].offerable && why [i].count == 1
                   && strncmp (why [i].lines [0], "cannot be offered: ", 19) == 0;
    ok (rest_closed, "%s: the others are kept apart with one reason why", row->name);
    int every_scored = 1;
    for (size_t i = 0; i < offerable; i++)
        every_scored = every_scored && why [i].count >= 1 && strstr (why [i].lines [why [i].count - 1], "places free");
    ok (every_scored, "%s: every offerable candidate has reasons, room last", row->name);
    int same = 1;
    for (size_t i = 0; i < count; i++) {
        //  The reasons' points add up to the score.
        int sum = 0;
        for (size_t r = 0; r < why [i].count; r++) {
            const char *plus = strstr (why [i].lines [r], "(+");
            sum += plus ? atoi (plus + 2) : 0;
        }
        same = same && (!candidates [i].offerable || sum == candidates [i].score);
    }
    ok (same, "%s: the points in the reasons add up to each score", row->name);
    if (row->who) {
        int found = 0;
        for (size_t i = 0; i < count; i++)
            if (strcmp (candidates [i].id, row->who) == 0)
                for (size_t r = 0; r < why [i].count; r++)
                    found = found || strcmp (why [i].lines [r], row->reason) == 0;
        if (!ok (found, "%s: %s has the reason \"%s\"", row->name, row->who, row->reason))
            for (size_t i = 0; i < count; i++)
                for (size_t r = 0; r < why [i].count; r++)
                    tap_diag ("%s: %s", candidates [i].id, why [i].lines [r]);
    }
}

//  A parent or carer as key worker.
typedef struct {
    const char *name;
    const char *suggested;
    int family_member;
    const char *emails [4];
    int want;
} family_row_t;

static const family_row_t FAMILY [] = {
    { "the family asked for the named parent", "mum@example.org", 1,
      { "dad@example.org", "mum@example.org", NULL }, 1 },
    { "matched in any case", "MUM@example.org", 1, { "mum@Example.org", NULL }, 0 },
    { "a member without an e-mail is skipped", "mum@example.org", 1, { NULL, "mum@example.org" }, 1 },
    { "not asked for: a professional is ranked", "mum@example.org", 0, { "mum@example.org", NULL }, -1 },
    { "asked for someone not in the family list", "aunt@example.org", 1, { "mum@example.org", NULL }, -1 },
    { "asked for a family member without naming one", NULL, 1, { "mum@example.org", NULL }, -1 },
    { "an empty family list", "mum@example.org", 1, { NULL }, -1 },
};

int
main (void)
{
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS [0]; i++)
        s_run (&ROWS [i]);
    for (size_t i = 0; i < sizeof FAMILY / sizeof FAMILY [0]; i++) {
        const family_row_t *row = &FAMILY [i];
        size_t count = 0;
        while (count < 4 && (row->emails [count] || (count + 1 < 4 && row->emails [count + 1])))
            count++;
        is_int (rank_family_member (row->suggested, row->family_member, row->emails, count), row->want,
                "family member: %s", row->name);
    }
    ok (rank_need_disciplines ("autism") && !rank_need_disciplines ("unknown"),
        "needs the ranking does not know fit nobody");
    return tap_done ();
}
