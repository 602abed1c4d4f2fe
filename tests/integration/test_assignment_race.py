"""No professional ever holds more cases than their maximum, however many
accepts race. 1,000 cases each have a pending offer to one of 100
professionals (the offers made while each had room for 12); then every
maximum is lowered to 4, so 1,000 offers compete for at most 400 places. Three
more assignment processes start beside the stack's, and a second gateway
spreads requests over the four; 1,200 accepts (every offer, 200 of them
twice) are sent at once from 64 threads. Exactly as many are accepted as
there are places offered (each professional's offers up to 4), every
other is refused (at the maximum, or no longer pending), no caseload is
above its maximum, each kept count equals the cases held, and every
instance took part. A call that times out at the gateway is repeated with
its Idempotency-Key, which answers what was done."""

import concurrent.futures
import os
import random
import signal
import socket
import subprocess
import time
from kwtest import (ok, done, token, http, sql, scalar, wait_until, nhs_number, referral, workforce,
                    test_region, VAR, BIN, PG_PORT)
import kwtest

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "race-%d" % n
tok = test_region(REGION, {})
CASES, PROFESSIONALS, FIRST_MAX, RACE_MAX, TWICE, THREADS = 1000, 100, 12, 4, 200, 64

workforce(tok, count=PROFESSIONALS, max_caseload=FIRST_MAX, prefix="race%d" % n)
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(lambda _: http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)[0],
                            range(CASES)))
ok(answers.count(201) == CASES, "%d eligible referrals are accepted" % CASES, set(answers))


def pending():
    return int(scalar("SELECT count(*) FROM assignment.offers o JOIN assignment.cases c ON c.id = o.case_id"
                      " WHERE c.region = :'p1' AND o.status = 'pending'", REGION))


ok(wait_until(lambda: pending() == CASES, 120, 0.5), "each case has a pending offer", pending())
professionals = [r[0] for r in sql("SELECT id FROM assignment.professionals WHERE region = :'p1'", REGION)]
lowered = [http("PATCH", "/v1/professionals/%s" % p, {"max_caseload": RACE_MAX}, tok)[0] for p in professionals]
ok(lowered.count(200) == PROFESSIONALS, "every maximum is lowered to %d: %d places for %d offers"
   % (RACE_MAX, RACE_MAX * PROFESSIONALS, CASES))

# Three more instances of the service, and a gateway that spreads calls over all four.
env = dict(os.environ, KW_DB_URL="host=%s/pg/run port=%s dbname=kw" % (VAR, PG_PORT), KW_LOG_LEVEL="info")
endpoints = [os.environ["KW_ASSIGNMENT_RPC"]]
extra = []
for i in range(3):
    endpoint = "ipc://%s/run/assignment-race-%d" % (VAR, i)
    endpoints.append(endpoint)
    log = open(os.path.join(VAR, "log", "assignment-race-%d.log" % i), "w")
    extra.append((subprocess.Popen([BIN + "/assignment"], env=dict(env, KW_ASSIGNMENT_RPC=endpoint),
                                   stdout=log, stderr=log), log))
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
gateway_log = open(os.path.join(VAR, "log", "gateway-race.log"), "w")
gateway = subprocess.Popen([BIN + "/gateway"], env=dict(env, KW_HTTP_ADDR="127.0.0.1:%d" % port,
                                                         KW_ASSIGNMENT_RPC=",".join(endpoints)),
                           stdout=gateway_log, stderr=gateway_log)
kwtest.HTTP = "http://127.0.0.1:%d" % port


def ready():
    logs = [open(f.name).read() for _, f in extra]
    return all('"ready"' in text for text in logs) and http("GET", "/v1/health")[0] == 200


