"""The scheduling rows of the notification table (deploy/notifications/
table.json), end to end through the real services and the SMTP sink:
- a meeting booked, rescheduled and cancelled: every participant gets one
  e-mail each time, with the invitation attached as iMIP's text/calendar
  (METHOD REQUEST, then CANCEL; the meeting's UID; SEQUENCE rising),
  parsed by Debian's python3-icalendar;
- a required participant declines: the coordinators are told once; an
  optional participant's decline and an acceptance tell nobody;
- the sweep finds a review due (the key worker and the coordinators) and an
  action overdue (its owner, the key worker and the coordinators), once
  each;
- an outcome: the family is told the plan changed, with the link to the
  printable plan; the other people of the plan are not."""

import datetime
import json
import os
import icalendar
from kwtest import ok, done, http, caught_up, wait_until, get_case
from kwsched import coordinator, admin, worker, key_worker_token, family_token, open_case, dates, book, invite, \
    vevent
from notifytest import mails_to, text_of, html_of, settled

with open(os.path.join(os.environ.get("KW_REGION_DIR", "deploy/regions"), "norfolk.json")) as f:
    COORDINATORS = json.load(f)["notification"]["coordinators"]
PUBLIC_URL = os.environ.get("KW_PUBLIC_URL", "http://" + os.environ.get("KW_HTTP_ADDR", "localhost:8080"))

kw = worker("nmkw")
case = open_case(kw)
members = [worker("nmmember%d" % i) for i in range(2)]
for pro in members:
    http("POST", "/v1/cases/%s/team" % case["id"], {"professional_id": pro["id"]}, coordinator)
caught_up()
deputy = (get_case(coordinator, case["id"]).get("deputy") or {}).get("id")
member = [pro for pro in members if pro["id"] != deputy][0]
other = [pro for pro in members if pro["id"] != member["id"]][0]
kw_tok, member_tok, other_tok, fam_tok = (key_worker_token(kw), key_worker_token(member), key_worker_token(other),
                                          family_token(case))


def with_subject(address, subject):
    return [m for m in mails_to(address) if str(m["Subject"]) == subject]


def quiet():
    """Let every event of the case be applied and sent."""
    caught_up()
    wait_until(lambda: False, 1.5)


