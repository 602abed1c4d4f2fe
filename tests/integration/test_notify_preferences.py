"""A recipient's preferences, end to end: GET/PUT
/v1/contacts/{id}/preferences with their checks (each bad field named, a
key worker only their own, another region's contact not found, every read
and write audited); an opt-out suppresses the messages that allow it but
never an offer nor the coordinator's; quiet hours in the region's time zone
hold a message until they end while an urgent one (an offer) goes at once;
and the end of quiet hours is computed in the zone's wall time across the
spring and autumn clock changes."""

import hashlib
import random
from kwtest import (ok, done, token, http, scalar, sql, nhs_number, referral, professional, case_of, get_case,
                    pending_offer, wait_until, caught_up)
from notifytest import notify_region, mails_to, settled

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-prefs-%d" % n
COORDINATOR = "prefs.coordinator.%d@example.org" % n
tok = notify_region(REGION, {"offer_ttl": "1h", "refusals_before_waiting": 5}, [COORDINATOR])


def email(label):
    return "%s.%d@example.org" % (label, n)


def contact_id(address):
    """The pseudonym notification gives an address (BLAKE2b, 12 bytes)."""
    return "contact-" + hashlib.blake2b(address.encode(), digest_size=12).hexdigest()


def put(contact, body, as_tok=tok):
    return http("PUT", "/v1/contacts/%s/preferences" % contact, body, as_tok)


# --- the checks
for body, field in [({"channels": ["pigeon"]}, "channels"), ({"channels": ["email", "email"]}, "channels"),
                    ({"channels": ["email", "sms", "webhook", "email"]}, "channels"),
                    ({"quiet_from": "22:00"}, "quiet_to"), ({"quiet_to": "07:00"}, "quiet_from"),
                    ({"quiet_from": "25:00", "quiet_to": "07:00"}, "quiet_from"),
                    ({"quiet_from": "22:00", "quiet_to": "7am"}, "quiet_to"),
                    ({"opted_out": "yes"}, "opted_out")]:
    status, answer, _ = put(contact_id(email("x")), body)
    errors = answer.get("error", {}).get("errors") or [answer.get("error", {})]
    ok(status == 400 and field in [e.get("field") for e in errors], "PUT %s is 400 naming %s" % (body, field), answer)
status, answer, _ = put("bad%20id%21", {"channels": ["email"]})
ok(status in (400, 404) and status != 500, "a contact id that is not one is refused", (status, answer))

keyw = professional(tok, "Kim Keyworker", email("kim"), localities=["NR2"], max_caseload=10)
mine = token(role="key_worker", region=REGION, sub=keyw["email"], professional_id=keyw["id"])
status, own, _ = put(keyw["id"], {"opted_out": True}, mine)
ok(status == 200 and own["opted_out"] is True and own["id"] == keyw["id"], "a key worker opts out of their own", own)
status, body, _ = put(contact_id(email("family")), {"opted_out": True}, mine)
ok(status == 403 and body["error"]["field"] == "id", "but may not set another's", body)
other = token(region="nhse", sub="nhse-prefs-%d" % n)
status, body, _ = http("GET", "/v1/contacts/%s/preferences" % keyw["id"], tok=other)
ok(status == 404, "another region's coordinator does not find them", body)
status, body, _ = put(keyw["id"], {"opted_out": False}, other)
ok(status == 404, "nor may change them", body)
status, got, _ = http("GET", "/v1/contacts/%s/preferences" % keyw["id"], tok=tok)
ok(status == 200 and got["opted_out"] is True, "the region's coordinator reads them", got)
ok(int(scalar("SELECT count(*) FROM audit.events WHERE record_type = 'preferences' AND record_id = :'p1'",
              keyw["id"])) >= 4, "reads and writes are audited")
status, fresh, _ = http("GET", "/v1/contacts/%s/preferences" % contact_id(email("nobody")), tok=tok)
ok(status == 200 and fresh.get("opted_out") is False and not fresh.get("channels"),
   "a contact with no preferences reads as the table's", fresh)

