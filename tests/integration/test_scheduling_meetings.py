"""Meetings over the real stack. A case's planning meeting is booked in the
earliest slot that fits the key worker's working hours and the family's
days and times (from the referral), with the optional participant's
absence leaving them out; the meeting_scheduled event carries the
invitation. The invitation parses in python3-icalendar (an independent
parser): METHOD REQUEST, ORGANIZER, ATTENDEE with ROLE and PARTSTAT, the
UID that never changes, SEQUENCE raised by a reschedule, the VTIMEZONE of
Europe/London; responses show as PARTSTAT; a required participant's
decline proposes a new slot; a cancellation is METHOD CANCEL with the same
UID and a higher SEQUENCE. No common slot is a 409 naming the constraint,
with alternatives that set one family wish aside; bad input is a 400
naming the field; a coordinator may fix a time; a key worker may not; and
people outside the case see nothing."""

import datetime
from kwtest import ok, done, http, sql, token, caught_up
from kwsched import (coordinator, worker, key_worker_token, family_token, open_case, dates, book, events,
                     invite, vevent, email)

kw = worker("kw")
optional_pro = worker("opt")
# No room: never the case's deputy (the best-ranked other professional with room).
stranger = worker("stranger", max_caseload=0)
case = open_case(kw, days=["tue", "wed", "thu"], earliest="10:00", latest="15:00")
http("POST", "/v1/cases/%s/team" % case["id"], {"professional_id": optional_pro["id"]}, coordinator)
caught_up()
first, last = dates(1, 21)

# --- the optional participant is away all window: the slot is the earliest for the required
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % optional_pro["id"],
                          {"from": first, "to": last, "reason": "leave"}, coordinator)
ok(status == 201, "the optional participant's absence is recorded", absence)
caught_up()
status, m, _ = book(case, earliest=first, latest=last, required=["key_worker", "family"],
                    optional=[optional_pro["id"]])
ok(status == 201 and m["status"] == "scheduled", "a planning meeting is booked", m)
start_local = m.get("start", "")
weekday = datetime.date.fromisoformat(start_local[:10]).weekday()
ok(weekday in (1, 2, 3) and "10:00" <= start_local[11:16] <= "14:00",
   "the slot is on one of the family's days, within their times", start_local)
ok(m.get("location") == "home" and m.get("time_zone") == "Europe/London" and m.get("duration_minutes") == 60,
   "the family's location and the region's zone", m)
ok(m.get("optional_unavailable") == [optional_pro["id"]], "the absent optional participant is named", m)
roles = {p["id"]: (p["role"], p["required"], p["response"]) for p in m.get("participants", [])}
ok(roles.get(kw["id"]) == ("key_worker", True, "needs_action") and roles.get("family") == ("family", True,
   "needs_action") and roles.get(optional_pro["id"]) in (("team", False, "needs_action"),
                                                          ("deputy", False, "needs_action")),
   "participants with their role, whether required, and no answer yet", roles)
caught_up()
scheduled = events("meeting_scheduled", case["id"])
ok(len(scheduled) == 1 and bytes.fromhex(scheduled[0][1]).find(b"BEGIN:VCALENDAR") >= 0
   and bytes.fromhex(scheduled[0][1]).find(email("kw").encode()) >= 0,
   "meeting_scheduled carries the invitation and the participants' contacts")
topic_rows = sql("SELECT type, correlation_id FROM bus.outbox WHERE producer = 'scheduling' AND correlation_id = :'p1'",
                 case["id"])
ok(all("@" not in " ".join(r) for r in topic_rows), "no personal data in the topics")

# --- the invitation, read by an independent parser
status, ctype, cal, text = invite(m["id"])
ok(status == 200 and ctype.startswith("text/calendar") and "\r\n" in text, "invite.ics is text/calendar with CRLF",
   ctype)
ev = vevent(cal)
uid = str(ev["UID"])
ok(str(cal["METHOD"]) == "REQUEST" and int(ev["SEQUENCE"]) == 0 and uid == m["uid"],
   "METHOD REQUEST, SEQUENCE 0 and the meeting's UID")
