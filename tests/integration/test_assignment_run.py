"""A run as a region would see it: a workforce registered over the API
(30 professionals with room for 150 cases in all, varied disciplines,
districts and languages) and 300 referrals (about 210 eligible) suggesting
registered professionals, unregistered ones or nobody, from several
districts and languages, while professionals accept and decline the offers
they get. At the end every eligible referral has a case with a pending or
accepted offer, or waiting for a key worker with the coordinator told by an
event: nothing waits silently. No offer goes beyond a professional's room,
no caseload beyond its maximum."""

import random
from kwtest import (ok, done, http, sql, scalar, wait_until, nhs_number, referral, workforce,
                    test_region, sink_journal, delivery_message_id)

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "run-%d" % n
tok = test_region(REGION, {"refusals_before_waiting": 2})
PREFIX = "run%d" % n
report = workforce(tok, count=30, max_caseload=5, prefix=PREFIX)
ok(report["created"] == 30, "30 professionals registered over the API", report)
emails = ["%s.%d@example.org" % (PREFIX, i) for i in range(30)]
POSTCODES = ["NR1 1AA", "NR2 3TU", "NR5 9ZZ", "NR8 6HP", "IP20 0AB"]
LANGUAGES = ["en", "en", "en", "pl", "ur", "ro"]

eligible = set()
for i in range(300):
    pick = rng.random()
    suggested = rng.choice(emails) if pick < 0.4 else "someone.else%d@example.org" % i if pick < 0.55 else None
    is_eligible = rng.random() < 0.7
    body = referral(nhs_number(rng), eligible=is_eligible, suggested=suggested)
    body["child"]["postcode"] = rng.choice(POSTCODES)
    body["child"]["language"] = rng.choice(LANGUAGES)
    status, created, _ = http("POST", "/v1/referrals", body, tok)
    if status != 201:
        ok(False, "referral %d accepted" % i, created)
        continue
    if is_eligible:
        eligible.add(created["id"])
    if i % 10 == 9:
        # Professionals answer some of the offers they hold.
        for case_id, offer_id in sql(
                "SELECT o.case_id, o.id FROM assignment.offers o JOIN assignment.cases c ON c.id = o.case_id"
                " WHERE c.region = :'p1' AND o.status = 'pending' ORDER BY random () LIMIT 6", REGION):
            if rng.random() < 0.5:
                http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer_id), None, tok)
            else:
                http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, offer_id), {"reason": "too far"}, tok)
ok(len(eligible) > 150, "300 referrals posted, %d of them eligible" % len(eligible))


def settled():
    rows = sql("SELECT c.referral_id, c.status,"
               " EXISTS (SELECT 1 FROM assignment.offers o WHERE o.case_id = c.id AND o.status = 'pending'),"
               " EXISTS (SELECT 1 FROM assignment.offers o WHERE o.case_id = c.id AND o.status = 'accepted'),"
               " EXISTS (SELECT 1 FROM bus.outbox b WHERE b.producer = 'assignment'"
               "         AND b.type = 'case_awaiting_key_worker' AND b.correlation_id = c.id::text)"
               " FROM assignment.cases c WHERE c.region = :'p1'", REGION)
    return {r[0]: r[1:] for r in rows} if len(rows) == len(eligible) else None


cases = wait_until(settled, 60, 0.5) or {}
ok(set(cases) == eligible, "every eligible referral has a case, and no other", (len(cases), len(eligible)))
silent = {rid: c for rid, c in cases.items()
          if not (c[1] == "t" or (c[0] == "active" and c[2] == "t") or (c[0] == "awaiting_key_worker" and c[3] == "t"))}
ok(not silent, "each has a pending or accepted offer, or waits for a key worker with the coordinator told",
   list(silent.items())[:5])
tally = {}
for c in cases.values():
    key = "pending" if c[1] == "t" else c[0]
    tally[key] = tally.get(key, 0) + 1
ok(tally.get("awaiting_key_worker", 0) > 0 and tally.get("pending", 0) > 0 and tally.get("active", 0) > 0,
   "with some cases of each kind (more eligible children than room)", tally)
over = sql("SELECT id, caseload, cover_load, pending_offers, max_caseload FROM assignment.professionals"
           " WHERE region = :'p1' AND caseload + cover_load + pending_offers > max_caseload", REGION)
ok(over == [], "no professional holds and is offered more than their maximum", over)
counted = sql("SELECT p.id FROM assignment.professionals p WHERE p.region = :'p1' AND (p.caseload <>"
              " (SELECT count(*) FROM assignment.cases c WHERE c.key_worker_id = p.id AND c.status <> 'closed')"
              " OR p.pending_offers <> (SELECT count(*) FROM assignment.offers o WHERE o.professional_id = p.id"
              " AND o.status = 'pending'))", REGION)
ok(counted == [], "each professional's kept counts match their cases and offers", counted)
# Matching draws a district's or a language's professionals by the room
# kept with each term: it is the professional's, after every offer, answer
# and acceptance (offers change it in their own statements, the trigger the rest).
terms = sql("SELECT t.professional_id, t.term, t.room, t.present FROM assignment.professional_terms t"
            " JOIN assignment.professionals p ON p.id = t.professional_id WHERE p.region = :'p1'"
            " AND (t.room <> p.max_caseload - p.caseload - p.cover_load - p.pending_offers"
            " OR t.present <> (p.active AND NOT p.absent))", REGION)
ok(terms == [], "each professional's districts and languages carry their room and presence", terms[:5])
spread = int(scalar("SELECT count(DISTINCT o.professional_id) FROM assignment.offers o"
                    " JOIN assignment.cases c ON c.id = o.case_id WHERE c.region = :'p1'", REGION))
ok(spread >= 25, "offers went to %d of the 30 professionals, not to one" % spread)


# The coordinator is told by e-mail, not only by an event: each waiting
# case's case_awaiting_key_worker delivery went to the region's coordinators
# and the SMTP sink took each of them exactly once.
def told():
    rows = sql("SELECT c.id, d.id FROM assignment.cases c JOIN notification.deliveries d"
               " ON d.case_id = c.id::text AND d.template = 'case_awaiting_key_worker' AND d.status = 'sent'"
               " WHERE c.region = :'p1' AND c.status = 'awaiting_key_worker'", REGION)
    cases_told = {r[0] for r in rows}
    return rows if len(cases_told) == tally.get("awaiting_key_worker", 0) else None


deliveries = wait_until(told, 60, 0.5) or []
sent = [j["message_id"] for j in sink_journal()]
ok(deliveries and all(sent.count(delivery_message_id(d)) == 1 for _, d in deliveries),
   "every waiting case's coordinators were sent one e-mail for it (%d e-mails)" % len(deliveries),
   (len(deliveries), tally.get("awaiting_key_worker", 0)))
status, waiting, _ = http("GET", "/v1/cases?awaiting=true&limit=500", tok=tok)
ok(status == 200 and len(waiting["items"]) == tally.get("awaiting_key_worker", 0),
   "the coordinator's list of cases to act on holds every waiting case", (len(waiting["items"]), tally))
status, loads, _ = http("GET", "/v1/caseloads?limit=100", tok=tok)
ok(status == 200 and len(loads["items"]) == 30 and all(x["spare"] >= 0 for x in loads["items"]),
   "the caseloads list shows every professional's room", loads["items"][:2])
done()
