"""End to end: a referral posted to the gateway is decided by eligibility,
opens a case with an offer in assignment, and e-mails the offered
professional through notification, all over the real bus."""

import random
import time
from kwtest import (ok, done, token, http, sql, scalar, wait_until, mails, nhs_number,
                    referral, caught_up, sink_journal, delivery_message_id, professional, workforce, mail_part)

rng = random.Random()
tok = token()
workforce(tok)
suggested_email = "e2e.suggested.%d@example.org" % rng.randrange(10 ** 9)
suggested = professional(tok, "Suggested Worker", suggested_email)

# --- the README example: eligible under the norfolk rules
nhs = nhs_number(rng)
status, body, _ = http("POST", "/v1/referrals", referral(nhs, suggested=suggested_email), tok)
ok(status == 201, "POST /v1/referrals answers 201", body)
rid = body.get("id") if isinstance(body, dict) else None
ok(body.get("status") == "received" and body.get("region") == "norfolk" and body.get("received_at"),
   "the 201 body has status received, the region and received_at", body)

def decided():
    s, b, _ = http("GET", "/v1/referrals/%s" % rid, tok=tok)
    return b if s == 200 and b.get("status") != "received" and b.get("case_id") else None

ref = wait_until(decided, 15)
ok(ref and ref["status"] == "eligible", "the referral becomes eligible", ref)
elig = (ref or {}).get("eligibility") or {}
ok(elig.get("outcome") == "eligible" and elig.get("ruleset") == "norfolk" and elig.get("version") == 1,
   "the decision names the norfolk rule set and its version", elig)
crit = {c["id"]: c for c in elig.get("criteria", [])}
ok(set(crit) == {"age", "gp", "need", "professionals"},
   "every norfolk criterion is reported", sorted(crit))
ok(all(c["met"] is True and c["description"] and c["detail"] for c in crit.values()),
   "every criterion is met with a description and a detail", crit)
ok(ref and ref["child"]["nhs_number"] == nhs and ref["child"]["date_of_birth"] == "2015-03-02",
   "the stored referral is returned as posted", ref and ref.get("child"))

case_id = (ref or {}).get("case_id")
s, case, _ = http("GET", "/v1/cases/%s" % case_id, tok=tok)
ok(s == 200 and case.get("referral_id") == rid and case.get("status") == "offered",
   "the case is open for the referral with status offered", case)
offers = case.get("offers", []) if isinstance(case, dict) else []
ok(len(offers) == 1 and offers[0]["status"] == "pending" and offers[0]["expires_at"],
   "the case has one pending offer with an expiry", offers)
ok(offers and offers[0]["professional_id"] == suggested["id"]
   and "suggested by the family (+1000)" in offers[0]["reasons"],
   "the offer goes to the professional the family suggested, saying so", offers)

def offer_mail():
    return [m for m in mails() if case_id and case_id in mail_part(m)]

got = wait_until(offer_mail, 15)
# The count is taken once every consumer has caught up, the delivery is
# recorded sent and a settle period has passed: a second transmission
# would be in the sink's journal by then.
sent = wait_until(lambda: scalar("SELECT count(*) FROM notification.deliveries WHERE case_id = :'p1'"
                                 " AND status = 'sent'", case_id) == "1", 15)
caught_up()
time.sleep(2)
got = offer_mail()
delivery = scalar("SELECT id FROM notification.deliveries WHERE case_id = :'p1'", case_id)
transmissions = [t for t in sink_journal() if t["message_id"] == delivery_message_id(delivery)]
ok(sent and len(got) == 1 and len(transmissions) == 1 and got[0]["To"]
   and suggested_email in got[0]["To"],
   "exactly one e-mail reaches the offered professional, in one SMTP transaction",
   ([m["To"] for m in got], transmissions))
text = mail_part(got[0]) + mail_part(got[0], "text/html") if got else ""
ok(got and nhs not in text and "Test" not in text.split() and "Child" not in text.split(),
   "the e-mail carries no personal data of the child", text[:400])
