"""Text messages through GOV.UK Notify, end to end over the real stack: the
stack's notification service sends a region's SMS rows to the local server
speaking Notify's protocol (tests/tools/notify_server.py, which checks the
JWT as Notify does). A region sending e-mail and SMS; a case whose family
has a phone number gets its key worker, and then:
- the family's text message reaches Notify with a valid token, the
  delivery id as reference, our template and the message as ((body));
  the delivery is sent, and Notify's receipt (through the gateway's
  callback route) moves it to delivered;
- a 429 from Notify, then acceptance: sent on the second attempt, once;
- a 400 from Notify: failed at once, after one attempt, its error naming
  the status and never the number."""

import json
import os
import random
import urllib.request
from kwtest import (ok, done, http, nhs_number, referral, professional, case_of, get_case, pending_offer,
                    scalar, sql, wait_until, VAR)
from notifytest import notify_region

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-sms-%d" % n
tok = notify_region(REGION, {"offer_ttl": "1h"}, ["sms.coordinator.%d@example.org" % n],
                    channels=["email", "sms"])
ok(tok, "a test region sending e-mail and text messages")
NOTIFY = os.environ["KW_NOTIFY_URL"]
keyw = professional(tok, "Sam Texted", "sam.%d@example.org" % n, localities=["NR2"], max_caseload=10)


def notify(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(NOTIFY + path, data=data, method=method), timeout=30) as r:
        return json.loads(r.read())


def family_case(label, phone):
    """A case whose family (with phone) gets keyw as key worker: the SMS delivery's id."""
    body = referral(nhs_number(rng), suggested=keyw["email"])
    body["family"] = [{"name": "Fay %s" % label, "relationship": "mother", "phone": phone,
                       "email": "fay.%s.%d@example.org" % (label, n), "has_parental_responsibility": True}]
    status, created, _ = http("POST", "/v1/referrals", body, tok)
    case_id = case_of(tok, created.get("id"))
    offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10) if case_id else None
    if offer:
        http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
    ok(case_id and get_case(tok, case_id)["status"] == "active", "%s: the family's case has its key worker" % label)
    return wait_until(lambda: scalar("SELECT id FROM notification.deliveries WHERE case_id = :'p1'"
                                     " AND channel = 'sms'", case_id), 20)


def row(delivery):
    got = sql("SELECT status, attempts, coalesce (last_error, '') FROM notification.deliveries"
              " WHERE id = :'p1'", delivery)
    return (got[0][0], int(got[0][1]), got[0][2]) if got else None


def received(delivery):
    return [r for r in notify("GET", "/_received") if (r.get("body") or {}).get("reference") == delivery]


# --- sent, and Notify's receipt moves it to delivered
delivery = family_case("sent", "07700900111")
ok(delivery, "sent: the family's text message is a delivery", delivery)
wait_until(lambda: row(delivery) and row(delivery)[0] == "sent", 20)
ok(row(delivery) == ("sent", 1, ""), "it is sent at the first attempt", row(delivery))
got = received(delivery)
ok(len(got) == 1 and got[0]["path"] == "/v2/notifications/sms" and got[0]["status"] == 201,
   "Notify got it once, on /v2/notifications/sms", got)
sent = got[0] if got else {"body": {}}
ok(sent.get("jwt_error") is None, "with a token Notify accepts (HS256, iss, iat)", sent.get("jwt_error"))
ok(sent["body"].get("phone_number") == "07700900111"
   and sent["body"].get("template_id") == os.environ["KW_NOTIFY_SMS_TEMPLATE"],
   "to the family's number, with the service's template", sent["body"])
ok("Sam Texted" in (sent["body"].get("personalisation") or {}).get("body", ""),
   "the message, naming the key worker, is its ((body))", sent["body"])
callback = os.environ.get("KW_NOTIFY_CALLBACK_TOKEN_FILE") or os.path.join(VAR, "notify_callback_token")
with open(callback) as f:
    callback_token = f.read().strip()
receipt = {"id": sent.get("id"), "reference": delivery, "to": "07700900111", "status": "delivered",
           "created_at": "2026-12-01T10:00:00Z", "completed_at": "2026-12-01T10:00:05Z", "sent_at": None,
           "notification_type": "sms"}
answer = notify("POST", "/_receipt", {"url": "http://%s/v1/callbacks/notify" % os.environ["KW_HTTP_ADDR"],
                                       "token": callback_token, "body": receipt})
ok(answer["status"] == 200 and row(delivery)[0] == "delivered", "Notify's receipt moves it to delivered",
   (answer, row(delivery)))

# --- a 429, then acceptance
notify("POST", "/_next", {"statuses": [429]})
delivery = family_case("limited", "07700900222")
wait_until(lambda: row(delivery) and row(delivery)[0] == "sent", 30)
ok(row(delivery) == ("sent", 2, ""), "rate limited: sent at the second attempt", row(delivery))
ok([r["status"] for r in received(delivery)] == [429, 201], "Notify answered 429, then 201", received(delivery))

# --- a 400: failed at once
notify("POST", "/_next", {"statuses": [400]})
delivery = family_case("refused", "07700900333")
wait_until(lambda: row(delivery) and row(delivery)[0] == "failed", 20)
status, attempts, error = row(delivery) or (None, None, "")
ok((status, attempts) == ("failed", 1), "refused (400): failed after one attempt", row(delivery))
ok("400" in error and "07700900333" not in error, "its error names the status, not the number", error)
ok([r["status"] for r in received(delivery)] == [400], "Notify was asked once", received(delivery))
done()
