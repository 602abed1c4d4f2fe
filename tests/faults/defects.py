"""A check of the checker: after a clean ledger run, known defects are
injected from outside (rows written twice or lost behind the services'
backs, an offer accepted twice, a professional's count that drifted, a
timeline row lost, an e-mail transmitted again, an event published twice
or past a gap, a fault that did not take effect; of a case's life, a meeting
lost or booked twice or rescheduled once more, a plan version lost, a closed
case open again, an invitation recorded twice) and the audit must report
each one, in
the right category and naming the record it concerns. Reversible defects
are undone and the audit must then be as clean as before.

    check(ledger, injector, faults, baseline, settle)   prints TAP lines"""

import email
import email.policy
import os
import smtplib
import subprocess

from kwtest import (ok, sql, scalar, wait_until, sink_journal, sink_messages, delivery_message_id, VAR, pid_of,
                    RESEND_FAULTS)
import audit as auditing
import stack_faults


def _new(before, after, category, marker):
    """Findings of category naming marker that before did not have."""
    old = set(before.details())
    return [d for d in after.details() if d not in old and d.startswith(category + ":") and marker in d]


def _audit(ledger, injector, faults):
    return auditing.audit(ledger, faults, injector.sink_journal())


def _resend(injector, message_id):
    """Transmit again, as a sender would, the stored e-mail with that Message-ID."""
    for _, raw in sink_messages(os.path.dirname(injector.sink_journal())):
        msg = email.message_from_bytes(raw)
        if msg.get("Message-ID") == message_id:
            for trace in ("Return-Path", "Delivered-To"):
                del msg[trace]
            with smtplib.SMTP("127.0.0.1", int(os.environ["KW_SMTP_PORT"]), timeout=10) as s:
                s.sendmail("noreply@keyworker.invalid", ["kw.one@example.org"],
                           msg.as_bytes(policy=email.policy.SMTP))
            return
    raise RuntimeError("no stored e-mail with Message-ID %s" % message_id)


def _append_event(step, select, *params):
    """Append to assignment's events, numbered last_seq + step (2 leaves a
    gap), each row of select (type, region, correlation_id, payload) under
    a new event id."""
    sql("WITH p AS (UPDATE bus.producers SET last_seq = last_seq + %d WHERE producer = 'assignment'"
        " RETURNING last_seq)"
        " INSERT INTO bus.outbox (producer, seq, event_id, type, region, correlation_id, payload, sequenced_at)"
        " SELECT 'assignment', p.last_seq, gen_random_uuid (), e.type, e.region, e.correlation_id, e.payload,"
        " now () FROM (%s) e, p" % (step, select), *params)


def _exited_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def _far_from_faults(ledger, injector, faults):
    """An eligible referral, its case and delivery, whose e-mail was
    transmitted more than 2 s away from every fault that could explain a
    copy (kwtest.explain_resends)."""
    sent = {t["message_id"]: t["at"] for t in sink_journal(injector.sink_journal())}
    for rid in sorted(r for r, e in ledger.accepted.values() if e):
        case = scalar("SELECT id FROM assignment.cases WHERE referral_id = :'p1'", rid)
        delivery = scalar("SELECT id FROM notification.deliveries WHERE case_id = :'p1'"
                          " AND template = 'offer_made'", case)
        at = sent.get(delivery_message_id(delivery))
        if at and all(abs(at - x.at) > 2 for x in faults if x.victim in RESEND_FAULTS):
            return rid, case, delivery
    raise RuntimeError("no e-mail was sent away from the faults")


