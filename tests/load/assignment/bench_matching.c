/*  bench_matching: the time matching takes to rank the candidates for one
    case in a region of many registered professionals, with the service's
    own code (candidates_rank: the indexed draw of candidates and the
    ranking) against the stack's PostgreSQL. The region's professionals are
    registered beforehand (make bench imports 5,000 through the API). Each
    of --count (2,000) cases is a child with random needs, district and
    language, and a suggestion a third of the time; prints the time per
    case (p50, p99, mean), the candidates drawn and ranked per case, and a
    "RESULT key=value ..." line for scripts. Connects with KW_TEST_DB_URL
    (the stack's cluster as its owner). */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kw_arena.h"
#include "kw_db.h"
#include "../../../services/assignment/assignment.h"
#include "../load_clock.h"

static const char *const NEEDS [] = {
    "complex_health_needs", "high_level_of_need", "learning_disability", "autism", "inpatient"
};
static const char *const LANGUAGES [] = { "en", "en", "en", "en", "pl", "ur", "ro", "lt", "pt" };
#define COUNT_OF(a) (sizeof a / sizeof a [0])

static uint64_t s_rng = 0x9e3779b97f4a7c15u;



static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
    const char *region = "bench5000";
    const char *prefix = "bench5000";
    int count = 2000, workforce = 5000;
    static const struct option options [] = {
        { "region", required_argument, NULL, 'r' },
        { "prefix", required_argument, NULL, 'p' },
        { "count", required_argument, NULL, 'n' },
        { "workforce", required_argument, NULL, 'w' },
        { NULL, 0, NULL, 0 }
    };
    int opt;
    while ((opt = getopt_long (argc, argv, "", options, NULL)) != -1)
        switch (opt) {
            case 'r': region = optarg; break;
            case 'p': prefix = optarg; break;
            case 'n': count = atoi (optarg); break;
            case 'w': workforce = atoi (optarg); break;
            default:
                fprintf (stderr, "usage: bench_matching [--region R] [--prefix P] [--count N] [--workforce N]\n");
                return 2;
        }
    const char *url = getenv ("KW_TEST_DB_URL");
    kw_db_t *db = kw_db_new (url ? url : "dbname=kw", NULL, "bench_matching");
    if (count < 1 || kw_db_connect (db, 10000) != 0) {
        fprintf (stderr, "bench_matching: cannot connect: %s\n", kw_db_error (db));
        return 1;
    }
    candidates_prepare (db);
    kw_arena_t *arena = kw_arena_new (1 << 20);
    double *times = calloc ((size_t) count, sizeof *times);
    double drawn = 0, offerable = 0, total = 0;
    const rank_weights_t weights = RANK_DEFAULT_WEIGHTS;
    //  One untimed round warms the connection and prepares the statement.
    for (int i = -1; i < count; i++) {
        char district [8], suggestion [96];
        char *needs [COUNT_OF (NEEDS)];
        size_t need_count = 0;
        for (size_t k = 0; k < COUNT_OF (NEEDS); k++)
            if (load_random (&s_rng) % 3 == 0)
                needs [need_count++] = (char *) NEEDS [k];
        snprintf (district, sizeof district, "NR%d", (int) (1 + load_random (&s_rng) % 35));
        snprintf (suggestion, sizeof suggestion, "%s.%d@example.org", prefix, (int) (load_random (&s_rng) % (uint64_t) workforce));
        candidates_child_t child = {
            .region = region, .needs = needs, .need_count = need_count, .district = district,
            .language = LANGUAGES [load_random (&s_rng) % COUNT_OF (LANGUAGES)],
            .suggested_email = load_random (&s_rng) % 3 == 0 ? suggestion : NULL
        };
        candidates_t ranked;
        double t0 = load_now ();
        if (candidates_rank (db, &child, &weights, arena, &ranked) != 0) {
            fprintf (stderr, "bench_matching: %s\n", kw_db_error (db));
            return 1;
        }
        double t = load_now () - t0;
        if (i >= 0) {
            times [i] = t;
            total += t;
            drawn += (double) ranked.count;
            offerable += (double) ranked.offerable;
        }
        kw_arena_reset (arena);
    }
    qsort (times, (size_t) count, sizeof *times, s_cmp);
    double p50 = times [count / 2] * 1e6, p99 = times [(int) (count * 0.99)] * 1e6;
    double mean = total / count * 1e6;
    printf ("matching one case in region %s (%d registered): %d cases, %.0f candidates drawn and %.0f"
            " offerable a case\n", region, workforce, count, drawn / count, offerable / count);
    printf ("us a case: p50 %.0f  p99 %.0f  mean %.0f  max %.0f\n", p50, p99, mean, times [count - 1] * 1e6);
    printf ("RESULT matching_p50_us=%.0f matching_p99_us=%.0f matching_mean_us=%.0f candidates=%.0f\n",
            p50, p99, mean, drawn / count);
    free (times);
    kw_arena_destroy (&arena);
    kw_db_destroy (&db);
    return offerable > 0 ? 0 : 1;
}
