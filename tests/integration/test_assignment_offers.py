"""Offers with a life, end to end over the real stack, in a test region
whose offers lapse after a few seconds: the family's suggestion is offered
first with its reasons; it is declined, the next candidate is offered; that
offer expires (the sweep), the next is offered and accepted, and the case
is active with its key worker and deputy. Each step is an event in the
outbox and a row of the timeline; a declined or lapsed offeree loses
access. Then: the refusal limit makes the case wait for the coordinator
(told by an event), a region with nobody to offer the case to, an accept
refused at the professional's maximum, who may answer an offer, a
coordinator's offer with its reason (audited), and a parent as key worker
with a professional as deputy."""

import random
import time
from kwtest import (ok, done, token, http, sql, scalar, wait_until, nhs_number, referral, professional,
                    test_region, case_of, get_case, pending_offer)

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "offers-%d" % n
tok = test_region(REGION, {"offer_ttl": "4s", "refusals_before_waiting": 3})
ok(tok, "a test region whose offers lapse after 4 seconds")


def email(label):
    return "%s.%d@example.org" % (label, n)


def kw_token(pro, sub=None):
    return token(role="key_worker", region=REGION, sub=sub or pro["email"], professional_id=pro["id"])


def events_of(case_id):
    return [r[0] for r in sql("SELECT type FROM bus.outbox WHERE producer = 'assignment'"
                              " AND correlation_id = :'p1' ORDER BY seq", case_id)]


def timeline(case_id):
    s, b, _ = http("GET", "/v1/cases/%s/timeline" % case_id, tok=tok)
    return [e["kind"] for e in b.get("items", [])] if s == 200 else None


# The workforce: the suggested professional, then three the ranking orders by fit.
a = professional(tok, "Ash Suggested", email("ash"), discipline="teacher", localities=["NR9"])
d = professional(tok, "Dee Deputy", email("dee"), discipline="teacher", localities=["NR9"])
b = professional(tok, "Bay Best", email("bay"), discipline="speech_and_language_therapist",
                 localities=["NR2"])
c = professional(tok, "Cy Second", email("cy"), discipline="occupational_therapist", localities=["NR2"],
                 deputy_id=d["id"])

status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), suggested=a["email"]), tok)
ok(status == 201, "an eligible referral suggesting a registered professional", body)
case_id = case_of(tok, body.get("id"))
ok(case_id, "a case is opened for it")
case = get_case(tok, case_id)
first = pending_offer(case)
ok(case and case["status"] == "offered" and first and first["professional_id"] == a["id"]
   and first["kind"] == "professional" and first["round"] == 1 and first["purpose"] == "initial",
   "the first offer goes to the suggested professional", case)
ok(first and first["reasons"][0] == "suggested by the family (+1000)" and first["score"] == 1000 + 40 + 30,
   "with its score and reasons in words", first)
# A case's first offer goes with the opening's COMMIT, its event written from
# what the ranking read: the event tells the expiry and the offeree as stored.
made = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE producer = 'assignment'"
              " AND type = 'offer_made' AND correlation_id = :'p1' ORDER BY seq LIMIT 1", case_id)
ok(made and first and all(v.encode().hex() in made for v in (first["id"], first["expires_at"], a["name"], a["email"])),
   "the first offer's event carries its id, its stored expiry and the offeree's name and e-mail",
   (first and first["expires_at"], made and made[:300]))

# Declined with a reason: the next candidate is offered.
status, after, _ = http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, first["id"]), {}, kw_token(a))
ok(status == 400 and after["error"]["field"] == "reason", "a decline needs a reason", after)
status, after, _ = http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, first["id"]),
                        {"reason": "my caseload is full"}, kw_token(a))
second = pending_offer(after)
ok(status == 200 and second and second["professional_id"] == b["id"],
   "after the decline the best-ranked other professional is offered", after)
ok([o["status"] for o in after["offers"]] == ["declined", "pending"]
   and after["offers"][0]["reason"] == "my caseload is full", "the decline and its reason are kept", after)
ok(second and "speech and language therapist fits complex health needs, autism (+60)" in second["reasons"]
   and "works in NR2 (+40)" in second["reasons"], "the next offer says why", second)
status, _, _ = http("GET", "/v1/cases/%s" % case_id, tok=kw_token(a))
ok(status == 403, "the professional who declined cannot read the case any more")
status, _, _ = http("GET", "/v1/cases/%s" % case_id, tok=kw_token(b))
ok(status == 200, "the professional offered the case may read it")

# Left unanswered: the offer expires and the next is offered.
t0 = time.time()
third = wait_until(lambda: (lambda o: o if o and o["professional_id"] != b["id"] else None)(
    pending_offer(get_case(tok, case_id))), 15)
