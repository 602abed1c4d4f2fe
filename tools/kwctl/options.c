/*  options: the command-line handling the gateway commands share: the global
    options, option errors, checks of option values and reading input files. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_time.h"
#include "kwctl.h"

#define MAX_PRINTABLE 200
#define MAX_OPTIONS   32

//  Start a getopt_long scan of a fresh argv; errors are reported by
//  kwctl_option, never by getopt itself.
void
kwctl_options_reset (void)
{
    optind = 0;
    opterr = 0;
}

//  Print the option getopt stopped at, without its value.
static void
s_print_option (char **argv)
{
    const char *arg = optind > 0 ? argv [optind - 1] : NULL;
    if (arg && strncmp (arg, "--", 2) == 0) {
        const char *eq = strchr (arg, '=');
        int len = eq ? (int) (eq - arg) : (int) strlen (arg);
        fprintf (stderr, "%.*s", len > 64 ? 64 : len, arg);
    }
    else
    if (optopt > 0 && optopt < 0x80 && isprint (optopt))
        fprintf (stderr, "-%c", optopt);
    else
        fprintf (stderr, "%.64s", arg ? arg : "?");
}

//  Handle what a command's getopt_long loop did not: the global options,
//  --help (prints usage to stdout), unknown options and missing values
//  (an option's value is never echoed). Returns -1 when the scan goes on,
//  else the exit status to return.
int
kwctl_option (kwctl_global_t *global, int c, char **argv, kwctl_usage_fn *usage)
{
    switch (c) {
        case KWCTL_OPT_URL:
            global->url = optarg;
            global->given = 1;
            return -1;
        case KWCTL_OPT_TOKEN:
            global->token = optarg;
            global->given = 1;
            return -1;
        case KWCTL_OPT_JSON:
            global->json = 1;
            global->given = 1;
            return -1;
        case 'h':
            usage (stdout);
            return KWCTL_OK;
        case ':':
            fprintf (stderr, "kwctl: option ");
            s_print_option (argv);
            fprintf (stderr, " needs a value (try --help)\n");
            return KWCTL_USAGE;
        default:
            fprintf (stderr, "kwctl: unknown option ");
            s_print_option (argv);
            fprintf (stderr, " (try --help)\n");
            return KWCTL_USAGE;
    }
}

//  Scan argv with the command's own options (own_count of them) and the
//  global ones. The command's options go to on_option (with arg), which
//  returns -1 to go on or an exit status; the rest to kwctl_option. Returns
//  -1 when the scan reached the end (positional arguments from optind), else
//  the exit status to return.
int
kwctl_parse (int argc, char **argv, const struct option *own, size_t own_count,
             kwctl_global_t *global, kwctl_option_fn *on_option, void *arg,
             kwctl_usage_fn *usage)
{
    static const struct option globals [] = { KWCTL_GLOBAL_OPTIONS };
    size_t global_count = sizeof globals / sizeof globals [0];
    struct option options [MAX_OPTIONS + 1];
    if (own_count + global_count > MAX_OPTIONS)
        return KWCTL_USAGE;
    if (own_count)
        memcpy (options, own, own_count * sizeof *own);
    memcpy (options + own_count, globals, sizeof globals);
    options [own_count + global_count] = (struct option) { NULL, 0, NULL, 0 };
    kwctl_options_reset ();
    int c;
    while ((c = getopt_long (argc, argv, ":h", options, NULL)) != -1) {
        int own_option = c < 0x100 && c != 'h' && c != '?' && c != ':';
        int rc = !own_option ? kwctl_option (global, c, argv, usage)
               : on_option ? on_option (c, arg) : KWCTL_USAGE;
        if (rc >= 0)
            return rc;
    }
    return -1;
}

int
kwctl_positional (int argc, char **argv, int count, const char *group, const char *what)
{
    int empty = 0;
    for (int i = optind; i < argc; i++)
        empty |= !*argv [i];
    if (argc - optind == count && !empty)
        return 0;
    fprintf (stderr, "kwctl: %s %s %s (try kwctl %s --help)\n", group, argv [0], what, group);
    return -1;
}

//  0 when value is a real date YYYY-MM-DD; else prints why (naming option) and -1.
int
kwctl_check_date (const char *value, const char *option)
{
    int y, m, d;
    if (kw_date_parse (value, &y, &m, &d) == 0)
        return 0;
    fprintf (stderr, "kwctl: %s must be a date YYYY-MM-DD\n", option);
    return -1;
}

//  0 when value is one of the NULL-terminated choices; else prints them and -1.
int
kwctl_check_choice (const char *value, const char *option, const char *const *choices)
{
    for (const char *const *choice = choices; *choice; choice++)
        if (strcmp (value, *choice) == 0)
            return 0;
    fprintf (stderr, "kwctl: %s must be one of", option);
    for (const char *const *choice = choices; *choice; choice++)
        fprintf (stderr, "%s %s", choice == choices ? "" : ",", *choice);
    fprintf (stderr, "\n");
    return -1;
}

//  0 when value is 1 to 200 printable ASCII characters; else prints why and -1.
int
kwctl_check_printable (const char *value, const char *option)
{
    size_t len = strlen (value);
    int valid = len > 0 && len <= MAX_PRINTABLE;
    for (size_t i = 0; valid && i < len; i++)
        valid = (unsigned char) value [i] < 0x80 && isprint ((unsigned char) value [i]);
    if (valid)
        return 0;
    fprintf (stderr, "kwctl: %s must be 1 to %d printable characters\n", option, MAX_PRINTABLE);
    return -1;
}

int
kwctl_idempotency_key_option (int c, void *arg)
{
    if (c != 'k')
        return KWCTL_USAGE;
    *(const char **) arg = optarg;
    return kwctl_check_printable (optarg, "--idempotency-key") == 0 ? -1 : KWCTL_USAGE;
}

//  Read a whole file, or stdin for "-", into a NUL-terminated buffer the
//  caller frees; size in *len. NULL with the reason printed when it cannot.
char *
kwctl_read_input (const char *path, size_t max, size_t *len)
{
    int is_stdin = strcmp (path, "-") == 0;
    const char *name = is_stdin ? "standard input" : path;
    FILE *file = is_stdin ? stdin : fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "kwctl: cannot read %s: %s\n", name, strerror (errno));
        return NULL;
    }
    size_t size = 0, cap = 65536;
    char *data = malloc (cap + 1);
    int failed = !data;
    while (!failed) {
        if (size == cap) {
            cap *= 2;
            char *bigger = realloc (data, cap + 1);
            if (!bigger) {
                fprintf (stderr, "kwctl: out of memory reading %s\n", name);
                failed = 1;
                break;
            }
            data = bigger;
        }
        size_t n = fread (data + size, 1, cap - size, file);
        size += n;
        if (size > max) {
            fprintf (stderr, "kwctl: %s is larger than %zu bytes\n", name, max);
            failed = 1;
        }
        else
        if (n == 0) {
            if (ferror (file)) {
                fprintf (stderr, "kwctl: cannot read %s: %s\n", name, strerror (errno));
                failed = 1;
            }
            break;
        }
    }
    if (!data)
        fprintf (stderr, "kwctl: out of memory reading %s\n", name);
    if (!is_stdin)
        fclose (file);
    if (failed) {
        free (data);
        return NULL;
    }
    data [size] = 0;
    *len = size;
    return data;
}

//  Read FILE.json ('-': standard input) that must hold one JSON object;
//  NULL with the reason printed.
json_t *
kwctl_read_json_object (const char *path)
{
    size_t len;
    char *text = kwctl_read_input (path, 16L * 1024 * 1024, &len);
    if (!text)
        return NULL;
    json_error_t err;
    json_t *parsed = json_loadb (text, len, JSON_DECODE_ANY, &err);
    free (text);
    const char *name = strcmp (path, "-") == 0 ? "standard input" : path;
    if (!parsed)
        fprintf (stderr, "kwctl: %s is not JSON: line %d column %d: %s\n", name, err.line, err.column, err.text);
    else
    if (!json_is_object (parsed)) {
        fprintf (stderr, "kwctl: %s must hold one JSON object\n", name);
        json_decref (parsed);
        parsed = NULL;
    }
    return parsed;
}