# --- opt-out and quiet hours applied
FAMILY, TEAM = email("family"), email("team")
now_local = sql("SELECT to_char (now () AT TIME ZONE 'Europe/London' - interval '1 hour', 'HH24:MI'),"
                " to_char (now () AT TIME ZONE 'Europe/London' + interval '2 hours', 'HH24:MI')")[0]
status, quiet, _ = put(contact_id(FAMILY), {"quiet_from": now_local[0], "quiet_to": now_local[1]})
ok(status == 200 and quiet["quiet_from"] == now_local[0], "the family's quiet hours cover now", quiet)
status, out, _ = put(contact_id(TEAM), {"opted_out": True})
ok(status == 200, "a team member opts out", out)

body = referral(nhs_number(rng))
body["family"] = [{"name": "Fran Family", "relationship": "mother", "email": FAMILY}]
body["professionals"][0]["email"] = TEAM
status, created, _ = http("POST", "/v1/referrals", body, tok)
case_id = case_of(tok, created.get("id"))
offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
ok(offer and offer["professional_id"] == keyw["id"], "the only professional is offered the case", offer)
ok(settled(lambda: len(mails_to(keyw["email"])) == 1), "the offer reaches them although they opted out")
status, active, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, tok)
ok(status == 200, "they accept")
ok(settled(lambda: len(mails_to(COORDINATOR)) == 1), "the coordinator is told (it cannot be refused)")
caught_up()


def row(template, recipient):
    r = sql("SELECT status, coalesce (last_error, ''), next_attempt_at > now () + interval '30 minutes',"
            " next_attempt_at = notification.quiet_until (created_at, 'Europe/London', :'p3'::time, :'p4'::time)"
            " FROM notification.deliveries WHERE case_id = :'p1' AND recipient_id = :'p2' AND template = '%s'"
            % template, case_id, recipient, now_local[0], now_local[1])
    return r[0] if r else None


ok(wait_until(lambda: row("key_worker_changed_new", keyw["id"]), 10) ==
   ["suppressed", "the recipient opted out of this message", "f", "f"],
   "the key worker's own news is suppressed: they opted out", row("key_worker_changed_new", keyw["id"]))
ok(row("key_worker_changed_team", contact_id(TEAM))[:2] == ["suppressed", "the recipient opted out of this message"],
   "so is the team member's", row("key_worker_changed_team", contact_id(TEAM)))
held = row("key_worker_changed_family", contact_id(FAMILY))
ok(held == ["pending", "", "t", "t"], "the family's is held until their quiet hours end", held)
wait_until(lambda: False, 1.5)
ok(mails_to(FAMILY) == [] and mails_to(TEAM) == [] and len(mails_to(keyw["email"])) == 1,
   "and none of them is sent", (len(mails_to(FAMILY)), len(mails_to(TEAM)), len(mails_to(keyw["email"]))))

# --- the end of quiet hours across a clock change (Europe/London, 2026)
for at, q_from, q_to, want, what in [
        ("2026-03-28 22:30+00", "21:00", "08:00", "2026-03-29 07:00:00+00", "the night the clocks go forward"),
        ("2026-10-24 22:30+00", "21:00", "08:00", "2026-10-25 08:00:00+00", "the night the clocks go back"),
        ("2026-03-29 05:00+00", "21:00", "08:00", "2026-03-29 07:00:00+00", "early on the morning after"),
        ("2026-06-01 12:00+00", "21:00", "08:00", "2026-06-01 12:00:00+00", "outside quiet hours: at once"),
        ("2026-06-01 12:30+00", "13:00", "14:00", "2026-06-01 13:00:00+00", "a daytime window: 13:30 BST is in it"),
        ("2026-06-01 12:00+00", None, None, "2026-06-01 12:00:00+00", "no quiet hours")]:
    got = scalar("SELECT notification.quiet_until (:'p1'::timestamptz, 'Europe/London', NULLIF (:'p2', '')::time,"
                 " NULLIF (:'p3', '')::time) AT TIME ZONE 'UTC'", at, q_from or "", q_to or "")
    ok(got and got + "+00" == want, "quiet hours end: %s" % what, (at, got))
done()