def check(ledger, injector, faults, baseline, settle):
    rid, case, delivery = _far_from_faults(ledger, injector, faults)
    message_id = delivery_message_id(delivery)
    # A case whose offer the ledger accepted, its offer and key worker, and
    # the event that made them its key worker.
    held, (offer, holder) = sorted(ledger.answers.items())[0]
    changed = scalar("SELECT event_id FROM bus.outbox WHERE type = 'key_worker_changed'"
                     " AND correlation_id = :'p1'", held)
    # Cases of the lives: one with a meeting, one held (a plan), one closed,
    # and the meeting's invitation.
    lived = sorted(ledger.meetings.items())
    met, meeting = lived[0][0], lived[0][1]["id"]
    planned = next(c for c, m in lived if "outcome" in m["steps"])
    closed = sorted(ledger.closed)[0]
    invitation = scalar("SELECT id FROM notification.deliveries WHERE case_id = :'p1'"
                        " AND template = 'meeting_scheduled' ORDER BY id LIMIT 1", met)
    # The referral's status as it stands (a closed case's reads closed), to put back.
    status = scalar("SELECT status FROM referral.referrals WHERE id = :'p1'", rid)
    params = (rid, case, delivery, held, holder, offer, changed, met, meeting, planned, closed, invitation, status)
    copy = "'00000000-0000-4000-8000-000000000002'"

    # Reversible defects: (label, category, marker, apply SQL, undo SQL).
    table = [
        ("a decision recorded twice", "duplicate", rid,
         "INSERT INTO eligibility.decisions (referral_id, region, outcome, ruleset, version, decision,"
         " revision, sequence, cause) SELECT referral_id, region, outcome, ruleset, version, decision,"
         " revision, sequence + 1, 're_evaluation' FROM eligibility.decisions WHERE referral_id = :'p1'",
         "DELETE FROM eligibility.decisions WHERE referral_id = :'p1' AND sequence > 1"),
        ("a scheduling projection row applied twice without its unique key", "duplicate", case,
         "ALTER TABLE scheduling.cases DROP CONSTRAINT cases_pkey;"
         " INSERT INTO scheduling.cases SELECT * FROM scheduling.cases WHERE case_id = :'p2'",
         "DELETE FROM scheduling.cases a USING scheduling.cases b WHERE a.case_id = :'p2'"
         " AND b.case_id = a.case_id AND a.ctid > b.ctid;"
         " ALTER TABLE scheduling.cases ADD PRIMARY KEY (case_id)"),
        ("a referral projection that lost its case", "lost", rid,
         "UPDATE referral.referrals SET case_id = NULL WHERE id = :'p1'",
         "UPDATE referral.referrals SET case_id = :'p2' WHERE id = :'p1'"),
        ("a referral projection with the wrong status", "wrong", rid,
         "UPDATE referral.referrals SET status = 'ineligible' WHERE id = :'p1'",
         "UPDATE referral.referrals SET status = :'p13' WHERE id = :'p1'"),
        ("an eligibility case projection lost", "lost", case,
         "UPDATE eligibility.cases SET case_id = '00000000-0000-4000-8000-000000000000'"
         " WHERE case_id = :'p2'",
         "UPDATE eligibility.cases SET case_id = :'p2'"
         " WHERE case_id = '00000000-0000-4000-8000-000000000000'"),
        ("a delivery recorded but never transmitted", "lost", "00000000-0000-4000-8000-000000000001",
         "UPDATE notification.deliveries SET id = '00000000-0000-4000-8000-000000000001' WHERE id = :'p3'",
         "UPDATE notification.deliveries SET id = :'p3' WHERE id = '00000000-0000-4000-8000-000000000001'"),
        ("an offer accepted twice (a second key worker for the case)", "duplicate", held,
         "INSERT INTO assignment.offers SELECT (jsonb_populate_record (NULL::assignment.offers, to_jsonb (o)"
         " || jsonb_build_object ('id', gen_random_uuid ()))).* FROM assignment.offers o WHERE o.id = :'p6'",
         "DELETE FROM assignment.offers WHERE case_id = :'p4' AND id <> :'p6'"),
        ("a professional's caseload that drifted from the cases they hold", "wrong", holder,
         "UPDATE assignment.professionals SET caseload = caseload - 1 WHERE id = :'p5'",
         "UPDATE assignment.professionals SET caseload = caseload + 1 WHERE id = :'p5'"),
        ("an accepted case whose key worker is not the offeree who accepted", "wrong", held,
         "UPDATE assignment.cases SET key_worker_id = (SELECT id FROM assignment.professionals"
         " WHERE id <> :'p5' ORDER BY id LIMIT 1) WHERE id = :'p4'",
         "UPDATE assignment.cases SET key_worker_id = :'p5' WHERE id = :'p4'"),
        ("a key worker's change with no timeline row", "lost", changed,
         "UPDATE assignment.timeline SET event_id = NULL WHERE event_id = :'p7'",
         "UPDATE assignment.timeline SET event_id = :'p7' WHERE case_id = :'p4' AND kind = 'key_worker_changed'"),
        ("a meeting lost", "lost", met,
         "UPDATE scheduling.meetings SET case_id = '00000000-0000-4000-8000-000000000000' WHERE id = :'p9'",
         "UPDATE scheduling.meetings SET case_id = :'p8' WHERE id = :'p9'"),
        ("a meeting booked twice", "duplicate", met,
         "INSERT INTO scheduling.meetings SELECT (jsonb_populate_record (NULL::scheduling.meetings, to_jsonb (m)"
         " || jsonb_build_object ('id', " + copy + "))).* FROM scheduling.meetings m WHERE m.id = :'p9'",
         "DELETE FROM scheduling.meetings WHERE id = " + copy),
        ("a meeting's new time applied twice (SEQUENCE raised again)", "wrong", meeting,
         "UPDATE scheduling.meetings SET sequence = sequence + 1 WHERE id = :'p9'",
         "UPDATE scheduling.meetings SET sequence = sequence - 1 WHERE id = :'p9'"),
        ("a plan version lost", "lost", planned,
         "UPDATE scheduling.plans SET case_id = '00000000-0000-4000-8000-000000000000' WHERE case_id = :'p10'",
         "UPDATE scheduling.plans SET case_id = :'p10' WHERE case_id = '00000000-0000-4000-8000-000000000000'"),
        ("a closed case open again", "wrong", closed,
         "UPDATE assignment.cases SET status = 'active' WHERE id = :'p11'",
         "UPDATE assignment.cases SET status = 'closed' WHERE id = :'p11'"),
        ("a meeting's invitation recorded twice", "duplicate", met,
         "INSERT INTO notification.deliveries SELECT (jsonb_populate_record (NULL::notification.deliveries,"
         " to_jsonb (d) || jsonb_build_object ('id', " + copy + ", 'event_id', gen_random_uuid ()))).*"
         " FROM notification.deliveries d WHERE d.id = :'p12'",
         "DELETE FROM notification.deliveries WHERE id = " + copy),
    ]
    for label, category, marker, apply, undo in table:
        before = _audit(ledger, injector, faults)
        sql(apply, *params)
        after = _audit(ledger, injector, faults)
        sql(undo, *params)
        again = _audit(ledger, injector, faults)
        ok(_new(before, after, category, marker) and again.details() == before.details(),
           "ledger reports %s (%s), and is clean once it is undone" % (label, category),
           after.details()[:5])

    # Two meetings of one key worker moved to one time, both scheduled: a
    # double booking.
    pair = sql("SELECT a.meeting_id, b.meeting_id, a.person_id, ma.status, mb.status,"
               " to_char (mb.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
               " to_char (mb.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
               " FROM scheduling.participants a JOIN scheduling.meetings ma ON ma.id = a.meeting_id"
               " JOIN scheduling.participants b ON b.person_id = a.person_id AND b.meeting_id <> a.meeting_id"
               " JOIN scheduling.meetings mb ON mb.id = b.meeting_id"
               " WHERE a.role = 'key_worker' ORDER BY 1, 2 LIMIT 1")
    if ok(pair, "a key worker with two meetings, to book twice at once"):
        first, second, person, first_status, second_status, starts, ends = pair[0]
        before = _audit(ledger, injector, faults)
        sql("UPDATE scheduling.meetings b SET starts_at = a.starts_at, ends_at = a.ends_at, status = 'scheduled'"
            " FROM scheduling.meetings a WHERE a.id = :'p1' AND b.id = :'p2';"
            " UPDATE scheduling.meetings SET status = 'scheduled' WHERE id = :'p1'", first, second)
        after = _audit(ledger, injector, faults)
        sql("UPDATE scheduling.meetings SET starts_at = :'p3', ends_at = :'p4', status = :'p5' WHERE id = :'p2';"
            " UPDATE scheduling.meetings SET status = :'p6' WHERE id = :'p1'",
            first, second, starts, ends, second_status, first_status)
        again = _audit(ledger, injector, faults)
        ok(_new(before, after, "wrong", person + " is in meetings") and again.details() == before.details(),
           "ledger reports a key worker booked into two meetings at once (wrong), and is clean once it is undone",
           after.details()[:5])

    # Fault injection that did not take effect is not counted as a fault.
    fault = injector.inject("no-such-program")
    ok(not fault.verified, "ledger does not count a fault at a program that does not exist", fault)
    if isinstance(injector, stack_faults.LocalStack):
        path = os.path.join(VAR, "run", "referral.pid")
        saved = pid_of("referral")
        with open(path, "w") as f:
            f.write("%d\n" % _exited_pid())
        try:
            fault = injector.inject("referral")
        finally:
            with open(path, "w") as f:
                f.write("%d\n" % saved)
        ok(not fault.verified, "ledger does not count a kill aimed at a pid that is not running", fault)

    # An e-mail transmitted again after the first audit found everything in
    # place: only the audit after the settle period can see it.
    f, _ = settle(ledger, injector, faults, during=lambda: _resend(injector, message_id))
    ok(_new(baseline, f, "resent_unexplained", message_id),
       "ledger reports an e-mail transmitted twice with no fault, sent after the first audit passed",
       f.details()[:5])

    # A producer that publishes an event twice: the real consumers apply it
    # (a new event id, so nothing unique stops them) and the audit counts the
    # second event, the second delivery and the second e-mail.
    before = _audit(ledger, injector, faults)
    _append_event(1, "SELECT type, region, correlation_id, payload FROM bus.outbox"
                     " WHERE type = 'offer_made' AND correlation_id = :'p1'", case)
    after = wait_until(lambda: (lambda a: a if _new(before, a, "duplicate", "delivery") else None)(
        _audit(ledger, injector, faults)), 60, 1.0) or _audit(ledger, injector, faults)
    ok(_new(before, after, "duplicate", "assignment.offer_made event") and _new(before, after, "duplicate",
                                                                                 "delivery"),
       "ledger reports an event published twice, and the second delivery its consumer made",
       after.details()[:5])

    # A producer that skipped a seq: the consumers stop at the gap.
    before = _audit(ledger, injector, faults)
    _append_event(2, "SELECT 'ledger_probe' AS type, '' AS region, '' AS correlation_id, ''::bytea AS payload")
    after = _audit(ledger, injector, faults)
    ok(_new(before, after, "unapplied", "scheduling applied assignment")
       and _new(before, after, "wrong", "producer assignment"),
       "ledger reports events no consumer could apply (a gap in a producer's seq)", after.details()[:5])