ok(third and third["professional_id"] == c["id"], "the unanswered offer expired and the next was offered",
   get_case(tok, case_id))
ok(time.time() - t0 < 12, "within the region's 4 seconds and the sweep's period")
statuses = [o["status"] for o in get_case(tok, case_id)["offers"]]
ok(statuses == ["declined", "expired", "pending"], "declined, expired, pending", statuses)
status, late, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, second["id"]), None, kw_token(b))
ok(status == 409 and late["error"]["code"] == "offer_not_pending", "a lapsed offer cannot be accepted", late)
status, _, _ = http("GET", "/v1/cases/%s" % case_id, tok=kw_token(b))
ok(status == 403, "nor can its offeree read the case")

# Accepted: the case is active with its key worker and their deputy.
status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, third["id"]), None,
                       token(role="key_worker", region=REGION, sub="other", professional_id=d["id"]))
ok(status == 403, "another professional may not accept the offer", body)
status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, third["id"]), None,
                       token(role="referrer", region=REGION, sub="a-referrer"))
ok(status == 403, "nor may a referrer", body)
status, active, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, third["id"]), None, kw_token(c))
ok(status == 200 and active["status"] == "active" and active["key_worker"]["id"] == c["id"]
   and active["key_worker"]["kind"] == "professional", "the offeree accepts: the case is active", active)
ok(active.get("deputy") and active["deputy"]["id"] == d["id"], "and the key worker's deputy is the case's deputy",
   active.get("deputy"))
status, again, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, third["id"]), None, kw_token(c))
ok(status == 409 and again["error"]["code"] == "offer_not_pending", "an offer is accepted once", again)
s, rec, _ = http("GET", "/v1/professionals/%s" % c["id"], tok=tok)
ok(rec["caseload"] == 1 and rec["pending_offers"] == 0 and rec["cases"] == [case_id],
   "the key worker's caseload counts the case", rec)
s, rec, _ = http("GET", "/v1/professionals/%s" % b["id"], tok=tok)
ok(rec["caseload"] == 0 and rec["pending_offers"] == 0, "and the lapsed offeree holds nothing", rec)
status, _, _ = http("GET", "/v1/cases/%s" % case_id, tok=kw_token(d))
ok(status == 200, "the deputy may read the case")

want = ["case_opened", "team_changed", "offer_made", "offer_declined", "offer_made", "offer_expired",
        "offer_made", "offer_accepted", "key_worker_changed"]
ok(wait_until(lambda: events_of(case_id) == want, 5), "every step is an event, in order", events_of(case_id))
ok(timeline(case_id) == want, "and a row of the timeline", timeline(case_id))
payload = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE producer = 'assignment'"
                 " AND type = 'key_worker_changed' AND correlation_id = :'p1'", case_id)
ok(payload and c["email"].encode().hex() in payload and d["email"].encode().hex() in payload,
   "key_worker_changed carries the key worker's and the deputy's contact details", payload and payload[:200])
topics = sql("SELECT DISTINCT correlation_id FROM bus.outbox WHERE producer = 'assignment'"
             " AND type = 'offer_made' AND correlation_id = :'p1'", case_id)
ok(topics == [[case_id]], "events are about the case by id only")

# The refusal limit: three refusals and the case waits for the coordinator.
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
limit_case = case_of(tok, body["id"])
for i in range(3):
    offer = wait_until(lambda: pending_offer(get_case(tok, limit_case)), 10)
    http("POST", "/v1/cases/%s/offers/%s/decline" % (limit_case, offer["id"]), {"reason": "no"}, tok)
waiting = get_case(tok, limit_case)
ok(waiting["status"] == "awaiting_key_worker" and waiting["awaiting"] and waiting["awaiting_reason"] == "refusal_limit"
   and not pending_offer(waiting), "after 3 refusals the case waits for the coordinator", waiting)
ok("case_awaiting_key_worker" in events_of(limit_case), "and the coordinator is told (case_awaiting_key_worker)")
s, listed, _ = http("GET", "/v1/cases?awaiting=true", tok=tok)
ok(limit_case in [x["id"] for x in listed.get("items", [])], "the case is in the coordinator's awaiting list", listed)

# The coordinator's offer, with a reason, audited.
status, body, _ = http("POST", "/v1/cases/%s/offers" % limit_case, {"professional_id": a["id"]}, tok)
ok(status == 400 and body["error"]["field"] == "reason", "a coordinator's offer needs a reason", body)
status, body, _ = http("POST", "/v1/cases/%s/offers" % limit_case,
                       {"professional_id": a["id"], "reason": "knows the family well"}, kw_token(a))
