"""The team, change requests, closure and review over the real stack. The
referral's professionals become the team (a registered one matched by
e-mail, and offered first for continuity); information added later brings
new members; a coordinator adds and removes members. The family (for their
own case), the key worker or a coordinator asks for another key worker:
the current one stays until a new one accepts. A coordinator closes a case
with a reason; a withdrawn referral closes its case; a child reaching the
upper age is moved to adult services; a new decision that makes the
referral ineligible flags the case for review (and eligible again clears
it). Each is an event and a timeline row."""

import random
from kwtest import (ok, done, token, http, sql, scalar, wait_until, nhs_number, referral, professional,
                    test_region, case_of, get_case, pending_offer, born)

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "changes-%d" % n
tok = test_region(REGION, {})


def email(label):
    return "%s.%d@example.org" % (label, n)


def events_of(case_id):
    return [r[0] for r in sql("SELECT type FROM bus.outbox WHERE producer = 'assignment'"
                              " AND correlation_id = :'p1' ORDER BY seq", case_id)]


def accept(case_id, as_token=None):
    offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
    status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, as_token or tok)
    return status, body, offer


# --- the team: the referral's professionals, one registered by e-mail
known = professional(tok, "Tia Team", email("tia"), discipline="teacher", localities=["NR9"])
other = professional(tok, "Ola Other", email("ola"), discipline="speech_and_language_therapist")
mum = email("mum")
body = referral(nhs_number(rng))
body["professionals"][2]["email"] = known["email"].upper()
body["family"] = [{"name": "Pat Parent", "relationship": "father", "email": mum, "preferred_contact": "email"}]
status, created, _ = http("POST", "/v1/referrals", body, tok)
referral_id = created["id"]
case_id = case_of(tok, referral_id)
case = get_case(tok, case_id)
team = {m["name"]: m for m in case["team"]}
ok(set(team) == {"Therapist A", "Social Worker B", "Tia Team"} and team["Tia Team"]["registered"] is True
   and team["Tia Team"]["professional_id"] == known["id"] and team["Therapist A"]["registered"] is False,
   "the referral's professionals are the team, the registered one matched by e-mail", case["team"])
offer = pending_offer(case)
ok(offer and offer["professional_id"] == known["id"] and "already in the child's team (+200)" in offer["reasons"],
   "a team member is offered first, for continuity", offer)
# A referral naming a registered professional twice (the e-mails differ in
# case) and another professional twice: the case opens, each in its team once.
twice = referral(nhs_number(rng))
twice["professionals"] += [
    {"name": "Tia Again", "agency": "Agency X", "discipline": "teacher", "email": known["email"]},
    {"name": "Tia Twice", "agency": "Agency Y", "discipline": "teacher", "email": known["email"].upper()},
    {"name": "Nia Named", "agency": "Agency Z", "discipline": "teacher", "email": email("nia")},
    {"name": "Nia Again", "agency": "Agency Z", "discipline": "teacher", "email": email("nia").upper()},
]
status, created_twice, _ = http("POST", "/v1/referrals", twice, tok)
twice_case = case_of(tok, created_twice.get("id")) if status == 201 else None
twice_team = (get_case(tok, twice_case) or {}).get("team", []) if twice_case else []
ok(sorted((m.get("email") or "").lower() for m in twice_team if m.get("email"))
   == sorted([known["email"].lower(), email("nia").lower()]) and len(twice_team) == 5,
   "a professional named twice in a referral is in the team it opens once", (status, twice_case, twice_team))
status, team_view, _ = http("GET", "/v1/cases/%s/team" % case_id, tok=tok)
ok(status == 200 and len(team_view["members"]) == 3, "GET the team", team_view)
status, added, _ = http("POST", "/v1/cases/%s/team" % case_id, {"professional_id": other["id"]}, tok)
ok(status == 201 and other["id"] in [m["professional_id"] for m in added["members"]], "a coordinator adds a member",
   added)
status, body, _ = http("POST", "/v1/cases/%s/team" % case_id, {"professional_id": other["id"]}, tok)
ok(status == 409 and body["error"]["code"] == "already_in_team", "once", body)
status, body, _ = http("POST", "/v1/cases/%s/team" % case_id, {"name": "Gil Guest", "email": "not-mail"}, tok)
ok(status == 400 and body["error"]["field"] == "email", "a member's details are checked", body)
status, guest, _ = http("POST", "/v1/cases/%s/team" % case_id,
                        {"name": "Gil Guest", "agency": "Charity", "discipline": "youth_worker",
                         "email": email("gil"), "phone": "01603 999999"}, tok)
