"""The coordinator is told when a case waits for a key worker: in a test
region whose coordinator list is its own, offers are refused until the
case waits (assignment.case_awaiting_key_worker); then exactly one e-mail
reaches the coordinator address in the SMTP sink, naming the case and the
reason, with no personal data in its subject, and one delivery row records
it as sent. A region with nobody to offer the case to tells both its
coordinators at once. A region file whose coordinator address is not an
address is refused on reload, naming the file, and the region keeps its
settings."""

import os
import random
import signal
import time
from kwtest import (ok, done, http, nhs_number, referral, professional, case_of, get_case,
                    pending_offer, wait_until, kill, VAR)
from notifytest import notify_region, mails_to, text_of, html_of, deliveries, settled

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-wait-%d" % n
COORDINATOR = "coordinator.%d@example.org" % n
tok = notify_region(REGION, {"offer_ttl": "1h", "refusals_before_waiting": 2}, [COORDINATOR])
ok(tok, "a test region with its own coordinator address")

for i, name in enumerate(("Ann", "Ben", "Cat")):
    professional(tok, "%s Worker" % name, "%s.%d@example.org" % (name.lower(), n), localities=["NR2"])
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
case_id = case_of(tok, body.get("id"))
ok(case_id, "a referral opens a case")
for i in range(2):
    offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
    status, _, _ = http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, offer["id"]), {"reason": "full"}, tok)
    ok(status == 200, "offer %d is declined" % (i + 1))
waiting = wait_until(lambda: (lambda c: c if c and c["status"] == "awaiting_key_worker" else None)(
    get_case(tok, case_id)), 10)
ok(waiting and waiting["awaiting_reason"] == "refusal_limit", "the case waits after 2 refusals", waiting)

got = settled(lambda: mails_to(COORDINATOR))
ok(got and len(got) == 1, "the coordinator address receives an e-mail", len(got or []))
if got:
    m = got[0]
    subject = str(m["Subject"])
    ok(subject == "Case %s is waiting for a key worker" % case_id, "its subject names the case by id only", subject)
    ok("refusal_limit" in text_of(m) and case_id in text_of(m) and "round 1" in text_of(m),
       "its text says why the case waits", text_of(m))
    ok(case_id in html_of(m) and "<p>" in html_of(m), "with an HTML alternative")
    ok(m["Message-ID"] and m["Message-ID"].endswith("@keyworker.invalid>"), "with the delivery's Message-ID")
rows = [r for r in deliveries(case_id) if r[0] == "case_awaiting_key_worker"]
ok(len(rows) == 1 and rows[0][1:4] == ("coordinators", "email", "sent") and rows[0][4].startswith("contact-"),
   "one delivery row, sent, its recipient a pseudonym, never the address", rows)
ok(COORDINATOR not in str(rows), "the address is not the recipient id")
time.sleep(2)
ok(len(mails_to(COORDINATOR)) == 1, "and nothing more arrives for it")

# Nobody to offer the case to, two coordinators: each is told, once.
EMPTY = "notify-empty-%d" % n
first, second = "first.%d@example.org" % n, "second.%d@example.org" % n
empty = notify_region(EMPTY, {}, [first, second])
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), empty)
lonely = case_of(empty, body.get("id"))
ok(settled(lambda: len(mails_to(first)) == 1 and len(mails_to(second)) == 1),
   "a case with nobody to offer it to tells both coordinators", (len(mails_to(first)), len(mails_to(second))))
ok(settled(lambda: "no_candidate" in text_of(mails_to(first)[0])), "saying nobody could be offered it")

# A coordinator address that is not one: the reload is refused, naming the file.
log = os.path.join(VAR, "log", "notification.log")
path = os.path.join(os.environ["KW_REGION_DIR"], EMPTY + ".json")
with open(path) as f:
    original = f.read()
with open(path, "w") as f:
    f.write(original.replace(first, "not an address"))
with open(log, errors="replace") as f:
    before = f.read().count('"settings_reload_failed"')
kill("notification", signal.SIGHUP)


def refused():
    with open(log, errors="replace") as f:
        lines = [l for l in f if '"settings_reload_failed"' in l]
    return lines[before:] and lines[-1]
line = wait_until(refused, 10)
ok(line and EMPTY + ".json" in line and "coordinators[0]" in line and "not an e-mail address" in line,
   "a bad coordinator address is refused on reload, naming the file and field", line)
with open(path, "w") as f:
    f.write(original)
kill("notification", signal.SIGHUP)
done()
