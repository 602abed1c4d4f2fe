/*  fuzz_region: the eligibility service's region rule set loader. The input
    is one region file, or two separated by a line "---"; they are written as
    a.json and b.json into a per-process temporary directory (on /dev/shm
    when there is one) and loaded with region_load_file and region_set_load.
    Each region that loads decides the example referral
    (deploy/examples/referral.json) with rules_decide. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kw_arena.h"
#include "kw_pbjson.h"
#include "kw/referral.pb-c.h"
#include "region.h"
#include "rules.h"

static char s_dir [64];
static char s_path_a [96];
static char s_path_b [96];
static kw_arena_t *s_arena;           //  per input
static kw_arena_t *s_example_arena;   //  the example referral, kept
static Kw__ReferralBody *s_referral;

static void
s_cleanup (void)
{
    unlink (s_path_a);
    unlink (s_path_b);
    rmdir (s_dir);
}

static void
s_write (const char *path, const uint8_t *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (data, 1, size, file) != size || fclose (file) != 0)
        abort ();
}

//  The example referral, or an empty body when it cannot be read.
static Kw__ReferralBody *
s_example (void)
{
    static Kw__ReferralBody empty = KW__REFERRAL_BODY__INIT;
    FILE *file = fopen ("deploy/examples/referral.json", "rb");
    if (!file)
        return &empty;
    char text [16384];
    size_t len = fread (text, 1, sizeof text, file);
    fclose (file);
    ProtobufCMessage *msg = NULL;
    kw_pbjson_error_t err;
    if (kw_pbjson_decode (&kw__referral_body__descriptor, text, len, s_example_arena, &msg, &err) != 0)
        return &empty;
    return (Kw__ReferralBody *) msg;
}

static void
s_use (const region_t *region)
{
    if (!region->region || !region->name || !region->time_zone || !region->version)
        abort ();
    if (!region_rules_name (region->rules))
        abort ();
    for (size_t i = 0; i < region->criterion_count; i++)
        if (region_criterion_description (region, region->criteria [i].id) == NULL)
            abort ();
    Kw__EligibilityDecision *decision = rules_decide (region, s_referral, NULL, 2026, 11, 20, s_arena);
    if (!decision || !rules_outcome_name (decision->outcome))
        abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    const char *base = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    //  A directory of this process's own (created, so never another's).
    snprintf (s_dir, sizeof s_dir, "%s/fuzz_region.%d", base, (int) getpid ());
    if (mkdir (s_dir, 0700) != 0)
        abort ();
    snprintf (s_path_a, sizeof s_path_a, "%s/a.json", s_dir);
    snprintf (s_path_b, sizeof s_path_b, "%s/b.json", s_dir);
    atexit (s_cleanup);
    s_arena = kw_arena_new (65536);
    s_example_arena = kw_arena_new (65536);
    s_referral = s_example ();
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static const char separator [] = "\n---\n";
    const uint8_t *second = size ? memmem (data, size, separator, sizeof separator - 1) : NULL;
    size_t first_len = second ? (size_t) (second - data) : size;
    s_write (s_path_a, data, first_len);
    if (second) {
        second += sizeof separator - 1;
        s_write (s_path_b, second, size - (size_t) (second - data));
    }
    else
        unlink (s_path_b);

    char err [512];
    region_t *region = region_load_file (s_path_a, err, sizeof err);
    if (region) {
        s_use (region);
        region_destroy (&region);
    }
    else
    if (!memchr (err, 0, sizeof err) || !strstr (err, s_path_a))
        abort ();                           //  the error names the file

    region_set_t *set = region_set_load (s_dir, err, sizeof err);
    if (set) {
        size_t count = region_set_count (set);
        if (count == 0 || count > 2)
            abort ();
        for (size_t i = 0; i < count; i++) {
            const region_t *r = region_set_at (set, i);
            if (region_set_find (set, r->region) != r)
                abort ();
            s_use (r);
        }
        region_set_destroy (&set);
    }
    else
    if (!memchr (err, 0, sizeof err) || !strstr (err, s_dir))
        abort ();
    kw_arena_reset (s_arena);
    return 0;
}
