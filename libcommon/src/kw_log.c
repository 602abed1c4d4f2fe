/*  kw_log: JSON-lines logging to stderr. Each line is written with a single
    write(2) so lines from several processes sharing a file never interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "kw_log.h"

#define LINE_MAX_BYTES 4096

static char s_service [64] = "kw";
static kw_log_level_t s_min_level = KW_LOG_INFO;
static const char *LEVEL_NAMES [] = { "debug", "info", "warn", "error" };

void
kw_log_init (const char *service, kw_log_level_t min_level)
{
    snprintf (s_service, sizeof s_service, "%s", service ? service : "kw");
    s_min_level = min_level;
}

int
kw_log_level_parse (const char *name, kw_log_level_t *level)
{
    for (int i = 0; i < 4; i++)
        if (name && strcasecmp (name, LEVEL_NAMES [i]) == 0) {
            *level = (kw_log_level_t) i;
            return 0;
        }
    return -1;
}

typedef struct {
    char data [LINE_MAX_BYTES];
    size_t len;
} line_t;

static void
s_put (line_t *line, const char *s, size_t n)
{
    if (line->len + n > sizeof line->data - 2)
        n = sizeof line->data - 2 - line->len;
    memcpy (line->data + line->len, s, n);
    line->len += n;
}

//  Append s as a JSON string; control characters escaped, bytes that are
//  not valid UTF-8 replaced with U+FFFD.
static void
s_put_string (line_t *line, const char *s)
{
    s_put (line, "\"", 1);
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        unsigned char c = *p;
        char esc [8];
        if (c == '"' || c == '\\') {
            esc [0] = '\\';
            esc [1] = (char) c;
            s_put (line, esc, 2);
            p++;
        }
        else
        if (c < 0x20) {
            snprintf (esc, sizeof esc, "\\u%04x", c);
            s_put (line, esc, 6);
            p++;
        }
        else
        if (c < 0x80) {
            s_put (line, (const char *) p, 1);
            p++;
        }
        else {
            int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            int valid = len > 0 && c >= 0xC2 && c <= 0xF4;
            for (int i = 1; valid && i < len; i++)
                if ((p [i] & 0xC0) != 0x80)
                    valid = 0;
            if (valid) {
                s_put (line, (const char *) p, (size_t) len);
                p += len;
            }
            else {
                s_put (line, "\xEF\xBF\xBD", 3);
                p++;
            }
        }
    }
    s_put (line, "\"", 1);
}

static void
s_put_pair (line_t *line, const char *key, const char *value)
{
    s_put (line, ",", 1);
    s_put_string (line, key);
    s_put (line, ":", 1);
    s_put_string (line, value);
}

void
kw_logv (kw_log_level_t level, const char *event, va_list ap)
{
    if (level < s_min_level || level > KW_LOG_ERROR)
        return;
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r (&ts.tv_sec, &tm);
    char when [64];
    size_t n = strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (when + n, sizeof when - n, ".%03dZ", (int) (ts.tv_nsec / 1000000) % 1000);
    line_t line = { .len = 0 };
    s_put (&line, "{\"time\":", 8);
    s_put_string (&line, when);
    s_put_pair (&line, "level", LEVEL_NAMES [level]);
    s_put_pair (&line, "service", s_service);
    s_put_pair (&line, "event", event ? event : "");
    for (;;) {
        const char *key = va_arg (ap, const char *);
        if (!key)
            break;
        const char *value = va_arg (ap, const char *);
        if (value)
            s_put_pair (&line, key, value);
    }
    line.data [line.len++] = '}';
    line.data [line.len++] = '\n';
    ssize_t rc = write (STDERR_FILENO, line.data, line.len);
    (void) rc;
}

void
kw_log (kw_log_level_t level, const char *event, ...)
{
    va_list ap;
    va_start (ap, event);
    kw_logv (level, event, ap);
    va_end (ap);
}
