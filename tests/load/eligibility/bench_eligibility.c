/*  bench_eligibility: decisions per second of rules_decide under the shipped
    norfolk and nhse rule sets (KW_REGION_DIR, default deploy/regions, run
    from the repository root). Generates --count (100,000) varied referrals
    in memory from a fixed seed, then for each rule set times two passes
    over all of them, resetting the arena after each decision as the
    service does: the decision alone, and the decision packed
    (kw__eligibility_decision__pack) as the service stores it, the time of
    the second pass including the decision. Each pass is run 3 times and
    the fastest counts, to damp a busy machine's noise. Prints a line a pass and one
    "RESULT key=value ..." line for scripts; exits 1 when a region does not
    load or a rule set never reaches one of the three outcomes. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw_arena.h"
#include "../../../services/eligibility/region.h"
#include "../../../services/eligibility/rules.h"

#define DECISION_Y 2026
#define DECISION_M 11
#define DECISION_D 25
#define MAX_PROS 5
#define REPEATS 3

static const char *const GPS [] = { "D82001", "D82044", "d82101", " D82999 ", "A81001", "Y00123" };
static const char *const POSTCODES [] = { "NR2 4AB", "NR14 7XY", "PE30 1AA", "IP22 4DD", "CB1 2AB", "SW1A 1AA" };
static const char *const RATINGS [] = { "red", "amber", "green", "blue" };
static const char *const AGENCIES [] = { "Community Nursing", "Social Care", "Riverside Academy",
                                         "CAMHS", "Early Help" };
static const char *const PEOPLE [] = { "Ann Lee", "Bob Ray", "Cat Dee", "Dan Fox", "Eve Orr", "Fay Kim",
                                       "Gus Roe", "Hal Ito", "Ivy Poe", "Jon Day", "Kay Lam", "Lou Ng" };
#define COUNT_OF(a) (sizeof a / sizeof a [0])

//  The generated referrals, each with the child's DSR rating (NULL: not on it).
typedef struct {
    Kw__ReferralBody *bodies;
    const char **ratings;
    size_t count;
} referrals_t;

static uint64_t s_rng = 0x9E3779B97F4A7C15ull;

//  xorshift64*: the same referrals every run.
static uint32_t
s_random (uint32_t below)
{
    s_rng ^= s_rng >> 12;
    s_rng ^= s_rng << 25;
    s_rng ^= s_rng >> 27;
    return (uint32_t) ((s_rng * 2685821657736338717ull) >> 32) % below;
}

//  An optional bool: 45% true, 40% false, 15% absent.
static void
s_flag (protobuf_c_boolean *has, protobuf_c_boolean *value)
{
    uint32_t r = s_random (100);
    *has = r < 85;
    *value = r < 45;
}

static const char *
s_maybe (const char *const *pool, size_t count, uint32_t absent_percent)
{
    return s_random (100) < absent_percent ? NULL : pool [s_random ((uint32_t) count)];
}

static void
s_referral (Kw__ReferralBody *body, const char **rating, kw_arena_t *arena)
{
    kw__referral_body__init (body);
    Kw__Child *child = kw_arena_alloc (arena, sizeof *child);
    kw__child__init (child);
    Kw__Needs *needs = kw_arena_alloc (arena, sizeof *needs);
    kw__needs__init (needs);
    body->child = child;
    body->needs = needs;

    //  Ages 0 to 27; some dates of birth absent, invalid or in the future.
    uint32_t r = s_random (100);
    if (r < 6)
        child->date_of_birth = NULL;
    else
    if (r < 7)
        child->date_of_birth = "2010-02-30";
    else
    if (r < 8)
        child->date_of_birth = "2027-01-01";
    else {
        unsigned y = DECISION_Y - 27 + s_random (28);
        unsigned m = 1 + s_random (12);
        unsigned d = 1 + s_random (28);
        child->date_of_birth = kw_arena_printf (arena, "%04u-%02u-%02u", y, m, d);
    }
    r = s_random (100);
    child->has_in_complex_needs_school = r < 85;
    child->in_complex_needs_school = r < 15;
    child->gp_practice = (char *) s_maybe (GPS, COUNT_OF (GPS), 8);
    child->postcode = (char *) s_maybe (POSTCODES, COUNT_OF (POSTCODES), 5);
    s_flag (&needs->has_complex_health_needs, &needs->complex_health_needs);
    s_flag (&needs->has_high_level_of_need, &needs->high_level_of_need);
    s_flag (&needs->has_learning_disability, &needs->learning_disability);
    s_flag (&needs->has_autism, &needs->autism);
    s_flag (&needs->has_inpatient, &needs->inpatient);

    //  0 to 5 professionals from a small pool, so some repeat.
    size_t n = s_random (100) < 8 ? 0 : 1 + s_random (MAX_PROS);
    body->professionals = kw_arena_alloc (arena, (n ? n : 1) * sizeof (Kw__Professional *));
    body->n_professionals = n;
    for (size_t i = 0; i < n; i++) {
        Kw__Professional *p = kw_arena_alloc (arena, sizeof *p);
        kw__professional__init (p);
        uint32_t who = s_random (COUNT_OF (PEOPLE));
        p->name = (char *) PEOPLE [who];
        if (s_random (2))
            p->email = kw_arena_printf (arena, "person%u@example.test", who);
        p->agency = (char *) s_maybe (AGENCIES, COUNT_OF (AGENCIES), 10);
        body->professionals [i] = p;
    }
    *rating = s_maybe (RATINGS, COUNT_OF (RATINGS), 40);
}

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

typedef struct {
    double seconds;
    size_t outcomes [4];            //  by Kw__Outcome
    size_t packed_bytes;
} pass_t;

//  Decide every referral under region, packing each decision when pack.
static void
s_pass_once (const region_t *region, const referrals_t *referrals, int pack, kw_arena_t *arena, pass_t *pass)
{
    memset (pass, 0, sizeof *pass);
    double start = s_now ();
    for (size_t i = 0; i < referrals->count; i++) {
        Kw__EligibilityDecision *decision = rules_decide (region, &referrals->bodies [i], referrals->ratings [i],
                                                          DECISION_Y, DECISION_M, DECISION_D, arena);
        pass->outcomes [decision->outcome & 3]++;
        if (pack) {
            size_t size = kw__eligibility_decision__get_packed_size (decision);
            uint8_t *packed = kw_arena_alloc (arena, size ? size : 1);
            pass->packed_bytes += kw__eligibility_decision__pack (decision, packed);
        }
        kw_arena_reset (arena);
    }
    pass->seconds = s_now () - start;
}

//  The fastest of REPEATS passes.
static void
s_pass (const region_t *region, const referrals_t *referrals, int pack, kw_arena_t *arena, pass_t *pass)
{
    s_pass_once (region, referrals, pack, arena, pass);
    for (int i = 1; i < REPEATS; i++) {
        pass_t again;
        s_pass_once (region, referrals, pack, arena, &again);
        if (again.seconds < pass->seconds)
            pass->seconds = again.seconds;
    }
}

static double
s_rate (const pass_t *pass, size_t count)
{
    return pass->seconds > 0 ? (double) count / pass->seconds : 0;
}

//  Both passes for one rule set, printed; 0, or -1 when an outcome never came.
static int
s_bench (const region_t *region, const referrals_t *referrals, kw_arena_t *arena, char *result, size_t size)
{
    pass_t decide, packed;
    s_pass (region, referrals, 0, arena, &decide);
    s_pass (region, referrals, 1, arena, &packed);
    size_t n = referrals->count;
    printf ("eligibility: %s %zu decisions in %.3f s (best of %d) = %.0f decisions/s (eligible %zu, ineligible %zu,"
            " more_information_needed %zu)\n", region->id, n, decide.seconds, REPEATS, s_rate (&decide, n),
            decide.outcomes [KW__OUTCOME__OUTCOME_ELIGIBLE], decide.outcomes [KW__OUTCOME__OUTCOME_INELIGIBLE],
            decide.outcomes [KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED]);
    printf ("eligibility: %s %zu decisions packed, decision included, in %.3f s (best of %d) = %.0f decisions/s"
            " (%.1f bytes a decision)\n", region->id, n, packed.seconds, REPEATS, s_rate (&packed, n),
            n ? (double) packed.packed_bytes / (double) n : 0.0);
    size_t used = strlen (result);
    snprintf (result + used, size - used, " %s_per_s=%.0f %s_packed_per_s=%.0f", region->id,
              s_rate (&decide, n), region->id, s_rate (&packed, n));
    for (int outcome = KW__OUTCOME__OUTCOME_ELIGIBLE; outcome <= KW__OUTCOME__OUTCOME_MORE_INFORMATION_NEEDED;
         outcome++)
        if (decide.outcomes [outcome] == 0) {
            fprintf (stderr, "bench_eligibility: %s: no referral was %s\n", region->id,
                     rules_outcome_name ((Kw__Outcome) outcome));
            return -1;
        }
    return 0;
}

static region_t *
s_load (const char *dir, const char *id)
{
    char path [512], err [256] = "";
    snprintf (path, sizeof path, "%s/%s.json", dir, id);
    region_t *region = region_load_file (path, err, sizeof err);
    if (!region)
        fprintf (stderr, "bench_eligibility: %s\n", err);
    return region;
}

int
main (int argc, char **argv)
{
    size_t count = 100000;
    int opt;
    while ((opt = getopt (argc, argv, "n:")) != -1) {
        if (opt == 'n' && atol (optarg) > 0)
            count = (size_t) atol (optarg);
        else {
            fprintf (stderr, "usage: bench_eligibility [-n referrals]\n");
            return 2;
        }
    }
    const char *dir = getenv ("KW_REGION_DIR");
    if (!dir || !*dir)
        dir = "deploy/regions";
    region_t *norfolk = s_load (dir, "norfolk");
    region_t *nhse = s_load (dir, "nhse");
    int rc = 1;
    if (norfolk && nhse) {
        kw_arena_t *store = kw_arena_new (1 << 20);
        referrals_t referrals = { kw_arena_alloc (store, count * sizeof (Kw__ReferralBody)),
                                  kw_arena_alloc (store, count * sizeof (const char *)), count };
        for (size_t i = 0; i < count; i++)
            s_referral (&referrals.bodies [i], &referrals.ratings [i], store);
        kw_arena_t *arena = kw_arena_new (16384);
        char result [256] = "RESULT";
        int failed = s_bench (norfolk, &referrals, arena, result, sizeof result) != 0;
        failed |= s_bench (nhse, &referrals, arena, result, sizeof result) != 0;
        rc = failed;
        printf ("%s\n", result);
        kw_arena_destroy (&arena);
        kw_arena_destroy (&store);
    }
    region_destroy (&norfolk);
    region_destroy (&nhse);
    return rc;
}
