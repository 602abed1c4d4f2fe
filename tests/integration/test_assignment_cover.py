"""Absence and cover over the real stack. A key worker's absence, entered
ahead, starts and ends by the sweep at its times although the assignment
service is killed with SIGKILL before the start and again during the
absence: the deputy covers from the start (never before) and the cover
ends at the end, each an event, the deputy's covered cases counted. An
absence entered in the past applies at once; a cancelled one ends its
cover; a deputy without room leaves the cover to the coordinator
(overflow); a long absence starts a replacement round, and when the new
key worker accepts, the cover ends and the old one's place is freed."""

import datetime
import random
from kwtest import (ok, done, token, http, sql, scalar, wait_until, kill, wait_restarted, nhs_number, referral,
                    professional, test_region, case_of, get_case, pending_offer, region_day)

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "cover-%d" % n
tok = test_region(REGION, {"long_absence": "1h"})


def email(label):
    return "%s.%d@example.org" % (label, n)


def utc(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def active_case(key_worker):
    """A case whose key worker is key_worker, by a coordinator's offer accepted."""
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    case_id = case_of(tok, body["id"])
    wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
    status, body, _ = http("POST", "/v1/cases/%s/offers" % case_id,
                           {"professional_id": key_worker["id"], "reason": "set up for the test"}, tok)
    offer = pending_offer(body)
    status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
    assert status == 200 and body["key_worker"]["id"] == key_worker["id"], body
    return case_id


def event_times(case_id, kind):
    return [parse(r[0]) for r in sql(
        "SELECT to_char (occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM bus.outbox"
        " WHERE producer = 'assignment' AND type = :'p1' AND correlation_id = :'p2' ORDER BY seq", kind, case_id)]


def current(case_id):
    """The case, waiting out a restarting service."""
    return wait_until(lambda: get_case(tok, case_id), 15)


def record(pro):
    return http("GET", "/v1/professionals/%s" % pro["id"], tok=tok)[1]


deputy = professional(tok, "Dot Deputy", email("dot"), discipline="teacher", localities=["NR9"], max_caseload=10)
keyw = professional(tok, "Kit Keyworker", email("kit"), deputy_id=deputy["id"], max_caseload=10)
spare = professional(tok, "Sol Spare", email("sol"), discipline="speech_and_language_therapist", max_caseload=10)
case_id = active_case(keyw)
ok(get_case(tok, case_id)["deputy"]["id"] == deputy["id"], "the case's deputy is the key worker's deputy")

# --- an absence ahead, across two SIGKILLs of the assignment service
start, end = utc(6), utc(16)
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"],
                          {"from": start, "to": end, "reason": "training"}, tok)
ok(status == 201 and absence["status"] == "scheduled" and absence["from"] == start and absence["to"] == end
   and absence["long_absence"] is False, "an absence ahead is scheduled", absence)
first_kill = kill("assignment")
ok(wait_restarted("assignment", first_kill), "the assignment service is killed before the absence starts")
ok(current(case_id)["cover"] is None, "no cover before the start")
covered = wait_until(lambda: (get_case(tok, case_id) or {}).get("cover"), 20, 0.2)
ok(covered and covered["id"] == deputy["id"] and covered["from"] >= start and covered["to"] == end,
   "from the start the deputy covers the case, until the end", covered)
started = event_times(case_id, "cover_started")
ok(len(started) == 1 and parse(start) <= started[0] <= parse(start) + datetime.timedelta(seconds=6),
   "cover_started at the start (not before, within the sweep and the restart)", (start, started))
ok(record(deputy)["cover_load"] == 1 and record(keyw)["absent"] is True,
   "the covered case counts towards the deputy's maximum; the key worker is absent")
dep_tok = token(role="key_worker", region=REGION, sub="dot", professional_id=deputy["id"])
status, mine, _ = http("GET", "/v1/me/cases", tok=dep_tok)
ok(status == 200 and [(c["id"], c["relationship"]) for c in mine["items"]] == [(case_id, "cover")],
   "the deputy sees the case among their own, as cover", mine)
