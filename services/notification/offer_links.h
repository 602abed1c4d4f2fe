/*  offer_links: the accept and decline links of the offer e-mail, the
    placeholders ((accept_url)) and ((decline_url)) of the
    assignment.offer_made rows. Each is a signed link (libcommon kw_link,
    docs/security.md "Signed links") to the gateway's public URL for the
    offer and the professional it was made to, expiring with the offer.
    The key is the platform's link key (KW_LINK_KEY_FILE), the one the
    assignment service checks the links with. */
#ifndef NOTIFICATION_OFFER_LINKS_H
#define NOTIFICATION_OFFER_LINKS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>
#include "kw_link.h"

#define OFFER_LINKS_URL_SIZE (KW_LINK_TOKEN_SIZE + 512)

//  Read the link key from key_file and keep public_url (http:// or
//  https://, no trailing "/") as the links' base. 0, or -1 with the reason
//  in err.
int offer_links_load (const char *key_file, const char *public_url, char *err, size_t err_size);

//  1 when name is a link placeholder of events of desc (an OfferMade).
int offer_links_placeholder (const ProtobufCMessageDescriptor *desc, const char *name);

//  The link placeholder name of msg (an OfferMade) into out; "" for an
//  offer without a professional id (a family member's), which has no
//  link. NULL when name is not a link placeholder, or the offer's ids or
//  expiry cannot be signed.
const char *offer_links_url (const ProtobufCMessage *msg, const char *name, char out [OFFER_LINKS_URL_SIZE]);

//  Forget the key.
void offer_links_unload (void);

#endif
