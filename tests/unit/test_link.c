/*  test_link: signed action links: a link made is verified with its
    fields; altered in any part, signed with another key, past its expiry
    or malformed, it is refused as such; bad arguments make no link. */
#include <stdio.h>
#include <string.h>
#include "tap.h"
#include "kw_link.h"

#define OFFER "5d0c2b7a-3f1e-4e8b-8f55-7a9d2c4e6b11"
#define PERSON "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"
#define EXPIRES "2026-12-08T10:00:00.25Z"
#define EXPIRES_S 1796724000

static const unsigned char s_key [] = "link-key-for-tests-0123456789abcdef";
static const unsigned char s_other [] = "another-key-for-tests-0123456789abcd";

int
main (void)
{
    char url [512];
    is_int (kw_link_url (url, sizeof url, "https://kw.example.org/", KW_LINK_OFFER_ACCEPT, OFFER, PERSON,
                         EXPIRES, 0, s_key, sizeof s_key - 1), 0, "a link is made");
    const char *prefix = "https://kw.example.org/v1/links/";
    ok (strncmp (url, prefix, strlen (prefix)) == 0, "under the base's /v1/links/ (%s)", url);
    char token [512];
    snprintf (token, sizeof token, "%s", url + strlen (prefix));
    ok (!strpbrk (token, "/?#%+= "), "the token needs no escaping in a path");
    kw_link_t link;
    is_int (kw_link_verify (token, s_key, sizeof s_key - 1, EXPIRES_S - 1, &link), KW_LINK_VALID,
            "it verifies before its expiry");
    is_str (link.action, "offer.accept", "the action");
    is_str (link.subject_id, OFFER, "the offer");
    is_str (link.person_id, PERSON, "the professional");
    is_int (link.expires, EXPIRES_S, "the expiry, in seconds");
    is_int (kw_link_verify (token, s_key, sizeof s_key - 1, EXPIRES_S, &link), KW_LINK_EXPIRED,
            "at its expiry it is expired");
    is_int (kw_link_verify (token, s_other, sizeof s_other - 1, 0, &link), KW_LINK_TAMPERED,
            "another key's check refuses it");

    //  Each payload change, re-encoded, breaks the MAC: make a link for
    //  another offer, person, action or expiry and graft the first MAC on.
    const char *mac = strchr (token, '.');
    static const struct { const char *action, *offer, *person, *expires; } others [] = {
        { KW_LINK_OFFER_DECLINE, OFFER, PERSON, EXPIRES },
        { KW_LINK_OFFER_ACCEPT, "5d0c2b7a-3f1e-4e8b-8f55-7a9d2c4e6b12", PERSON, EXPIRES },
        { KW_LINK_OFFER_ACCEPT, OFFER, "0b6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e11", EXPIRES },
        { KW_LINK_OFFER_ACCEPT, OFFER, PERSON, "2027-12-08T10:00:00Z" },
    };
    for (size_t i = 0; i < sizeof others / sizeof others [0]; i++) {
        char other [512], forged [512];
        kw_link_url (other, sizeof other, "", others [i].action, others [i].offer, others [i].person,
                     others [i].expires, 0, s_key, sizeof s_key - 1);
        const char *t = other + strlen ("/v1/links/");
        snprintf (forged, sizeof forged, "%.*s%s", (int) (strchr (t, '.') - t), t, mac);
        is_int (kw_link_verify (forged, s_key, sizeof s_key - 1, 0, &link), KW_LINK_TAMPERED,
                "a link altered in field %zu is tampered", i);
    }
    char flipped [512];
    snprintf (flipped, sizeof flipped, "%s", token);
    flipped [strlen (flipped) - 2] = flipped [strlen (flipped) - 2] == 'A' ? 'B' : 'A';
    is_int (kw_link_verify (flipped, s_key, sizeof s_key - 1, 0, &link), KW_LINK_TAMPERED,
            "a changed MAC is tampered");
    static const char *malformed [] = { "", "abc", "a.b.c", "!!!.AAAA", "MXxhfGJ8Y3wx.AAAA" };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed [0]; i++)
        is_int (kw_link_verify (malformed [i], s_key, sizeof s_key - 1, 0, &link), KW_LINK_MALFORMED,
                "'%s' is malformed", malformed [i]);

    char id1 [KW_LINK_ID_SIZE], id2 [KW_LINK_ID_SIZE];
    kw_link_id (token, id1);
    kw_link_id (flipped, id2);
    ok (strlen (id1) == 64 && strcmp (id1, id2) != 0, "each token has its own id");

    ok (kw_link_url (url, sizeof url, "", "accept", OFFER, PERSON, EXPIRES, 0, s_key, sizeof s_key - 1) != 0,
        "an action without a kind is refused");
    ok (kw_link_url (url, sizeof url, "", "offer.accept", "x", PERSON, EXPIRES, 0, s_key, sizeof s_key - 1) != 0,
        "a subject that is no UUID is refused");
    ok (kw_link_url (url, sizeof url, "", "offer.accept", OFFER, PERSON, "2026-12-08 10:00", 0, s_key,
                     sizeof s_key - 1) != 0, "an expiry not in RFC 3339 UTC is refused");
    ok (kw_link_url (url, sizeof url, "", "offer.accept", OFFER, PERSON, EXPIRES, 0, s_key, 8) != 0,
        "a short key is refused");
    ok (kw_link_url (url, 40, "", "offer.accept", OFFER, PERSON, EXPIRES, 0, s_key, sizeof s_key - 1) != 0,
        "a link that does not fit is refused");
    ok (kw_link_url (url, sizeof url, "", "offer.accept", OFFER, PERSON, "2026-12-08T10:00:00+1:00", 0, s_key,
                     sizeof s_key - 1) != 0, "an offset not +HH:MM is refused");

    //  A meeting's link: its own path, the expiry given with the region's
    //  offset, and the invitation's revision signed with the rest.
    is_int (kw_link_url (url, sizeof url, "https://kw.example.org", KW_LINK_MEETING_ATTEND, OFFER, PERSON,
                         "2026-12-08T11:00:00+01:00", 3, s_key, sizeof s_key - 1), 0, "a meeting's link is made");
    const char *mprefix = "https://kw.example.org/v1/meeting-links/";
    ok (strncmp (url, mprefix, strlen (mprefix)) == 0, "under /v1/meeting-links/ (%s)", url);
    char mtoken [512];
    snprintf (mtoken, sizeof mtoken, "%s", url + strlen (mprefix));
    is_int (kw_link_verify (mtoken, s_key, sizeof s_key - 1, EXPIRES_S - 1, &link), KW_LINK_VALID,
            "it verifies");
    is_int (link.expires, EXPIRES_S, "its +01:00 expiry is the same instant as 10:00Z");
    is_int (link.revision, 3, "its revision");
    kw_link_url (url, sizeof url, "", KW_LINK_MEETING_ATTEND, OFFER, PERSON, "2026-12-08T11:00:00+01:00", 4,
                 s_key, sizeof s_key - 1);
    char *t = strstr (url, "meeting-links/") + strlen ("meeting-links/"), forged [512];
    snprintf (forged, sizeof forged, "%.*s%s", (int) (strchr (t, '.') - t), t, strchr (mtoken, '.'));
    is_int (kw_link_verify (forged, s_key, sizeof s_key - 1, 0, &link), KW_LINK_TAMPERED,
            "another revision under the first MAC is tampered");
    is_int (kw_link_verify (token, s_key, sizeof s_key - 1, 0, &link), KW_LINK_VALID, "an offer's link");
    is_int (link.revision, 0, "names no revision");
    return tap_done ();
}
