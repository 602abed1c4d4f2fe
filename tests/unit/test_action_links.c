/*  test_action_links: the offer e-mail's accept and decline links: the
    fields are OfferMade's; each link verifies with the key for its
    action, the offer, the professional and the offer's expiry; an offer
    without a professional id has none; a bad public URL or key refuses to
    load, and without a key no link is made. The meeting invitation's
    attend and decline links: for the participant told (the family's name
    the case), the meeting's sequence, until the meeting starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "kw/assignment.pb-c.h"
#include "kw/scheduling.pb-c.h"
#include "../../services/notification/action_links.h"

#define KEY "0123456789abcdef0123456789abcdef-test-key"
#define OFFER "740e5834-3a29-46b4-9a6f-16142fde533a"
#define CASE "1c6f1f0e-6c43-4c1a-9a53-2d8c1c1f7e10"
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
    char path [] = "/tmp/test_action_links_XXXXXX";
    int fd = mkstemp (path);
    ok (fd >= 0 && write (fd, KEY "\n", strlen (KEY) + 1) == (ssize_t) strlen (KEY) + 1, "a key file");
    close (fd);
    char err [256] = "", url [ACTION_LINKS_URL_SIZE];
    Kw__OfferMade offer = KW__OFFER_MADE__INIT;
    offer.offer_id = OFFER;
    offer.professional_id = PRO;
    offer.expires_at = "2099-01-01T10:00:00Z";
    ok (action_links_url (&offer.base, NULL, "accept_url", url) == NULL, "without a key no link is made");

    ok (action_links_load (path, "https://kw.example.org/", err, sizeof err) != 0 && strstr (err, "KW_PUBLIC_URL"),
        "a public URL ending in / is refused: %s", err);
    ok (action_links_load (path, "ftp://kw.example.org", err, sizeof err) != 0, "an ftp:// one too");
    ok (action_links_load ("/nonexistent/link_key", "https://kw.example.org", err, sizeof err) != 0
        && strstr (err, "KW_LINK_KEY_FILE"), "a missing key file is refused: %s", err);
    is_int (action_links_load (path, "https://kw.example.org", err, sizeof err), 0, "the key loads: %s", err);

    ok (action_links_is_link (&kw__offer_made__descriptor, "accept_url")
        && action_links_is_link (&kw__offer_made__descriptor, "decline_url"), "OfferMade has both links");
    ok (!action_links_is_link (&kw__key_worker_changed__descriptor, "accept_url"), "no other event has them");
    ok (action_links_is_link (&kw__meeting_changed__descriptor, "attend_url")
        && action_links_is_link (&kw__meeting_changed__descriptor, "decline_url")
        && !action_links_is_link (&kw__meeting_changed__descriptor, "accept_url"),
        "MeetingChanged has attend and decline links");
    ok (!action_links_is_link (&kw__offer_made__descriptor, "case_url"), "nor other names");

    static const struct { const char *name, *action; } links [] = {
        { "accept_url", KW_LINK_OFFER_ACCEPT }, { "decline_url", KW_LINK_OFFER_DECLINE }
    };
    for (size_t i = 0; i < 2; i++) {
        const char *got = action_links_url (&offer.base, NULL, links [i].name, url);
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
    const char *none = action_links_url (&offer.base, NULL, "accept_url", url);
    ok (none && !*none, "an offer without a professional id has no link");
    offer.professional_id = PRO;
    offer.expires_at = "soon";
    ok (action_links_url (&offer.base, NULL, "accept_url", url) == NULL, "an expiry that is no time makes no link");
    action_links_unload ();
    offer.expires_at = "2099-01-01T10:00:00Z";
    ok (action_links_url (&offer.base, NULL, "accept_url", url) == NULL, "unloaded: no link");

    action_links_load (path, "https://kw.example.org", err, sizeof err);
    Kw__Meeting meeting = KW__MEETING__INIT;
    meeting.id = OFFER;
    meeting.case_id = CASE;
    meeting.start = "2099-01-01T11:00:00+01:00";
    meeting.sequence = 2;
    Kw__MeetingChanged changed = KW__MEETING_CHANGED__INIT;
    changed.meeting = &meeting;
    Kw__Participant pro = KW__PARTICIPANT__INIT, family = KW__PARTICIPANT__INIT, odd = KW__PARTICIPANT__INIT;
    pro.id = PRO;
    family.id = "family";
    odd.id = "someone";
    static const struct { const char *name, *action; } mlinks [] = {
        { "attend_url", KW_LINK_MEETING_ATTEND }, { "decline_url", KW_LINK_MEETING_DECLINE }
    };
    for (size_t i = 0; i < 2; i++) {
        const char *got = action_links_url (&changed.base, &pro.base, mlinks [i].name, url);
        const char *at = got ? strstr (got, "/v1/meeting-links/") : NULL;
        ok (at != NULL, "%s under /v1/meeting-links/: %s", mlinks [i].name, got ? got : "(none)");
        kw_link_t link;
        is_int (at ? kw_link_verify (at + 18, (const unsigned char *) KEY, strlen (KEY), 0, &link) : -9,
                KW_LINK_VALID, "it verifies");
        is_str (link.action, mlinks [i].action, "for its action");
        ok (!strcmp (link.subject_id, OFFER) && !strcmp (link.person_id, PRO), "the meeting and the participant");
        is_int (link.expires, 4070944800LL, "until the meeting starts");
        is_int (link.revision, 2, "for its sequence");
    }
    const char *fam = action_links_url (&changed.base, &family.base, "attend_url", url);
    kw_link_t flink;
    ok (fam && strstr (fam, "/v1/meeting-links/")
        && kw_link_verify (strstr (fam, "/v1/meeting-links/") + 18, (const unsigned char *) KEY, strlen (KEY), 0,
                           &flink) == KW_LINK_VALID && !strcmp (flink.person_id, CASE),
        "the family's link names the case");
    const char *no = action_links_url (&changed.base, &odd.base, "attend_url", url);
    ok (no && !*no, "a participant id that is neither a UUID nor the family has no link");
    no = action_links_url (&changed.base, NULL, "attend_url", url);
    ok (no && !*no, "a recipient who is no participant has none");
    action_links_unload ();
    unlink (path);
    return tap_done ();
}
