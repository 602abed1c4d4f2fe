"""One case's whole life, referral to closure, through the API only, on the
real stack: after each step every message that arrived (the SMTP sink's
e-mails by Message-ID, the local GOV.UK Notify server's text messages by
reference, the webhook receiver's calls by X-KW-Webhook-Id) is compared
with the step's own list of expected messages (recipient, channel,
subject or template), written out here and not derived from the table
(deploy/notifications/table.json), so a missing or an extra row fails.
At the end every message arrived exactly once, and every invitation
parses with Debian's python3-icalendar: METHOD REQUEST then CANCEL, the
meeting's UID kept across the reschedule, SEQUENCE rising.

The case: a referral naming a referrer, professionals and two family
members, one with an e-mail and a mobile number, one who chose post (and
has an e-mail), in a region sending e-mail, text messages, letters (text
messages and letters through its own GOV.UK Notify settings, a local
server speaking Notify's protocol) and webhooks; more information needed
(the referrer told), then eligible; offered to the suggested key worker,
who accepts; a team member joins; a coordinator's offer changes the key
worker (GOV.UK Notify refuses that text message: the coordinators are
told); the new key worker's absence (cover started and ended); a meeting
booked, rescheduled, declined by an optional participant and by a required
one through the decline link of their e-mail (page, then confirm); a
second meeting booked and cancelled; the outcome of the first writes the
plan (no update of the meeting: the plan tells), an action completed
updates it; the sweep finds the review due and an action overdue; the
child is re-rated on the Dynamic Support Register (a change keeping the
rating tells nobody); the age-out sweep finds the transition to adult
services due; a third meeting is hit by a required participant's absence
(the coordinators and the key worker told, no participant); the case
closes.

The lists are the table as it stands (deploy/notifications/table.json,
docs/notifications.md): a row added, removed or changed changes the step it
belongs to and fails here until the step's list says so."""

import atexit
import collections
import datetime
import email
import json
import os
import random
import re
import subprocess
import time
import urllib.parse
import urllib.request
import icalendar
from kwtest import ok, done, token, http, sql, nhs_number, referral, professional, case_of, get_case, \
    pending_offer, wait_until, caught_up, sink_messages, born, region_day
