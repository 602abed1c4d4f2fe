"""Exactly once under SIGKILL: while 200 referrals are posted, the consumer
services (eligibility, assignment, notification, scheduling) are each killed
with SIGKILL and restarted by the supervisor. Every referral must end with
exactly one decision, one case and one offer when eligible, and one e-mail
per offer."""

import random
from kwtest import ok, done, token, kill, wait_restarted, post_referrals, check_exactly_once, sql, workforce

rng = random.Random()
tok = token()
workforce(tok)
victims = {40: "eligibility", 80: "assignment", 120: "notification", 160: "scheduling"}
killed = []

def chaos(i):
    name = victims.get(i)
    if name:
        killed.append((name, kill(name)))

ids, eligible_ids, failures = post_referrals(200, rng, tok, chaos)
ok(len(ids) == 200 and not failures, "all 200 referrals were accepted", failures[:3])
for name, pid in killed:
    ok(wait_restarted(name, pid), "%s was killed with SIGKILL and restarted" % name)
check_exactly_once("after SIGKILLs", ids, eligible_ids)
lag = sql("SELECT o.consumer, o.producer, p.last_seq - o.last_seq FROM bus.offsets o"
          " JOIN bus.producers p ON p.producer = o.producer WHERE p.last_seq <> o.last_seq")
ok(lag == [], "every consumer's offset reached its producer's last seq", lag)
done()
