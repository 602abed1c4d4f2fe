"""The services' event tables (kw_service_def_t.events): an event that no row
names is passed over, and one whose payload does not unpack as its row's
message is skipped with a log line that names the event but not its
contents; either way every consumer's offset moves past it and the events
after it are applied."""

import json
import os
from kwtest import ok, done, token, http, sql, scalar, wait_until, nhs_number, referral, VAR

CONSUMERS = ("referral", "eligibility", "scheduling")     # those with an assignment.case_opened row


def append(type_, payload_hex):
    """Write an event into assignment's outbox, numbered as its own are."""
    row = sql("WITH s AS (UPDATE bus.producers SET last_seq = last_seq + 1"
              " WHERE producer = 'assignment' RETURNING last_seq)"
              " INSERT INTO bus.outbox (producer, event_id, type, region, correlation_id, payload,"
              " seq, sequenced_at)"
              " SELECT 'assignment', gen_random_uuid (), :'p1', 'norfolk', '',"
              " decode (:'p2', 'hex'), s.last_seq, now () FROM s RETURNING seq, event_id", type_, payload_hex)
    return int(row[0][0]), row[0][1]


def offset(consumer):
    return int(scalar("SELECT last_seq FROM bus.offsets WHERE consumer = :'p1' AND producer = 'assignment'",
                      consumer) or 0)


def logged(service, event_id):
    with open(os.path.join(VAR, "log", service + ".log")) as f:
        for line in f:
            if event_id in line:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("event") == "event_unreadable":
                    return entry
    return None


# An eligible referral first, so every consumer has an offset for assignment.
coord = token()
s, made, _ = http("POST", "/v1/referrals", referral(nhs_number()), coord)
ok(s == 201 and wait_until(lambda: scalar("SELECT count(*) FROM assignment.cases WHERE referral_id = :'p1'",
                                          made["id"]) == "1", 20), "a referral opens a case", made)

unknown_seq, unknown_id = append("no_such_event", "0a0178")
# A CaseOpened whose first field claims 127 bytes and has 2: it does not unpack.
broken_seq, broken_id = append("case_opened", "0a7f4142")
ok(broken_seq == unknown_seq + 1, "two events are appended to assignment's outbox", (unknown_seq, broken_seq))
s, after, _ = http("POST", "/v1/referrals", referral(nhs_number()), coord)
ok(s == 201 and wait_until(lambda: scalar("SELECT count(*) FROM scheduling.cases WHERE referral_id = :'p1'",
                                          after["id"]) == "1", 20),
   "a case opened after them reaches scheduling", after)
for consumer in CONSUMERS + ("notification",):
    ok(wait_until(lambda: offset(consumer) > broken_seq, 20),
       "%s's offset for assignment moved past both" % consumer, offset(consumer))
for consumer in CONSUMERS:
    entry = wait_until(lambda: logged(consumer, broken_id), 5)
    ok(entry and entry.get("type") == "case_opened" and entry.get("expected") == "CaseOpened"
       and "4142" not in json.dumps(entry),
       "%s logs the unreadable case_opened by its id and type, not its bytes" % consumer, entry)
    ok(logged(consumer, unknown_id) is None, "%s passes over the event it has no row for quietly" % consumer)
done()
