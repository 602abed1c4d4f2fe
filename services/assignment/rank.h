/*  rank: the key worker ranking as a pure function. Each candidate gets a
    score and its reasons in words from what the child needs (the family's
    suggestion, the team around the child, the need flags, the postcode
    district, the family's language) and the candidate's room for another
    case, weighted by the region's settings; candidates who may not be
    offered the case are kept apart with the reason why. No database, no
    allocation: matching.c feeds it rows and stores what it answers. */
#ifndef ASSIGNMENT_RANK_H
#define ASSIGNMENT_RANK_H

#include <stddef.h>

#define RANK_MAX_REASONS 8
#define RANK_REASON_SIZE 112

//  The weight of each part of the score (region settings, 0 to 1000).
typedef struct {
    int suggested;              //  the family suggested this professional
    int continuity;             //  already in the child's team
    int discipline;             //  times the share of the child's needs the discipline fits
    int locality;               //  works in the child's postcode district
    int language;               //  speaks the family's language
    int capacity;               //  times the share of places free
} rank_weights_t;

//  The default weights: the suggestion first, then continuity, then fit.
#define RANK_DEFAULT_WEIGHTS { .suggested = 1000, .continuity = 200, .discipline = 60, \
                               .locality = 40, .language = 40, .capacity = 30 }
extern const rank_weights_t rank_default_weights;

//  What the ranking knows of the child. Lists may be empty (count 0).
typedef struct {
    const char *const *needs;           //  need flags that hold: "complex_health_needs", "autism", ...
    size_t need_count;
    const char *district;               //  "NR2", or NULL
    const char *language;               //  ISO 639 code, or NULL
    const char *suggested_email;        //  the family's suggestion, or NULL
    const char *const *excluded;        //  professional ids not to offer (with why, below)
    size_t excluded_count;
    const char *excluded_why;           //  "declined or let an offer lapse in this round", ...
    const char *keeping_id;             //  the key worker who stays during a change, or NULL
} rank_child_t;

typedef struct {
    //  In: one registered professional.
    const char *id;
    const char *email;
    const char *name;                   //  name and phone: what an offer to them tells
    const char *phone;
    const char *discipline;
    const char *const *languages;
    size_t language_count;
    const char *const *localities;
    size_t locality_count;
    int max_caseload;
    int caseload;
    int cover_load;
    int pending_offers;
    int active;
    int absent;
    int in_team;                        //  already in the child's team
    //  Out.
    int offerable;                      //  1 when the case may be offered to them
    int suggested;                      //  1 when the family suggested them
    int score;
} rank_candidate_t;

//  A candidate's score in words, one reason a line: why they cannot be
//  offered the case, or each part of their score.
typedef struct {
    size_t count;
    char lines [RANK_MAX_REASONS][RANK_REASON_SIZE];
} rank_reasons_t;

//  Places free: max_caseload less cases held, covered and offered.
int rank_spare (const rank_candidate_t *candidate);

//  Score every candidate and sort them in place: those who may be offered
//  the case first, best score first; ties go to the one with more places
//  free, then to the lower id. Returns how many may be offered.
size_t rank_candidates (const rank_child_t *child, const rank_weights_t *weights,
                        rank_candidate_t *candidates, size_t count);
//  The reasons of one candidate's score (as rank_candidates scored it)
//  into why: "cannot be offered: ..." alone, or one line a part of the
//  score, the room last.
void rank_explain (const rank_child_t *child, const rank_weights_t *weights,
                   const rank_candidate_t *candidate, rank_reasons_t *why);

//  The family member to offer the key worker role to first: the index in
//  emails (count of them, NULL entries for members without one) of the
//  member the family suggested, when they asked for a family member
//  (family_member) and named one of them; else -1 (rank the professionals).
int rank_family_member (const char *suggested_email, int family_member,
                        const char *const *emails, size_t count);

//  The disciplines that fit a need flag, NULL-terminated; NULL for a flag
//  the ranking does not know.
const char *const *rank_need_disciplines (const char *need);

#endif