try:
    ok(wait_until(ready, 30, 0.3), "three more assignment processes and a second gateway are up")
    offers = sql("SELECT o.id, o.case_id, o.professional_id FROM assignment.offers o"
                 " JOIN assignment.cases c ON c.id = o.case_id WHERE c.region = :'p1' AND o.status = 'pending'",
                 REGION)
    per = {}
    for _, _, professional_id in offers:
        per[professional_id] = per.get(professional_id, 0) + 1
    places = sum(min(count, RACE_MAX) for count in per.values())
    ok(places >= 300 and max(per.values()) > RACE_MAX,
       "%d places can be filled; up to %d offers compete for one professional's %d" % (places, max(per.values()),
                                                                                      RACE_MAX))
    calls = offers + rng.sample(offers, TWICE)
    rng.shuffle(calls)
    start = time.time()

    def accept(call):
        offer_id, case_id, professional_id = call
        as_tok = tok if rng.random() < 0.5 else token(role="key_worker", region=REGION, sub="kw-" + professional_id,
                                                      professional_id=professional_id)
        key = {"Idempotency-Key": "race-%d" % rng.randrange(10 ** 12)}
        for _ in range(20):
            status, body, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer_id), None, as_tok,
                                   headers=key)
            if status != 503:
                return status, body.get("error", {}).get("code") if status != 200 else None, call
            time.sleep(0.05)
        return status, "unavailable", call

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(accept, calls))
    elapsed = time.time() - start
    accepted = [r for r in results if r[0] == 200]
    codes = {}
    for status, code, _ in results:
        codes[(status, code)] = codes.get((status, code), 0) + 1
    ok(len(results) == CASES + TWICE, "%d accepts were sent at once from %d threads (%.1f s)"
       % (len(results), THREADS, elapsed))
    ok(len(accepted) == places, "exactly %d were accepted, one per place offered" % places, codes)
    ok(set(codes) <= {(200, None), (409, "at_max_caseload"), (409, "offer_not_pending")},
       "every other was refused: at the maximum or no longer pending", codes)
    ok(len({r[2][0] for r in accepted}) == len(accepted), "no offer was accepted twice")
    over = sql("SELECT id, caseload, max_caseload FROM assignment.professionals WHERE region = :'p1'"
               " AND caseload > max_caseload", REGION)
    ok(over == [], "no caseload is above its maximum", over)
    drift = sql("SELECT p.id, p.caseload, count(c.id) FROM assignment.professionals p"
                " LEFT JOIN assignment.cases c ON c.key_worker_id = p.id AND c.status <> 'closed'"
                " WHERE p.region = :'p1' GROUP BY p.id, p.caseload HAVING p.caseload <> count(c.id)"
                " OR count(c.id) > max (p.max_caseload)", REGION)
    ok(drift == [], "each kept caseload equals the cases held", drift)
    held = dict(sql("SELECT id, caseload FROM assignment.professionals WHERE region = :'p1'", REGION))
    ok(all(int(held[p]) == min(count, RACE_MAX) for p, count in per.items()),
       "every professional holds all the places they were offered, up to their maximum")
    doubles = sql("SELECT o.case_id FROM assignment.offers o JOIN assignment.cases c ON c.id = o.case_id"
                  " WHERE c.region = :'p1' AND o.status = 'accepted' GROUP BY o.case_id HAVING count(*) > 1", REGION)
    ok(doubles == [], "no case has two accepted offers", doubles)
    keyed = int(scalar("SELECT count(*) FROM assignment.cases WHERE region = :'p1' AND status = 'active'"
                       " AND key_worker_id IS NOT NULL", REGION))
    ok(keyed == len(accepted), "each accepted offer made one active case with its key worker", keyed)
    served = []
    for proc, log in extra:
        log.flush()
        with open(log.name) as f:
            served.append(f.read().count('"event":"offer_accepted"'))
    ok(all(count > 0 for count in served), "every extra instance accepted offers too", served)
finally:
    kwtest.HTTP = "http://" + os.environ["KW_HTTP_ADDR"]
    for proc in [gateway] + [p for p, _ in extra]:
        proc.send_signal(signal.SIGTERM)
    for proc in [gateway] + [p for p, _ in extra]:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    ok(all(proc.returncode == 0 for proc in [gateway] + [p for p, _ in extra]),
       "the extra processes stop cleanly", [proc.returncode for proc in [gateway] + [p for p, _ in extra]])
done()
