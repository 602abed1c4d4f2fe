/*  kw_config: configuration from environment variables with loopback
    defaults, and the --help text every binary prints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "kw_config.h"

static void
s_usage (const kw_config_var_t *vars, size_t count, const char *program, const char *summary)
{
    printf ("Usage: %s [--help | --health[=live]]\n\n%s\n\n"
            "  --health       check the instance running with this configuration: exit 0 when\n"
            "                 it answers and is ready to work, 1 otherwise\n"
            "  --health=live  exit 0 when it answers at all\n\n"
            "Configuration (environment variables):\n", program, summary);
    for (size_t i = 0; i < count; i++) {
        printf ("  %-26s %s\n", vars [i].name, vars [i].help);
        if (vars [i].fallback)
            printf ("  %-26s default: %s\n", "", *vars [i].fallback ? vars [i].fallback : "(empty)");
        else
            printf ("  %-26s required\n", "");
    }
}

int
kw_config_load (kw_config_var_t *vars, size_t count, const char *program,
                const char *summary, int argc, char **argv,
                char *err, size_t err_size)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--help") == 0 || strcmp (argv [i], "-h") == 0) {
            s_usage (vars, count, program, summary);
            return 1;
        }
        snprintf (err, err_size, "unknown argument '%.64s' (try --help)", argv [i]);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        const char *value = getenv (vars [i].name);
        vars [i].value = value ? value : vars [i].fallback;
        if (!vars [i].value) {
            snprintf (err, err_size, "%s is required (see --help)", vars [i].name);
            return -1;
        }
    }
    return 0;
}

int
kw_config_take (int *argc, char **argv, const char *flag)
{
    for (int i = 1; i < *argc; i++)
        if (strcmp (argv [i], flag) == 0) {
            memmove (&argv [i], &argv [i + 1], (size_t) (*argc - i) * sizeof *argv);
            (*argc)--;
            return 1;
        }
    return 0;
}

const char *
kw_config_get (const kw_config_var_t *vars, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (vars [i].name, name) == 0)
            return vars [i].value;
    return NULL;
}

int
kw_config_int (const char *name, const char *value, long min, long max,
               long *out, char *err, size_t err_size)
{
    if (!value || !*value) {
        snprintf (err, err_size, "%s: expected an integer from %ld to %ld, got nothing", name, min, max);
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long parsed = strtol (value, &end, 10);
    if (errno != 0 || *end != '\0' || end == value || parsed < min || parsed > max) {
        snprintf (err, err_size, "%s: expected an integer from %ld to %ld", name, min, max);
        return -1;
    }
    *out = parsed;
    return 0;
}

int
kw_config_addr (const char *text, struct sockaddr_storage *addr)
{
    char host [128];
    const char *colon = strrchr (text, ':');
    if (!colon || colon == text || (size_t) (colon - text) >= sizeof host)
        return -1;
    long port = strtol (colon + 1, NULL, 10);
    char port_text [8];
    snprintf (port_text, sizeof port_text, "%ld", port);
    if (port < 1 || port > 65535 || strcmp (port_text, colon + 1) != 0)
        return -1;
    memcpy (host, text, (size_t) (colon - text));
    host [colon - text] = 0;
    if (host [0] == '[') {
        size_t len = strlen (host);
        if (len < 3 || host [len - 1] != ']')
            return -1;
        host [len - 1] = 0;
        return uv_ip6_addr (host + 1, (int) port, (struct sockaddr_in6 *) addr) == 0 ? 0 : -1;
    }
    return uv_ip4_addr (host, (int) port, (struct sockaddr_in *) addr) == 0 ? 0 : -1;
}