from notifytest import notify_region, notify_settings, text_of, NotifyServer

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "life-%d" % n
TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools")
FULL_TIME = {d: ["09:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
QUIET_S = 2.0


def addr(label):
    return "%s.%d@example.org" % (label, n)


def utc(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(offset):
    return region_day(offset)


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


# --- the region: e-mail, text messages, letters and one webhook subscriber
secret = os.path.join(os.environ["KW_REGION_DIR"], "life-%d.secret" % n)
with open(secret, "w") as f:
    f.write("%064x\n" % rng.getrandbits(256))
hook = subprocess.Popen(["python3", os.path.join(TOOLS, "webhook_receiver.py"), "--secret-file", secret],
                        stdout=subprocess.PIPE, text=True)
atexit.register(hook.terminate)
HOOK = "http://127.0.0.1:%s" % hook.stdout.readline().split()[1]
COORDINATOR = addr("coordinator")
PHONE = "07700%06d" % (n % 10 ** 6)


def with_webhook(doc):
    doc["notification"]["webhooks"] = [{"id": "agency", "url": HOOK + "/hook", "secret_file": os.path.basename(secret),
                                        "events": ["assignment.key_worker_changed"]}]


# Text messages and letters through the region's own Notify settings: a
# local server speaking Notify's protocol, each template's fields checked.
notify = NotifyServer("kw_life")
atexit.register(notify.stop)
SMS_TEMPLATE, LETTER_TEMPLATE = "0b6f1c52-8d0e-4c43-9a57-3f2e8d1b7a60", "7c3e9a14-2b5d-4f68-8e01-c9d4a7b6e352"
notify.call("POST", "/_templates", {SMS_TEMPLATE: ["body"],
                                    LETTER_TEMPLATE: ["body", "address_line_1", "address_line_2", "address_line_3"]})
tok = notify_region(REGION, {"offer_ttl": "1h", "long_absence": "28d"}, [COORDINATOR], change=with_webhook,
                    channels=["email", "sms", "letter", "webhook"],
                    notify=notify_settings(REGION, notify, sms={"generic_template": SMS_TEMPLATE},
                                           letter={"generic_template": LETTER_TEMPLATE}))
admin = token(role="admin", region=REGION, sub="life-admin")


def pro(name, label, **fields):
    return professional(tok, name, addr(label), working_hours=FULL_TIME, **fields)


dee = pro("Dee Deputy", "dee")
kim = pro("Kim First", "kim", deputy_id=dee["id"])
dan = pro("Dan Deputy", "dan", discipline="teacher")
kay = pro("Kay Second", "kay", deputy_id=dan["id"])
tom = pro("Tom Team", "tom", discipline="occupational_therapist")
PAT = addr("pat")
GRAN = addr("gran")
GRAN_POST = ["Gran Post", "5 Letter Lane", "Norwich", "NR2 3TU"]
FAMILY = [PAT, GRAN]
REFERRER = addr("referrer")


def key_worker_token(p):
    return token(role="key_worker", region=REGION, sub=p["email"], professional_id=p["id"])


# --- what arrived: (key, recipient, channel, marker)
parsed = []             # the sink's messages read so far: each parsed, or None when not to this run


def our_mails():
    """The sink's messages to this run's addresses, each parsed once (the
    sink holds every test's)."""
    ours = "%d@example.org" % n
    for _, raw in sink_messages(skip=len(parsed)):
        m = email.message_from_bytes(raw)
        parsed.append(m if any(to.endswith(ours) for to in m.get_all("Delivered-To", [])) else None)
    return [m for m in parsed if m is not None]



def posted_to(body):
    """Who a Notify send is to: the phone number, or a letter's address
    lines joined by " / "."""
    if "phone_number" in body:
        return body["phone_number"]
    fields = body.get("personalisation") or {}
    return " / ".join(fields["address_line_%d" % i] for i in range(1, 8) if fields.get("address_line_%d" % i))


def arrived():
    """Every message of this run that reached a recipient so far: e-mails
    (key: Message-ID; marker: the subject), text messages and letters Notify
    took (201; key: reference; recipient: the number or the address lines;
    marker: the delivery's template) and webhook calls taken (204) or taken
    again (200, a repeat of an id) (key: X-KW-Webhook-Id; marker: the event)."""
    out = []
    for m in our_mails():
        for to in m.get_all("Delivered-To", []):
            out.append((str(m["Message-ID"]), to, "email", str(m["Subject"])))
    sends = [r for r in notify.received() if r.get("status") == 201]
    templates = dict(sql("SELECT id::text, template FROM notification.deliveries"
                         " WHERE id::text = ANY (:'p1'::text[])",
                         "{" + ",".join(r["body"]["reference"] for r in sends) + "}")) if sends else {}
    for r in sends:
        out.append((r["body"]["reference"], posted_to(r["body"]), r["path"].rsplit("/", 1)[1],
                    templates.get(r["body"]["reference"], "?")))
    for r in get_json(HOOK + "/_received"):
        if r.get("status") in (200, 204):
            out.append((r["id"], "agency", "webhook", json.loads(r["body"]).get("event", "?")))
    return out


def busy():
    """Deliveries of this region's cases not yet final."""
    return sql("SELECT count(*) FROM notification.deliveries d WHERE d.status IN ('pending', 'sending')"
               " AND d.region = :'p1'", REGION)[0][0] != "0"


def matches(marker, subject):
    return subject.startswith(marker[:-1]) if marker.endswith("*") else subject == marker


def compare(expected, got):
    """Pair each expected (recipient, channel, marker) with one message got;
    a marker ending in * is a prefix. Returns (missing, extra)."""
    left = list(got)
    missing = []
    for who, channel, marker in sorted(expected, key=lambda e: e[2].endswith("*")):
        i = next((i for i, g in enumerate(left) if g[1] == who and g[2] == channel and matches(marker, g[3])),
                 None)
        if i is None:
            missing.append((who, channel, marker))
        else:
            left.pop(i)
    return missing, left


seen = collections.Counter()
expected_total = 0


def step(name, expected):
    """Wait for quiet, then the messages that arrived since the last step
    must be exactly expected: [(recipient, channel, subject or template)]."""
    global seen, expected_total
    expected_total += len(expected)

    def new():
        now = collections.Counter(arrived())
        return list((now - seen).elements()), now
    wait_until(lambda: len(new()[0]) >= len(expected) and not busy(), 30, 0.3)
    caught_up()
    while True:
        before = new()[1]
        time.sleep(QUIET_S)
        got, now = new()
        if now == before and not busy():
            break
    missing, extra = compare(expected, got)
    ok(not missing and not extra, "%s: %d messages, each to whom the table says" % (name, len(expected)),
       "missing %s\nextra %s" % (missing, [g[1:] for g in extra]))
    seen = now
    return got


def expect_ok(answer, what, status=200):
    ok(answer[0] == status, what, answer[1])
    return answer[1]


# --- referral: first without the child's GP practice (more information
# needed), then eligible with it, offered to the key worker the family suggests
dob = born(18, 60)
nhs = nhs_number(rng)
body = referral(nhs, dob=dob, suggested=kim["email"])
body["referrer"]["email"] = REFERRER
body["family"] = [{"name": "Pat Parent", "relationship": "mother", "email": PAT, "phone": PHONE,
                   "has_parental_responsibility": True},
                  {"name": "Gran Post", "relationship": "grandparent", "email": GRAN, "preferred_contact": "post",
                   "address": GRAN_POST}]
del body["child"]["gp_practice"]
created = expect_ok(http("POST", "/v1/referrals", body, tok), "a referral with a family, a referrer and"
                    " professionals, without the child's GP practice", 201)
R = created.get("id")
waiting = wait_until(lambda: http("GET", "/v1/referrals/%s" % R, tok=tok)[1].get("status") == "more_information_needed",
                     15)
ok(waiting, "more information is needed")
step("more information needed", [(REFERRER, "email", "More information needed for referral %s" % R)])
expect_ok(http("POST", "/v1/referrals/%s/information" % R, {"child": {"gp_practice": "D82001"}}, tok),
          "the referrer adds the GP practice")
case_id = case_of(tok, R)
offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 15)
ok(case_id and offer and offer["professional_id"] == kim["id"], "eligible: a case, offered to the suggested"
   " key worker", offer)
C = case_id
step("referral eligible", [(kim["email"], "email", "Key worker offer for case %s" % C)])

# --- the offer accepted
expect_ok(http("POST", "/v1/cases/%s/offers/%s/accept" % (C, offer["id"]), None, key_worker_token(kim)),
          "the key worker accepts")
# The family member who chose post gets the letter row and no e-mail (the
# rows of an event with no letter row reach her by e-mail, the table's).
KW_CHANGED_FAMILY = [(PAT, "email", "Your key worker"), (PHONE, "sms", "key_worker_changed_family"),
                     (" / ".join(GRAN_POST), "letter", "key_worker_changed_family"),
                     (COORDINATOR, "email", "Case %s has a key worker" % C),
                     ("agency", "webhook", "assignment.key_worker_changed")]
step("accepted", [(kim["email"], "email", "You are the key worker of case %s" % C),
                  (dee["email"], "email", "Case %s has a new key worker" % C)] + KW_CHANGED_FAMILY)

# --- a team member joins: no message
expect_ok(http("POST", "/v1/cases/%s/team" % C, {"professional_id": tom["id"]}, tok), "a team member joins", 201)
step("team member added", [])

# --- a coordinator's offer changes the key worker
changing = expect_ok(http("POST", "/v1/cases/%s/offers" % C, {"professional_id": kay["id"],
                                                             "reason": "closer to the family"}, tok),
                     "a coordinator offers the case to another key worker", 201)
offer = pending_offer(changing)
step("change offered", [(kay["email"], "email", "Key worker offer for case %s" % C)])
# GOV.UK Notify refuses the family's text message this time (400): the
# delivery fails at once and the coordinators are told (the dead letter).
notify.call("POST", "/_next", {"statuses": [400], "kind": "sms"})
expect_ok(http("POST", "/v1/cases/%s/offers/%s/accept" % (C, offer["id"]), None, key_worker_token(kay)),
          "who accepts")
undelivered = 1
step("key worker changed", [(kay["email"], "email", "You are the key worker of case %s" % C),
                            (kim["email"], "email", "Case %s has a new key worker" % C),
                            (dan["email"], "email", "Case %s has a new key worker" % C),
                            (tom["email"], "email", "Case %s has a new key worker" % C),
                            (COORDINATOR, "email", "A message about case %s could not be delivered" % C)]
     + [m for m in KW_CHANGED_FAMILY if m[1] != "sms"])

# --- the key worker's absence, wholly past: cover started and ended at once
absence = expect_ok(http("POST", "/v1/professionals/%s/absences" % kay["id"],
                         {"from": utc(-7200), "to": utc(-3600), "reason": "training"}, tok),
                    "the key worker was absent", 201)
step("absence", [(dan["email"], "email", "You cover case %s from *" % C),
                 (PAT, "email", "Who to contact while your key worker is away"),
                 (GRAN, "email", "Who to contact while your key worker is away"),
                 (tom["email"], "email", "Cover for case %s from *" % C),
                 (dan["email"], "email", "Your cover of case %s has ended" % C),
                 (PAT, "email", "Your key worker is back"),
                 (GRAN, "email", "Your key worker is back"),
                 (tom["email"], "email", "Cover for case %s has ended" % C)])

# --- a meeting: booked, rescheduled, declined
kay_tok, tom_tok, dan_tok = key_worker_token(kay), key_worker_token(tom), key_worker_token(dan)
# The family is one participant of a meeting: its first member with an e-mail.
PARTICIPANTS = [kay["email"], PAT, tom["email"], dan["email"]]


def to_all(subject):
    return [(a, "email", subject) for a in PARTICIPANTS]


invitations = {}        # meeting id -> [(step, METHOD of the part, calendar)]


def calendars(got, meeting_id, label):
    for key, who, channel, subject in got:
        if channel != "email" or meeting_id not in subject:
            continue
        message = next(m for m in our_mails() if str(m["Message-ID"]) == key)
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                invitations.setdefault(meeting_id, []).append((label, who, part.get_param("method"), cal))


book = {"type": "planning", "duration_minutes": 60, "earliest": day(1), "latest": day(21),
        "required": ["key_worker", "family", tom["id"]], "optional": [dan["id"]]}
meeting = expect_ok(http("POST", "/v1/cases/%s/meetings" % C, book, kay_tok), "a meeting of four is booked", 201)
M = meeting.get("id", "")
ok(sorted(p.get("email") for p in meeting.get("participants", [])) == sorted(PARTICIPANTS),
   "its participants: the key worker, the family (its first member), the team member, the deputy", meeting.get("participants"))
calendars(step("meeting booked", to_all("Invitation: key worker meeting %s" % M)), M, "booked")
moved = expect_ok(http("POST", "/v1/meetings/%s/reschedule" % M, {"earliest": day(22), "latest": day(42)}, tok),
                  "the meeting is rescheduled")
calendars(step("meeting rescheduled", to_all("Updated: key worker meeting %s" % M)), M, "rescheduled")
expect_ok(http("POST", "/v1/meetings/%s/responses" % M, {"response": "declined"}, dan_tok),
          "the optional participant declines")
step("optional participant declined", [])
# The team member, required, declines through the decline link of the
# updated invitation's e-mail alone: its page, then the confirm.
LINK = re.compile(r"https?://\S+/v1/meeting-links/[A-Za-z0-9_.-]+")
updated = [m for m in our_mails() if tom["email"] in m.get_all("Delivered-To", [])
           and str(m["Subject"]) == "Updated: key worker meeting %s" % M]
links = LINK.findall(text_of(updated[0])) if len(updated) == 1 else []
ok(len(links) == 2, "the team member's updated invitation carries an attend and a decline link", links)
decline = urllib.parse.urlparse(links[1]).path if links else "/v1/meeting-links/none"


def responses():
    got = http("GET", "/v1/meetings/%s" % M, tok=tok)[1]
    return {p["id"]: p.get("response") for p in got.get("participants", [])}


before = responses()
status, page, _ = http("GET", decline)
ok(status == 200 and "Decline this meeting?" in page and C in page and responses() == before,
   "the decline link's page names the case and asks to confirm, changing nothing", (status, page))
status, page, _ = http("POST", decline, raw=b"confirm=yes", headers={"Content-Type": "application/x-www-form-urlencoded"})
ok(status == 200 and "declined" in page, "the confirm records the decline", (status, page))
ok(responses().get(tom["id"]) == "declined" and responses().get(dan["id"]) == "declined",
   "the meeting shows the team member declined, through the link", responses())
step("required participant declined through the link",
     [(COORDINATOR, "email", "A required participant declined meeting %s" % M)])

# --- a second meeting, booked and cancelled
second = expect_ok(http("POST", "/v1/cases/%s/meetings" % C, book, kay_tok), "a second meeting is booked", 201)
M2 = second.get("id", "")
calendars(step("second meeting booked", to_all("Invitation: key worker meeting %s" % M2)), M2, "booked")
expect_ok(http("POST", "/v1/meetings/%s/cancel" % M2, {"reason": "a date that suits everyone is found"}, tok),
          "and cancelled")
calendars(step("second meeting cancelled", to_all("Cancelled: key worker meeting %s" % M2)), M2, "cancelled")

# --- the outcome writes the plan; an action completed updates it
held = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=170)).strftime("%Y-%m-%dT%H:%M:%SZ")
outcome = {"held_at": held, "attended": [kay["id"], "family", tom["id"]], "notes": "Agreed the first steps.",
           "actions": [{"description": "Send the therapy report", "owner": tom["id"], "due": day(-1)},
                       {"description": "Keep a sleep diary", "owner": "family", "due": day(10)},
                       {"description": "Book the respite visit", "owner": kay["id"], "due": day(20)}]}
