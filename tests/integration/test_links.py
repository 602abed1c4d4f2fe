"""Acting from the message: an offer's signed links, end to end over the real
stack. The accept and decline links are taken from the offer e-mail in the
SMTP sink, as the professional gets them; the variants a professional never
gets (another professional's, an expired one) are made by `kwctl link` with
the stack's link key (KW_LINK_KEY_FILE); the test computes no signature
itself. The accept link's page (GET) shows the case without
health details and changes nothing; the confirm (POST) accepts the offer on
behalf of the professional the link names; the same link again is refused
(409, used); a tampered link (403), an expired one (410), a decline link
for the answered offer (409), a POST without the confirm (400) and a link
of another professional all change nothing. Every view, use and refusal
is in the audit trail. Notify's callback route refuses a wrong token; a
receipt sent by the local Notify protocol server moves the offer e-mail's
delivery to delivered, a later "failed" one never moves it back, and one
naming no delivery is answered 404."""

import json
import os
import random
import re
import subprocess
import urllib.parse
import urllib.request
from kwtest import (ok, done, http, sql, scalar, nhs_number, referral, professional, test_region,
                    case_of, get_case, pending_offer, wait_until, KWCTL, VAR)
from notifytest import mails_to, text_of, html_of

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "links-%d" % n
tok = test_region(REGION, {"offer_ttl": "2h"})
ok(tok, "a test region")
KEY = os.environ.get("KW_LINK_KEY_FILE") or os.path.join(VAR, "link_key")
ok(os.path.getsize(KEY) >= 32, "the stack has a link key")

ash = professional(tok, "Ash Linked", "ash.%d@example.org" % n, discipline="teacher", localities=["NR9"])
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), suggested=ash["email"]), tok)
ok(status == 201, "an eligible referral suggesting a professional", body)
case_id = case_of(tok, body.get("id"))
offer = pending_offer(get_case(tok, case_id))
ok(offer and offer["professional_id"] == ash["id"], "the professional is offered the case", offer)


def link(action, expires=None, person=None):
    out = subprocess.run(KWCTL + ["link", KEY, "https://kw.example.org", action, offer["id"],
                                  person or ash["id"], expires or offer["expires_at"]],
                         capture_output=True, text=True)
    return urllib.parse.urlparse(out.stdout.strip()).path if out.returncode == 0 else None


def page(method, path, confirm=True):
    return http(method, path, raw=b"confirm=yes" if confirm else b"",
                headers={"Content-Type": "application/x-www-form-urlencoded"}) if method == "POST" \
        else http(method, path)


def state():
    case = get_case(tok, case_id)
    return case["status"], [o["status"] for o in case["offers"]]


def audit(action):
    return [r[0] for r in sql("SELECT outcome FROM audit.events WHERE action = :'p1' AND record_id = :'p2'"
                              " ORDER BY id", action, offer["id"])]


# The offer e-mail: its links, and nothing else to act with.
wait_until(lambda: mails_to(ash["email"]), 30)
offer_mails = mails_to(ash["email"])
ok(len(offer_mails) == 1, "the professional gets one offer e-mail", len(offer_mails))
text = text_of(offer_mails[0]) if offer_mails else ""
html = html_of(offer_mails[0]) if offer_mails else ""
urls = re.findall(r"https?://\S+/v1/links/[A-Za-z0-9_.-]+", text)
ok(len(urls) == 2, "its text carries two signed links", text)
accept, decline = (urllib.parse.urlparse(u).path for u in (urls + ["", ""])[:2])
ok(accept.startswith("/v1/links/") and decline.startswith("/v1/links/") and accept != decline,
   "an accept link and a decline link", urls)
ok(all('href="%s"' % u in html for u in urls[:2]), "the HTML part links the same two", html)
ok(urls and urls[0].startswith("http://" + os.environ["KW_HTTP_ADDR"] + "/"),
   "the links lead to the gateway's public URL", urls)
before = state()

# The page: what the link would do, nothing changed.
status, text, headers = page("GET", accept)
ok(status == 200 and "text/html" in headers.get("Content-Type", ""), "the link's page is HTML", (status, text))
ok("Accept this case?" in text and case_id in text and "Ash Linked" in text and 'method="post"' in text,
   "it names the case and the professional and asks to confirm", text)
ok("2015-03-02" not in text and "autism" not in text.lower() and "nhs" not in text.lower(),
   "and shows no health details, date of birth or NHS number", text)
ok(headers.get("Referrer-Policy") == "no-referrer" and "frame-ancestors 'none'" in
   headers.get("Content-Security-Policy", ""), "the page leaks no link by referrer and cannot be framed", headers)
ok(state() == before, "a GET changes nothing", state())
ok(audit("link_view") == ["ok"], "the view is audited", audit("link_view"))

