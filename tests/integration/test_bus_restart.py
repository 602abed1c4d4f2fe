"""The bus proxy killed with SIGKILL and restarted mid-stream loses nothing:
consumers notice the gap (or the silence) and catch up from bus.outbox."""

import random
from kwtest import ok, done, token, kill, wait_restarted, post_referrals, check_exactly_once, workforce

rng = random.Random()
tok = token()
workforce(tok)
killed = []

def chaos(i):
    if i in (30, 90):
        # The second kill waits for the first restart, so it hits a live proxy.
        if killed:
            wait_restarted("bus", killed[-1])
        killed.append(kill("bus"))

ids, eligible_ids, failures = post_referrals(150, rng, tok, chaos)
ok(len(ids) == 150 and not failures, "all 150 referrals were accepted while the bus restarted", failures[:3])
ok(all(wait_restarted("bus", pid) for pid in killed), "the bus was killed twice and restarted")
check_exactly_once("across bus restarts", ids, eligible_ids)
done()
