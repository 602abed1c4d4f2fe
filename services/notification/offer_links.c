/*  offer_links: signed accept and decline links for the offer e-mail
    (offer_links.h). The key is held once, for the service's life, and
    wiped when it ends. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "kw/assignment.pb-c.h"
#include "offer_links.h"

static unsigned char *s_key;
static size_t s_key_len;
static char s_base [256];

int
offer_links_load (const char *key_file, const char *public_url, char *err, size_t err_size)
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
    offer_links_unload ();
    s_key = key;
    s_key_len = n;
    snprintf (s_base, sizeof s_base, "%s", public_url);
    return 0;
}

//  The link action of placeholder name, or NULL.
static const char *
s_action (const char *name)
{
    return strcmp (name, "accept_url") == 0 ? KW_LINK_OFFER_ACCEPT
         : strcmp (name, "decline_url") == 0 ? KW_LINK_OFFER_DECLINE : NULL;
}

int
offer_links_placeholder (const ProtobufCMessageDescriptor *desc, const char *name)
{
    return desc == &kw__offer_made__descriptor && s_action (name) != NULL;
}

const char *
offer_links_url (const ProtobufCMessage *msg, const char *name, char out [OFFER_LINKS_URL_SIZE])
{
    if (!offer_links_placeholder (msg->descriptor, name) || !s_key)
        return NULL;
    const Kw__OfferMade *offer = (const Kw__OfferMade *) msg;
    out [0] = '\0';
    if (!offer->professional_id || !*offer->professional_id)
        return out;
    if (kw_link_url (out, OFFER_LINKS_URL_SIZE, s_base, s_action (name), offer->offer_id,
                     offer->professional_id, offer->expires_at, s_key, s_key_len) != 0)
        return NULL;
    return out;
}

void
offer_links_unload (void)
{
    if (s_key) {
        sodium_memzero (s_key, s_key_len);
        free (s_key);
    }
    s_key = NULL;
    s_key_len = 0;
}
