"""Re-evaluating every referral of a region runs in steps between turns of
the eligibility service's loop: while it runs, other calls to the service
are answered. Proved by order, not by time: after the service logs that
the re-evaluation started, a call is answered before it logs that it is
done and before the admin's answer. The answer then counts every referral."""

import os
import random
import threading
from kwtest import ok, done, token, http, wait_until, nhs_number, referral, VAR

REFERRALS = 400
rng = random.Random()
coord = token(sub="steps-coordinator")
admin = token(role="admin", sub="steps-admin")
LOG = os.path.join(VAR, "log", "eligibility.log")

# Referrals without a GP practice need more information: undecided for good.
mine = set()
for _ in range(REFERRALS):
    body = referral(nhs_number(rng))
    del body["child"]["gp_practice"]
    s, b, _ = http("POST", "/v1/referrals", body, coord)
    if s == 201:
        mine.add(b["id"])
ok(len(mine) == REFERRALS, "%d referrals that need more information are made" % REFERRALS, len(mine))


def waiting():
    seen, cursor = set(), ""
    while True:
        s, b, _ = http("GET", "/v1/referrals?status=more_information_needed&limit=500" + cursor, tok=coord)
        if s != 200:
            return False
        seen |= {item["id"] for item in b.get("items", [])}
        if not b.get("next_cursor"):
            return mine <= seen
        cursor = "&cursor=" + b["next_cursor"]


ok(wait_until(waiting, 120, 0.5), "eligibility has decided each of them")


def log_lines(offset):
    with open(LOG, errors="replace") as f:
        f.seek(offset)
        return [line for line in f if '"region":"norfolk"' in line]


start = os.path.getsize(LOG)
answer = {}
sweep = threading.Thread(target=lambda: answer.setdefault(
    "result", http("POST", "/v1/admin/eligibility/re-evaluate", {}, admin)))
sweep.start()
started = wait_until(lambda: any('"re_evaluate_all_started"' in x for x in log_lines(start))
                     or not sweep.is_alive(), 60, 0.005)
began = any('"re_evaluate_all_started"' in x for x in log_lines(start))
s, b, _ = http("GET", "/v1/eligibility/ruleset", tok=coord)
finished = any('"re_evaluated_all"' in x for x in log_lines(start))
ok(began, "the re-evaluation of the region starts")
ok(s == 200 and b.get("region") == "norfolk", "a call to the eligibility service is answered meanwhile", b)
ok(began and not finished and sweep.is_alive(),
   "before the re-evaluation is done and answered", (began, finished, sweep.is_alive()))
sweep.join(120)
s, r, _ = answer.get("result", (None, {}, None))
ok(s == 200 and r.get("evaluated", 0) >= REFERRALS and r.get("changed") == 0,
   "the re-evaluation then answers: every referral evaluated, none changed", r)

done()
