/*  links: the interface the offer e-mail's accept and decline links are
    made through. The link signer (libcommon kw_link) implements
    kw_link_url; when it is linked in, the offer template gains
    ((accept_url)) and ((decline_url)), filled per delivery by
    kw_link_url (base: the gateway's public URL; action "accept" or
    "decline"; subject_id: the offer id; person_id: the professional id;
    expires_at: the offer's expiry, RFC 3339; key: the region's link key).
    Until then the templates carry no links and ask the professional to
    sign in: no link is ever made up. */
#ifndef NOTIFICATION_LINKS_H
#define NOTIFICATION_LINKS_H

#include <stddef.h>

//  Write into out (cap bytes) the signed URL that performs action on
//  subject_id for person_id until expires_at: base + a path and query
//  carrying the four and an HMAC-SHA256 over them with key. 0, or -1 when
//  out is too small or an argument is not valid.
int kw_link_url (char *out, size_t cap, const char *base, const char *action, const char *subject_id,
                 const char *person_id, const char *expires_at, const unsigned char *key, size_t key_len);

#endif