ok(status == 403, "a key worker may not make a coordinator's offer", body)
status, over, _ = http("POST", "/v1/cases/%s/offers" % limit_case,
                       {"professional_id": a["id"], "reason": "knows the family well"}, tok)
made = pending_offer(over)
ok(status == 201 and made and made["professional_id"] == a["id"] and made["purpose"] == "override"
   and made["reason"] == "knows the family well" and over["status"] == "offered",
   "a coordinator offers the case to a chosen professional, with the reason", over)
ok(scalar("SELECT count(*) FROM audit.events WHERE action = 'offer_override' AND record_id = :'p1'"
          " AND outcome = 'ok'", limit_case) == "1", "the coordinator's offer is audited")

# Nobody to offer the case to: waits at once.
empty = test_region("empty-%d" % n, {})
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), empty)
lonely = case_of(empty, body["id"])
alone = wait_until(lambda: (lambda x: x if x and x["status"] == "awaiting_key_worker" else None)(
    get_case(empty, lonely)), 10)
ok(alone and alone["awaiting_reason"] == "no_candidate" and alone["offers"] == [],
   "a case with nobody registered to offer it to waits, no_candidate", alone)
ok("case_awaiting_key_worker" in events_of(lonely), "and the coordinator is told")

# Accept refused at the maximum.
full = professional(tok, "Fay Full", email("fay"), discipline="teacher", localities=["NR7"], max_caseload=2)
held = []
for i in range(2):
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    cid = case_of(tok, body["id"])
    wait_until(lambda: pending_offer(get_case(tok, cid)), 10)
    status, body, _ = http("POST", "/v1/cases/%s/offers" % cid, {"professional_id": full["id"], "reason": "test"}, tok)
    held.append((cid, pending_offer(body)["id"]))
status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % held[0], None, kw_token(full))
ok(status == 200, "the first of two offers is accepted", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % full["id"], {"max_caseload": 0}, tok)
ok(status == 409 and body["error"]["code"] == "below_caseload", "the maximum cannot go below the cases held", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % full["id"], {"max_caseload": 1}, tok)
ok(status == 200 and body["max_caseload"] == 1, "the maximum is lowered to the one case held", body)
status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % held[1], None, kw_token(full))
ok(status == 409 and body["error"]["code"] == "at_max_caseload",
   "accepting at the maximum is refused (at_max_caseload)", body)
s, rec, _ = http("GET", "/v1/professionals/%s" % full["id"], tok=tok)
ok(rec["caseload"] == 1, "and the caseload stays at the maximum", rec)
status, body, _ = http("POST", "/v1/cases/%s/offers" % held[1][0], {"professional_id": full["id"], "reason": "x"}, tok)
ok(status == 409 and body["error"]["code"] == "at_max_caseload", "nor may a coordinator offer them more", body)

# A parent as key worker, when the family asks: a professional is the deputy.
mum = "mum.%d@example.org" % n
body = referral(nhs_number(rng))
body["family"] = [{"name": "Mo Parent", "relationship": "mother", "email": mum, "preferred_contact": "email",
                   "has_parental_responsibility": True}]
body["suggested_key_worker"] = {"email": mum, "family_member": True}
status, created, _ = http("POST", "/v1/referrals", body, tok)
ok(status == 201, "a referral asking for the mother as key worker", created)
fam_case = case_of(tok, created["id"])
offer = wait_until(lambda: pending_offer(get_case(tok, fam_case)), 10)
ok(offer and offer["kind"] == "family_member" and offer["professional_id"] is None and offer["name"] == "Mo Parent",
   "the role is offered to the mother", offer)
family = token(role="family", region=REGION, sub=mum)
status, seen, _ = http("GET", "/v1/cases/%s" % fam_case, tok=family)
ok(status == 200 and seen["relationship"] == "family" and all("reasons" not in o or not o["reasons"]
                                                              for o in seen["offers"]),
   "the family reads their case, without the ranking's reasons", seen)
status, _, _ = http("GET", "/v1/cases/%s" % case_id, tok=family)
ok(status == 403, "but not another family's case")
status, accepted, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (fam_case, offer["id"]), None, family)
ok(status == 200 and accepted["key_worker"]["kind"] == "family_member" and accepted["key_worker"]["name"] == "Mo Parent"
   and accepted["status"] == "active", "the mother accepts: she is the key worker", accepted)
ok(accepted.get("deputy") and accepted["deputy"]["kind"] == "professional",
   "and a professional is the deputy", accepted.get("deputy"))
done()
