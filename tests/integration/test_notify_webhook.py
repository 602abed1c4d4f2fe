"""Webhooks to an agency's own system, end to end over the real stack: a
region with two subscribers to assignment.key_worker_changed (the table's
webhook row), each a tests/tools/webhook_receiver.py checking the
signature with Python's own hmac. When a case gets its key worker:
- the subscriber holding the region's secret takes the webhook once
  (verdict ok): X-KW-Webhook-Id is the delivery id, the JSON body names the
  event, the case and the region by id and carries no personal data; the
  delivery is sent;
- a 500 from it, then acceptance: sent on the second attempt, the same id;
- the subscriber whose secret differs refuses the signature (400), and the
  delivery to it fails at once."""

import json
import os
import random
import subprocess
import urllib.request
from kwtest import (ok, done, http, nhs_number, referral, professional, case_of, get_case, pending_offer,
                    sql, wait_until)
from notifytest import notify_region

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-webhook-%d" % n
DIR = os.environ["KW_REGION_DIR"]
TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools")


def secret_file(name):
    path = os.path.join(DIR, "%s-%d.secret" % (name, n))
    with open(path, "w") as f:
        f.write("%064x\n" % rng.getrandbits(256))
    return path


def receiver(secret):
    proc = subprocess.Popen(["python3", os.path.join(TOOLS, "webhook_receiver.py"), "--secret-file", secret],
                            stdout=subprocess.PIPE, text=True)
    return proc, "http://127.0.0.1:%s" % proc.stdout.readline().split()[1]


ours, other = secret_file("agency"), secret_file("other")
wrong = secret_file("wrong")
good, good_url = receiver(ours)
bad, bad_url = receiver(wrong)


def add_webhooks(doc):
    doc["notification"]["webhooks"] = [
        {"id": "agency", "url": good_url + "/hook", "secret_file": os.path.basename(ours),
         "events": ["assignment.key_worker_changed"]},
        {"id": "other", "url": bad_url + "/hook", "secret_file": os.path.basename(other),
         "events": ["assignment.key_worker_changed"]},
    ]


def received(url):
    with urllib.request.urlopen(url + "/_received", timeout=30) as r:
        return json.loads(r.read())


try:
    tok = notify_region(REGION, {"offer_ttl": "1h"}, ["hook.coordinator.%d@example.org" % n],
                        change=add_webhooks, channels=["email", "webhook"])
    ok(tok, "a test region with two webhook subscribers")
    keyw = professional(tok, "Wes Hooked", "wes.%d@example.org" % n, localities=["NR2"], max_caseload=10)

    def case_with_key_worker(label):
        body = referral(nhs_number(rng), suggested=keyw["email"])
        status, created, _ = http("POST", "/v1/referrals", body, tok)
        case_id = case_of(tok, created.get("id"))
        offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10) if case_id else None
        if offer:
            http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
        ok(case_id and get_case(tok, case_id)["status"] == "active", "%s: a case gets its key worker" % label)
        return case_id

    def hooks(case_id):
        """{subscriber: (delivery id, status, attempts, last_error)} of the case's webhooks, once final."""
        rows = sql("SELECT recipient_id, id, status, attempts, coalesce (last_error, '')"
                   " FROM notification.deliveries WHERE case_id = :'p1' AND channel = 'webhook'", case_id)
        return {r[0]: (r[1], r[2], int(r[3]), r[4]) for r in rows}

    def final(case_id, count=2):
        got = hooks(case_id)
        return len(got) == count and all(v[1] in ("sent", "failed") for v in got.values())

    case_id = case_with_key_worker("signed")
    wait_until(lambda: final(case_id), 30)
    got = hooks(case_id)
    agency = got.get("webhook-agency", ("", None, 0, ""))
    ok(agency[1:3] == ("sent", 1), "the agency's webhook is sent at the first attempt", got)
    taken = [r for r in received(good_url) if r["id"] == agency[0]]
    ok([(r["verdict"], r["status"]) for r in taken] == [("ok", 204)],
       "its receiver verified the signature with Python's hmac and took it once", taken)
    body = json.loads(taken[0]["body"]) if taken else {}
    ok(body == {"event": "assignment.key_worker_changed", "event_id": body.get("event_id"), "region": REGION,
                "case_id": case_id} and body.get("event_id"),
       "the body names the event, its id, the region and the case", body)
    ok("Wes" not in taken[0]["body"] if taken else False, "and no person", taken)
    refused = got.get("webhook-other", ("", None, 0, ""))
    ok(refused[1:3] == ("failed", 1) and "400" in refused[3],
       "the subscriber with another secret refuses the signature (400): failed at once", refused)
    ok([r["verdict"] for r in received(bad_url) if r["id"] == refused[0]] == ["bad signature"],
       "its receiver found the signature bad", received(bad_url))

    with urllib.request.urlopen(urllib.request.Request(good_url + "/_next", data=b'{"statuses": [500]}',
                                                       method="POST"), timeout=30):
        pass
    case_id = case_with_key_worker("retried")
    wait_until(lambda: final(case_id), 30)
    agency = hooks(case_id).get("webhook-agency", ("", None, 0, ""))
    ok(agency[1:3] == ("sent", 2), "a 500, then acceptance: sent at the second attempt", agency)
    ok([r["status"] for r in received(good_url) if r["id"] == agency[0]] == [500, 204],
       "the receiver answered 500, then took it, by the same id", received(good_url))
finally:
    for proc in (good, bad):
        proc.terminate()
        proc.wait()
done()
