/*  Tests for kw_config: defaults, environment overrides, required variables,
    --help, unknown arguments, flags taken out of argv and integer parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "kw_config.h"
#include "tap.h"

int
main (void)
{
    char err [256];
    kw_config_var_t vars [] = {
        { "KW_TEST_ADDR", "127.0.0.1:1", "an address", NULL },
        { "KW_TEST_NEEDED", NULL, "a required value", NULL },
    };
    char *argv [] = { "prog", NULL, NULL };

    unsetenv ("KW_TEST_NEEDED");
    unsetenv ("KW_TEST_ADDR");
    int rc = kw_config_load (vars, 2, "prog", "summary", 1, argv, err, sizeof err);
    ok (rc == -1 && strstr (err, "KW_TEST_NEEDED"), "a missing required variable is named: %s", err);

    setenv ("KW_TEST_NEEDED", "x", 1);
    rc = kw_config_load (vars, 2, "prog", "summary", 1, argv, err, sizeof err);
    ok (rc == 0, "loads when the required variable is set");
    is_str (kw_config_get (vars, 2, "KW_TEST_ADDR"), "127.0.0.1:1", "the default applies");
    is_str (kw_config_get (vars, 2, "KW_TEST_NEEDED"), "x", "the environment value is read");
    ok (kw_config_get (vars, 2, "KW_NOPE") == NULL, "an unknown name gives NULL");

    setenv ("KW_TEST_ADDR", "10.0.0.1:2", 1);
    kw_config_load (vars, 2, "prog", "summary", 1, argv, err, sizeof err);
    is_str (kw_config_get (vars, 2, "KW_TEST_ADDR"), "10.0.0.1:2", "the environment overrides the default");

    argv [1] = "--bogus";
    rc = kw_config_load (vars, 2, "prog", "summary", 2, argv, err, sizeof err);
    ok (rc == -1 && strstr (err, "--bogus"), "an unknown argument is refused: %s", err);

    argv [1] = "--help";
    fflush (stdout);
    FILE *saved = stdout;
    char buf [2048] = "";
    stdout = fmemopen (buf, sizeof buf - 1, "w");
    rc = kw_config_load (vars, 2, "prog", "summary text", 2, argv, err, sizeof err);
    fclose (stdout);
    stdout = saved;
    ok (rc == 1, "--help returns 1");
    ok (strstr (buf, "KW_TEST_ADDR") && strstr (buf, "default: 127.0.0.1:1")
        && strstr (buf, "required") && strstr (buf, "summary text"),
        "--help lists every variable with its default");

    char *args [] = { "prog", "--migrate", "--other", "--migrate", NULL };
    int argc = 4;
    ok (kw_config_take (&argc, args, "--migrate") == 1 && argc == 3
        && strcmp (args [1], "--other") == 0 && strcmp (args [2], "--migrate") == 0 && args [3] == NULL,
        "a flag is taken out once, the rest keep their order");
    ok (kw_config_take (&argc, args, "--absent") == 0 && argc == 3, "an absent flag changes nothing");
    ok (kw_config_take (&argc, args, "--migrat") == 0, "a flag matches whole arguments only");

    long v = 0;
    ok (kw_config_int ("N", "42", 1, 100, &v, err, sizeof err) == 0 && v == 42, "an integer in range parses");
    ok (kw_config_int ("N", "0", 1, 100, &v, err, sizeof err) == -1 && strstr (err, "N"), "below the range is refused");
    ok (kw_config_int ("N", "101", 1, 100, &v, err, sizeof err) == -1, "above the range is refused");
    ok (kw_config_int ("N", "12abc", 1, 100, &v, err, sizeof err) == -1, "trailing text is refused");
    ok (kw_config_int ("N", "", 1, 100, &v, err, sizeof err) == -1, "empty is refused");
    ok (kw_config_int ("N", "99999999999999999999999", 1, 100, &v, err, sizeof err) == -1, "overflow is refused");
    struct sockaddr_storage sa;
    ok (kw_config_addr ("127.0.0.1:9550", &sa) == 0 && sa.ss_family == AF_INET, "host:port parses");
    ok (kw_config_addr ("[::1]:9550", &sa) == 0 && sa.ss_family == AF_INET6, "[v6]:port parses");
    ok (kw_config_addr ("0.0.0.0:65535", &sa) == 0, "any address, the last port");
    const char *bad [] = { "", "9550", ":9550", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                           "127.0.0.1:95x", "localhost:9550", "[::1:9550", "::1:9550x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++)
        ok (kw_config_addr (bad [i], &sa) == -1, "refused: '%s'", bad [i]);
    return tap_done ();
}