ok("mailto:" in str(ev["ORGANIZER"]), "an ORGANIZER")
attendees = {str(a): a.params for a in ev.get("ATTENDEE")}
kw_att = attendees.get("mailto:" + kw["email"], {})
opt_att = attendees.get("mailto:" + optional_pro["email"], {})
ok(kw_att.get("ROLE") == "REQ-PARTICIPANT" and kw_att.get("PARTSTAT") == "NEEDS-ACTION"
   and opt_att.get("ROLE") == "OPT-PARTICIPANT", "ATTENDEE with ROLE and PARTSTAT", attendees)
tzids = [str(c["TZID"]) for c in cal.walk("VTIMEZONE")]
ok(tzids == ["Europe/London"] and str(ev["DTSTART"].params.get("TZID")) == "Europe/London",
   "a VTIMEZONE for Europe/London, and DTSTART in it", tzids)
ok(ev["DTSTART"].dt.isoformat() == start_local, "DTSTART is the meeting's start", ev["DTSTART"].dt)

# --- responses
kw_tok = key_worker_token(kw)
status, answered, _ = http("POST", "/v1/meetings/%s/responses" % m["id"], {"response": "accepted"}, kw_tok)
ok(status == 200, "the key worker accepts for themselves", answered)
fam_tok = family_token(case)
status, answered, _ = http("POST", "/v1/meetings/%s/responses" % m["id"],
                           {"participant_id": "family", "response": "tentative"}, fam_tok)
ok(status == 200, "the family answers for themselves", answered)
status, refused, _ = http("POST", "/v1/meetings/%s/responses" % m["id"],
                          {"participant_id": kw["id"], "response": "declined"}, fam_tok)
ok(status == 403, "the family cannot answer for the key worker", refused)
status, refused, _ = http("POST", "/v1/meetings/%s/responses" % m["id"], {"response": "maybe"}, kw_tok)
ok(status == 400 and refused["error"].get("field") == "response", "an unknown response is refused", refused)
status, cal_text = http("GET", "/v1/meetings/%s" % m["id"], tok=kw_tok)[:2]
answers = {p["id"]: p["response"] for p in cal_text.get("participants", [])}
ok(answers.get(kw["id"]) == "accepted" and answers.get("family") == "tentative", "the answers are kept", answers)
ev = vevent(invite(m["id"])[2])
partstat = {str(a): a.params.get("PARTSTAT") for a in ev.get("ATTENDEE")}
ok(partstat.get("mailto:" + kw["email"]) == "ACCEPTED"
   and partstat.get("mailto:" + case["family_email"]) == "TENTATIVE", "PARTSTAT follows the answers", partstat)
caught_up()
ok(len(events("response_recorded", case["id"])) == 2, "response_recorded once per answer")

# --- a required participant declines: a new slot is proposed
status, declined, _ = http("POST", "/v1/meetings/%s/responses" % m["id"], {"response": "declined"}, kw_tok)
suggested = declined.get("reschedule_suggested") or {}
ok(status == 200 and suggested.get("start") and suggested["start"] != m["start"],
   "a required participant's decline proposes another slot", declined)

# --- reschedule: a new time, SEQUENCE raised, UID kept, answers reset
# From the day after the meeting: a window that still holds its slot may
# give the same time back (the family meets Tuesday to Thursday, so on a
# Thursday or a Friday both windows start with the next Tuesday).
after = datetime.date.fromisoformat(m["start"][:10]) + datetime.timedelta(days=1)
later_first, later_last = after.isoformat(), (after + datetime.timedelta(days=21)).isoformat()
status, moved, _ = http("POST", "/v1/meetings/%s/reschedule" % m["id"], {"earliest": later_first,
                        "latest": later_last}, kw_tok)
ok(status == 200 and moved["start"] != m["start"] and moved["sequence"] == 1, "the key worker reschedules", moved)
ok(all(p["response"] == "needs_action" for p in moved.get("participants", [])), "answers start again")
ev = vevent(invite(m["id"])[2])
ok(str(ev["UID"]) == uid and int(ev["SEQUENCE"]) == 1, "the same UID, SEQUENCE 1")
caught_up()
ok(len(events("meeting_updated", case["id"])) == 1, "meeting_updated")