plan = expect_ok(http("POST", "/v1/meetings/%s/outcome" % M, outcome, kay_tok), "the outcome writes the plan")
PLAN = "Your Family Service Plan has been updated"
respite = [a for a in plan.get("actions", []) if a["description"] == "Book the respite visit"]
expect_ok(http("POST", "/v1/plan-actions/%s/complete" % (respite[0]["id"] if respite else "none"), {}, kay_tok),
          "the key worker completes an action")
# The scheduling service sweeps by itself too (KW_SCHEDULING_SWEEP_MS): the
# review and the overdue action may be found before the admin's sweep, so
# the outcome, the action and the sweep are one step.
expect_ok(http("POST", "/v1/admin/scheduling/sweep", None, admin), "an admin runs the scheduling sweep")
caught_up()
current = http("GET", "/v1/cases/%s/plan" % C, tok=kay_tok)[1]
overdue = [a["id"] for a in current.get("actions", []) if a["status"] == "overdue"]
ok(len(overdue) == 1, "one action is overdue", current)
OVERDUE = "Plan action %s of case %s is overdue" % (overdue[0] if overdue else "", C)
# The meeting held is told by the plan (to the family), not as an update of the meeting.
calendars(step("outcome, an action completed, the sweep",
               [(a, "email", PLAN) for a in FAMILY for _ in ("outcome", "action completed")]
               + [(kay["email"], "email", "Review due for case %s" % C),
                  (COORDINATOR, "email", "Review due for case %s" % C),
                  (tom["email"], "email", OVERDUE), (kay["email"], "email", OVERDUE),
                  (COORDINATOR, "email", OVERDUE)]), M, "held")
