"""A second instance of each consuming service (eligibility, assignment,
scheduling, notification) beside the first, on the same database, bus and
producer names, with an RPC endpoint of its own: every event is still
applied once and every e-mail sent once. One relay of a producer publishes,
the one holding the producer's advisory lock; the other stands by and takes
over when the first is killed. The two consumers of a name race for each
batch (the loser finds its offset moved and rolls back), the two senders
take deliveries with SKIP LOCKED. What deploy/k8s and the README say about
running a service twice rests on this test."""

import os
import random
import signal
import subprocess
import time
from kwtest import (ok, done, token, post_referrals, check_exactly_once, wait_until, BIN, VAR, PG_PORT,
                    scalar, workforce, kill, wait_restarted)

SERVICES = ["eligibility", "assignment", "scheduling", "notification"]
rng = random.Random()
tok = token()
workforce(tok)
# The settings the stack gives its own programs (deploy/local/stack.sh).
env = dict(os.environ, KW_DB_URL="host=%s port=%s dbname=kw" % (os.path.join(VAR, "pg", "run"), PG_PORT),
           KW_SMTP_URL="smtp://127.0.0.1:%s" % os.environ["KW_SMTP_PORT"])
twins, logs = {}, {}
for s in SERVICES:
    env_s = dict(env, **{"KW_%s_RPC" % s.upper(): "ipc://%s/run/%s-rpc-twin" % (VAR, s)})
    logs[s] = os.path.join(VAR, "log", "%s-twin.log" % s)
    with open(logs[s], "w") as log:
        twins[s] = subprocess.Popen([os.path.join(BIN, s)], env=env_s, stdout=log, stderr=subprocess.STDOUT)


def twin_ready(s):
    with open(logs[s]) as f:
        return '"event":"ready"' in f.read()


def relay_said(s, event, log=None):
    """The relay of producer s logged event (relay_leader, relay_standby)."""
    with open(log or logs[s]) as f:
        return '"event":"%s","producer":"%s"' % (event, s) in f.read()


try:
    ok(wait_until(lambda: all(twin_ready(s) for s in SERVICES), 30),
       "a second instance of %s is running" % ", ".join(SERVICES))
    ids, eligible_ids, failures = post_referrals(200, rng, tok)
    ok(len(ids) == 200 and not failures, "all 200 referrals were accepted", failures[:3])
    check_exactly_once("two instances of each consumer", ids, eligible_ids)
    moved = sum(open(logs[s]).read().count("consumer_offset_moved") for s in SERVICES)
    ok(all(twins[s].poll() is None for s in SERVICES), "the second instances are still running")
    ok(moved > 0, "the two instances raced for batches: the second found its offset moved %d times" % moved)
    standby = [s for s in SERVICES if relay_said(s, "relay_standby") and not relay_said(s, "relay_leader")]
    ok(standby == SERVICES, "each second instance's relay stands by: the first holds the producer's lock",
       standby)
    # The leader of eligibility's relay is killed: the second takes over and
    # every event of the next referrals is still applied once.
    old_pid = kill("eligibility")
    ok(wait_until(lambda: relay_said("eligibility", "relay_leader"), 30),
       "the second eligibility's relay takes the lock when the first is killed")
    ok(wait_restarted("eligibility", old_pid), "the first eligibility is restarted")
    more, more_eligible, failures = post_referrals(40, rng, tok)
    ok(len(more) == 40 and not failures, "40 more referrals were accepted", failures[:3])
    check_exactly_once("after the relay changed hands", more, more_eligible)
    skipped = scalar("SELECT count(*) FROM bus.outbox o JOIN bus.offsets f ON f.producer = o.producer"
                     " WHERE o.seq > f.last_seq")
    ok(skipped == "0", "every consumer has applied every event", skipped)
finally:
    for s in SERVICES:
        twins[s].send_signal(signal.SIGTERM)
    deadline = time.time() + 20
    for s in SERVICES:
        try:
            twins[s].wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            twins[s].kill()
ok(all(twins[s].returncode == 0 for s in SERVICES), "the second instances stop cleanly on SIGTERM",
   {s: twins[s].returncode for s in SERVICES})
done()
