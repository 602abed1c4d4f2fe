/*  test_notification_message: the e-mails the notification service sends:
    headers, CRLF line endings, Message-ID from the delivery id, the HTML
    alternative, and refusal of header injection and of malformed
    addresses. */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "../../services/notification/message.h"

#define DELIVERY_ID "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"
#define CASE_ID "5d0c2b7a-3f1e-4e8b-8f55-7a9d2c4e6b11"

//  1 when every LF in text is preceded by CR and every CR followed by LF.
static int
s_crlf_only (const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p [-1] != '\r'))
            return 0;
        if (*p == '\r' && p [1] != '\n')
            return 0;
    }
    return 1;
}

//  1 when the header block (before the first blank line) has line.
static int
s_has_header (const char *text, const char *line)
{
    const char *end = strstr (text, "\r\n\r\n");
    if (!end)
        return 0;
    size_t len = strlen (line);
    for (const char *p = text; p && p < end; ) {
        if (strncmp (p, line, len) == 0 && p [len] == '\r')
            return 1;
        p = strstr (p, "\r\n");
        if (p)
            p += 2;
    }
    return 0;
}

//  The quoted-printable text from p up to the next line "--" or the end,
//  decoded (soft breaks joined, =XX as its octet, CRLF as LF) into out.
static void
s_qp_decode (const char *p, char *out, size_t size)
{
    size_t n = 0;
    while (*p && strncmp (p, "--", 2) != 0 && n + 1 < size) {
        if (p [0] == '=' && p [1] == '\r' && p [2] == '\n')
            p += 3;
        else if (p [0] == '=' && p [1] && p [2]) {
            char hex [3] = { p [1], p [2], 0 };
            out [n++] = (char) strtol (hex, NULL, 16);
            p += 3;
        }
        else if (p [0] == '\r' && p [1] == '\n') {
            out [n++] = '\n';
            p += 2;
            if (strncmp (p, "--", 2) == 0)
                break;
        }
        else
            out [n++] = *p++;
    }
    out [n] = '\0';
}

//  The longest line of text, CRLF not counted.
static size_t
s_longest (const char *text)
{
    size_t longest = 0;
    for (const char *p = text; *p; ) {
        size_t span = strcspn (p, "\r\n");
        longest = span > longest ? span : longest;
        p += span;
        p += *p ? 1 : 0;
    }
    return longest;
}

static void
s_test_long_lines (void)
{
    char err [128] = "";
    //  A paragraph of 2,500 octets on one line, with "=", a trailing space
    //  and a non-ASCII letter, then a short line.
    char body [3000] = "";
    for (int i = 0; i < 50; i++)
        strcat (body, "Siân = the family's key worker, a line forty-nine.");
    strcat (body, " \nend\n");
    char *text = message_compose (DELIVERY_ID, "keyworker@localhost", "a@b.example", "Hello", body, NULL,
                                  NULL, 1795860000, err, sizeof err);
    ok (text != NULL, "a body with a 2,500-octet line composes (%s)", err);
    if (!text)
        return;
    ok (s_has_header (text, "Content-Transfer-Encoding: quoted-printable"), "its part is quoted-printable");
    ok (s_longest (text) <= 76 && s_crlf_only (text), "no line of the message over 76 octets, each ending CRLF");
    char decoded [3000];
    const char *start = strstr (text, "\r\n\r\n");
    s_qp_decode (start ? start + 4 : "", decoded, sizeof decoded);
    ok (strcmp (decoded, body) == 0, "decoded, the body is what was given");
    free (text);

    text = message_compose (DELIVERY_ID, "keyworker@localhost", "a@b.example", "Hello", "short\n", body, NULL,
                            1795860000, err, sizeof err);
    ok (text && strstr (text, "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nshort\r\n")
        && strstr (text, "text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n")
        && s_longest (text) <= 998, "only the part with the long line is quoted-printable");
    free (text);
}