expect_ok(http("POST", "/v1/admin/scheduling/sweep", None, admin), "the sweep again")
step("sweep again", [])

# --- the Dynamic Support Register: the child's first rating, then a re-rating
HEADER = ("dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode,learning_disability,autism,rag,"
          "rag_effective_date,inpatient,consent_basis,lead_professional_email,cetr_last,cetr_next\r\n")
feed = token(role="dsr_feed", region=REGION, sub="life-feed")


def dsr(rag, date, cetr_next=""):
    row = "D-%s,%s,Test,Child,%s,NR2 3TU,yes,no,%s,%s,no,parental_responsibility,,,%s" % (
        nhs, nhs, dob, rag, date, cetr_next)
    answer = http("POST", "/v1/dsr/imports", tok=feed, raw=(HEADER + row + "\r\n").encode(),
                  headers={"Content-Type": "text/csv"})
    ok(answer[0] == 200 and not answer[1].get("rejected"), "a DSR import rates the child %s" % rag, answer[1])


dsr("green", day(-60))
step("DSR entry", [])
dsr("amber", day(-1))
step("DSR re-rating", [(kay["email"], "email", "Case %s: its Dynamic Support Register entry changed" % C)])
dsr("amber", day(-1), cetr_next=day(30))
step("DSR entry changed, the rating kept", [])

