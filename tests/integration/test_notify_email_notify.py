"""E-mail through GOV.UK Notify by a region's own Notify settings, end to
end over the real stack. Three regions, each with its own API key and its
own local Notify protocol server (tests/tools/notify_server.py: it checks
the JWT against its key, and the request body, as Notify does):
- region A maps the family's key_worker_changed_family template to a Notify
  template of its own and sends everything else by its generic template,
  and its Notify service sends receipts with A's own callback token;
- region B has only a generic template;
- region C's key file holds a key its server does not know.
For a case in A: the family's e-mail reaches A's server once, on
/v2/notifications/email, with A's mapped template, the rendered subject and
body and our template's field values as personalisation, A's reply-to
address, and the delivery id as reference; the key worker's
offer goes by A's generic template; nothing goes to the SMTP sink, nothing to
B's server; Notify's receipts (with A's token; another is refused 401)
move e-mails to delivered and failed.
For a case in B: B's generic template, signed with B's key, nothing at A.
For a case in C: Notify refuses the token (403) and the delivery fails at
once, its error naming the status."""

import random
import uuid
from kwtest import ok, done, http, nhs_number, referral, professional, case_of, get_case, pending_offer, scalar
from notifytest import notify_region, notify_settings, mails_to, delivery_row, settled, NotifyServer

rng = random.Random()
n = rng.randrange(10 ** 9)
servers = {name: NotifyServer("kw_%s" % name) for name in ("a", "b", "c")}
generic_a, mapped_a, generic_b, generic_c, reply_to_a = (str(uuid.uuid4()) for _ in range(5))
servers["a"].call("POST", "/_templates", {generic_a: ["subject", "body"],
                                          mapped_a: ["subject", "body", "key_worker.name", "recipient_name"]})
servers["b"].call("POST", "/_templates", {generic_b: ["subject", "body"]})


def region(name, notify):
    region_id = "notify-mail-%s-%d" % (name, n)
    tok = notify_region(region_id, {"offer_ttl": "1h"}, ["mail.coordinator.%s.%d@example.org" % (name, n)],
                        notify=notify)
    ok(tok, "region %s: e-mail through its own Notify settings" % name)
    return tok


callback_a = "region-a-callback-%s" % uuid.uuid4().hex
tok_a = region("a", notify_settings("notify-mail-a-%d" % n, servers["a"], callback_token=callback_a,
                                    email={"generic_template": generic_a, "reply_to_id": reply_to_a,
                                           "templates": {"key_worker_changed_family": mapped_a}}))
tok_b = region("b", notify_settings("notify-mail-b-%d" % n, servers["b"], email={"generic_template": generic_b}))
wrong = servers["c"]
wrong.key = "kw_c-%s-%s" % (uuid.uuid4(), uuid.uuid4())    # the file gets a key the server does not know
tok_c = region("c", notify_settings("notify-mail-c-%d" % n, wrong, email={"generic_template": generic_c}))


def family_case(tok, label):
    """A case whose family (e-mail only) gets a new key worker: (key worker's
    address, family's address, the family's and the offer's delivery ids)."""
    keyw = professional(tok, "Kim %s" % label.title(), "kim.%s.%d@example.org" % (label, n),
                        localities=["NR2"], max_caseload=10)
    family = "fay.%s.%d@example.org" % (label, n)
    body = referral(nhs_number(rng), suggested=keyw["email"])
    body["family"] = [{"name": "Fay %s" % label.title(), "relationship": "mother", "email": family,
                       "has_parental_responsibility": True}]
    status, created, _ = http("POST", "/v1/referrals", body, tok)
    case_id = case_of(tok, created.get("id"))
    offer = settled(lambda: pending_offer(get_case(tok, case_id)), 20) if case_id else None
    offer_delivery = settled(lambda: scalar("SELECT id FROM notification.deliveries WHERE case_id = :'p1'"
                                            " AND template = 'offer_made'", case_id)) if case_id else None
    if offer:
        http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
    ok(case_id and get_case(tok, case_id)["status"] == "active", "%s: the case has its key worker" % label)
    family_delivery = settled(lambda: scalar("SELECT id FROM notification.deliveries WHERE case_id = :'p1'"
                                             " AND template = 'key_worker_changed_family'"
                                             " AND channel = 'email'", case_id)) if case_id else None
    return keyw["email"], family, family_delivery, offer_delivery


