/*  message: the text of the e-mails the notification service sends, as pure
    functions (no database, no network) so they can be tested alone. Rendering
    checks every value that reaches a header: no CR, LF or other control
    characters, addresses of a sane shape. The messages carry no personal
    data about children or families, only the recipient's own name. */
#ifndef NOTIFICATION_MESSAGE_H
#define NOTIFICATION_MESSAGE_H

#include <stddef.h>
#include <time.h>

//  Longest address accepted (RFC 5321 path limit).
#define MESSAGE_ADDRESS_MAX 254

//  The facts of an offer_made event the offer e-mail needs.
typedef struct {
    const char *case_id;            //  the case offered (UUID)
    const char *professional_name;  //  greeting only; may be NULL or empty
    const char *professional_email; //  recipient address
    const char *expires_at;         //  RFC 3339 instant the offer lapses
} message_offer_t;

//  1 when addr is a plain address: printable ASCII without spaces or
//  brackets, exactly one '@', non-empty local part and domain, at most
//  MESSAGE_ADDRESS_MAX characters; else 0.
int message_address_valid (const char *addr);

//  Render the subject and body (LF line endings) of the offer e-mail into
//  new strings (caller frees both). 0, or -1 with the reason in err.
int message_offer_render (const message_offer_t *offer, char **subject, char **body,
                          char *err, size_t err_size);

//  Compose the complete RFC 5322 message to send: Date (from date), From,
//  To, Subject, Message-ID <delivery_id@keyworker.invalid>, MIME headers for
//  UTF-8 plain text, a blank line and the body, every line ending in CRLF.
//  Returns a new string (caller frees), or NULL with the reason in err.
char *message_compose (const char *delivery_id, const char *from, const char *to,
                       const char *subject, const char *body, time_t date,
                       char *err, size_t err_size);

//  Convenience: render the offer e-mail and compose it in one step.
char *message_offer_compose (const message_offer_t *offer, const char *delivery_id,
                             const char *from, time_t date, char *err, size_t err_size);

#endif