gil = [m for m in guest["members"] if m["name"] == "Gil Guest"]
ok(status == 201 and gil and gil[0]["registered"] is False, "an unregistered member by name and contact", guest)
kw_other = token(role="key_worker", region=REGION, sub="ola", professional_id=other["id"])
status, body, _ = http("GET", "/v1/cases/%s" % case_id, tok=kw_other)
ok(status == 200 and body["relationship"] == "team", "a team member may read the case", body.get("relationship"))
status, body, _ = http("POST", "/v1/cases/%s/team" % case_id, {"name": "X", "agency": "Y"}, kw_other)
ok(status == 403, "but not change the team", body)
status, removed, _ = http("DELETE", "/v1/cases/%s/team/%s" % (case_id, gil[0]["id"]), None, tok)
ok(status == 200 and "Gil Guest" not in [m["name"] for m in removed["members"]], "a coordinator removes a member",
   removed)
status, body, _ = http("DELETE", "/v1/cases/%s/team/%s" % (case_id, gil[0]["id"]), None, tok)
ok(status == 404 and body["error"]["field"] == "member_id", "once", body)
ok(events_of(case_id).count("team_changed") == 4, "every change of the team is team_changed", events_of(case_id))
payload = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE type = 'team_changed'"
                 " AND correlation_id = :'p1' ORDER BY seq LIMIT 1 OFFSET 2", case_id)
ok(payload and email("gil").encode().hex() in payload and b"01603 999999".hex() in payload,
   "with the members' contact details", payload and payload[:60])
info = {"professionals": [{"name": "Nia New", "agency": "Hospital", "discipline": "physiotherapist",
                           "email": email("nia")}]}
status, body, _ = http("POST", "/v1/referrals/%s/information" % referral_id, info, tok)
ok(status == 200, "information adds a professional to the referral", body)
ok(wait_until(lambda: "Nia New" in [m["name"] for m in get_case(tok, case_id)["team"]], 10),
   "who joins the case's team")

# --- change requests
status, active, offer = accept(case_id)
ok(status == 200 and active["key_worker"]["id"] == known["id"], "the team member accepts", active)
family = token(role="family", region=REGION, sub=mum)
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {"reason": "we would like a change"},
                       token(role="family", region=REGION, sub="someone@example.org"))
ok(status == 403, "another family may not ask", body)
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {"reason": "x"}, kw_other)
ok(status == 403, "nor a team member who is not the key worker", body)
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id,
                       {"reason": "x", "requested_by": "coordinator"}, family)
ok(status == 403 and body["error"]["field"] == "requested_by", "a family asks as the family", body)
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {}, family)
ok(status == 400 and body["error"]["field"] == "reason", "a change request needs a reason", body)
status, changing, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {"reason": "we would like a change"},
                           family)
new_offer = pending_offer(changing)
ok(status == 200 and changing["status"] == "active" and changing["key_worker"]["id"] == known["id"]
   and new_offer and new_offer["purpose"] == "change_request" and new_offer["round"] == 2
   and new_offer["professional_id"] != known["id"],
   "the family asks for a change: a new round without the current key worker, who stays", changing)
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {"reason": "again"}, tok)
ok(status == 409 and body["error"]["code"] == "change_in_progress", "one change at a time", body)
status, body, _ = http("GET", "/v1/cases/%s" % case_id, tok=token(role="key_worker", region=REGION, sub="tia",
                                                                    professional_id=known["id"]))
ok(status == 200 and body["relationship"] == "key_worker", "the current key worker still holds the case", body)
status, changed, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, new_offer["id"]), None, tok)
ok(status == 200 and changed["key_worker"]["id"] == new_offer["professional_id"],
   "when the new one accepts, the key worker changes", changed)
s, rec, _ = http("GET", "/v1/professionals/%s" % known["id"], tok=tok)
ok(rec["caseload"] == 0, "and the previous one's place is freed", rec)
kw_now = token(role="key_worker", region=REGION, sub="now", professional_id=new_offer["professional_id"])
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {"reason": "not the right fit"}, kw_now)
ok(status == 200 and pending_offer(body) and pending_offer(body)["purpose"] == "change_request",
   "the key worker may ask too", body)
want = ["change_requested", "offer_made", "offer_accepted", "key_worker_changed", "change_requested", "offer_made"]
ok(events_of(case_id)[-6:] == want, "each step is an event", events_of(case_id)[-6:])
status, tl, _ = http("GET", "/v1/cases/%s/timeline?limit=3" % case_id, tok=tok)
ok(status == 200 and [e["kind"] for e in tl["items"]] == ["case_opened", "team_changed", "offer_made"]
   and tl["next_cursor"], "the timeline pages from the opening", tl)