# --- a coordinator's fixed time; a key worker may not fix one
status, refused, _ = book(case, tok=kw_tok, start=dates(30, 30)[0] + "T09:00:00Z")
ok(status == 403 and refused["error"].get("field") == "start", "a key worker cannot fix a time", refused)
fixed = dates(30, 30)[0] + "T14:00:00Z"
status, fixed_m, _ = book(case, start=fixed, type="tac", duration_minutes=45)
ok(status == 201 and fixed_m["type"] == "tac" and fixed_m["duration_minutes"] == 45,
   "a coordinator fixes a time", fixed_m)

# --- cancel: METHOD CANCEL, same UID, higher SEQUENCE
status, refused, _ = http("POST", "/v1/meetings/%s/cancel" % m["id"], {}, kw_tok)
ok(status == 400 and refused["error"].get("field") == "reason", "a cancellation needs a reason", refused)
status, cancelled, _ = http("POST", "/v1/meetings/%s/cancel" % m["id"], {"reason": "the family asked"}, kw_tok)
ok(status == 200 and cancelled["status"] == "cancelled" and cancelled["sequence"] == 2, "cancelled", cancelled)
status, ctype, cal, text = invite(m["id"])
ev = vevent(cal)
ok(str(cal["METHOD"]) == "CANCEL" and str(ev["UID"]) == uid and int(ev["SEQUENCE"]) == 2
   and str(ev["STATUS"]) == "CANCELLED", "invite.ics is METHOD CANCEL, same UID, SEQUENCE 2")
status, again, _ = http("POST", "/v1/meetings/%s/cancel" % m["id"], {"reason": "twice"}, kw_tok)
ok(status == 409, "a cancelled meeting cannot be cancelled again", again)
caught_up()
ok(len(events("meeting_cancelled", case["id"])) == 1, "meeting_cancelled")

# --- no common slot
weekend = open_case(kw, days=["sat", "sun"])
status, refused, _ = book(weekend, earliest=dates(1, 1)[0], latest=dates(14, 14)[0])
err = refused.get("error", {})
ok(status == 409 and err.get("code") == "no_common_slot"
   and "the family's days and the key worker's working hours never overlap" in err.get("reason", ""),
   "no common slot names the family's days and the key worker's hours", refused)
ok("working_hours" in err.get("constraints", []) and "family_days" in err.get("constraints", []),
   "the constraints are listed", err)
alts = err.get("alternatives", [])
ok(1 <= len(alts) <= 3 and all(a.get("breaks") == "family_days" for a in alts),
   "up to three alternatives, each setting the family's days aside", alts)

# --- bad input names the field; strangers see nothing
for body, field in (({"type": "party"}, "type"), ({"type": "review", "duration_minutes": 5}, "duration_minutes"),
                    ({"type": "review", "earliest": "2026-13-01"}, "earliest"),
                    ({"type": "review", "earliest": "2020-01-01"}, "earliest"),
                    ({"type": "review", "required": ["nobody"]}, "required"),
                    ({"type": "review", "start": "tomorrow"}, "start")):
    status, refused, _ = http("POST", "/v1/cases/%s/meetings" % case["id"], body, coordinator)
    ok(status == 400 and refused["error"].get("field") == field, "400 on %s" % field, refused)
stranger_tok = key_worker_token(stranger)
for method, path in (("GET", "/v1/meetings/%s" % fixed_m["id"]), ("GET", "/v1/meetings/%s/invite.ics" % fixed_m["id"]),
                     ("GET", "/v1/cases/%s/meetings" % case["id"])):
    status = http(method, path, tok=stranger_tok)[0]
    ok(status == 403, "a key worker outside the case is refused %s %s" % (method, path), status)
other_region = token(region="nhse", sub="nhse-coordinator")
ok(http("GET", "/v1/meetings/%s" % fixed_m["id"], tok=other_region)[0] == 404, "another region sees no meeting")
status, listed, _ = http("GET", "/v1/cases/%s/meetings?status=scheduled" % case["id"], tok=fam_tok)
ok(status == 200 and [x["id"] for x in listed["items"]] == [fixed_m["id"]], "the family lists the case's meetings",
   listed)
audits = sql("SELECT action, outcome FROM audit.events WHERE record_id IN (:'p1', :'p2')", m["id"], case["id"])
ok(("meeting.get", "ok") in [tuple(a) for a in audits] and ("meeting.list", "forbidden") in [tuple(a) for a in audits],
   "reads and refusals are audited")
done()
