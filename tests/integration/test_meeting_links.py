"""Acting from a meeting invitation: the attend and decline links, end to
end over the real stack. The links are taken from the invitations in the
SMTP sink, as the participants get them; the variants nobody gets (an
expired one, one for a person not invited) are made by `kwctl link` with
the stack's link key; the test computes no signature itself.
- Each participant's invitation (the team member's, the family's) carries
  its own attend and decline link under /v1/meeting-links/.
- GET shows the meeting's time in the region's zone, its place and the case
  id, no health details and not the child's name, and changes nothing.
- POST (confirm=yes) records the response through the scheduling service's
  own step: the response is in GET meeting, audited as the participant's.
- The same link again, or the participant's other link of the same
  invitation, is refused (409, used); a tampered link (403), one for a
  person not invited (403), one expired (410) and a POST without the confirm
  (400) change nothing.
- The family (required) declines through its link: each coordinator is told
  once.
- A reschedule makes new links: the old ones are refused as outdated (409),
  the new one works; once the meeting is cancelled its links are refused
  (409). Every view, use and refusal is in the audit trail."""

import hashlib
import json
import os
import re
import subprocess
import urllib.parse
import uuid
from kwtest import ok, done, http, sql, scalar, caught_up, wait_until, KWCTL, VAR
from kwsched import coordinator, worker, key_worker_token, open_case, dates, book
from notifytest import mails_to, text_of, html_of, settled

KEY = os.environ.get("KW_LINK_KEY_FILE") or os.path.join(VAR, "link_key")
with open(os.path.join(os.environ.get("KW_REGION_DIR", "deploy/regions"), "norfolk.json")) as f:
    REGION = json.load(f)
COORDINATORS = REGION["notification"]["coordinators"]
LINK = re.compile(r"https?://\S+/v1/meeting-links/[A-Za-z0-9_.-]+")

kw = worker("mlkw")
case = open_case(kw)
member = worker("mlmember")
http("POST", "/v1/cases/%s/team" % case["id"], {"professional_id": member["id"]}, coordinator)
caught_up()
kw_tok = key_worker_token(kw)
first, last = dates(1, 21)
status, m, _ = book(case, tok=kw_tok, earliest=first, latest=last, required=["key_worker", "family", member["id"]],
                    location="Riverside Children's Centre")
ok(status == 201 and len(m.get("participants", [])) == 3, "a meeting of three is booked", m)
INVITED = "Invitation: key worker meeting %s" % m.get("id")
UPDATED = "Updated: key worker meeting %s" % m.get("id")
DECLINED = "A required participant declined meeting %s" % m.get("id")


def with_subject(address, subject):
    return [x for x in mails_to(address) if str(x["Subject"]) == subject]


def links_of(address, subject):
    """(attend path, decline path) of the one e-mail of subject to address."""
    settled(lambda: with_subject(address, subject))
    got = with_subject(address, subject)
    if len(got) != 1:
        return None, None
    urls = LINK.findall(text_of(got[0]))
    html = html_of(got[0])
    if len(urls) != 2 or not all('href="%s"' % u in html for u in urls):
        return None, None
    return tuple(urllib.parse.urlparse(u).path for u in urls)


def page(method, path, confirm=True):
    return http(method, path, raw=b"confirm=yes" if confirm else b"",
                headers={"Content-Type": "application/x-www-form-urlencoded"}) if method == "POST" \
        else http(method, path)


def responses():
    status, got, _ = http("GET", "/v1/meetings/%s" % m["id"], tok=coordinator)
    return {p["id"]: p.get("response") for p in got.get("participants", [])} if status == 200 else status


def meeting():
    return http("GET", "/v1/meetings/%s" % m["id"], tok=coordinator)[1]


def made(action, person, expires, sequence):
    out = subprocess.run(KWCTL + ["link", KEY, "https://kw.example.org", action, m["id"], person, expires,
                                  str(sequence)], capture_output=True, text=True)
    return urllib.parse.urlparse(out.stdout.strip()).path if out.returncode == 0 else None


def audit(action):
    return [r[0] for r in sql("SELECT outcome FROM audit.events WHERE action = :'p1' AND record_id = :'p2'"
                              " ORDER BY id", action, m["id"])]


# --- each participant's invitation carries its own links
attend, decline = links_of(member["email"], INVITED)
ok(attend and decline and attend.startswith("/v1/meeting-links/") and attend != decline,
   "the team member's invitation carries an attend and a decline link", (attend, decline))
fam_attend, fam_decline = links_of(case["family_email"], INVITED)
ok(fam_decline and fam_decline not in (attend, decline), "the family's carries links of its own", fam_decline)
kw_attend, kw_decline = links_of(kw["email"], INVITED)
ok(kw_attend and kw_attend not in (attend, fam_attend), "and the key worker's", kw_attend)
before = responses()
ok(set(before.values()) == {"needs_action"}, "nobody has answered yet", before)

# --- the page: the meeting's time, place and case; nothing changed
status, text, headers = page("GET", attend)
ok(status == 200 and "text/html" in headers.get("Content-Type", ""), "the link's page is HTML", (status, text))
ok("Attend this meeting?" in text and case["id"] in text and "Riverside Children&#39;s Centre" in text
   and REGION["time_zone"] in text and 'method="post"' in text,
   "it shows the case, the place and the time in the region's zone, and asks to confirm", text)