second_kill = kill("assignment")
ok(wait_restarted("assignment", second_kill), "killed again during the absence")
ended = wait_until(lambda: (get_case(tok, case_id) or {"cover": 1})["cover"] is None
                   and event_times(case_id, "cover_ended"), 25, 0.2)
ok(ended and len(ended) == 1 and parse(end) <= ended[0] <= parse(end) + datetime.timedelta(seconds=6),
   "at the end the cover ends by itself (cover_ended, not before the end)", (end, ended))
ok(record(deputy)["cover_load"] == 0 and record(keyw)["absent"] is False, "and the counts are back")
ok(scalar("SELECT status FROM assignment.absences WHERE id = :'p1'", absence["id"]) == "ended", "the absence ended")
payload = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE type = 'cover_started'"
                 " AND correlation_id = :'p1'", case_id)
ok(payload and deputy["email"].encode().hex() in payload and keyw["email"].encode().hex() in payload,
   "cover_started names the absent key worker and the cover with their contact details")

# --- an absence entered in the past applies at once
status, past, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"],
                       {"from": utc(-7200), "to": utc(-3600)}, tok)
ok(status == 201 and past["status"] == "ended", "an absence wholly in the past is applied and over at once", past)
ok(len(event_times(case_id, "cover_started")) == 2 and len(event_times(case_id, "cover_ended")) == 2,
   "its cover started and ended")
yesterday, tomorrow = region_day(-1), region_day(1)
status, now, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"], {"from": utc(-1800), "to": utc(600)}, tok)
ok(status == 201 and now["status"] == "active" and get_case(tok, case_id)["cover"]["id"] == deputy["id"],
   "an absence that began half an hour ago is covered at once", now)
status, body, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"], {"from": utc(300), "to": tomorrow}, tok)
ok(status == 409 and body["error"]["code"] == "absence_overlaps", "absences do not overlap", body)
status, cancelled, _ = http("POST", "/v1/professionals/%s/absences/%s/cancel" % (keyw["id"], now["id"]), None, tok)
ok(status == 200 and cancelled["status"] == "cancelled" and get_case(tok, case_id)["cover"] is None,
   "cancelling an active absence ends its cover", cancelled)
status, body, _ = http("POST", "/v1/professionals/%s/absences/%s/cancel" % (keyw["id"], now["id"]), None, tok)
ok(status == 409 and body["error"]["code"] == "absence_not_open", "an absence is cancelled once", body)
status, listed, _ = http("GET", "/v1/professionals/%s/absences" % keyw["id"], tok=tok)
ok(status == 200 and [a["id"] for a in listed["items"]] == [past["id"], now["id"], absence["id"]],
   "the professional's absences, by their start", listed)

# --- the dates, the checks, who may
status, body, _ = http("POST", "/v1/professionals/%s/absences" % spare["id"], {"from": "2030-01-05", "to": "2030-01-05"},
                       tok)
ok(status == 201 and body["from"] == "2030-01-05T00:00:00Z" and body["to"] == "2030-01-06T00:00:00Z",
   "dates are whole days in the region's time zone", body)
status, body, _ = http("POST", "/v1/professionals/%s/absences" % spare["id"], {"from": "2030-07-05", "to": "2030-07-05"},
                       tok)
ok(status == 201 and body["from"] == "2030-07-04T23:00:00Z", "in summer time too", body)
for bad, field in [({"to": tomorrow}, "from"), ({"from": "soon", "to": tomorrow}, "from"),
                   ({"from": tomorrow, "to": yesterday}, "to"), ({"from": "2030-02-30", "to": tomorrow}, "from"),
                   ({"from": yesterday, "to": tomorrow, "reason": "x" * 501}, "reason")]:
    status, body, _ = http("POST", "/v1/professionals/%s/absences" % spare["id"], bad, tok)
    ok(status == 400 and body["error"]["field"] == field, "%s is refused naming %s" % (bad, field), body)
