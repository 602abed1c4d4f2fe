/*  message: the e-mails the notification service sends, as pure functions
    (no database, no network) so they can be tested alone. Composing checks
    every value that reaches a header: no CR, LF or other control
    characters, addresses of a sane shape. */
#ifndef NOTIFICATION_MESSAGE_H
#define NOTIFICATION_MESSAGE_H

#include <stddef.h>
#include <time.h>

//  Longest address accepted (RFC 5321 path limit).
#define MESSAGE_ADDRESS_MAX 254
//  The longest line SMTP carries, without its CRLF (RFC 5321 4.5.3.1.6): a
//  part with a longer line is sent quoted-printable.
#define MESSAGE_LINE_MAX 998

//  1 when addr is a plain address: printable ASCII without spaces or
//  brackets, exactly one '@', non-empty local part and domain, at most
//  MESSAGE_ADDRESS_MAX characters; else 0.
int message_address_valid (const char *addr);

//  1 when s is well-formed UTF-8 without control characters (C0, DEL, C1),
//  except LF (and CR, TAB) when multiline is set; else 0.
int message_text_valid (const char *s, int multiline);

//  Compose the complete RFC 5322 message to send: Date (from date), From,
//  To, Subject, Message-ID <delivery_id@keyworker.invalid>, and the body as
//  UTF-8 plain text, or, with html or calendar, a multipart/alternative of
//  the text, the HTML and the iCalendar invitation (text/calendar with the
//  METHOD its text names, as iMIP, RFC 6047, asks), in that order; every
//  line ends in CRLF. The Message-ID depends on the delivery only, so a
//  message sent again is recognisably the same. Returns a new string
//  (caller frees), or NULL with the reason in err.
char *message_compose (const char *delivery_id, const char *from, const char *to,
                       const char *subject, const char *body, const char *html, const char *calendar,
                       time_t date, char *err, size_t err_size);

#endif
