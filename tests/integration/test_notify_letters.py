"""Letters through GOV.UK Notify and the family's preferred contact, end to
end over the real stack. A region sending e-mail (SMTP), text messages and
letters, the last two through its own Notify settings and a local Notify
protocol server (tests/tools/notify_server.py, which checks the token and
refuses an address Notify would refuse). The referral's family:
- Pia chose post (and has e-mail and phone too): a letter only, to her
  address lines, by the region's generic letter template; Notify's
  receipt moves it to delivered;
- Sid chose sms: a text message only;
- Nell has only a postal address and chose nothing: a letter;
- Ed chose email, but his stored preferences (PUT
  /v1/contacts/{id}/preferences) say sms: a text message only;
- Abe chose post, his address's last line no postcode: Notify refuses it
  (400), the delivery fails at once, its error naming the status and no
  part of the address.
And the referral's checks: an address of two lines, or post chosen without
an address, is refused 400 naming the field."""

import random
import uuid
from kwtest import ok, done, http, nhs_number, referral, professional, case_of, get_case, pending_offer, sql
from notifytest import notify_region, notify_settings, mails_to, delivery_row, settled, contact_id, NotifyServer

rng = random.Random()
n = rng.randrange(10 ** 9)
server = NotifyServer("kw_letters")
letter_template, sms_template = str(uuid.uuid4()), str(uuid.uuid4())
server.call("POST", "/_templates", {letter_template: ["body", "address_line_1", "address_line_2", "address_line_3"],
                                    sms_template: ["body"]})
REGION = "notify-letters-%d" % n
tok = notify_region(REGION, {"offer_ttl": "1h"}, ["letters.coordinator.%d@example.org" % n],
                    channels=["email", "sms", "letter"],
                    notify=notify_settings(REGION, server, sms={"generic_template": sms_template},
                                           letter={"generic_template": letter_template}))
ok(tok, "a test region sending e-mail, text messages and letters")
keyw = professional(tok, "Lou Lettered", "lou.%d@example.org" % n, localities=["NR2"], max_caseload=10)

# --- the referral's checks
def refused(family, field):
    body = referral(nhs_number(rng))
    body["family"] = [dict({"name": "Rae Refused", "relationship": "mother"}, **family)]
    status, answer, _ = http("POST", "/v1/referrals", body, tok)
    errors = answer.get("error", {}).get("errors", []) if isinstance(answer, dict) else []
    fields = [e.get("field") for e in errors]
    return status == 400 and field in fields, (status, answer)

result, diag = refused({"address": ["1 Lane", "NR2 3TU"]}, "family[0].address")
ok(result, "an address of two lines is refused, naming family[0].address", diag)
result, diag = refused({"preferred_contact": "post", "email": "rae.%d@example.org" % n},
                       "family[0].preferred_contact")
ok(result, "post chosen without an address is refused, naming family[0].preferred_contact", diag)

# --- Ed's stored preferences win over his referral's choice
ed_email = "ed.%d@example.org" % n
status, _, _ = http("PUT", "/v1/contacts/%s/preferences" % contact_id(ed_email), {"channels": ["sms"]}, tok)
ok(status == 200, "Ed's stored preferences: text messages", status)

people = {
    "pia": {"email": "pia.%d@example.org" % n, "phone": "07700900401", "preferred_contact": "post",
            "address": ["Pia Post", "1 Letter Lane", "Norwich", "NR2 3TU"]},
    "sid": {"email": "sid.%d@example.org" % n, "phone": "07700900402", "preferred_contact": "sms",
            "address": ["Sid Sms", "2 Letter Lane", "NR2 3TU"]},
    "nell": {"address": ["Nell Nomail", "3 Letter Lane", "Norwich", "NR2 3TU"]},
    "ed": {"email": ed_email, "phone": "07700900404", "preferred_contact": "email"},
    "abe": {"email": "abe.%d@example.org" % n, "preferred_contact": "post",
            "address": ["Abe Abroad", "4 Letter Lane", "Nowhere Land"]},
}
body = referral(nhs_number(rng), suggested=keyw["email"])
body["family"] = [dict({"name": name.title(), "relationship": "carer"}, **fields) for name, fields in people.items()]
status, created, _ = http("POST", "/v1/referrals", body, tok)
ok(status == 201, "the referral with the family's addresses and choices is taken", (status, created))
case_id = case_of(tok, created.get("id"))
offer = settled(lambda: pending_offer(get_case(tok, case_id))) if case_id else None
if offer:
    http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
