/*  tap: implementation of the unit-test harness declared in tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"

static int s_count;
static int s_failed;

static void
s_report (int passed, const char *file, int line, const char *fmt, va_list ap)
{
    s_count++;
    if (!passed)
        s_failed++;
    printf ("%sok %d - ", passed ? "" : "not ", s_count);
    vprintf (fmt, ap);
    printf ("\n");
    if (!passed)
        printf ("#   failed at %s:%d\n", file, line);
    fflush (stdout);
}

int
tap_ok (int passed, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_report (passed, file, line, fmt, ap);
    va_end (ap);
    return passed;
}

int
tap_is_str (const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
    int passed = (got == NULL && want == NULL)
              || (got && want && strcmp (got, want) == 0);
    va_list ap;
    va_start (ap, fmt);
    s_report (passed, file, line, fmt, ap);
    va_end (ap);
    if (!passed)
        printf ("#   got: '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
    return passed;
}

int
tap_is_int (long long got, long long want, const char *file, int line, const char *fmt, ...)
{
    int passed = got == want;
    va_list ap;
    va_start (ap, fmt);
    s_report (passed, file, line, fmt, ap);
    va_end (ap);
    if (!passed)
        printf ("#   got: %lld\n#   want: %lld\n", got, want);
    return passed;
}

void
tap_diag (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    printf ("# ");
    vprintf (fmt, ap);
    printf ("\n");
    va_end (ap);
}

int
tap_done (void)
{
    printf ("1..%d\n", s_count);
    fflush (stdout);
    return s_failed == 0 && s_count > 0 ? 0 : 1;
}

const char *
tap_db_url (void)
{
    const char *url = getenv ("KW_TEST_DB_URL");
    if (!url) {
        printf ("not ok 1 - KW_TEST_DB_URL is not set\n1..1\n");
        exit (1);
    }
    return url;
}
