/*  action_links: the signed links a message carries so its reader can act
    from it without signing in (libcommon kw_link, docs/security.md "Signed
    links"):
      assignment.offer_made        ((accept_url)) and ((decline_url)): the
                                   offer, for the professional it was made
                                   to, expiring with the offer
      scheduling.meeting_*         ((attend_url)) and ((decline_url)): the
                                   meeting, for the participant told (the
                                   family's links name the case), for the
                                   invitation's SEQUENCE, expiring when the
                                   meeting starts
    The key is the platform's link key (KW_LINK_KEY_FILE), the one the
    assignment and scheduling services check the links with. */
#ifndef NOTIFICATION_ACTION_LINKS_H
#define NOTIFICATION_ACTION_LINKS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>
#include "kw_link.h"

#define ACTION_LINKS_URL_SIZE (KW_LINK_TOKEN_SIZE + 512)

//  Read the link key from key_file and keep public_url (http:// or
//  https://, no trailing "/") as the links' base. 0, or -1 with the reason
//  in err.
int action_links_load (const char *key_file, const char *public_url, char *err, size_t err_size);

//  1 when name is a link field of events of desc.
int action_links_is_link (const ProtobufCMessageDescriptor *desc, const char *name);

//  The link field name of msg, for person (the recipient's message:
//  a meeting's Participant; NULL for an offer, whose person is in it),
//  into out; "" when the person has no link (an offer to a family member,
//  a recipient not among a meeting's participants). NULL when name is not
//  a link field, or the ids or time cannot be signed.
const char *action_links_url (const ProtobufCMessage *msg, const ProtobufCMessage *person, const char *name,
                              char out [ACTION_LINKS_URL_SIZE]);

//  Forget the key.
void action_links_unload (void);

#endif