ok(not re.search(r"\bTest\b|\bChild\b", text) and "autism" not in text.lower() and "2015-03-02" not in text,
   "and neither the child's name nor health details", text)
ok(responses() == before, "a GET changes nothing", responses())
ok(audit("link_view") == ["ok"], "the view is audited", audit("link_view"))

# --- refusals before the use: each changes nothing
status, _, _ = page("POST", attend, confirm=False)
ok(status == 400 and responses() == before, "a POST without confirm=yes is refused (400)", status)
token_part = attend.rsplit("/", 1)[1]
flipped = token_part[:-3] + ("A" if token_part[-3] != "A" else "B") + token_part[-2:]
status, text, _ = page("POST", "/v1/meeting-links/" + flipped)
ok(status == 403 and "not valid" in text and responses() == before, "a tampered link is refused (403)", status)
ok(scalar("SELECT outcome FROM audit.events WHERE action = 'link_use' AND record_type = 'link'"
          " AND record_id = :'p1'", hashlib.sha256(flipped.encode()).hexdigest()) == "link_tampered",
   "the refusal is audited under the token's id (it names no meeting)")
sequence = meeting().get("sequence", 0)
status, text, _ = page("POST", made("meeting.attend", str(uuid.uuid4()), m["start"], sequence))
ok(status == 403 and responses() == before, "a link for someone not invited is refused (403)", (status, text))
status, text, _ = page("POST", made("meeting.attend", member["id"], "2020-01-01T00:00:00Z", sequence))
ok(status == 410 and "expired" in text and responses() == before, "an expired link is refused (410)",
   (status, text))
status, _, _ = page("GET", "/v1/meeting-links/not-a-token")
ok(status == 403, "a malformed token is refused (403)", status)
status, _, _ = page("POST", "/v1/links/" + token_part)
ok(status == 403 and responses() == before, "a meeting's token on the offer route is refused (403)", status)

# --- the confirm: the response recorded as the participant's
status, text, _ = page("POST", attend)
ok(status == 200 and "You will attend" in text, "the confirm records the answer", (status, text))
ok(responses().get(member["id"]) == "accepted", "GET meeting shows the team member attending", responses())
ok(scalar("SELECT count(*) FROM scheduling.used_links WHERE meeting_id = :'p1'", m["id"]) == "1",
   "the link is recorded as used, once")
ok(scalar("SELECT count(*) FROM audit.events WHERE action = 'meeting.respond' AND record_id = :'p1'"
          " AND actor = :'p2'", m["id"], "link:" + member["id"]) == "1",
   "the response is audited as the team member's, through the link")
after = responses()
status, text, _ = page("POST", attend)
ok(status == 409 and "already" in text and responses() == after, "the same link again is refused (409)",
   (status, text))
status, text, _ = page("POST", decline)
ok(status == 409 and responses() == after, "and so is the decline link of the same invitation", (status, text))

# --- the family, required, declines through its link: the coordinators are told once
status, text, _ = page("POST", fam_decline)
ok(status == 200 and "declined" in text, "the family declines through its link", (status, text))
ok(responses().get("family") == "declined", "GET meeting shows the family declined", responses())
settled(lambda: all(with_subject(c, DECLINED) for c in COORDINATORS))
caught_up()
wait_until(lambda: False, 1.5)
told = [len(with_subject(c, DECLINED)) for c in COORDINATORS]
ok(told == [1] * len(COORDINATORS), "each coordinator is told once", told)

# --- a reschedule makes new links; the old ones are outdated
later_first, later_last = dates(22, 42)
status, moved, _ = http("POST", "/v1/meetings/%s/reschedule" % m["id"],
                        {"earliest": later_first, "latest": later_last}, coordinator)
ok(status == 200 and moved.get("sequence", 0) > sequence, "the meeting is rescheduled", moved)
caught_up()
moved_responses = responses()
status, text, _ = page("POST", kw_attend)
ok(status == 409 and "out of date" in text and responses() == moved_responses,
   "the key worker's unused link of the first invitation is refused as outdated (409)", (status, text))
new_attend, new_decline = links_of(kw["email"], UPDATED)
ok(new_attend and new_attend != kw_attend, "the updated invitation brings new links", new_attend)
status, text, _ = page("POST", new_attend)
ok(status == 200 and responses().get(kw["id"]) == "accepted", "which work", (status, text))

# --- cancelled: its links are refused
status, _, _ = http("POST", "/v1/meetings/%s/cancel" % m["id"], {"reason": "the family moved"}, coordinator)
ok(status == 200, "the meeting is cancelled")
member_new = links_of(member["email"], UPDATED)
status, text, _ = page("GET", member_new[0] or "/v1/meeting-links/x")
ok(status == 409 and "cancelled" in text, "a link of the cancelled meeting is refused (409)", (status, text))

outcomes = audit("link_use")
ok(all(o in outcomes for o in ("ok", "link_used", "link_tampered", "link_expired", "link_outdated")),
   "every use and refusal is audited", outcomes)
ok("meeting_cancelled" in audit("link_view"), "the view of a cancelled meeting's link too", audit("link_view"))
done()
