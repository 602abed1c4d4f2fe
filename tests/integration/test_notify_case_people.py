"""The rows whose event names the case only, told to the case's people as
the notification service's own projection holds them (the case's last
assignment.key_worker_changed; dropped when the case closes):
- eligibility.case_transition_due: the key worker and the family;
- referral.dsr_entry_changed of a child with an open case: the key worker,
  for a re-rating only (a change of the entry keeping its rating tells
  nobody: the row's "when" is rag!=@previous_rag).
Each once; after the case closes, the projection holds nothing of it."""

import random
from kwtest import (ok, done, token, http, scalar, nhs_number, referral, professional, case_of, get_case,
                    pending_offer, wait_until, caught_up, born, region_day)
from notifytest import notify_region, mails_to, text_of, settled

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-people-%d" % n
tok = notify_region(REGION, {"offer_ttl": "1h"}, ["people.coordinator.%d@example.org" % n])
keyw = professional(tok, "Kai Keyworker", "kai.%d@example.org" % n, localities=["NR2"])
FAMILY = "people.family.%d@example.org" % n

birthday = region_day(90)
dob = born(18, 90)
nhs = nhs_number(rng)
body = referral(nhs, dob=dob)
body["family"] = [{"name": "Pat Parent", "relationship": "father", "email": FAMILY}]
status, created, _ = http("POST", "/v1/referrals", body, tok)
case_id = case_of(tok, created.get("id"))
offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
status, _, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
ok(status == 200, "a seventeen-year-old's case has its key worker")
ok(settled(lambda: scalar("SELECT count(*) FROM notification.case_people WHERE case_id = :'p1'", case_id) == "1"),
   "the notification service holds the case's people")
ok(wait_until(lambda: scalar("SELECT count(*) FROM eligibility.cases WHERE case_id = :'p1'", case_id) == "1", 10),
   "eligibility holds the case, which its age-out sweep reads")

admin = token(role="admin", region=REGION, sub="people-admin")
status, swept, _ = http("POST", "/v1/admin/eligibility/age-out", tok=admin)
ok(status == 200 and swept.get("transition_due") == 1, "the age-out sweep finds the transition due", swept)
SUBJECT = "Case %s: transition to adult services due" % case_id
ok(settled(lambda: [m for m in mails_to(keyw["email"]) if str(m["Subject"]) == SUBJECT]),
   "the key worker is told the transition is due")
ok(settled(lambda: [m for m in mails_to(FAMILY) if str(m["Subject"]) == "Planning for adult services"]),
   "and the family")
fam = [m for m in mails_to(FAMILY) if str(m["Subject"]) == "Planning for adult services"]
ok(fam and birthday in text_of(fam[0]), "with the day the service ends", fam and text_of(fam[0]))

# A re-rating of the child on the DSR
HEADER = ("dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode,learning_disability,autism,rag,"
          "rag_effective_date,inpatient,consent_basis,lead_professional_email,cetr_last,cetr_next\r\n")
feed = token(role="dsr_feed", region=REGION, sub="people-feed")
for rag, date in (("green", "2026-10-01"), ("amber", "2026-11-01"), ("amber", "2026-11-15")):
    row = "D-%s,%s,Test,Child,%s,NR2 3TU,yes,no,%s,%s,no,parental_responsibility,,," % (nhs, nhs, dob, rag, date)
    status, imported, _ = http("POST", "/v1/dsr/imports", tok=feed, raw=(HEADER + row + "\r\n").encode(),
                               headers={"Content-Type": "text/csv"})
    ok(status == 200 and not imported.get("rejected"), "a DSR import rates the child %s" % rag, imported)
DSR = "Case %s: its Dynamic Support Register entry changed" % case_id
ok(settled(lambda: [m for m in mails_to(keyw["email"]) if str(m["Subject"]) == DSR]),
   "the key worker is told of the re-rating")
caught_up()
wait_until(lambda: False, 1.5)
told = [m for m in mails_to(keyw["email"]) if str(m["Subject"]) == DSR]
ok(len(told) == 1 and "now amber" in text_of(told[0]) and "was green" in text_of(told[0]),
   "once, with the ratings; the later change keeping amber tells nobody", [text_of(m) for m in told])
ok(scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'referral' AND type = 'dsr_entry_changed'"
          " AND region = :'p1'", REGION) == "2", "(the referral service announced both changes)")
ok(len([m for m in mails_to(keyw["email"]) if str(m["Subject"]) == SUBJECT]) == 1
   and len([m for m in mails_to(FAMILY) if str(m["Subject"]) == "Planning for adult services"]) == 1,
   "and the transition once each")

status, closed, _ = http("POST", "/v1/cases/%s/close" % case_id, {"reason": "moved_away"}, tok)
ok(status == 200, "the case closes")
ok(settled(lambda: scalar("SELECT count(*) FROM notification.case_people WHERE case_id = :'p1'", case_id) == "0"),
   "and the projection holds nothing of it")
done()
