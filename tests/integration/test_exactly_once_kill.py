"""Exactly once under SIGKILL: while 200 referrals are posted, the consumer
services (eligibility, assignment, notification, scheduling) are each killed
with SIGKILL and restarted by the supervisor. Every referral must end with
exactly one decision, one case and one offer when eligible, one row in each
projection, and one e-mail per offer (a second transmission only right after
the notification kill, the documented crash window)."""

import random
import time
from kwtest import ok, done, token, kill, wait_restarted, post_referrals, check_exactly_once, sql

rng = random.Random()
tok = token()
victims = {40: "eligibility", 80: "assignment", 120: "notification", 160: "scheduling"}
killed = []

def chaos(i):
    name = victims.get(i)
    if name:
        killed.append((name, kill(name), time.time()))

ids, eligible_ids, failures = post_referrals(200, rng, tok, chaos)
ok(len(ids) == 200 and not failures, "all 200 referrals were accepted", failures[:3])
restarted = [(name, at) for name, pid, at in killed if wait_restarted(name, pid)]
ok(len(restarted) == len(victims), "each of %s was killed with SIGKILL and restarted" % sorted(victims.values()),
   killed)
check_exactly_once("after SIGKILLs", ids, eligible_ids, restarted)
lag = sql("SELECT o.consumer, o.producer, p.last_seq - o.last_seq FROM bus.offsets o"
          " JOIN bus.producers p ON p.producer = o.producer WHERE p.last_seq <> o.last_seq")
ok(lag == [], "every consumer's offset reached its producer's last seq", lag)
done()
