"""Each row of the table (deploy/notifications/table.json), end to end over
the real stack and SMTP sink: a case's life in a test region of its own
(the family, two team members from the referral, a key worker with a
deputy, the region's coordinator) tells the right people, with the right
message, by e-mail, once:
- key worker changed: the new key worker, the deputy and the team, the
  family, the coordinator;
- cover started and ended (an absence wholly in the past): the cover
  (the deputy), the family, the team;
- case closed: the family, the key worker and the team.
The family's e-mail carries the key worker's name and its HTML escapes
what a name holds; no subject names the child or the family."""

import datetime
import random
from kwtest import (ok, done, http, nhs_number, referral, professional, case_of, get_case, pending_offer,
                    wait_until, caught_up)
from notifytest import notify_region, mails_to, text_of, html_of, settled

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-table-%d" % n
COORDINATOR = "table.coordinator.%d@example.org" % n
tok = notify_region(REGION, {"offer_ttl": "1h", "refusals_before_waiting": 5}, [COORDINATOR])


def email(label):
    return "%s.%d@example.org" % (label, n)


def utc(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


deputy = professional(tok, "Dot Deputy", email("dot"), localities=["NR2"], max_caseload=10)
keyw = professional(tok, "Kit <Key> O'Worker", email("kit"), deputy_id=deputy["id"], localities=["NR2"],
                    max_caseload=10)
FAMILY, TEAM_A, TEAM_B = email("family"), email("therapist"), email("teacher")
body = referral(nhs_number(rng))
body["family"] = [{"name": "Fran Family", "relationship": "mother", "email": FAMILY, "phone": "07700900123",
                   "has_parental_responsibility": True}]
body["professionals"][0]["email"] = TEAM_A
body["professionals"][2]["email"] = TEAM_B
status, created, _ = http("POST", "/v1/referrals", body, tok)
case_id = case_of(tok, created.get("id"))
ok(case_id, "a referral with a family and a team opens a case")
for _ in range(4):
    offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
    if not offer:
        break
    if offer["professional_id"] == keyw["id"]:
        status, active, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
        break
    http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, offer["id"]), {"reason": "full"}, tok)
case = get_case(tok, case_id)
ok(case and case["status"] == "active" and case["key_worker"]["id"] == keyw["id"], "the key worker accepts", case)


def subjects(address):
    """The subjects of the messages to address about this case, offers aside."""
    return sorted(str(m["Subject"]) for m in mails_to(address) if not str(m["Subject"]).startswith("Key worker offer"))


def told(expected, what):
    """Every address in expected gets exactly those subjects, once each."""
    settled(lambda: all(len(subjects(a)) >= len(s) for a, s in expected.items()), 20)
    caught_up()
    wait_until(lambda: False, 1.5)             # a late duplicate would arrive by now
    got = {a: subjects(a) for a in expected}
    for address, want in expected.items():
        ok(got[address] == sorted(want), "%s: %s is told once: %s" % (what, address.split(".")[0], want),
           got[address])


KWC = "Case %s has a new key worker" % case_id
told({keyw["email"]: ["You are the key worker of case %s" % case_id],
      deputy["email"]: [KWC], TEAM_A: [KWC], TEAM_B: [KWC],
      FAMILY: ["Your key worker"],
      COORDINATOR: ["Case %s has a key worker" % case_id]}, "key worker changed")
family_mail = [m for m in mails_to(FAMILY) if str(m["Subject"]) == "Your key worker"]
if family_mail:
    ok("Kit <Key> O'Worker" in text_of(family_mail[0]) and keyw["email"] in text_of(family_mail[0]),
       "the family's text names the key worker and their e-mail", text_of(family_mail[0]))
    ok("Kit &lt;Key&gt; O&#39;Worker" in html_of(family_mail[0]) and "<Key>" not in html_of(family_mail[0]),
       "and its HTML escapes the name", html_of(family_mail[0]))
everything = [m for a in (keyw["email"], deputy["email"], TEAM_A, TEAM_B, FAMILY, COORDINATOR) for m in mails_to(a)]
ok(everything and not any(w in str(m["Subject"]) for m in everything for w in ("Test", "Child", "Fran", "Family")),
   "no subject names the child or the family")

# --- cover: an absence wholly in the past starts and ends its cover at once
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % keyw["id"], {"from": utc(-7200), "to": utc(-3600)},
                          tok)
ok(status == 201 and absence["status"] == "ended", "an absence in the past", absence)
started = "Cover for case %s from " % case_id
ended = "Cover for case %s has ended" % case_id
settled(lambda: len(subjects(TEAM_A)) >= 3, 20)
team_subjects = subjects(TEAM_A)
ok(len([s for s in team_subjects if s.startswith(started)]) == 1 and team_subjects.count(ended) == 1,
   "cover: the team is told it started and ended, once each", team_subjects)
dep = subjects(deputy["email"])
ok(len([s for s in dep if s.startswith("You cover case %s from " % case_id)]) == 1
   and dep.count("Your cover of case %s has ended" % case_id) == 1 and not any(s.startswith(started) for s in dep),
   "cover: the deputy is told as the cover, not again as the team", dep)
fam = subjects(FAMILY)
ok(fam.count("Who to contact while your key worker is away") == 1 and fam.count("Your key worker is back") == 1,
   "cover: the family is told whom to contact, and when it ends", fam)

# --- closed
status, closed, _ = http("POST", "/v1/cases/%s/close" % case_id, {"reason": "no_longer_needed"}, tok)
ok(status == 200 and closed["status"] == "closed", "the coordinator closes the case", closed)
CLOSED = "Case %s is closed" % case_id
settled(lambda: CLOSED in subjects(TEAM_B) and CLOSED in subjects(keyw["email"]), 20)
caught_up()
wait_until(lambda: False, 1.5)
ok(subjects(keyw["email"]).count(CLOSED) == 1 and subjects(TEAM_A).count(CLOSED) == 1
   and subjects(TEAM_B).count(CLOSED) == 1, "closed: the key worker and the team are told once",
   (subjects(keyw["email"]), subjects(TEAM_B)))
ok(subjects(FAMILY).count("The key worker service has closed your case") == 1, "closed: the family is told",
   subjects(FAMILY))
done()