# Refusals before the use: each changes nothing.
status, text, _ = page("POST", accept, confirm=False)
ok(status == 400 and state() == before, "a POST without confirm=yes is refused (400), nothing changed", status)
token_part = accept.rsplit("/", 1)[1]
flipped = token_part[:-3] + ("A" if token_part[-3] != "A" else "B") + token_part[-2:]
status, text, _ = page("POST", "/v1/links/" + flipped)
ok(status == 403 and "not valid" in text and state() == before, "a tampered link is refused (403)", (status, text))
other = professional(tok, "Bo Other", "bo.%d@example.org" % n, discipline="teacher", localities=["NR9"])
status, text, _ = page("POST", link("offer.accept", person=other["id"]))
ok(status == 403 and state() == before, "a link naming another professional is refused (403)", (status, text))
status, text, _ = page("POST", link("offer.accept", expires="2020-01-01T00:00:00Z"))
ok(status == 410 and "expired" in text and state() == before, "an expired link is refused (410)", (status, text))
status, _, _ = page("GET", "/v1/links/not-a-token")
ok(status == 403, "a malformed token is refused (403)", status)

# The confirm.
status, text, _ = page("POST", accept)
ok(status == 200 and "You have accepted the case" in text, "the confirm accepts the offer", (status, text))
ok(state() == ("active", ["accepted"]), "the case is active, the offer accepted", state())
ok(scalar("SELECT key_worker_id FROM assignment.cases WHERE id = :'p1'", case_id) == ash["id"],
   "the professional the link names is the key worker")
ok(scalar("SELECT count(*) FROM assignment.used_links WHERE offer_id = :'p1'", offer["id"]) == "1",
   "the link is recorded as used, once")

# Used: refused, nothing changes.
status, text, _ = page("POST", accept)
ok(status == 409 and "already been used" in text, "the same link again is refused (409)", (status, text))
status, text, _ = page("POST", decline)
ok(status == 409 and state() == ("active", ["accepted"]), "a decline link for the answered offer is refused (409)",
   (status, text))

outcomes = audit("link_use")
ok("ok" in outcomes and "link_used" in outcomes and "link_tampered" in outcomes and "link_expired" in outcomes,
   "every use and refusal is audited", outcomes)
ok(scalar("SELECT count(*) FROM audit.events WHERE action = 'offer_accept' AND record_id = :'p1'"
          " AND actor = :'p2'", case_id, "link:" + ash["id"]) == "1",
   "the acceptance is audited as the professional's, through the link")

# Notify's callback route: its own bearer token, never a platform token.
delivery = scalar("SELECT id FROM notification.deliveries WHERE event = 'assignment.offer_made'"
                  " AND recipient_id = :'p1'", ash["id"])
ok(delivery, "the offer e-mail's delivery", delivery)
receipt = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": delivery, "to": "x",
           "status": "delivered", "created_at": "2026-12-01T10:00:00Z", "notification_type": "email"}
status, _, _ = http("POST", "/v1/callbacks/notify", receipt)
ok(status == 401, "a receipt without the callback token is refused (401)", status)
status, _, _ = http("POST", "/v1/callbacks/notify", receipt, tok=tok)
ok(status == 401, "a platform token is not the callback token (401)", status)
callback = os.environ.get("KW_NOTIFY_CALLBACK_TOKEN_FILE") or os.path.join(VAR, "notify_callback_token")
with open(callback) as f:
    right = f.read().strip()
status, body, _ = http("POST", "/v1/callbacks/notify", receipt, tok=right[:-1] + ("x" if right[-1] != "x" else "y"))
ok(status == 401, "a token differing in its last character is refused (401)", status)
# The receipt as Notify sends it: from the local Notify protocol server.
server = subprocess.Popen(["python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools",
                                                   "notify_server.py"), "--api-key",
                           "kw_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0",
                           "--port", "0"], stdout=subprocess.PIPE, text=True)
try:
    port = int(server.stdout.readline().split()[1])
    gateway = "http://" + os.environ["KW_HTTP_ADDR"]

    def notify_sends(body, secret=right):
        order = json.dumps({"url": gateway + "/v1/callbacks/notify", "token": secret, "body": body}).encode()
        with urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/_receipt" % port, data=order,
                                                           method="POST"), timeout=30) as answer:
            return json.loads(answer.read())["status"]

    def delivery_status():
        return scalar("SELECT status FROM notification.deliveries WHERE id = :'p1'", delivery)

    wait_until(lambda: delivery_status() == "sent", 20)
    ok(notify_sends(receipt, "x" * 40) == 401 and delivery_status() == "sent",
       "a receipt Notify sends with another token is refused (401), nothing changed", delivery_status())
    ok(notify_sends(receipt) in (200, 204) and delivery_status() == "delivered",
       "a receipt Notify sends with its bearer token moves the delivery to delivered", delivery_status())
    ok(scalar("SELECT count(*) FROM audit.events WHERE action = 'receipt' AND record_id = :'p1'", delivery) == "1",
       "the change is audited")
    failed = dict(receipt, id="b4fd4ac0-66e6-4c4e-9d2c-0ef5c0a3f9a1", status="permanent-failure")
    ok(notify_sends(failed) in (200, 204) and delivery_status() == "delivered",
       "a later failure receipt never moves a delivered one back", delivery_status())
    ok(notify_sends(dict(receipt, reference="0b8e0b3c-37a5-4b52-8a43-6a1c7e9d2f10")) == 404,
       "a receipt naming no delivery is answered 404")
finally:
    server.terminate()
    server.wait()
done()