own = token(role="key_worker", region=REGION, sub="sol", professional_id=spare["id"])
status, body, _ = http("POST", "/v1/professionals/%s/absences" % spare["id"], {"from": "2031-01-01", "to": "2031-01-02"},
                       own)
ok(status == 201, "a professional records their own absence", body)
status, body, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"], {"from": "2031-01-01", "to": "2031-01-02"},
                       own)
ok(status == 403, "but not a colleague's", body)
status, body, _ = http("GET", "/v1/professionals/%s/absences" % keyw["id"], tok=own)
ok(status == 403, "nor reads them", body)

# --- overflow: the deputy has no room
status, body, _ = http("PATCH", "/v1/professionals/%s" % deputy["id"], {"max_caseload": 0}, tok)
status, over, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"], {"from": utc(-60), "to": utc(900)}, tok)
cover = get_case(tok, case_id)["cover"]
ok(status == 201 and cover and cover["kind"] == "coordinator" and cover.get("id") is None,
   "a deputy without room does not cover: the coordinator does", cover)
payload = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE type = 'cover_started'"
                 " AND correlation_id = :'p1' ORDER BY seq DESC LIMIT 1", case_id)
ok(record(deputy)["cover_load"] == 0 and payload and "4801" in payload, "cover_started says overflow", payload)
http("POST", "/v1/professionals/%s/absences/%s/cancel" % (keyw["id"], over["id"]), None, tok)
http("PATCH", "/v1/professionals/%s" % deputy["id"], {"max_caseload": 10}, tok)

# --- a long absence: a replacement round, and the new key worker takes over
status, long_absence, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"],
                               {"from": utc(-10), "to": utc(3 * 3600), "reason": "long leave"}, tok)
ok(status == 201 and long_absence["long_absence"] is True, "an absence over the region's 1 hour is long",
   long_absence)
case = get_case(tok, case_id)
offer = pending_offer(case)
ok(case["cover"] and case["cover"]["id"] == deputy["id"] and case["key_worker"]["id"] == keyw["id"]
   and offer and offer["purpose"] == "replacement" and offer["round"] == 2 and offer["professional_id"] != keyw["id"],
   "the deputy covers and the case is offered anew, the key worker staying meanwhile", case)
status, body, _ = http("POST", "/v1/professionals/%s/absences/%s/cancel" % (keyw["id"], long_absence["id"]), None, tok)
case = get_case(tok, case_id)
ok(status == 200 and not pending_offer(case) and [o["status"] for o in case["offers"]][-1] == "withdrawn"
   and case["cover"] is None, "cancelling the long absence withdraws the replacement offer and ends the cover", case)
status, long_absence, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"],
                               {"from": utc(-5), "to": utc(4 * 3600), "reason": "long leave"}, tok)
case = get_case(tok, case_id)
offer = pending_offer(case)
ok(status == 201 and offer and offer["purpose"] == "replacement" and offer["round"] == 3,
   "entered again, a new replacement round starts", case)
new_tok = token(role="key_worker", region=REGION, sub="new", professional_id=offer["professional_id"])
status, case, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, new_tok)
ok(status == 200 and case["key_worker"]["id"] == offer["professional_id"] and case["cover"] is None,
   "when the new key worker accepts, the key worker changes and the cover ends", case)
ok(record(keyw)["caseload"] == 0 and record(deputy)["cover_load"] == 0,
   "the absent key worker's place and the deputy's cover are freed")
kinds = [r[0] for r in sql("SELECT kind FROM assignment.timeline WHERE case_id = :'p1' ORDER BY id", case_id)][-3:]
ok(kinds == ["cover_ended", "offer_accepted", "key_worker_changed"],
   "the timeline shows the cover ending and the change", kinds)
payload = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE type = 'key_worker_changed'"
                 " AND correlation_id = :'p1' ORDER BY seq DESC LIMIT 1", case_id)
ok(payload and keyw["email"].encode().hex() in payload, "key_worker_changed names the previous key worker")
done()
