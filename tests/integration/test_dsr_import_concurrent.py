"""A DSR import runs off the referral service's loop: while a large file is
being imported (its transaction open on the import's own connection), other
calls to the service are answered. Proved by order, not by time: a call is
answered while the import's transaction is still open, before the import's
own answer. The import keeps its guarantees: counts, one event and one audit
record per entry, and its answer replayed for its Idempotency-Key."""

import random
import threading
import time
from kwtest import ok, done, token, http, scalar, caught_up, nhs_number

ROWS = 40000
rng = random.Random()
feed = token(role="dsr_feed", region="nhse", sub="dsr-feed-concurrent")
coord = token(region="nhse", sub="dsr-coordinator-concurrent")
COLUMNS = ("dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode,learning_disability,autism,"
           "rag,rag_effective_date,inpatient,consent_basis,lead_professional_email,cetr_last,cetr_next")

numbers = set()
while len(numbers) < ROWS + 1:
    numbers.add(nhs_number(rng))
numbers = sorted(numbers)
probe, numbers = numbers[0], numbers[1:]
# Green, without consent: entries and their events, no referrals.
lines = [COLUMNS] + ["C-%s,%s,Test,Child,2012-05-01,NR1 1AA,yes,no,green,2026-10-01,no,,,," % (n, n)
                     for n in numbers]
data = ("\r\n".join(lines) + "\r\n").encode()
key = {"Idempotency-Key": "concurrent-%08x" % rng.getrandbits(32), "Content-Type": "text/csv"}

answer = {}


def run_import():
    answer["result"] = http("POST", "/v1/dsr/imports", tok=feed, raw=data, headers=key)


WORKER = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'referral-worker'"
          " AND xact_start IS NOT NULL")
importer = threading.Thread(target=run_import)
importer.start()
deadline = time.time() + 60
while scalar(WORKER) == "0" and importer.is_alive() and time.time() < deadline:
    time.sleep(0.01)
open_before = scalar(WORKER) != "0" and importer.is_alive()
s, b, _ = http("GET", "/v1/dsr/entries/%s" % probe, tok=coord)
open_after = scalar(WORKER) != "0"
still_running = importer.is_alive()
ok(open_before, "the import's transaction is open on a connection of its own")
ok(s in (200, 404), "a call to the referral service is answered during the import", b)
ok(open_after and still_running,
   "and it was answered while the import's transaction was still open, before the import's answer",
   (open_after, still_running))

importer.join(120)
s, r, _ = answer.get("result", (None, {}, None))
# (a random number may already be on the register from another test: updated)
kept = (r.get("created", 0) + r.get("updated", 0)) if isinstance(r, dict) else 0
ok(s == 200 and r.get("rows") == ROWS and kept == ROWS and r.get("created", 0) >= ROWS - 10
   and r.get("rejected") == [], "the import then answers with every row created or updated",
   {k: r.get(k) for k in ("rows", "created", "updated")} if isinstance(r, dict) else r)
iid = r.get("import_id") if isinstance(r, dict) else None
events = scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'referral' AND correlation_id = :'p1'", iid)
audits = scalar("SELECT count(*) FROM audit.events WHERE action = 'import' AND record_type = 'dsr_entry'"
                " AND actor = 'dsr-feed-concurrent'")
ok(events == str(ROWS) and audits == str(ROWS), "one event and one audit record per entry",
   (events, audits))
s2, r2, _ = http("POST", "/v1/dsr/imports", tok=feed, raw=data, headers=key)
ok(s2 == 200 and iid and r2 == r,
   "the same import retried with its Idempotency-Key gets the first answer", (iid, r2.get("import_id")))
ok(caught_up(120), "every consumer applies the import's events")

done()
