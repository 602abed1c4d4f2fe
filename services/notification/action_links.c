/*  action_links: signed links for the offer e-mail and the meeting
    invitation (action_links.h). The key is held once, for the service's
    life, and wiped when it ends. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw/assignment.pb-c.h"
#include "kw/scheduling.pb-c.h"
#include "kw_uuid.h"
#include "action_links.h"

static unsigned char *s_key;
static size_t s_key_len;
static char s_base [256];

int
action_links_load (const char *key_file, const char *public_url, char *err, size_t err_size)
{
    size_t n = public_url ? strlen (public_url) : 0;
    if ((strncmp (public_url ? public_url : "", "https://", 8) != 0
         && strncmp (public_url ? public_url : "", "http://", 7) != 0)
        || n >= sizeof s_base || public_url [n - 1] == '/') {
        snprintf (err, err_size, "KW_PUBLIC_URL must be the gateway's http:// or https:// URL, without a"
                  " trailing \"/\"");
        return -1;
    }
    char why [200];
    unsigned char *key = kw_link_key_load (key_file ? key_file : "", &n, why, sizeof why);
    if (!key) {
        snprintf (err, err_size, "KW_LINK_KEY_FILE: %s", why);
        return -1;
    }
    action_links_unload ();
    s_key = key;
    s_key_len = n;
    snprintf (s_base, sizeof s_base, "%s", public_url);
    return 0;
}

//  The link action of field name in events of desc, or NULL.
static const char *
s_action (const ProtobufCMessageDescriptor *desc, const char *name)
{
    if (desc == &kw__offer_made__descriptor)
        return strcmp (name, "accept_url") == 0 ? KW_LINK_OFFER_ACCEPT
             : strcmp (name, "decline_url") == 0 ? KW_LINK_OFFER_DECLINE : NULL;
    if (desc == &kw__meeting_changed__descriptor)
        return strcmp (name, "attend_url") == 0 ? KW_LINK_MEETING_ATTEND
             : strcmp (name, "decline_url") == 0 ? KW_LINK_MEETING_DECLINE : NULL;
    return NULL;
}

int
action_links_is_link (const ProtobufCMessageDescriptor *desc, const char *name)
{
    return s_action (desc, name) != NULL;
}

//  The subject, person, expiry and revision a link of msg names for
//  person; 0, or -1 when it has none for them.
typedef struct {
    const char *subject, *person, *expires;
    uint32_t revision;
} link_fields_t;

static int
s_fields (const ProtobufCMessage *msg, const ProtobufCMessage *person, link_fields_t *out)
{
    memset (out, 0, sizeof *out);
    if (msg->descriptor == &kw__offer_made__descriptor) {
        const Kw__OfferMade *offer = (const Kw__OfferMade *) msg;
        *out = (link_fields_t) { offer->offer_id, offer->professional_id, offer->expires_at, 0 };
        return offer->professional_id && *offer->professional_id ? 0 : -1;
    }
    const Kw__Meeting *m = ((const Kw__MeetingChanged *) msg)->meeting;
    if (!m || !person || person->descriptor != &kw__participant__descriptor)
        return -1;
    const Kw__Participant *p = (const Kw__Participant *) person;
    const char *who = p->id && kw_uuid_valid (p->id) ? p->id
                    : p->id && strcmp (p->id, "family") == 0 ? m->case_id : NULL;
    *out = (link_fields_t) { m->id, who, m->start, m->sequence };
    return who ? 0 : -1;
}

const char *
action_links_url (const ProtobufCMessage *msg, const ProtobufCMessage *person, const char *name,
                  char out [ACTION_LINKS_URL_SIZE])
{
    const char *action = s_action (msg->descriptor, name);
    if (!action || !s_key)
        return NULL;
    out [0] = '\0';
    link_fields_t f;
    if (s_fields (msg, person, &f) != 0)
        return out;
    if (kw_link_url (out, ACTION_LINKS_URL_SIZE, s_base, action, f.subject, f.person, f.expires, f.revision,
                     s_key, s_key_len) != 0)
        return NULL;
    return out;
}

void
action_links_unload (void)
{
    if (s_key) {
        sodium_memzero (s_key, s_key_len);
        free (s_key);
    }
    s_key = NULL;
    s_key_len = 0;
}
