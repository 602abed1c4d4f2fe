/*  Tests for kw_log: one JSON object per line with time, level, service,
    event and the caller's pairs; escaping; level filtering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "kw_log.h"
#include "tap.h"

//  Run fn with stderr redirected to a temporary file; return what it wrote.
static char *
s_capture (void (*fn) (void))
{
    FILE *tmp = tmpfile ();
    int saved = dup (2);
    dup2 (fileno (tmp), 2);
    fn ();
    dup2 (saved, 2);
    close (saved);
    long size = ftell (tmp) >= 0 ? lseek (fileno (tmp), 0, SEEK_END) : 0;
    char *text = calloc (1, (size_t) size + 1);
    lseek (fileno (tmp), 0, SEEK_SET);
    if (read (fileno (tmp), text, (size_t) size) != size)
        text [0] = 0;
    fclose (tmp);
    return text;
}

static void
s_basic (void)
{
    kw_log_init ("tester", KW_LOG_INFO);
    kw_info ("started", "port", "8080", "skipped", (const char *) NULL);
}

static void
s_escaping (void)
{
    kw_warn ("odd", "text", "quote \" backslash \\ newline \n tab \t bell \a end");
}

static void
s_filtered (void)
{
    kw_log_init ("tester", KW_LOG_WARN);
    kw_info ("hidden");
    kw_debug ("hidden");
    kw_error ("shown");
}

int
main (void)
{
    char *out = s_capture (s_basic);
    json_error_t jerr;
    json_t *line = json_loads (out, 0, &jerr);
    ok (line != NULL, "a line is valid JSON");
    is_str (json_string_value (json_object_get (line, "level")), "info", "level");
    is_str (json_string_value (json_object_get (line, "service")), "tester", "service");
    is_str (json_string_value (json_object_get (line, "event")), "started", "event");
    is_str (json_string_value (json_object_get (line, "port")), "8080", "caller pair");
    const char *when = json_string_value (json_object_get (line, "time"));
    ok (when && strlen (when) == 24 && when [10] == 'T' && when [23] == 'Z', "time is RFC 3339 UTC with ms: %s", when);
    ok (json_object_get (line, "skipped") == NULL, "a NULL value is left out");
    ok (out [strlen (out) - 1] == '\n' && strchr (out, '\n') == out + strlen (out) - 1, "exactly one line");
    json_decref (line);
    free (out);

    out = s_capture (s_escaping);
    line = json_loads (out, 0, &jerr);
    ok (line != NULL, "control characters and quotes are escaped");
    is_str (json_string_value (json_object_get (line, "text")),
            "quote \" backslash \\ newline \n tab \t bell \a end", "and round-trip");
    ok (strchr (out, '\n') == out + strlen (out) - 1, "a newline in a value does not split the line");
    json_decref (line);
    free (out);

    out = s_capture (s_filtered);
    ok (!strstr (out, "hidden") && strstr (out, "shown"), "lines below the level are dropped");
    free (out);

    kw_log_level_t level;
    ok (kw_log_level_parse ("debug", &level) == 0 && level == KW_LOG_DEBUG, "debug parses");
    ok (kw_log_level_parse ("error", &level) == 0 && level == KW_LOG_ERROR, "error parses");
    ok (kw_log_level_parse ("loud", &level) == -1, "an unknown level is refused");
    return tap_done ();
}
