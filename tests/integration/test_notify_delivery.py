"""Delivery you can trust, end to end with the real SMTP sink made to
refuse (deploy/local/smtp_sink.py's "refuse" file):
- a temporary refusal (451) leaves the offer's e-mail pending with its
  attempt counted and the reply code as its last error, never an address;
  once the server accepts again it is sent, once, with the same Message-ID;
- in a region whose max_attempts is 2, an e-mail refused twice is failed
  (the dead letter) and the region's coordinators are told, once; the
  professional gets nothing;
- a permanent refusal (550) fails at once;
- the records: GET /v1/notifications with each filter, GET
  /v1/notifications/{id}, and POST /v1/notifications/{id}/retry by a
  coordinator sends the failed e-mail again with its Message-ID; a second
  retry of a sent one is a conflict, another region's record is not found,
  a key worker sees only their own, and reads and the retry are audited."""

import os
import random
from kwtest import (ok, done, token, http, scalar, nhs_number, referral, professional, case_of, sink_journal,
                    delivery_message_id, MAIL_DIR)
from notifytest import notify_region, mails_to, text_of, settled

rng = random.Random()
n = rng.randrange(10 ** 9)
REFUSE = os.path.join(MAIL_DIR, "refuse")


def refuse(reply):
    with open(REFUSE, "w") as f:
        f.write(reply + "\n")


def accept():
    if os.path.exists(REFUSE):
        os.unlink(REFUSE)


def notices(tok, **filters):
    query = "&".join("%s=%s" % kv for kv in filters.items())
    status, body, _ = http("GET", "/v1/notifications?" + query, tok=tok)
    return body.get("items", []) if status == 200 else None


def offer_notice(tok, case_id):
    items = notices(tok, case_id=case_id, template="offer_made")
    return items[0] if items else None


def transmissions(delivery_id):
    return [t for t in sink_journal() if t["message_id"] == delivery_message_id(delivery_id)]


REGION = "notify-dead-%d" % n
COORDINATOR = "dead.coordinator.%d@example.org" % n
tok = notify_region(REGION, {"offer_ttl": "1h"}, [COORDINATOR], max_attempts=2)
pro = professional(tok, "Pip Refused", "pip.%d@example.org" % n, localities=["NR2"])

try:
    # --- a temporary refusal, then acceptance
    refuse("451 4.3.0 Try again later")
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    first_case = case_of(tok, body.get("id"))
    retried = settled(lambda: (lambda d: d if d and d["attempts"] >= 1 and d["status"] in ("pending", "failed")
                               else None)(offer_notice(tok, first_case)), 20)
    ok(retried and "451" in (retried.get("last_error") or "") and "@" not in retried["last_error"],
       "a refused e-mail is tried again later, its last error the reply code, no address", retried)
    ok(retried and retried["status"] == "pending" and retried.get("next_attempt_at"),
       "it is pending with its next attempt's time", retried)
    accept()
    sent = settled(lambda: (lambda d: d if d and d["status"] == "sent" else None)(offer_notice(tok, first_case)), 20)
    ok(sent and sent["attempts"] == 2 and sent.get("last_error") is None,
       "once the server accepts, it is sent on the second attempt", sent)
    ok(sent and len(transmissions(sent["id"])) == 1, "in one transaction with the delivery's Message-ID")

    # --- refused until the region's limit: the dead letter
    refuse("451 4.3.0 Try again later")
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    dead_case = case_of(tok, body.get("id"))
    dead = settled(lambda: (lambda d: d if d and d["status"] == "failed" else None)(offer_notice(tok, dead_case)), 30)
    ok(dead and dead["attempts"] == 2 and dead["max_attempts"] == 2,
       "refused twice in a region of 2 attempts, it fails: the dead letter", dead)
    accept()
    told = settled(lambda: [m for m in mails_to(COORDINATOR) if dead and dead["id"] in text_of(m)], 20)
    ok(told and len(told) == 1 and dead_case in str(told[0]["Subject"]),
       "the coordinators are told, naming the message and the case", told and str(told[0]["Subject"]))
    ok(dead and not transmissions(dead["id"]), "and the professional got nothing")
    ok(notices(tok, template="delivery_failed", case_id=dead_case)[0]["audience"] == "coordinators",
       "the notice is a delivery of its own, to the coordinators")

    # --- the coordinator sends it again: same Message-ID
    status, again, _ = http("POST", "/v1/notifications/%s/retry" % dead["id"], tok=tok)
    ok(status == 200 and again["status"] == "pending" and again["attempts"] == 0,
       "a coordinator sends a failed notification again", (status, again))
    resent = settled(lambda: (lambda d: d if d and d["status"] == "sent" else None)(offer_notice(tok, dead_case)), 20)
    ok(resent and resent["id"] == dead["id"] and len(transmissions(dead["id"])) == 1,
       "it is sent, once, with its own Message-ID", resent)
    status, body, _ = http("POST", "/v1/notifications/%s/retry" % dead["id"], tok=tok)
    ok(status == 409 and body["error"]["field"] == "status", "a sent notification is not sent again", body)
    ok(scalar("SELECT count(*) FROM audit.events WHERE action = 'retry' AND record_id = :'p1'", dead["id"]) == "2",
       "both retries are audited")

    # --- a permanent refusal fails at once
    refuse("550 5.1.1 No such user")
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    hard_case = case_of(tok, body.get("id"))
    hard = settled(lambda: (lambda d: d if d and d["status"] == "failed" else None)(offer_notice(tok, hard_case)), 20)
    ok(hard and hard["attempts"] == 1 and "550" in hard["last_error"], "a permanent refusal fails at once", hard)
