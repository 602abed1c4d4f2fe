/*  test_notification_message: the offer e-mail the notification service
    sends: headers, CRLF line endings, Message-ID from the delivery id, the
    case and expiry in the body, and refusal of header injection and of
    malformed addresses. */
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

static message_offer_t
s_offer (const char *name, const char *email)
{
    message_offer_t offer = {
        .case_id = CASE_ID,
        .professional_name = name,
        .professional_email = email,
        .expires_at = "2026-11-24T10:00:00Z",
    };
    return offer;
}

static void
s_test_render (void)
{
    message_offer_t offer = s_offer ("Siân Jones", "sian.jones@example.nhs.uk");
    char err [128] = "";
    time_t date = 1795860000;       //  2026-11-28T10:00:00Z, a Saturday
    char *text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", date,
                                        err, sizeof err);
    ok (text != NULL, "offer message renders (%s)", err);
    if (!text)
        return;
    ok (s_crlf_only (text), "every line ends in CRLF");
    ok (strstr (text, "\r\n\r\n") != NULL, "headers end in a blank line");
    ok (s_has_header (text, "Date: Sat, 28 Nov 2026 10:00:00 +0000"), "Date header in RFC 5322 form");
    ok (s_has_header (text, "From: <keyworker@localhost>"), "From header");
    ok (s_has_header (text, "To: <sian.jones@example.nhs.uk>"), "To header");
    ok (s_has_header (text, "Subject: Key worker offer for case " CASE_ID), "Subject names the case");
    ok (s_has_header (text, "Message-ID: <" DELIVERY_ID "@keyworker.invalid>"),
        "Message-ID is the delivery id");
    ok (s_has_header (text, "MIME-Version: 1.0"), "MIME-Version header");
    ok (s_has_header (text, "Content-Type: text/plain; charset=utf-8"), "Content-Type header");
    ok (s_has_header (text, "Content-Transfer-Encoding: 8bit"), "Content-Transfer-Encoding header");
    const char *body = strstr (text, "\r\n\r\n");
    body = body ? body + 4 : "";
    ok (strstr (body, "Dear Siân Jones,\r\n") != NULL, "greeting uses the professional's name");
    ok (strstr (body, CASE_ID) != NULL, "body has the case id");
    ok (strstr (body, "2026-11-24T10:00:00Z") != NULL, "body has the offer expiry");
    ok (strstr (body, "sign in") != NULL && strstr (body, "accept or decline") != NULL,
        "body tells the professional to sign in to accept or decline");
    ok (strstr (text, "Siân") == strstr (text, "Dear Siân") + 5, "the name appears only in the greeting");
    ok (strstr (body, "sian.jones@") == NULL, "body does not repeat the address");
    size_t len = strlen (text);
    ok (len >= 2 && text [len - 2] == '\r' && text [len - 1] == '\n', "message ends in CRLF");
    free (text);

    offer = s_offer (NULL, "a@b.example");
    text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", date, err, sizeof err);
    ok (text && strstr (text, "Dear colleague,\r\n"), "no name: a neutral greeting");
    free (text);
}

static void
s_test_render_parts (void)
{
    message_offer_t offer = s_offer ("Alex", "alex@example.org");
    char *subject = NULL, *body = NULL;
    char err [128] = "";
    is_int (message_offer_render (&offer, &subject, &body, err, sizeof err), 0, "render parts");
    ok (subject && !strchr (subject, '\n') && !strchr (subject, '\r'), "subject is one line");
    ok (body && !strchr (body, '\r'), "stored body uses LF line endings");
    free (subject);
    free (body);
}

static void
s_test_injection (void)
{
    char err [128];
    time_t date = 1795860000;
    const char *names [] = {
        "Alex\r\nBcc: victim@example.org", "Alex\nBcc: victim@example.org", "Alex\rX",
        "Alex\tX", "Alex\x7f", "Alex\xc2\x85", "Alex\xff", "Alex\xc3", NULL
    };
    for (int i = 0; names [i]; i++) {
        message_offer_t offer = s_offer (names [i], "alex@example.org");
        err [0] = '\0';
        char *text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", date,
                                            err, sizeof err);
        ok (text == NULL && err [0], "rejects control or malformed bytes in name #%d", i);
        free (text);
    }
    message_offer_t offer = s_offer ("Alex", "alex@example.org\r\nBcc: victim@example.org");
    char *text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", date, err, sizeof err);
    ok (text == NULL, "rejects CR/LF in the address");
    free (text);
    offer = s_offer ("Alex", "alex@example.org");
    offer.case_id = CASE_ID "\r\nBcc: victim@example.org";
    text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", date, err, sizeof err);
    ok (text == NULL, "rejects CR/LF in the case id");
    free (text);
    offer.case_id = CASE_ID;
    text = message_offer_compose (&offer, DELIVERY_ID ">\r\nBcc: x@y", "keyworker@localhost", date,
                                  err, sizeof err);
    ok (text == NULL, "rejects a delivery id that is not an id");
    free (text);
    text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org",
                            "Hello\r\nBcc: victim@example.org", "body\n", date, err, sizeof err);
    ok (text == NULL, "rejects CR/LF in the subject");
    free (text);
    text = message_compose (DELIVERY_ID, "keyworker@localhost", "alex@example.org",
                            "Hello", "line one\nline two\r\nline three\rend", date, err, sizeof err);
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

    message_offer_t offer = s_offer ("Alex", "not-an-address");
    char err [128];
    char *text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", 0, err, sizeof err);
    ok (text == NULL, "compose refuses a bad recipient");
    free (text);
    offer = s_offer ("Alex", "alex@example.org");
    text = message_offer_compose (&offer, DELIVERY_ID, "keyworker", 0, err, sizeof err);
    ok (text == NULL, "compose refuses a bad From address");
    free (text);
    offer.expires_at = "2026-11-24 10:00\r\nX: y";
    text = message_offer_compose (&offer, DELIVERY_ID, "keyworker@localhost", 0, err, sizeof err);
    ok (text == NULL, "compose refuses a malformed expiry");
    free (text);
}

int
main (void)
{
    s_test_render ();
    s_test_render_parts ();
    s_test_injection ();
    s_test_addresses ();
    return tap_done ();
}