ok(case_id and get_case(tok, case_id)["status"] == "active", "the case has its key worker")


def family_rows():
    """{recipient_id: [(channel, status, delivery id)]} of the family's key_worker_changed deliveries
    (not those recorded as suppressed: a channel the person has no address for)."""
    rows = {}
    for recipient, channel, status, delivery in sql(
            "SELECT recipient_id, channel, status, id FROM notification.deliveries WHERE case_id = :'p1'"
            " AND template = 'key_worker_changed_family' AND status <> 'suppressed' ORDER BY channel", case_id):
        rows.setdefault(recipient, []).append((channel, status, delivery))
    return rows


def recipient(name):
    fields = people[name]
    return contact_id(fields.get("email") or fields.get("phone") or "\n".join(fields["address"]))


def settled_rows():
    rows = family_rows()
    return rows if len(rows) == 5 and all(s in ("sent", "failed") for r in rows.values() for _, s, _ in r) else None


rows = settled(settled_rows, 30) or family_rows()
channels = {name: [c for c, _, _ in rows.get(recipient(name), [])] for name in people}
ok(channels == {"pia": ["letter"], "sid": ["sms"], "nell": ["letter"], "ed": ["sms"], "abe": ["letter"]},
   "each is told once, on the channel chosen: post, sms, a letter for the one with only an address,"
   " the stored preference over the referral's", channels)
ok(not mails_to(people["pia"]["email"]) and not mails_to(ed_email), "no e-mail to those who chose otherwise")


def delivery(name):
    return (rows.get(recipient(name)) or [(None, None, None)])[0]


# --- Pia's letter: her address lines, the generic letter template, the body
_, status, pia = delivery("pia")
got = server.received(pia)
ok(status == "sent" and len(got) == 1 and got[0]["path"] == "/v2/notifications/letter" and got[0]["status"] == 201
   and got[0]["jwt_error"] is None, "Pia's letter reached Notify once, on /v2/notifications/letter", got)
personalisation = got[0]["body"].get("personalisation", {}) if got else {}
lines = [personalisation.get("address_line_%d" % i) for i in range(1, 5)]
ok(lines == people["pia"]["address"] and "address_line_5" not in personalisation,
   "its address_line_1..4 are her address's lines", personalisation)
ok(got and got[0]["body"].get("template_id") == letter_template and "Lou Lettered" in personalisation.get("body", ""),
   "by the region's generic letter template, the rendered letter as ((body))", got)
ok(got and server.receipt(pia, got[0].get("id"), "received", "letter", "") == 200
   and delivery_row(pia)[0] == "delivered", "Notify's letter receipt (received) moves it to delivered",
   delivery_row(pia))

# --- Sid's and Ed's text messages
for name in ("sid", "ed"):
    _, status, sms = delivery(name)
    got = server.received(sms)
    ok(status == "sent" and [r["path"] for r in got] == ["/v2/notifications/sms"]
       and got[0]["body"].get("phone_number") == people[name]["phone"], "%s's text message reached Notify" % name, got)

# --- Nell: a letter
_, status, nell = delivery("nell")
ok(status == "sent" and [r["path"] for r in server.received(nell)] == ["/v2/notifications/letter"],
   "Nell, with only an address, gets a letter", server.received(nell))

# --- Abe: an address Notify refuses
_, status, abe = delivery("abe")
state, attempts, error = delivery_row(abe) or (None, None, "")
ok((state, attempts) == ("failed", 1) and "400" in error, "Abe's letter is refused by Notify: failed at once",
   delivery_row(abe))
ok(not any(part.lower() in error.lower() for part in people["abe"]["address"]),
   "its error holds no part of the address", error)
ok([r["status"] for r in server.received(abe)] == [400], "Notify was asked once", server.received(abe))

server.stop()
done()
