/*  kw_link: signed links that let a person act from a message (accept or
    decline an offer; later attend or decline a meeting) without signing in.
    A link is <base>/v1/links/<token> (an offer's) or
    <base>/v1/meeting-links/<token> (a meeting's: the gateway sends each to
    the service that owns its subject); the token carries the action, the
    subject's id (the offer or meeting), the person's id (the professional,
    or for a meeting's family the case's id), the expiry and, when the
    subject has revisions (a meeting's invitation SEQUENCE), the revision it
    was made for, and an HMAC-SHA256 over all of them under the platform's
    link key (docs/security.md, "Signed links"):
        token = base64url ("1|" action "|" subject "|" person "|" expiry-seconds
                           ["|" revision])
                "." base64url (HMAC-SHA256 (key, that first part))
    The token holds ids only, never names. Whether a link was used already
    is the owning service's to record (kw_link_id names a token). */
#ifndef KW_LINK_H
#define KW_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "kw_uuid.h"

#define KW_LINK_ACTION_SIZE 32
#define KW_LINK_TOKEN_SIZE 256
#define KW_LINK_ID_SIZE 65          //  hex SHA-256 of the token + NUL
#define KW_LINK_MIN_KEY 32

//  Actions are "<subject kind>.<verb>": offer.accept, offer.decline,
//  meeting.attend, meeting.decline, ...
#define KW_LINK_OFFER_ACCEPT "offer.accept"
#define KW_LINK_OFFER_DECLINE "offer.decline"
#define KW_LINK_MEETING_ATTEND "meeting.attend"
#define KW_LINK_MEETING_DECLINE "meeting.decline"

//  The path of a link before its token: meeting.* links, and the others.
#define KW_LINK_MEETING_PATH "/v1/meeting-links/"
#define KW_LINK_PATH "/v1/links/"

typedef struct {
    char action [KW_LINK_ACTION_SIZE];
    char subject_id [KW_UUID_SIZE];
    char person_id [KW_UUID_SIZE];
    int64_t expires;                //  Unix seconds
    uint32_t revision;              //  0: the link names none
} kw_link_t;

typedef enum {
    KW_LINK_VALID = 0,
    KW_LINK_MALFORMED = -1,         //  not a token of this form
    KW_LINK_TAMPERED = -2,          //  the MAC does not match (altered, or another key)
    KW_LINK_EXPIRED = -3            //  signed, but now is at or past its expiry
} kw_link_check_t;

//  Write base + the action's path + token into out (cap bytes). action must
//  be "<kind>.<verb>" (a-z and _), subject_id and person_id UUIDs,
//  expires_at RFC 3339 with Z or an offset ("2026-12-08T10:00:00Z",
//  "2026-12-08T10:00:00+01:00", fraction ignored), revision 0 for none. 0,
//  or -1 when an argument is invalid or out is too small.
int kw_link_url (char *out, size_t cap, const char *base, const char *action, const char *subject_id,
                 const char *person_id, const char *expires_at, uint32_t revision, const unsigned char *key,
                 size_t key_len);

//  Check token at now (Unix seconds): its form, then its MAC (constant
//  time), then its expiry. Fills link when the form is right (even when
//  tampered or expired, for the audit). One of kw_link_check_t.
kw_link_check_t kw_link_verify (const char *token, const unsigned char *key, size_t key_len, int64_t now,
                                kw_link_t *link);

//  The token's id (hex SHA-256 of the token): what a used link is recorded by.
void kw_link_id (const char *token, char out [KW_LINK_ID_SIZE]);

//  The link key from path (trailing newline removed), at least
//  KW_LINK_MIN_KEY bytes. A new buffer (caller frees) and *len, or NULL with
//  the reason in err.
unsigned char *kw_link_key_load (const char *path, size_t *len, char *err, size_t err_size);

//  As kw_link_key_load for a service that checks links: NULL (path empty
//  or the key unreadable) is logged as a warning (links_off), and the
//  service's links then answer unavailable.
unsigned char *kw_link_key_or_warn (const char *path, size_t *len);

#endif
