/*  template: parsing and rendering ((field)) text (template.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kw_buf.h"
#include "message.h"
#include "template.h"

static int
s_name_char (char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

//  The field starting at p ("(("): its name lowered into name and
//  the length of the whole "((name))" in *len. 0, or -1 with err.
static int
s_field_at (const char *p, char name [TEMPLATE_NAME_MAX + 1], size_t *len,
            char *err, size_t err_size)
{
    const char *start = p + 2;
    const char *end = strstr (start, "))");
    if (!end) {
        snprintf (err, err_size, "unclosed ((");
        return -1;
    }
    size_t n = (size_t) (end - start);
    if (n == 0 || n > TEMPLATE_NAME_MAX) {
        snprintf (err, err_size, "field name must be 1 to %d characters", TEMPLATE_NAME_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!s_name_char (start [i])) {
            snprintf (err, err_size, "field ((%.*s)) is not a name of [a-z0-9_.]",
                     (int) (n > 32 ? 32 : n), start);
            return -1;
        }
        name [i] = start [i] >= 'A' && start [i] <= 'Z' ? (char) (start [i] - 'A' + 'a') : start [i];
    }
    name [n] = '\0';
    *len = n + 4;
    return 0;
}

int
template_fields (const char *text, template_name_fn *fn, void *arg, char *err, size_t err_size)
{
    for (const char *p = text; (p = strstr (p, "((")); ) {
        //  "(((name))" is a parenthesis and a field.
        while (p [2] == '(')
            p++;
        char name [TEMPLATE_NAME_MAX + 1];
        size_t len;
        if (s_field_at (p, name, &len, err, err_size) != 0)
            return -1;
        if (fn (name, arg) != 0)
            return -1;
        p += len;
    }
    return 0;
}

static void
s_add_html (kw_buf_t *buf, const char *value)
{
    for (const char *p = value; *p; p++)
        switch (*p) {
            case '&': kw_buf_append (buf, "&amp;", 5); break;
            case '<': kw_buf_append (buf, "&lt;", 4); break;
            case '>': kw_buf_append (buf, "&gt;", 4); break;
            case '"': kw_buf_append (buf, "&quot;", 6); break;
            case '\'': kw_buf_append (buf, "&#39;", 5); break;
            default: kw_buf_append (buf, p, 1);
        }
}

char *
template_render (const char *text, template_escape_t esc, template_lookup_fn *lookup, void *arg,
                 char *err, size_t err_size)
{
    kw_buf_t buf = { 0 };
    const char *p = text;
    for (const char *open; (open = strstr (p, "((")); ) {
        while (open [2] == '(')
            open++;
        kw_buf_append (&buf, p, (size_t) (open - p));
        char name [TEMPLATE_NAME_MAX + 1];
        size_t len;
        if (s_field_at (open, name, &len, err, err_size) != 0) {
            kw_buf_free (&buf);
            return NULL;
        }
        const char *value = lookup (name, arg);
        if (!value) {
            snprintf (err, err_size, "unknown field ((%s))", name);
            kw_buf_free (&buf);
            return NULL;
        }
        if (!message_text_valid (value, 1)) {
            snprintf (err, err_size, "the value of ((%s)) is not UTF-8 text", name);
            kw_buf_free (&buf);
            return NULL;
        }
        if (esc == TEMPLATE_HTML)
            s_add_html (&buf, value);
        else
            kw_buf_append (&buf, value, strlen (value));
        p = open + len;
    }
    kw_buf_append (&buf, p, strlen (p));
    kw_buf_append (&buf, "", 1);
    return buf.data;
}

// ---- SMS length

//  The next code point of the UTF-8 text at *p (advanced); invalid bytes
//  count as one code point each.
static uint32_t
s_next (const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s [0];
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    uint32_t cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0f : extra == 1 ? c & 0x1f : c;
    int i = 1;
    for (; i <= extra && (s [i] & 0xc0) == 0x80; i++)
        cp = (cp << 6) | (s [i] & 0x3f);
    *p = s + (i <= extra ? 1 : i);
    return i <= extra ? 0xfffd : cp;
}

//  Septets code point c takes in GSM 03.38: 1 basic, 2 extension, 0 none.
static int
s_gsm_septets (uint32_t c)
{
    static const uint32_t basic [] = {
        0x40, 0xa3, 0x24, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0x0a, 0xd8, 0xf8, 0x0d, 0xc5, 0xe5,
        0x394, 0x5f, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf,
        0xc9, 0xa4, 0xa1, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0
    };
    static const uint32_t extension [] = { 0x0c, 0x5e, 0x7b, 0x7d, 0x5c, 0x5b, 0x7e, 0x5d, 0x7c, 0x20ac };
    for (size_t i = 0; i < sizeof extension / sizeof extension [0]; i++)
        if (extension [i] == c)
            return 2;
    if (c >= 0x20 && c <= 0x7e && c != 0x60)
        return 1;
    for (size_t i = 0; i < sizeof basic / sizeof basic [0]; i++)
        if (basic [i] == c)
            return 1;
    return 0;
}

size_t
template_sms_fragments (const char *text)
{
    size_t septets = 0, units = 0;
    int gsm = 1;
    for (const unsigned char *p = (const unsigned char *) text; *p; ) {
        uint32_t c = s_next (&p);
        int n = s_gsm_septets (c);
        if (!n)
            gsm = 0;
        septets += (size_t) n;
        units += c > 0xffff ? 2 : 1;
    }
    size_t len = gsm ? septets : units;
    size_t single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    if (len == 0)
        return 0;
    return len <= single ? 1 : (len + part - 1) / part;
}