finally:
    accept()

# --- the records
one = offer_notice(tok, first_case)
status, got, _ = http("GET", "/v1/notifications/%s" % one["id"], tok=tok)
ok(status == 200 and got["id"] == one["id"] and got["template"] == "offer_made" and got["channel"] == "email"
   and got["recipient_id"] == pro["id"] and got["audience"] == "professional",
   "GET /v1/notifications/{id} reads one record", got)
ok(not any(k in got for k in ("recipient_address", "subject", "body")), "without address, subject or body")
ok(scalar("SELECT count(*) FROM audit.events WHERE action = 'read' AND record_type = 'notification'"
          " AND record_id = :'p1'", one["id"]) == "1", "the read is audited")
other = token(region="nhse", sub="nhse-coordinator-%d" % n)
status, body, _ = http("GET", "/v1/notifications/%s" % one["id"], tok=other)
ok(status == 404, "another region's coordinator does not find it", body)
status, body, _ = http("POST", "/v1/notifications/%s/retry" % one["id"], tok=other)
ok(status == 404, "nor may send it again", body)
mine = token(role="key_worker", region=REGION, sub=pro["email"], professional_id=pro["id"])
ok(http("GET", "/v1/notifications/%s" % one["id"], tok=mine)[0] == 200, "the professional reads their own")
notice = notices(tok, template="case_awaiting_key_worker")
stranger = token(role="key_worker", region=REGION, sub="x-%d" % n, professional_id="00000000-0000-4000-8000-00000000beef")
ok(http("GET", "/v1/notifications/%s" % one["id"], tok=stranger)[0] == 404, "another key worker does not find it")
ok(notices(stranger) == [], "and lists nothing")
status, body, _ = http("GET", "/v1/notifications?recipient_id=%s" % pro["id"], tok=stranger)
ok(status == 403 and body["error"]["field"] == "recipient_id", "nor may list another's", body)
ok({d["case_id"] for d in notices(tok, status="failed")} >= {hard_case}, "filter by status")
ok(all(d["channel"] == "email" for d in notices(tok, channel="email")) and notices(tok, channel="sms") == [],
   "filter by channel")
ok(all(d["recipient_id"] == pro["id"] for d in notices(tok, recipient_id=pro["id"]))
   and len(notices(tok, recipient_id=pro["id"])) == 3, "filter by recipient (its 3 offers)", notices(tok, recipient_id=pro["id"]))
ok({d["template"] for d in notices(tok, template="delivery_failed")} == {"delivery_failed"}, "filter by template")
status, page, _ = http("GET", "/v1/notifications?limit=1", tok=tok)
status2, page2, _ = http("GET", "/v1/notifications?limit=1&cursor=%s" % page.get("next_cursor"), tok=tok)
ok(status == 200 and len(page["items"]) == 1 and page.get("next_cursor") and status2 == 200
   and page2["items"][0]["id"] != page["items"][0]["id"], "paged")
done()
