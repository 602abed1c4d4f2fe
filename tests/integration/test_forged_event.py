"""The second wall: events are facts from bus.outbox, not from the socket.
An insider holding eligibility's bus keys (CURVE is no help then) publishes
a forged eligibility.decided that makes an ineligible referral eligible,
with the next seq of the producer (a stolen position). The bus passes it
(it is eligibility's key) and every consumer of eligibility receives it;
none applies it: the referral stays ineligible, no case is opened, no offset
moves. The genuine event that then takes that seq is applied."""

import os
import random
import time
import uuid
import zmq
from kwtest import ok, done, token, http, referral, nhs_number, sql, scalar, caught_up, wait_until
from kwzmq import socket, connect, envelope, message, publish_until_seen

rng = random.Random()
tok = token()


def status_of(referral_id):
    code, body, _ = http("GET", "/v1/referrals/" + referral_id, tok=tok)
    return body.get("status") if code == 200 else None


def offsets():
    """Each consumer of eligibility's events and its offset."""
    return dict(sql("SELECT consumer, last_seq FROM bus.offsets WHERE producer = 'eligibility'"))


code, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), eligible=False), tok)
ok(code == 201, "an ineligible referral is created", code)
victim = body["id"]
ok(wait_until(lambda: status_of(victim) == "ineligible", 30), "it is decided ineligible")
ok(caught_up(), "every consumer has applied every event")
last = int(scalar("SELECT last_seq FROM bus.producers WHERE producer = 'eligibility'"))
before = offsets()
ok(len(before) >= 2 and all(v == str(last) for v in before.values()),
   "eligibility's consumers are at its seq %d" % last, before)

# The forgery: eligibility.decided, seq last + 1, the victim made eligible.
forged_id = str(uuid.uuid4())
decision = message((1, 1))                                  # outcome: OUTCOME_ELIGIBLE
decided = message((1, victim), (2, "norfolk"), (3, decision), (7, 0), (8, 99), (9, "received"))
forged = envelope("eligibility", "decided", last + 1, forged_id, decided, correlation=victim)
insider = socket(zmq.PUB, "bus", "eligibility")
ok(connect(insider, os.environ["KW_BUS_PUB"]) == "succeeded", "the insider connects with eligibility's key")
watcher = socket(zmq.SUB, "bus", "scheduling")
watcher.setsockopt(zmq.SUBSCRIBE, b"eligibility.decided")
connect(watcher, os.environ["KW_BUS_SUB"])
seen = publish_until_seen(insider, [[b"eligibility.decided", forged]], watcher, b"eligibility.decided")
ok(b"eligibility.decided" in seen, "the bus passed the forged frame (it came with eligibility's key)")
# Each consumer reads the table when a frame wakes it and on its idle timer
# (500 ms here): give them several turns at the forgery.
time.sleep(2.0)
ok(status_of(victim) == "ineligible", "the forged decision was not applied: the referral is still ineligible",
   status_of(victim))
ok(offsets() == before, "no consumer's offset moved past the genuine events", offsets())
cases = scalar("SELECT count(*) FROM assignment.cases WHERE referral_id = :'p1'", victim)
ok(cases == "0", "no case was opened for the victim", cases)

# The genuine event that takes seq last + 1.
code, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), eligible=True), tok)
ok(code == 201, "an eligible referral is created", code)
genuine = body["id"]
ok(wait_until(lambda: status_of(genuine) == "eligible", 30), "its genuine decision is applied")
ok(caught_up(), "every consumer has applied every event")
row = scalar("SELECT event_id FROM bus.outbox WHERE producer = 'eligibility' AND seq = :'p1'", str(last + 1))
ok(row is not None and row != forged_id, "seq %d in bus.outbox is the genuine event" % (last + 1), row)
after = offsets()
ok(all(int(v) >= last + 1 for v in after.values()), "every consumer applied it", after)
ok(status_of(victim) == "ineligible", "the victim is still ineligible")
insider.close()
watcher.close()
done()
