"""A meeting flagged by an absence (docs/notifications.md): a required team
member's absence over a booked meeting flags it (scheduling.meeting_updated
with change "flagged"). The participants see nothing change (time, place
and people are the same, the invitation's SEQUENCE too), so none of them is
sent an update; the coordinators and the case's key worker are each told
once, by their own message, to reschedule or cancel."""

import datetime
import json
import os
from kwtest import ok, done, http, caught_up, wait_until
from kwsched import coordinator, worker, key_worker_token, open_case, dates, book
from notifytest import mails_to, text_of, settled

with open(os.path.join(os.environ.get("KW_REGION_DIR", "deploy/regions"), "norfolk.json")) as f:
    COORDINATORS = json.load(f)["notification"]["coordinators"]

kw = worker("flagkw")
case = open_case(kw)
member = worker("flagmember")
http("POST", "/v1/cases/%s/team" % case["id"], {"professional_id": member["id"]}, coordinator)
caught_up()
first, last = dates(2, 21)
status, m, _ = book(case, tok=key_worker_token(kw), earliest=first, latest=last,
                    required=["key_worker", "family", member["id"]])
ok(status == 201 and len(m.get("participants", [])) == 3, "a meeting of three is booked", m)
INVITED = "Invitation: key worker meeting %s" % m.get("id")
UPDATED = "Updated: key worker meeting %s" % m.get("id")
FLAGGED = "Meeting %s needs attention: a required participant is absent" % m.get("id")
PARTICIPANTS = [kw["email"], member["email"], case["family_email"]]


def with_subject(address, subject):
    return [x for x in mails_to(address) if str(x["Subject"]) == subject]


ok(settled(lambda: all(with_subject(a, INVITED) for a in PARTICIPANTS)), "every participant is invited")

start = datetime.datetime.fromisoformat(m["start"])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % member["id"],
                          {"from": now, "to": (start.date() + datetime.timedelta(days=1)).isoformat(),
                           "reason": "leave"}, coordinator)
ok(status == 201, "the team member is away over the meeting", absence)
caught_up()
flagged = wait_until(lambda: http("GET", "/v1/meetings/%s" % m["id"], tok=coordinator)[1].get("flagged"), 15)
ok(flagged, "the meeting is flagged")
ok(settled(lambda: all(with_subject(a, FLAGGED) for a in COORDINATORS + [kw["email"]])),
   "the coordinators and the key worker are told")
caught_up()
wait_until(lambda: False, 1.5)
told = [len(with_subject(a, FLAGGED)) for a in COORDINATORS + [kw["email"]]]
ok(told == [1] * len(told), "each once", told)
got = with_subject(kw["email"], FLAGGED)
ok(got and case["id"] in text_of(got[0]) and "reschedule" in text_of(got[0]), "naming the case, asking to act",
   got and text_of(got[0]))
ok([len(with_subject(a, UPDATED)) for a in PARTICIPANTS] == [0, 0, 0],
   "no participant is sent an update: nothing they see changed",
   [len(with_subject(a, UPDATED)) for a in PARTICIPANTS])
ok(not with_subject(member["email"], FLAGGED) and not with_subject(case["family_email"], FLAGGED),
   "the absent member and the family are not sent the flag")
done()