def calendar_of(message):
    """(METHOD of the part's Content-Type, the parsed calendar) of the
    message's text/calendar part, or (None, None)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), icalendar.Calendar.from_ical(part.get_payload(decode=True))
    return None, None


def invited(meeting, subject, method, sequence_above):
    """Every participant of meeting has exactly one e-mail of subject whose
    calendar has method, the meeting's UID and a SEQUENCE above
    sequence_above. Returns {address: sequence}."""
    addresses = [p["email"] for p in meeting["participants"]]
    settled(lambda: all(with_subject(a, subject) for a in addresses))
    quiet()
    sequences, wrong = {}, []
    for address in addresses:
        got = with_subject(address, subject)
        if len(got) != 1:
            wrong.append((address, len(got)))
            continue
        part_method, cal = calendar_of(got[0])
        event = vevent(cal) if cal else {}
        if (part_method != method or cal is None or str(cal["METHOD"]) != method
        or  str(event.get("UID")) != meeting["uid"] or int(event.get("SEQUENCE", -1)) <= sequence_above):
            wrong.append((address, part_method, cal and str(cal.get("METHOD")), str(event.get("UID")),
                          event.get("SEQUENCE")))
            continue
        sequences[address] = int(event["SEQUENCE"])
    ok(not wrong and len(sequences) == len(addresses) and len(addresses) == 4,
       "each of the %d participants gets one '%s' e-mail with a %s invitation" % (len(addresses), subject, method),
       wrong)
    return sequences


# --- booked: every participant invited, once
first, last = dates(1, 21)
status, m, _ = book(case, tok=kw_tok, earliest=first, latest=last, required=["key_worker", "family", member["id"]],
                    optional=[other["id"]])
ok(status == 201 and len(m.get("participants", [])) == 4, "a meeting of four is booked", m)
status, _, cal, _ = invite(m["id"])
ok(status == 200 and str(vevent(cal)["UID"]) == m["uid"], "its invite.ics carries the meeting's UID")
booked = invited(m, "Invitation: key worker meeting %s" % m["id"], "REQUEST", -1)
fam = with_subject(case["family_email"], "Invitation: key worker meeting %s" % m["id"])
ok(fam and "You are invited to a planning meeting" in text_of(fam[0]) and "<p>Dear" in html_of(fam[0]),
   "with the text and the HTML", fam and text_of(fam[0]))

# --- rescheduled: one more each, SEQUENCE higher
later_first, later_last = dates(22, 42)
status, moved, _ = http("POST", "/v1/meetings/%s/reschedule" % m["id"],
                        {"earliest": later_first, "latest": later_last}, coordinator)
ok(status == 200 and moved.get("start") != m.get("start"), "the meeting is rescheduled", moved)
updated = invited(moved, "Updated: key worker meeting %s" % m["id"], "REQUEST", max(booked.values() or [0]))
ok(all(updated.get(a, -1) > booked.get(a, 10 ** 6) for a in booked), "every SEQUENCE rose", (booked, updated))
ok(all(len(with_subject(a, "Invitation: key worker meeting %s" % m["id"])) == 1 for a in booked),
   "and nobody is invited again")

# --- responses: only a required participant's decline reaches the coordinators
DECLINED = "A required participant declined meeting %s" % m["id"]
ok(http("POST", "/v1/meetings/%s/responses" % m["id"], {"response": "accepted"}, kw_tok)[0] == 200,
   "the key worker accepts")
ok(http("POST", "/v1/meetings/%s/responses" % m["id"], {"response": "declined"}, other_tok)[0] == 200,
   "the optional participant declines")
quiet()
ok(not any(with_subject(c, DECLINED) for c in COORDINATORS), "which tells the coordinators nothing")
status, declined, _ = http("POST", "/v1/meetings/%s/responses" % m["id"], {"response": "declined"}, member_tok)
ok(status == 200, "the required team member declines", declined)
settled(lambda: all(with_subject(c, DECLINED) for c in COORDINATORS))
quiet()
told = [with_subject(c, DECLINED) for c in COORDINATORS]
ok(all(len(t) == 1 for t in told), "each coordinator is told once", [len(t) for t in told])
ok(told and told[0] and member["name"] in text_of(told[0][0]), "who declined", told and told[0] and text_of(told[0][0]))
ok(not with_subject(member["email"], DECLINED) and not with_subject(kw["email"], DECLINED),
   "and nobody else is")

# --- cancelled: METHOD CANCEL to every participant
status, cancelled, _ = http("POST", "/v1/meetings/%s/cancel" % m["id"], {"reason": "the family moved"}, coordinator)
ok(status == 200 and cancelled.get("status") == "cancelled", "the meeting is cancelled", cancelled)
invited(cancelled, "Cancelled: key worker meeting %s" % m["id"], "CANCEL", max(updated.values() or [0]) - 1)

# --- an outcome: the plan, the family told with the link
status, m2, _ = book(case, tok=kw_tok, earliest=first, latest=last, required=["key_worker", "family", member["id"]])
ok(status == 201, "a second meeting is booked", m2)
held = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=170)).strftime("%Y-%m-%dT%H:%M:%SZ")
yesterday, in_ten = dates(-1, 10)
outcome = {"held_at": held, "attended": [kw["id"], "family", member["id"]], "notes": "Agreed the first steps.",
           "actions": [{"description": "Send the therapy report", "owner": member["id"], "due": yesterday},
                       {"description": "Keep a sleep diary", "owner": "family", "due": in_ten}]}
status, plan, _ = http("POST", "/v1/meetings/%s/outcome" % m2["id"], outcome, kw_tok)
ok(status == 200 and plan.get("version") == 1, "the outcome writes the plan", plan)
PLAN = "Your Family Service Plan has been updated"
LINK = "%s/v1/cases/%s/plan.html" % (PUBLIC_URL, case["id"])
settled(lambda: with_subject(case["family_email"], PLAN))
quiet()
plan_mails = with_subject(case["family_email"], PLAN)
ok(len(plan_mails) == 1, "the family is told once that the plan changed", len(plan_mails))
ok(plan_mails and LINK in text_of(plan_mails[0]) and ('href="%s"' % LINK) in html_of(plan_mails[0]),
   "with the link to the printable plan", plan_mails and text_of(plan_mails[0]))
ok(not with_subject(kw["email"], PLAN) and not with_subject(member["email"], PLAN),
   "the professionals of the plan are not sent the family's message")
page = http("GET", LINK[len(PUBLIC_URL):], tok=fam_tok)
ok(page[0] == 200 and "Keep a sleep diary" in page[1], "the link's page is the family's printable plan")

# --- the sweep: the action overdue and the review due, to the right people, once
REVIEW = "Review due for case %s" % case["id"]
status, swept, _ = http("POST", "/v1/admin/scheduling/sweep", None, admin)
ok(status == 200, "an admin runs the sweep", swept)
caught_up()
status, current, _ = http("GET", "/v1/cases/%s/plan" % case["id"], tok=kw_tok)
overdue = [a for a in current.get("actions", []) if a["status"] == "overdue"]
ok(len(overdue) == 1, "the team member's action is overdue", current)
OVERDUE = "Plan action %s of case %s is overdue" % (overdue[0]["id"] if overdue else "", case["id"])
review_to = [kw["email"]] + COORDINATORS
overdue_to = [member["email"], kw["email"]] + COORDINATORS
settled(lambda: all(with_subject(a, REVIEW) for a in review_to) and all(with_subject(a, OVERDUE) for a in overdue_to))
http("POST", "/v1/admin/scheduling/sweep", None, admin)
quiet()
ok([len(with_subject(a, REVIEW)) for a in review_to] == [1] * len(review_to),
   "the key worker and each coordinator are told once of the review due",
   [len(with_subject(a, REVIEW)) for a in review_to])
ok(not with_subject(member["email"], REVIEW) and not with_subject(case["family_email"], REVIEW),
   "and nobody else")
ok([len(with_subject(a, OVERDUE)) for a in overdue_to] == [1] * len(overdue_to),
   "the owner, the key worker and each coordinator are told once of the overdue action",
   [len(with_subject(a, OVERDUE)) for a in overdue_to])
ok(not with_subject(case["family_email"], OVERDUE) and not with_subject(other["email"], OVERDUE),
   "and nobody else")
told = with_subject(member["email"], OVERDUE)
ok(told and "Send the therapy report" in text_of(told[0]), "with the action", told and text_of(told[0]))
done()
