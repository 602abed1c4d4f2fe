"""Helpers for the scheduling tests: a case of the norfolk region with a
chosen key worker (a coordinator's offer, accepted), a family with an
e-mail and meeting wishes, tokens for the people of the case, the
scheduling events in the outbox, and the invitation parsed with Debian's
python3-icalendar (an independent parser)."""

import random
import icalendar
from kwtest import http, sql, token, nhs_number, referral, professional, case_of, get_case, pending_offer, \
    wait_until, caught_up, region_day

rng = random.Random()
RUN = rng.randrange(10 ** 9)
coordinator = token()
admin = token(role="admin", sub="test-admin")
FULL_TIME = {d: ["09:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


def email(label):
    return "%s.%d@example.org" % (label, RUN)


def worker(label, hours=None, **fields):
    """A registered professional with working hours (full time by default)."""
    return professional(coordinator, "Worker " + label, email(label), working_hours=hours or FULL_TIME, **fields)


def key_worker_token(pro):
    return token(role="key_worker", sub=pro["email"], professional_id=pro["id"])


def family_token(case):
    return token(role="family", sub=case["family_email"])


def open_case(key_worker, days=None, earliest=None, latest=None, location="home"):
    """A case whose key worker is key_worker and whose family (one parent
    with an e-mail) wishes the given days and times. Returns a dict with id,
    family_email and referral_id once the scheduling service knows it."""
    nhs = nhs_number(rng)
    body = referral(nhs)
    family = email("parent%d" % rng.randrange(10 ** 6))
    body["family"] = [{"name": "Pat Parent", "relationship": "mother", "email": family,
                       "has_parental_responsibility": True}]
    wishes = {"location": location}
    if days:
        wishes["days"] = days
    if earliest:
        wishes["earliest"], wishes["latest"] = earliest, latest
    body["meeting_preferences"] = wishes
    status, created, _ = http("POST", "/v1/referrals", body, coordinator)
    assert status == 201, created
    case_id = case_of(coordinator, created["id"])
    wait_until(lambda: pending_offer(get_case(coordinator, case_id)), 15)
    status, case, _ = http("POST", "/v1/cases/%s/offers" % case_id,
                           {"professional_id": key_worker["id"], "reason": "chosen for the test"}, coordinator)
    offer = pending_offer(case)
    status, case, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer["id"]), None, coordinator)
    assert status == 200 and case["key_worker"]["id"] == key_worker["id"], case
    caught_up()
    known = wait_until(lambda: sql("SELECT 1 FROM scheduling.case_people WHERE case_id = :'p1'"
                                   " AND role = 'key_worker'", case_id), 20)
    assert known, "the scheduling service does not know the case's key worker"
    return {"id": case_id, "family_email": family, "referral_id": created["id"], "nhs": nhs}


def dates(days_from, days_to):
    """Two of norfolk's dates, days_from and days_to days from its today."""
    return region_day(days_from), region_day(days_to)


def book(case, tok=coordinator, **fields):
    body = {"type": "planning", "duration_minutes": 60}
    body.update(fields)
    return http("POST", "/v1/cases/%s/meetings" % case["id"], body, tok)


def events(type_, correlation):
    """The scheduling events of a type for a case, oldest first: (event_id, payload bytes hex)."""
    return sql("SELECT event_id, encode (payload, 'hex') FROM bus.outbox WHERE producer = 'scheduling'"
               " AND type = :'p1' AND correlation_id = :'p2' ORDER BY seq", type_, correlation)


def invite(meeting_id, tok=coordinator):
    """GET invite.ics: (status, content type, the parsed calendar or None, text)."""
    status, text, headers = http("GET", "/v1/meetings/%s/invite.ics" % meeting_id, tok=tok)
    cal = None
    if status == 200 and isinstance(text, str):
        cal = icalendar.Calendar.from_ical(text)
    return status, headers.get("Content-Type", ""), cal, text


def vevent(cal):
    return [c for c in cal.walk("VEVENT")][0]