static void
s_test_compose (void)
{
    char err [128] = "";
    time_t date = 1795860000;       //  2026-11-28T10:00:00Z, a Saturday
    char *text = message_compose (DELIVERY_ID, "keyworker@localhost", "sian.jones@example.nhs.uk",
                                  "Key worker offer for case " CASE_ID, "Dear Siân Jones,\n\nCase " CASE_ID "\n",
                                  NULL, NULL, date, err, sizeof err);
    ok (text != NULL, "a plain message composes (%s)", err);
    if (!text)
        return;
    ok (s_crlf_only (text), "every line ends in CRLF");
    ok (s_has_header (text, "Date: Sat, 28 Nov 2026 10:00:00 +0000"), "Date header in RFC 5322 form");
    ok (s_has_header (text, "From: <keyworker@localhost>"), "From header");
    ok (s_has_header (text, "To: <sian.jones@example.nhs.uk>"), "To header");
    ok (s_has_header (text, "Subject: Key worker offer for case " CASE_ID), "Subject header");
    ok (s_has_header (text, "Message-ID: <" DELIVERY_ID "@keyworker.invalid>"), "Message-ID is the delivery id");
    ok (s_has_header (text, "MIME-Version: 1.0"), "MIME-Version header");
    ok (s_has_header (text, "Content-Type: text/plain; charset=utf-8"), "Content-Type header");
    ok (s_has_header (text, "Content-Transfer-Encoding: 8bit"), "Content-Transfer-Encoding header");
    ok (strstr (text, "\r\n\r\nDear Siân Jones,\r\n\r\nCase " CASE_ID "\r\n") != NULL, "the body follows the headers");
    size_t len = strlen (text);
    ok (len >= 2 && text [len - 2] == '\r' && text [len - 1] == '\n', "message ends in CRLF");
    char *again = message_compose (DELIVERY_ID, "keyworker@localhost", "sian.jones@example.nhs.uk",
                                   "Key worker offer for case " CASE_ID, "Dear Siân Jones,\n\nCase " CASE_ID "\n",
                                   NULL, NULL, date, err, sizeof err);
    ok (again && strcmp (again, text) == 0, "the same delivery composes the same message");
    free (again);
    free (text);

    text = message_compose (DELIVERY_ID, "keyworker@localhost", "a@b.example", "Hello", "text line\n",
                            "<p>html &amp; line</p>\n", NULL, date, err, sizeof err);
    ok (text && s_has_header (text, "Content-Type: multipart/alternative; boundary=\"=_" DELIVERY_ID "\""),
        "with HTML: multipart/alternative");
    ok (text && strstr (text, "--=_" DELIVERY_ID "\r\nContent-Type: text/plain; charset=utf-8\r\n")
        && strstr (text, "--=_" DELIVERY_ID "\r\nContent-Type: text/html; charset=utf-8\r\n")
        && strstr (text, "<p>html &amp; line</p>\r\n--=_" DELIVERY_ID "--\r\n"),
        "the text part, then the HTML part, then the closing boundary");
    ok (text && s_crlf_only (text), "every line of it ends in CRLF");
    free (text);
}

static void
s_test_calendar (void)
{
    char err [128] = "";
    const char *ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:m-1\r\n"
                      "SEQUENCE:2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    char *text = message_compose (DELIVERY_ID, "keyworker@localhost", "a@b.example", "Meeting cancelled",
                                  "text\n", "<p>html</p>\n", ics, 1795860000, err, sizeof err);
    ok (text && s_has_header (text, "Content-Type: multipart/alternative; boundary=\"=_" DELIVERY_ID "\""),
        "an invitation makes the message multipart/alternative (%s)", err);
    const char *plain = text ? strstr (text, "Content-Type: text/plain") : NULL;
    const char *html = text ? strstr (text, "Content-Type: text/html") : NULL;
    const char *cal = text ? strstr (text, "Content-Type: text/calendar; method=CANCEL; charset=utf-8\r\n") : NULL;
    ok (plain && html && cal && plain < html && html < cal, "text, HTML, then the calendar with its METHOD (iMIP)");
    ok (text && strstr (text, "METHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:m-1\r\n") && s_crlf_only (text),
        "the invitation as it is, in CRLF lines");
    free (text);
    text = message_compose (DELIVERY_ID, "keyworker@localhost", "a@b.example", "Meeting", "text\n", NULL,
                            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", 0, err, sizeof err);
    ok (!text && strstr (err, "METHOD"), "an invitation without a METHOD is refused: %s", err);
    free (text);
    text = message_compose (DELIVERY_ID, "keyworker@localhost", "a@b.example", "Meeting", "text\n", NULL,
                            "BEGIN:VCALENDAR\r\nMETHOD:REQUEST; x\r\nEND:VCALENDAR\r\n", 0, err, sizeof err);
    ok (!text, "nor one whose METHOD could add to the header");
    free (text);
}