status, tl2, _ = http("GET", "/v1/cases/%s/timeline?limit=500&cursor=%s" % (case_id, tl["next_cursor"]), tok=tok)
ok(status == 200 and len(tl2["items"]) == len(events_of(case_id)) - 3 and tl2["next_cursor"] is None
   and any(e["kind"] == "change_requested" and e["actor"] == mum and "we would like a change" in e["detail"]
           for e in tl2["items"]), "and names who asked and why", tl2)

# --- closure by a coordinator
status, body, _ = http("POST", "/v1/cases/%s/close" % case_id, {"reason": "no_longer_needed"}, kw_now)
ok(status == 403, "a key worker may not close a case", body)
status, body, _ = http("POST", "/v1/cases/%s/close" % case_id, {"reason": "bored"}, tok)
ok(status == 400 and body["error"]["field"] == "reason", "the reason is one of the API's", body)
status, closed, _ = http("POST", "/v1/cases/%s/close" % case_id, {"reason": "moved_away", "note": "to Leeds"}, tok)
ok(status == 200 and closed["status"] == "closed" and closed["close_reason"] == "moved_away"
   and closed["close_note"] == "to Leeds" and not pending_offer(closed), "a coordinator closes the case", closed)
s, rec, _ = http("GET", "/v1/professionals/%s" % new_offer["professional_id"], tok=tok)
ok(rec["caseload"] == 0 and rec["pending_offers"] == 0, "closing frees the key worker's place and offers", rec)
status, body, _ = http("POST", "/v1/cases/%s/close" % case_id, {"reason": "other"}, tok)
ok(status == 409 and body["error"]["code"] == "case_closed", "a case closes once", body)
ok(events_of(case_id)[-2:] == ["offer_withdrawn", "case_closed"], "the pending offer is withdrawn, the case closed",
   events_of(case_id)[-2:])

# --- closure by withdrawal
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
wd_case = case_of(tok, created["id"])
accept(wd_case)
status, body, _ = http("POST", "/v1/referrals/%s/withdraw" % created["id"], {"reason": "the family moved on"}, tok)
ok(status == 200, "the referral is withdrawn", body)
wd = wait_until(lambda: (lambda c: c if c["status"] == "closed" else None)(get_case(tok, wd_case)), 15)
ok(wd and wd["close_reason"] == "no_longer_needed", "and its case is closed: no longer needed", wd)

# --- review: a new decision makes the referral ineligible, then eligible again
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
rv_case = case_of(tok, created["id"])
status, body, _ = http("POST", "/v1/referrals/%s/information" % created["id"],
                       {"child": {"gp_practice": "B12345"}}, tok)
flagged = wait_until(lambda: (lambda c: c if c.get("review_flagged_at") else None)(get_case(tok, rv_case)), 15)
ok(flagged and flagged["status"] != "closed" and flagged["awaiting"] and flagged["awaiting_reason"] == "review",
   "an ineligible decision flags the open case for review, not closing it", flagged)
ok("case_review_flagged" in events_of(rv_case), "case_review_flagged tells the coordinator")
status, listed, _ = http("GET", "/v1/cases?awaiting=true", tok=tok)
ok(rv_case in [c["id"] for c in listed["items"]], "the case is in the coordinator's list to act on")
status, body, _ = http("POST", "/v1/referrals/%s/information" % created["id"], {"child": {"gp_practice": "D82001"}}, tok)
cleared = wait_until(lambda: (lambda c: c if not c.get("review_flagged_at") else None)(get_case(tok, rv_case)), 15)
ok(cleared and "case_review_cleared" in events_of(rv_case), "eligible again clears the flag", cleared)

# --- age-out: a region whose upper age has passed for the child
dob = born(20, -3)


def ageout_rules(doc):
    doc["upper_age"] = {"years": 20}
    doc["ruleset"]["rule"]["all"][0] = {"id": "age", "description": "Under 30", "criterion": "age_under", "years": 30}


aged = test_region("aged-%d" % n, {}, change=ageout_rules)
professional(aged, "Age Worker", email("age"))
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), dob=dob), aged)
ao_case = case_of(aged, created["id"])
ok(ao_case and wait_until(lambda: scalar("SELECT count(*) FROM eligibility.cases WHERE case_id = :'p1'", ao_case) == "1",
                          10), "a twenty-year-old's case, known to eligibility")
admin = token(role="admin", region="aged-%d" % n, sub="admin")
status, body, _ = http("POST", "/v1/admin/eligibility/age-out", tok=admin)
ok(status == 200 and body["age_out"] == 1, "the age-out sweep finds the case", body)
aged_case = wait_until(lambda: (lambda c: c if c["status"] == "closed" else None)(get_case(aged, ao_case)), 15)
ok(aged_case and aged_case["close_reason"] == "transferred_to_adult_services" and not pending_offer(aged_case),
   "and the case is closed: transferred to adult services", aged_case)
done()
