/*  replay: a main for the fuzz targets without libFuzzer. Runs the target's
    LLVMFuzzerTestOneInput once on every file of the directories and files
    given (directories in name order) and prints TAP, one line per input; a
    crash prints "not ok" naming the input before the process dies. Built
    with the project's compiler into BUILD/fuzz-replay/ and run by make test
    over each target's corpus and regression inputs.

        fuzz_<target> DIR_OR_FILE...                                     */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static int s_count;
static char s_current [4096];

static void
s_on_crash (int sig)
{
    char line [4200];
    int n = snprintf (line, sizeof line, "not ok %d - %s crashed (signal %d)\n", s_count + 1, s_current, sig);
    if (n > 0 && write (STDOUT_FILENO, line, (size_t) n) < 0)
        _exit (128 + sig);
    signal (sig, SIG_DFL);
    raise (sig);
}

static int
s_replay_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        printf ("not ok %d - %s: cannot open\n", ++s_count, path);
        return 1;
    }
    fseek (file, 0, SEEK_END);
    long len = ftell (file);
    rewind (file);
    uint8_t *data = malloc (len > 0 ? (size_t) len : 1);
    size_t got = data ? fread (data, 1, (size_t) (len > 0 ? len : 0), file) : 0;
    fclose (file);
    if (!data || len < 0 || got != (size_t) len) {
        free (data);
        printf ("not ok %d - %s: cannot read\n", ++s_count, path);
        return 1;
    }
    snprintf (s_current, sizeof s_current, "%s", path);
    fflush (stdout);
    LLVMFuzzerTestOneInput (data, got);
    free (data);
    printf ("ok %d - %s\n", ++s_count, path);
    return 0;
}

static int
s_by_name (const struct dirent **a, const struct dirent **b)
{
    return strcmp ((*a)->d_name, (*b)->d_name);
}

static int
s_replay (const char *path)
{
    struct stat st;
    if (stat (path, &st) != 0) {
        printf ("not ok %d - %s: no such file or directory\n", ++s_count, path);
        return 1;
    }
    if (!S_ISDIR (st.st_mode))
        return s_replay_file (path);
    struct dirent **names;
    int n = scandir (path, &names, NULL, s_by_name);
    int failed = n < 0;
    for (int i = 0; i < n; i++) {
        if (names [i]->d_name [0] != '.') {
            char file [4096];
            snprintf (file, sizeof file, "%s/%s", path, names [i]->d_name);
            failed |= s_replay_file (file);
        }
        free (names [i]);
    }
    free (names);
    return failed;
}

int
main (int argc, char **argv)
{
    signal (SIGABRT, s_on_crash);
    signal (SIGSEGV, s_on_crash);
    signal (SIGBUS, s_on_crash);
    signal (SIGFPE, s_on_crash);
    signal (SIGILL, s_on_crash);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize (&argc, &argv);
    int failed = 0;
    for (int i = 1; i < argc; i++)
        failed |= s_replay (argv [i]);
    if (s_count == 0)
        printf ("not ok 1 - no inputs to replay\n");
    printf ("1..%d\n", s_count ? s_count : 1);
    return failed || s_count == 0;
}
