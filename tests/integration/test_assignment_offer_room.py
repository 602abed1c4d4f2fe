"""An offer counts the professional's room again under their row's lock.
Matching ranks the candidates from rows it reads without locking them, so
another instance of the service may offer a professional their last place
between that read and this offer. Here the test plays that instance: it
holds the row of the professional ranked next, lets a decline rank them and
wait for the row, then takes their last place and lets go. The decline's
transaction must fail (503, retry) rather than offer a place that is gone,
and its retry, with the same Idempotency-Key, offers the next professional."""

import random
import subprocess
import threading
from kwtest import (ok, done, http, scalar, wait_until, nhs_number, referral, professional, test_region,
                    case_of, get_case, pending_offer, PSQL)

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "offerroom-%d" % n
tok = test_region(REGION, {"refusals_before_waiting": 5})

# The family suggests Sam, who is offered the case first. The child lives in
# NR2: Pat works there and ranks next; Quinn works elsewhere and ranks last.
sam = professional(tok, "Sam Suggested", "sam.%d@example.org" % n, localities=["NR9"])
pat = professional(tok, "Pat Nearby", "pat.%d@example.org" % n, localities=["NR2"])
quinn = professional(tok, "Quinn Farther", "quinn.%d@example.org" % n, localities=["NR9"])
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), suggested=sam["email"]), tok)
case_id = case_of(tok, created.get("id")) if status == 201 else None
first = wait_until(lambda: pending_offer(get_case(tok, case_id)), 15) if case_id else None
ok(first and first["professional_id"] == sam["id"], "the suggested professional is offered the case first", first)


def room(pro):
    return int(scalar("SELECT max_caseload - caseload - cover_load - pending_offers"
                      " FROM assignment.professionals WHERE id = :'p1'", pro["id"]))


# The other instance: a session that locks Pat's row, then takes Pat's last
# place (their maximum lowered to what they hold) and commits.
other = subprocess.Popen(PSQL + ["-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
other.stdin.write("BEGIN;\nSELECT 1 FROM assignment.professionals WHERE id = '%s' FOR UPDATE;\n\\echo locked\n"
                  % pat["id"])
other.stdin.flush()
ok(other.stdout.readline().strip() == "1" and other.stdout.readline().strip() == "locked",
   "another session holds the row of the professional ranked next")

KEY = "offer-room-%d" % n
answer = {}


def decline():
    answer["first"] = http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, first["id"] if first else "x"),
                           {"reason": "not this term"}, tok, headers={"Idempotency-Key": KEY})


caller = threading.Thread(target=decline)
caller.start()
waiting = wait_until(lambda: scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = 'kw_assignment'"
                                    " AND wait_event_type = 'Lock'") == "1", 15, 0.05)
ok(waiting, "the decline ranks the professional and waits for their row")
other.stdin.write("UPDATE assignment.professionals SET max_caseload = caseload + cover_load + pending_offers"
                  " WHERE id = '%s';\nCOMMIT;\n\\echo committed\n\\q\n" % pat["id"])
other.stdin.flush()
ok(other.stdout.readline().strip() == "committed" and other.wait(15) == 0,
   "the other session takes the professional's last place and lets go")
caller.join(30)
status, body, _ = answer.get("first", (None, {}, None))
ok(status == 503 and "retry" in body.get("error", {}).get("message", ""),
   "the decline fails with the retry answer instead of offering a place that is gone", (status, body))
case = get_case(tok, case_id)
ok(pending_offer(case) and pending_offer(case)["id"] == first["id"],
   "nothing of it was kept: the first offer is still pending", case)
ok(room(pat) == 0 and scalar("SELECT pending_offers FROM assignment.professionals WHERE id = :'p1'", pat["id"]) == "0",
   "the professional has no room and no offer", room(pat))

status, body, _ = http("POST", "/v1/cases/%s/offers/%s/decline" % (case_id, first["id"]),
                       {"reason": "not this term"}, tok, headers={"Idempotency-Key": KEY})
second = pending_offer(body)
ok(status == 200 and second and second["professional_id"] == quinn["id"],
   "retried with the same Idempotency-Key, the decline offers the next professional with room", body)
ok([o["professional_id"] for o in body.get("offers", [])] == [sam["id"], quinn["id"]],
   "and the case was never offered to the professional without room", body.get("offers"))
ok(room(pat) == 0, "whose room is still none", room(pat))
done()
