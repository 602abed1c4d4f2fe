/*  message: composing the notification e-mails. Every value that reaches a
    header is checked here, so nothing read from an event can add a header
    or a recipient (header injection). Bodies are UTF-8 plain text, with an
    HTML alternative when the template has one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "message.h"

#define SUBJECT_MAX_BYTES 200
#define ID_MAX_BYTES 64

// ---- a growing string

typedef struct {
    char *data;
    size_t len;
    size_t size;
    int failed;
} s_buf_t;

static void
s_buf_add (s_buf_t *buf, const char *s, size_t len)
{
    if (buf->failed)
        return;
    if (buf->len + len + 1 > buf->size) {
        size_t size = buf->size ? buf->size : 512;
        while (buf->len + len + 1 > size)
            size *= 2;
        char *data = realloc (buf->data, size);
        if (!data) {
            buf->failed = 1;
            return;
        }
        buf->data = data;
        buf->size = size;
    }
    memcpy (buf->data + buf->len, s, len);
    buf->len += len;
    buf->data [buf->len] = '\0';
}

static void
s_buf_printf (s_buf_t *buf, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_buf_printf (s_buf_t *buf, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *s = NULL;
    int len = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (len < 0) {
        buf->failed = 1;
        return;
    }
    s_buf_add (buf, s, (size_t) len);
    free (s);
}

//  Hand over the string, or NULL when memory ran out.
static char *
s_buf_take (s_buf_t *buf)
{
    if (buf->failed || !buf->data) {
        free (buf->data);
        return NULL;
    }
    return buf->data;
}

static void
s_error (char *err, size_t err_size, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
s_error (char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0)
        return;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (err, err_size, fmt, ap);
    va_end (ap);
}

// ---- checks

//  1 when s is 1..max characters from [0-9A-Za-z-] (UUIDs and other ids).
static int
s_id_valid (const char *s, size_t max)
{
    size_t len = s ? strlen (s) : 0;
    if (len == 0 || len > max)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s [i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
            return 0;
    }
    return 1;
}

//  1 when s is printable ASCII (space to tilde) only.
static int
s_printable_ascii (const char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e)
            return 0;
    return 1;
}

int
message_text_valid (const char *s, int multiline)
{
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
                return 0;
            p++;
            continue;
        }
        unsigned cp;
        int extra;
        if (c >= 0xc2 && c <= 0xdf) {
            cp = c & 0x1f;
            extra = 1;
        }
        else
        if (c >= 0xe0 && c <= 0xef) {
            cp = c & 0x0f;
            extra = 2;
        }
        else
        if (c >= 0xf0 && c <= 0xf4) {
            cp = c & 0x07;
            extra = 3;
        }
        else
            return 0;
        for (int i = 1; i <= extra; i++) {
            if ((p [i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p [i] & 0x3f);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff))
        ||  (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f)
        ||  cp == 0x2028 || cp == 0x2029)
            return 0;
        p += extra + 1;
    }
    return 1;
}

int
message_address_valid (const char *addr)
{
    if (!addr)
        return 0;
    size_t len = strlen (addr);
    if (len == 0 || len > MESSAGE_ADDRESS_MAX)
        return 0;
    const char *at = strchr (addr, '@');
    if (!at || at == addr || at [1] == '\0' || strchr (at + 1, '@'))
        return 0;
    for (const char *p = addr; *p; p++) {
        unsigned char c = (unsigned char) *p;
        if (c <= 0x20 || c >= 0x7f || strchr ("<>()[]\\,;:\"", c))
            return 0;
    }
    //  The domain needs no empty labels.
    const char *domain = at + 1;
    if (domain [0] == '.' || addr [len - 1] == '.' || strstr (domain, ".."))
        return 0;
    return 1;
}

// ---- composing

//  The METHOD of an iCalendar text ("REQUEST", "CANCEL": 1 to 16 capital
//  letters, its own line) into method. 0, or -1 when there is none.
static int
s_calendar_method (const char *calendar, char method [17])
{
    if (strncmp (calendar, "BEGIN:VCALENDAR", 15) != 0)
        return -1;
    for (const char *p = calendar; (p = strstr (p, "\nMETHOD:")); p++) {
        const char *v = p + 8;
        size_t n = 0;
        while (n < 16 && v [n] >= 'A' && v [n] <= 'Z')
            n++;
        if (n > 0 && (v [n] == '\r' || v [n] == '\n')) {
            memcpy (method, v, n);
            method [n] = '\0';
            return 0;
        }
    }
    return -1;
}

static const char *const s_days [] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const s_months [] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

//  text with every line ending in CRLF, whatever it ended in (LF, CR or
//  CRLF), and a last line ended.
static void
s_buf_crlf (s_buf_t *buf, const char *text)
{
    const char *p = text;
    while (*p) {
        size_t span = strcspn (p, "\r\n");
        s_buf_add (buf, p, span);
        p += span;
        if (*p == '\0') {
            s_buf_add (buf, "\r\n", 2);
            break;
        }
        if (p [0] == '\r' && p [1] == '\n')
            p++;
        p++;
        s_buf_add (buf, "\r\n", 2);
    }
}

//  The longest line of text in octets, whatever its line ends.
static size_t
s_longest_line (const char *text)
{
    size_t longest = 0;
    for (const char *p = text; *p; ) {
        size_t span = strcspn (p, "\r\n");
        if (span > longest)
            longest = span;
        p += span;
        if (*p)
            p++;
    }
    return longest;
}

//  text in quoted-printable (RFC 2045 6.7): its line ends as CRLF, no line
//  of output over 76 characters (soft breaks "="), "=", controls, 8-bit
//  octets and a space or tab before a line end encoded.
static void
s_buf_qp (s_buf_t *buf, const char *text)
{
    static const char hex [] = "0123456789ABCDEF";
    size_t column = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        if (*p == '\r' || *p == '\n') {
            if (p [0] == '\r' && p [1] == '\n')
                p++;
            s_buf_add (buf, "\r\n", 2);
            column = 0;
            continue;
        }
        int at_end = p [1] == '\0' || p [1] == '\r' || p [1] == '\n';
        int literal = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_end);
        char code [3] = { '=', hex [*p >> 4], hex [*p & 15] };
        size_t width = literal ? 1 : 3;
        if (column + width > 75) {
            s_buf_add (buf, "=\r\n", 3);
            column = 0;
        }
        s_buf_add (buf, literal ? (const char *) p : code, width);
        column += width;
    }
    //  A last line ended, as s_buf_crlf does.
    size_t len = strlen (text);
    if (len == 0 || (text [len - 1] != '\n' && text [len - 1] != '\r'))
        s_buf_add (buf, "\r\n", 2);
}

//  A part's Content-Type line (without its line end) and transfer
//  encoding, then its text: 8bit unless a line is longer than SMTP carries
//  (RFC 5321 4.5.3.1.6: 998 octets), quoted-printable then.
static void
s_buf_part (s_buf_t *buf, const char *content_type, const char *text)
{
    int qp = s_longest_line (text) > MESSAGE_LINE_MAX;
    s_buf_printf (buf, "%s\r\nContent-Transfer-Encoding: %s\r\n\r\n", content_type,
                  qp ? "quoted-printable" : "8bit");
    if (qp)
        s_buf_qp (buf, text);
    else
        s_buf_crlf (buf, text);
}

char *
message_compose (const char *delivery_id, const char *from, const char *to,
                 const char *subject, const char *body, const char *html, const char *calendar,
                 time_t date, char *err, size_t err_size)
{
    if (!s_id_valid (delivery_id, ID_MAX_BYTES)) {
        s_error (err, err_size, "delivery id is not a valid id");
        return NULL;
    }
    if (!message_address_valid (from)) {
        s_error (err, err_size, "from is not a valid address");
        return NULL;
    }
    if (!message_address_valid (to)) {
        s_error (err, err_size, "to is not a valid address");
        return NULL;
    }
    if (!subject || !*subject || strlen (subject) > SUBJECT_MAX_BYTES || !s_printable_ascii (subject)) {
        s_error (err, err_size, "subject is empty, too long or not printable ASCII");
        return NULL;
    }
    if (!body || !message_text_valid (body, 1)) {
        s_error (err, err_size, "body is not UTF-8 text");
        return NULL;
    }
    if (html && !message_text_valid (html, 1)) {
        s_error (err, err_size, "html is not UTF-8 text");
        return NULL;
    }
    char method [17] = "";
    if (calendar && (!message_text_valid (calendar, 1) || s_calendar_method (calendar, method) != 0)) {
        s_error (err, err_size, "calendar is not an iCalendar text with a METHOD");
        return NULL;
    }
    struct tm tm;
    if (!gmtime_r (&date, &tm)) {
        s_error (err, err_size, "date is out of range");
        return NULL;
    }
    s_buf_t buf = { 0 };
    s_buf_printf (&buf,
        "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n"
        "From: <%s>\r\n"
        "To: <%s>\r\n"
        "Subject: %s\r\n"
        "Message-ID: <%s@keyworker.invalid>\r\n"
        "MIME-Version: 1.0\r\n"
        "Auto-Submitted: auto-generated\r\n",
        s_days [tm.tm_wday], tm.tm_mday, s_months [tm.tm_mon], tm.tm_year + 1900,
        tm.tm_hour, tm.tm_min, tm.tm_sec, from, to, subject, delivery_id);
    static const char plain [] = "Content-Type: text/plain; charset=utf-8";
    if (!html && !calendar)
        s_buf_part (&buf, plain, body);
    else {
        //  The boundary is the delivery id, which no rendered line holds
        //  with the leading "--=_".
        s_buf_printf (&buf, "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n\r\n"
                      "--=_%s\r\n", delivery_id, delivery_id);
        s_buf_part (&buf, plain, body);
        if (html) {
            s_buf_printf (&buf, "--=_%s\r\n", delivery_id);
            s_buf_part (&buf, "Content-Type: text/html; charset=utf-8", html);
        }
        if (calendar) {
            char type [80];
            snprintf (type, sizeof type, "Content-Type: text/calendar; method=%s; charset=utf-8", method);
            s_buf_printf (&buf, "--=_%s\r\n", delivery_id);
            s_buf_part (&buf, type, calendar);
        }
        s_buf_printf (&buf, "--=_%s--\r\n", delivery_id);
    }
    char *text = s_buf_take (&buf);
    if (!text)
        s_error (err, err_size, "out of memory");
    return text;
}