rows = sql("SELECT status, attempts FROM notification.deliveries WHERE case_id = :'p1'", case_id)
ok(rows == [["sent", "1"]], "the delivery is recorded once, sent on the first attempt", rows)

# --- ineligible: the failing criteria are named
nhs2 = nhs_number(rng)
status, body, _ = http("POST", "/v1/referrals", referral(nhs2, eligible=False), tok)
rid2 = body.get("id")
def decided2():
    s, b, _ = http("GET", "/v1/referrals/%s" % rid2, tok=tok)
    return b if s == 200 and b.get("status") != "received" else None
ref2 = wait_until(decided2, 15)
ok(ref2 and ref2["status"] == "ineligible", "a referral failing the rules becomes ineligible", ref2)
crit2 = {c["id"]: c["met"] for c in ((ref2 or {}).get("eligibility") or {}).get("criteria", [])}
ok(crit2 == {"age": True, "gp": False, "need": True, "professionals": False},
   "the decision shows which criteria failed", crit2)
ok(ref2 and ref2.get("case_id") is None, "no case is opened for an ineligible referral", ref2)
ok(scalar("SELECT count(*) FROM assignment.cases WHERE referral_id = :'p1'", rid2) == "0",
   "assignment holds no case for it")

# --- missing data: more information needed, with the missing fields
nhs3 = nhs_number(rng)
partial = referral(nhs3)
del partial["child"]["gp_practice"]
status, body, _ = http("POST", "/v1/referrals", partial, tok)
rid3 = body.get("id")
def decided3():
    s, b, _ = http("GET", "/v1/referrals/%s" % rid3, tok=tok)
    return b if s == 200 and b.get("status") != "received" else None
ref3 = wait_until(decided3, 15)
ok(ref3 and ref3["status"] == "more_information_needed"
   and "child.gp_practice" in ref3["eligibility"]["missing"]
   and {c["id"]: c["met"] for c in ref3["eligibility"]["criteria"]}["gp"] is None,
   "missing data gives more_information_needed, met null and the missing field", ref3)

# --- rules of access and input
status, body, _ = http("POST", "/v1/referrals", referral(nhs, suggested=suggested_email), tok)
ok(status == 409 and body["error"]["code"] == "duplicate_referral" and body["error"]["existing_id"] == rid,
   "a second open referral for the same child is 409 duplicate_referral with the existing id", body)
bad = referral(nhs_number(rng))
bad["child"]["nhs_number"] = "9434765918"
status, body, _ = http("POST", "/v1/referrals", bad, tok)
ok(status == 400 and body["error"]["field"] == "child.nhs_number",
   "a wrong NHS check digit is 400 naming child.nhs_number", body)
bad = referral(nhs_number(rng))
bad["child"]["date_of_birth"] = "2099-01-01"
status, body, _ = http("POST", "/v1/referrals", bad, tok)
ok(status == 400 and body["error"]["field"] == "child.date_of_birth"
   and "future" in body["error"]["message"], "a future date of birth is 400 naming the field", body)
bad = referral(nhs_number(rng))
bad["child"]["shoe_size"] = 3
status, body, _ = http("POST", "/v1/referrals", bad, tok)
ok(status == 400 and body["error"]["field"] == "child.shoe_size", "an unknown field is 400 naming it", body)
status, body, _ = http("GET", "/v1/referrals/%s" % rid)
ok(status == 401 and body["error"]["code"] == "unauthenticated", "no token is 401", body)
status, body, _ = http("GET", "/v1/referrals/%s" % rid, tok=token(region="nhse"))
ok(status == 404, "another region's caller cannot see the referral", body)
status, body, _ = http("GET", "/v1/referrals/%s" % rid, tok=token(role="referrer", sub="someone-else"))
ok(status == 403, "a referrer cannot read another referrer's referral", body)
audit = scalar("SELECT count(*) FROM audit.events WHERE record_id = :'p1' AND action = 'read'", rid)
ok(audit and int(audit) >= 2, "reads of the referral are audited", audit)
done()