# --- the transition to adult services
swept = expect_ok(http("POST", "/v1/admin/eligibility/age-out", tok=admin), "an admin runs the age-out sweep")
ok(swept.get("transition_due") == 1, "which finds the transition due", swept)
step("transition due", [(kay["email"], "email", "Case %s: transition to adult services due" % C),
                        (PAT, "email", "Planning for adult services"),
                        (GRAN, "email", "Planning for adult services")])

# --- a third meeting, hit by a required participant's absence, cancelled by the closure
third = expect_ok(http("POST", "/v1/cases/%s/meetings" % C, book, kay_tok), "a third meeting is booked", 201)
M3 = third.get("id", "")
calendars(step("third meeting booked", to_all("Invitation: key worker meeting %s" % M3)), M3, "booked")
start = datetime.datetime.strptime(third.get("start", "")[:19], "%Y-%m-%dT%H:%M:%S")
expect_ok(http("POST", "/v1/professionals/%s/absences" % tom["id"],
               {"from": (start - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": "leave"}, tok),
          "the team member, a required participant, will be away at its time", 201)
# The meeting is flagged: the coordinators and the key worker told, no participant else.
FLAGGED = "Meeting %s needs attention: a required participant is absent" % M3
calendars(step("third meeting flagged", [(COORDINATOR, "email", FLAGGED), (kay["email"], "email", FLAGGED)]),
          M3, "flagged")

# --- closed: the family, the key worker and the team told; the future meeting cancelled
expect_ok(http("POST", "/v1/cases/%s/close" % C, {"reason": "moved_away"}, tok), "the case closes")
calendars(step("closed", [(PAT, "email", "The key worker service has closed your case"),
                          (GRAN, "email", "The key worker service has closed your case"),
                          (kay["email"], "email", "Case %s is closed" % C),
                          (tom["email"], "email", "Case %s is closed" % C)]
               + to_all("Cancelled: key worker meeting %s" % M3)), M3, "cancelled")

# --- over the whole life: each message once, the invitations calendars accept
everything = arrived()
keys = collections.Counter(k for k, *_ in everything)
ok(not [k for k, c in keys.items() if c > 1] and len(everything) == expected_total,
   "over the case's life %d messages, each arrived once" % expected_total,
   ([k for k, c in keys.items() if c > 1], len(everything)))
# Every delivery of the region but the referrer's (sent before there was a
# case) is one of the case's, listed under the case.
status, listed, _ = http("GET", "/v1/notifications?case_id=%s&limit=500" % C, tok=tok)
rows = sql("SELECT count(*), count(*) FILTER (WHERE case_id IS DISTINCT FROM :'p2'),"
           " string_agg (DISTINCT event, ' ') FILTER (WHERE case_id IS DISTINCT FROM :'p2')"
           " FROM notification.deliveries WHERE region = :'p1'", REGION, C)[0]
ok(status == 200 and rows[1:] == ["1", "referral.information_requested"]
   and len(listed.get("items", [])) + 1 == int(rows[0]) == expected_total + undelivered,
   "each of the %d deliveries but the referrer's names the case and is listed under it"
   % (expected_total + undelivered - 1),
   (status, rows, len(listed.get("items", [])) if isinstance(listed, dict) else listed))
LIVES = ((meeting, ["booked", "rescheduled"]), (second, ["booked", "cancelled"]),
         (third, ["booked", "cancelled"]))
for booked, labels in LIVES:
    mid = booked.get("id", "")
    wrong, sequence = [], {}
    for when, who, method, cal in invitations.get(mid, []):
        event = [c for c in cal.walk("VEVENT")]
        want = "CANCEL" if when == "cancelled" else "REQUEST"
        if (method != want or str(cal.get("METHOD")) != want or len(event) != 1
                or str(event[0].get("UID")) != booked.get("uid") or event[0].get("DTSTART") is None):
            wrong.append((when, who, method, str(cal.get("METHOD")), event and str(event[0].get("UID"))))
            continue
        sequence.setdefault(who, []).append((when, int(event[0].get("SEQUENCE", -1))))
    ok(not wrong and sorted(sequence) == sorted(PARTICIPANTS)
       and all([w for w, _ in got] == labels for got in sequence.values()),
       "meeting %s: each participant's invitations parse, %s, with the meeting's UID" % (
           " then ".join(labels), " then ".join("CANCEL" if x == "cancelled" else "REQUEST" for x in labels)),
       wrong or sequence)
    # A new time or a cancellation raises SEQUENCE.
    ok(all(all(a[1] < b[1] if b[0] in ("rescheduled", "cancelled") else a[1] <= b[1] for a, b in zip(got, got[1:]))
           for got in sequence.values()),
       "meeting %s: SEQUENCE rose with each new time and the cancellation, never fell" % " then ".join(labels),
       sequence)
moved_at = [c for w, _, _, cal in invitations.get(M, []) if w == "rescheduled" for c in cal.walk("VEVENT")]
new_start = datetime.datetime.fromisoformat(moved.get("start", "").replace("Z", "+00:00"))
ok(moved_at and all(e.get("DTSTART").dt == new_start for e in moved_at),
   "the rescheduled invitations carry the new start", [e.get("DTSTART").dt for e in moved_at] + [new_start])
done()
