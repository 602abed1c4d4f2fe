/*  test_offer_links: the offer e-mail's accept and decline links: the
    placeholders are OfferMade's only; each link verifies with the key for
    its action, the offer, the professional and the offer's expiry; an
    offer without a professional id has none; a bad public URL or key
    refuses to load, and without a key no link is made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "kw/assignment.pb-c.h"
#include "../../services/notification/offer_links.h"

#define KEY "0123456789abcdef0123456789abcdef-test-key"
#define OFFER "740e5834-3a29-46b4-9a6f-16142fde533a"
#define PRO "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"

//  The token of a link made on base.
static const char *
s_token (const char *url)
{
    const char *at = strstr (url, "/v1/links/");
    return at ? at + strlen ("/v1/links/") : "";
}

int
main (void)
{
    char path [] = "/tmp/test_offer_links_XXXXXX";
    int fd = mkstemp (path);
    ok (fd >= 0 && write (fd, KEY "\n", strlen (KEY) + 1) == (ssize_t) strlen (KEY) + 1, "a key file");
    close (fd);
    char err [256] = "", url [OFFER_LINKS_URL_SIZE];
    Kw__OfferMade offer = KW__OFFER_MADE__INIT;
    offer.offer_id = OFFER;
    offer.professional_id = PRO;
    offer.expires_at = "2099-01-01T10:00:00Z";
    ok (offer_links_url (&offer.base, "accept_url", url) == NULL, "without a key no link is made");

    ok (offer_links_load (path, "https://kw.example.org/", err, sizeof err) != 0 && strstr (err, "KW_PUBLIC_URL"),
        "a public URL ending in / is refused: %s", err);
    ok (offer_links_load (path, "ftp://kw.example.org", err, sizeof err) != 0, "an ftp:// one too");
    ok (offer_links_load ("/nonexistent/link_key", "https://kw.example.org", err, sizeof err) != 0
        && strstr (err, "KW_LINK_KEY_FILE"), "a missing key file is refused: %s", err);
    is_int (offer_links_load (path, "https://kw.example.org", err, sizeof err), 0, "the key loads: %s", err);

    ok (offer_links_placeholder (&kw__offer_made__descriptor, "accept_url")
        && offer_links_placeholder (&kw__offer_made__descriptor, "decline_url"), "OfferMade has both links");
    ok (!offer_links_placeholder (&kw__key_worker_changed__descriptor, "accept_url"), "no other event has them");
    ok (!offer_links_placeholder (&kw__offer_made__descriptor, "case_url"), "nor other names");

    static const struct { const char *name, *action; } links [] = {
        { "accept_url", KW_LINK_OFFER_ACCEPT }, { "decline_url", KW_LINK_OFFER_DECLINE }
    };
    for (size_t i = 0; i < 2; i++) {
        const char *got = offer_links_url (&offer.base, links [i].name, url);
        ok (got && strncmp (got, "https://kw.example.org/v1/links/", 32) == 0, "%s on the public URL: %s",
            links [i].name, got ? got : "(none)");
        kw_link_t link;
        int check = got ? kw_link_verify (s_token (got), (const unsigned char *) KEY, strlen (KEY), 0, &link) : -9;
        is_int (check, KW_LINK_VALID, "%s verifies with the key", links [i].name);
        is_str (link.action, links [i].action, "for its action");
        ok (!strcmp (link.subject_id, OFFER) && !strcmp (link.person_id, PRO), "the offer and its professional");
        is_int (link.expires, 4070944800LL, "until the offer expires");
        is_int (kw_link_verify (s_token (got ? got : ""), (const unsigned char *) KEY "x", strlen (KEY) + 1, 0,
                                &link), KW_LINK_TAMPERED, "another key refuses it");
    }
    offer.professional_id = "";
    const char *none = offer_links_url (&offer.base, "accept_url", url);
    ok (none && !*none, "an offer without a professional id has no link");
    offer.professional_id = PRO;
    offer.expires_at = "soon";
    ok (offer_links_url (&offer.base, "accept_url", url) == NULL, "an expiry that is no time makes no link");
    offer_links_unload ();
    offer.expires_at = "2099-01-01T10:00:00Z";
    ok (offer_links_url (&offer.base, "accept_url", url) == NULL, "unloaded: no link");
    unlink (path);
    return tap_done ();
}