static void
s_test_injection (void)
{
    char err [128];
    time_t date = 1795860000;
    char *text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org\r\nBcc: victim@example.org",
                                  "Hello", "body\n", NULL, NULL, date, err, sizeof err);
    ok (text == NULL, "rejects CR/LF in the address");
    free (text);
    text = message_compose (DELIVERY_ID ">\r\nBcc: x@y", "keyworker@localhost", "alex@example.org", "Hello",
                            "body\n", NULL, NULL, date, err, sizeof err);
    ok (text == NULL, "rejects a delivery id that is not an id");
    free (text);
    text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org",
                            "Hello\r\nBcc: victim@example.org", "body\n", NULL, NULL, date, err, sizeof err);
    ok (text == NULL, "rejects CR/LF in the subject");
    free (text);
    const char *bodies [] = { "Alex\x7f", "Alex\xc2\x85", "Alex\xff", "Alex\xc3", "A\x01", NULL };
    for (int i = 0; bodies [i]; i++) {
        text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org", "Hello", bodies [i],
                                NULL, NULL, date, err, sizeof err);
        ok (text == NULL, "rejects control or malformed bytes in the body #%d", i);
        free (text);
        text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org", "Hello", "body",
                                bodies [i], NULL, date, err, sizeof err);
        ok (text == NULL, "and in the HTML #%d", i);
        free (text);
    }
    text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org",
                            "Hello", "line one\nline two\r\nline three\rend", NULL, NULL, date, err, sizeof err);
    ok (text && strstr (text, "\r\n\r\nline one\r\nline two\r\nline three\r\nend\r\n")
        && s_crlf_only (text), "body line endings are normalised to CRLF");
    free (text);
}

static void
s_test_addresses (void)
{
    ok (message_address_valid ("a@b"), "a@b is an address");
    ok (message_address_valid ("first.last+tag@example.nhs.uk"), "a usual address");
    const char *bad [] = {
        "", "plain", "@example.org", "alex@", "alex@@example.org", "a@b@example.org",
        "alex smith@example.org", "alex@example .org", "<alex@example.org>", "alex@example.org>",
        "alex@example.org,bob@example.org", "alex@example.org\n", "al\rex@example.org",
        "alé@example.org", "alex@.example.org", "alex@example..org", "alex@example.org.",
        NULL
    };
    for (int i = 0; bad [i]; i++)
        ok (!message_address_valid (bad [i]), "rejects bad address #%d", i);
    ok (!message_address_valid (NULL), "rejects NULL");
    char longaddr [300];
    memset (longaddr, 'a', sizeof longaddr);
    memcpy (longaddr + 250, "@b.example", 11);
    ok (!message_address_valid (longaddr), "rejects an over-long address");

    char err [128];
    char *text = message_compose (DELIVERY_ID, "keyworker@localhost", "not-an-address", "Hello", "body",
                                  NULL, NULL, 0, err, sizeof err);
    ok (text == NULL, "compose refuses a bad recipient");
    free (text);
    text = message_compose (DELIVERY_ID, "keyworker", "alex@example.org", "Hello", "body", NULL, NULL, 0,
                            err, sizeof err);
    ok (text == NULL, "compose refuses a bad From address");
    free (text);
}

int
main (void)
{
    s_test_compose ();
    s_test_long_lines ();
    s_test_calendar ();
    s_test_injection ();
    s_test_addresses ();
    return tap_done ();
}