def sent(delivery, status="sent"):
    return settled(lambda: delivery_row(delivery) and delivery_row(delivery)[0] == status, 30)


# --- region A: the mapped template and the generic one, signed with A's key
keyw_a, family_a, delivery_a, offer_a = family_case(tok_a, "alpha")
ok(sent(delivery_a) and delivery_row(delivery_a) == ("sent", 1, ""), "A: the family's e-mail is sent, once",
   delivery_row(delivery_a))
got = servers["a"].received(delivery_a)
ok(len(got) == 1 and got[0]["path"] == "/v2/notifications/email" and got[0]["status"] == 201
   and got[0]["jwt_error"] is None, "A's Notify took it once, on /v2/notifications/email, with a token of A's key", got)
body = got[0]["body"] if got else {}
ok(body.get("email_address") == family_a and body.get("template_id") == mapped_a,
   "to the family's address, with the Notify template A maps key_worker_changed_family to", body)
ok(body.get("email_reply_to_id") == reply_to_a, "naming A's reply-to address", body)
personalisation = body.get("personalisation") or {}
ok("Kim Alpha" in personalisation.get("body", "") and personalisation.get("subject"),
   "the rendered subject and body are its personalisation", personalisation)
ok(personalisation.get("key_worker.name") == "Kim Alpha" and personalisation.get("recipient_name") == "Fay Alpha",
   "with the values of our template's fields, by name, for the mapped template", personalisation)
ok(sent(offer_a) and [(r["body"]["template_id"], sorted(r["body"]["personalisation"]))
                      for r in servers["a"].received(offer_a)] == [(generic_a, ["body", "subject"])],
   "the key worker's offer goes by A's generic template, its subject and body only", servers["a"].received(offer_a))
ok(not mails_to(family_a) and not mails_to(keyw_a), "nothing of region A went to the SMTP sink")
ok(not servers["b"].received(delivery_a) and not servers["b"].received(offer_a), "nothing of A reached B's Notify")

# --- receipts for e-mail, with region A's own callback token: delivered, and a permanent failure
notify_id = got[0].get("id") if got else None
ok(servers["a"].receipt(delivery_a, notify_id, "delivered", "email", family_a, bearer=callback_a[:-1] + "x") == 401
   and delivery_row(delivery_a)[0] == "sent", "a receipt with a token neither the deployment's nor a region's: 401",
   delivery_row(delivery_a))
ok(servers["a"].receipt(delivery_a, notify_id, "delivered", "email", family_a, bearer=callback_a) == 200
   and delivery_row(delivery_a)[0] == "delivered",
   "Notify's e-mail receipt with region A's callback token moves the delivery to delivered", delivery_row(delivery_a))
offer_id = (servers["a"].received(offer_a) or [{}])[0].get("id")
ok(servers["a"].receipt(offer_a, offer_id, "permanent-failure", "email", keyw_a) == 200
   and delivery_row(offer_a)[:1] == ("failed",) and "permanent-failure" in delivery_row(offer_a)[2],
   "a permanent-failure receipt fails it, naming Notify's status", delivery_row(offer_a))

# --- region B: its generic template, its own key
keyw_b, family_b, delivery_b, offer_b = family_case(tok_b, "beta")
ok(sent(delivery_b), "B: the family's e-mail is sent", delivery_row(delivery_b))
got = servers["b"].received(delivery_b)
ok(len(got) == 1 and got[0]["jwt_error"] is None and got[0]["body"].get("template_id") == generic_b
   and "email_reply_to_id" not in got[0]["body"], "B's Notify took it, signed with B's key, with B's generic"
   " template and no reply-to", got)
ok(not servers["a"].received(delivery_b), "nothing of B reached A's Notify")

# --- region C: a key Notify does not know is refused, and the delivery fails at once
keyw_c, family_c, delivery_c, offer_c = family_case(tok_c, "gamma")
ok(sent(delivery_c, "failed"), "C: the family's e-mail fails", delivery_row(delivery_c))
status, attempts, error = delivery_row(delivery_c) or (None, None, "")
ok(attempts == 1 and "403" in error and family_c not in error, "after one attempt, its error naming the status",
   delivery_row(delivery_c))
got = wrong.received(delivery_c)
ok(len(got) == 1 and got[0]["jwt_error"], "C's server refused the token", got)

for server in servers.values():
    server.stop()
done()
