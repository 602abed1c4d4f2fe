"""The ledger's audit: counts every effect of every accepted referral in
every store, row by row, and compares each count with what should have
happened. Nothing here relies on a unique key or ON CONFLICT: a row applied
twice is two rows counted, an e-mail transmitted twice is two lines of the
SMTP sink's journal, an event published twice is two outbox rows.

What one accepted referral must leave (an eligible one; an ineligible one
stops after the decision, with no case):
    referral.referrals        one row for the child, status as decided, the
                              first decision and the case id projected
    eligibility.referrals     one row;   eligibility.decisions  one row
    bus.outbox                referral.received and eligibility.decided once
                              (correlation: referral id); assignment.case_opened,
                              team_changed and offer_made once (correlation:
                              case id), and offer_accepted and key_worker_changed
                              once when the ledger accepted the offer
    assignment.cases          one row, active with the offeree as its one key
                              worker when the ledger accepted the offer, else
                              offered with none
    assignment.offers         one row, accepted (by the ledger) or pending
    assignment.timeline       one row for each of the case's events
    eligibility.cases, scheduling.cases    one row each (their projections)
    notification.deliveries   one row per message of the table (deploy/
                              notifications/table.json) for those events,
                              each sent: the offer to the offeree, and when
                              the ledger accepted it the new key worker's,
                              each coordinator's of the region and one for
                              each other person of the case's deputy and
                              team with an address (the ledger's families
                              have none); then for each participant of its
                              meeting (the booking's answer) an invitation,
                              an update for each new time (not for the
                              outcome: a meeting held is told by the plan,
                              to the family, which has no address here), a
                              cancellation when it was cancelled
                              or the case closed with the meeting ahead;
                              when closed, the key worker's and each team
                              member's with an address
    scheduling.meetings       for an accepted case, the one meeting the ledger
                              booked, cancelled, held or still scheduled as
                              its life left it, its SEQUENCE raised once by
                              each new time and by the cancellation
    scheduling.plans          version 1 when the ledger posted the outcome
    bus.outbox (scheduling)   meeting_scheduled once, meeting_updated once for
                              each new time and for the outcome,
                              meeting_cancelled once when cancelled (by the
                              ledger or by the closure), plan_updated once
                              with the outcome (correlation: case id); and
                              assignment.case_closed once when closed
    SMTP sink                 for each delivery one transaction with its Message-ID;
                              another only as the documented crash window (a
                              kill of notification or a PostgreSQL restart
                              within a second after the first transmission,
                              the copy after it), each fault explaining at
                              most the messages it can have caught in flight
                              (kwtest.RESEND_PER_FAULT, explain_resends)
and every consumer's offset for every producer it reads equals that
producer's last seq, which equals the number of its outbox rows. Each
professional of the ledger's workforce is announced once
(assignment.professional_changed) and counts exactly the cases they hold
and the offers pending to them, never above their maximum."""

import json
import os

from kwtest import (sql, sink_journal, sink_messages, delivery_message_id, explain_resends, RESEND_FAULTS,
                    RESEND_PER_FAULT)

# Who reads whom (each service's kw_service_def_t consumes list).
CONSUMERS = {
    "referral": ["eligibility", "assignment"],
    "eligibility": ["referral", "assignment"],
    "assignment": ["eligibility"],
    "scheduling": ["assignment", "referral"],
    "notification": ["assignment", "eligibility", "referral", "scheduling"],
}
CATEGORIES = ("lost", "duplicate", "wrong", "unexpected", "unapplied", "resent_unexplained")


class Findings:
    """Counts per category with their details, the tallies of every store,
    and the re-sends (allowed ones explained by a fault)."""

    def __init__(self):
        self.items = {c: [] for c in CATEGORIES}
        self.tally = {}
        self.resent = []            # (message id, before, again, victim, fault time)

    def add(self, category, detail):
        self.items[category].append(detail)

    def count(self, category):
        return len(self.items[category])

    def clean(self):
        return not any(self.items.values())

    def details(self):
        return ["%s: %s" % (c, d) for c in CATEGORIES for d in self.items[c]]

    def fingerprint(self):
        """What a later audit must find again for the stores to have settled."""
        return (tuple(sorted(self.tally.items())), tuple(self.details()))


def _group(rows, key=0):
    out = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


def _expect_one(f, what, rows, owner):
    """Exactly one row: lost when none, duplicate when more."""
    if not rows:
        f.add("lost", "%s: no %s" % (owner, what))
    elif len(rows) > 1:
        f.add("duplicate", "%s: %d %s" % (owner, len(rows), what))


def _team(with_deputy):
    """{case id: how many people with an address beside the key worker are
    on the case's team (and its deputy, with_deputy)}."""
    deputy = "SELECT p.email FROM assignment.professionals p WHERE p.id = c.deputy_id UNION " if with_deputy else ""
    return {c: int(k) for c, k in sql(
        "SELECT c.id::text, count (DISTINCT lower (x.email)) FROM assignment.cases c"
        " CROSS JOIN LATERAL (" + deputy + "SELECT t.email FROM assignment.team_members t WHERE t.case_id = c.id"
        "   AND t.removed_at IS NULL"
        "   AND t.email IS NOT NULL AND (t.professional_id IS NULL OR t.professional_id <> c.key_worker_id)) x"
        " WHERE c.key_worker_id IS NOT NULL AND x.email IS NOT NULL"
        " AND lower (x.email) <> (SELECT lower (k.email) FROM assignment.professionals k WHERE k.id = c.key_worker_id)"
        " GROUP BY 1")}


def _life(meeting):
    """What a case's life should have left, from the ledger's steps: (meeting
    status, SEQUENCE, meeting_updated events, meeting_updated e-mails to each
    participant (a new time: the outcome's update tells no participant),
    meeting_cancelled events, plan versions, closed)."""
    steps = meeting["steps"] if meeting else []
    rescheduled = steps.count("reschedule")
    updated = rescheduled + steps.count("outcome")
    cancelled = 1 if "cancel" in steps or ("close" in steps and "outcome" not in steps) else 0
    status = "cancelled" if cancelled else "held" if "outcome" in steps else "scheduled"
    return (status, rescheduled + cancelled, updated, rescheduled, cancelled, steps.count("outcome"),
            "close" in steps)


def _coordinators(region="norfolk"):
    """How many coordinator addresses the region's file names."""
    path = os.path.join(os.environ.get("KW_REGION_DIR", "deploy/regions"), region + ".json")
    with open(path) as f:
        return len(json.load(f)["notification"]["coordinators"])


def audit(ledger, faults, journal_path):
    """ledger: accepted {nhs: (referral id, eligible)}, answers {case id:
    (offer id, professional id)} of the offers it accepted, workforce (the
    professionals' ids); faults: verified or not (stack_faults.Fault).
    Returns Findings."""
    accepted, answers, workforce = ledger.accepted, ledger.answers, ledger.workforce
    f = Findings()
    referrals = sql("SELECT id::text, nhs_number, status, coalesce(decision_sequence, 0),"
                    " coalesce(case_id, '') FROM referral.referrals")
    by_nhs = _group(referrals, 1)
    elig_refs = _group(sql("SELECT referral_id::text FROM eligibility.referrals"))
    decisions = _group(sql("SELECT referral_id::text, outcome FROM eligibility.decisions"))
    cases = _group(sql("SELECT referral_id::text, id::text, status, coalesce (key_worker_id::text, ''),"
                       " coalesce (key_worker_kind, '') FROM assignment.cases"))
    offers = _group(sql("SELECT case_id::text, id::text, status, coalesce (professional_id::text, '')"
                        " FROM assignment.offers"))
    professionals = sql("SELECT id::text, caseload, pending_offers, cover_load, max_caseload"
                        " FROM assignment.professionals")
    timeline = {e: int(n) for e, n in sql("SELECT event_id::text, count(*) FROM assignment.timeline"
                                          " WHERE event_id IS NOT NULL GROUP BY 1")}
    elig_cases = _group(sql("SELECT case_id::text FROM eligibility.cases"))
    sched_cases = _group(sql("SELECT case_id::text FROM scheduling.cases"))
    deliveries = _group(sql("SELECT case_id, id::text, status, template FROM notification.deliveries"))
    coordinators = _coordinators()
    # The people with an address beside the key worker: the deputy and the
    # team (told of a new key worker), the team alone (told of the closure).
    team, team_only = _team(True), _team(False)
    meetings = _group(sql("SELECT case_id::text, id::text, status, sequence FROM scheduling.meetings"))
    plans = _group(sql("SELECT case_id::text, version FROM scheduling.plans"))
    events = _group(sql("SELECT producer || '.' || type || ' ' || correlation_id, event_id::text"
                        " FROM bus.outbox"))
    mails = sink_journal(journal_path)
    per_message = {}
    for m in mails:
        per_message.setdefault(m["message_id"], []).append(m["at"])
    # Every transaction journalled has its message stored whole (-1: one has not).
    try:
        eml = len(sink_messages(os.path.dirname(journal_path)))
    except AssertionError:
        eml = -1

    f.tally = {"referral.referrals": len(referrals), "eligibility.referrals": len(elig_refs),
               "eligibility.decisions": sum(map(len, decisions.values())),
               "assignment.cases": sum(map(len, cases.values())),
               "assignment.offers": sum(map(len, offers.values())),
               "assignment.offers accepted": sum(1 for rows in offers.values() for r in rows
                                                 if r[2] == "accepted"),
               "assignment.timeline (events)": sum(timeline.values()),
               "eligibility.cases": sum(map(len, elig_cases.values())),
               "scheduling.cases": sum(map(len, sched_cases.values())),
               "notification.deliveries": sum(map(len, deliveries.values())),
               "scheduling.meetings": sum(map(len, meetings.values())),
               "scheduling.plans": sum(map(len, plans.values())),
               "assignment.cases closed": sum(1 for rows in cases.values() for r in rows if r[2] == "closed"),
               "bus.outbox": sum(map(len, events.values())), "smtp transactions": len(mails),
               "smtp messages stored": eml}
    if eml != len(mails):
        f.add("wrong", "the SMTP sink holds %d messages whole and journaled %d transactions" % (eml, len(mails)))

    known_refs, known_cases, known_mail, known_events = set(), set(), set(), set()
    for nhs, (rid, eligible) in sorted(accepted.items()):
        known_refs.add(rid)
        own = "referral " + rid
        stored = by_nhs.get(nhs, [])
        mine = [r for r in stored if r[0] == rid]
        if not mine:
            f.add("lost", "%s: not stored" % own)
            continue
        if len(stored) > 1:
            f.add("duplicate", "%s: the child has %d referrals" % (own, len(stored)))
        _, _, status, seq, projected_case = mine[0]
        outcome = "eligible" if eligible else "ineligible"
        _expect_one(f, "eligibility.referrals row", elig_refs.get(rid, []), own)
        _expect_one(f, "referral.received event", events.get("referral.received " + rid, []), own)
        known_events.add("referral.received " + rid)
        decided = decisions.get(rid, [])
        _expect_one(f, "decision", decided, own)
        _expect_one(f, "eligibility.decided event", events.get("eligibility.decided " + rid, []), own)
        known_events.add("eligibility.decided " + rid)
        if decided and decided[0][1] != outcome:
            f.add("wrong", "%s: decided %s, expected %s" % (own, decided[0][1], outcome))
        own_cases = cases.get(rid, [])
        # A closed case's referral reads closed.
        projected = "closed" if any(c[1] in ledger.closed for c in own_cases) else outcome
        if decided and (status != projected or seq != "1"):
            f.add("lost" if status in ("received", outcome) and status != projected else "wrong",
                  "%s: referral projection status %s, decision %s (expected %s, 1)" % (own, status, seq, projected))
        if not eligible:
            if own_cases or projected_case:
                f.add("unexpected", "%s: ineligible but has a case (%d, projected %r)" % (
                    own, len(own_cases), projected_case))
            continue
        _expect_one(f, "case", own_cases, own)
        if not own_cases:
            continue
        case_id = own_cases[0][1]
        known_cases.add(case_id)
        own = "referral %s case %s" % (rid, case_id)
        if projected_case != case_id:
            f.add("lost" if not projected_case else "wrong",
                  "%s: referral projection has case %r" % (own, projected_case))
        answer = answers.get(case_id)
        meeting = ledger.meetings.get(case_id)
        status_, sequence, updated, told_updated, cancelled, versions, closed = _life(meeting)
        kinds = ("case_opened", "team_changed", "offer_made") + (
            ("offer_accepted", "key_worker_changed") if answer else ()) + (("case_closed",) if closed else ())
        for kind in kinds:
            key = "assignment.%s %s" % (kind, case_id)
            known_events.add(key)
            _expect_one(f, "assignment.%s event" % kind, events.get(key, []), own)
            for _, event_id in events.get(key, []):
                if timeline.get(event_id, 0) != 1:
                    f.add("lost" if not timeline.get(event_id) else "duplicate",
                          "%s: %d timeline rows for its assignment.%s event %s" % (
                              own, timeline.get(event_id, 0), kind, event_id))
        _expect_one(f, "offer", offers.get(case_id, []), own)
        _audit_key_worker(f, own, own_cases[0], offers.get(case_id, []), answer, closed)
        _audit_meeting(f, own, meeting, meetings.get(case_id, []), (status_, sequence))
        _expect_count(f, "plan versions", plans.get(case_id, []), versions, own)
        for kind, count in (("meeting_scheduled", 1 if meeting else 0), ("meeting_updated", updated),
                            ("meeting_cancelled", cancelled), ("plan_updated", versions)):
            key = "scheduling.%s %s" % (kind, case_id)
            known_events.add(key)
            _expect_count(f, "scheduling.%s events" % kind, events.get(key, []), count, own)
        _expect_one(f, "eligibility.cases row", elig_cases.get(case_id, []), own)
        _expect_one(f, "scheduling.cases row", sched_cases.get(case_id, []), own)
        sent = deliveries.get(case_id, [])
        expected = {"offer_made": 1}
        if answer:
            expected.update(key_worker_changed_new=1, key_worker_changed_coordinator=coordinators,
                            key_worker_changed_team=team.get(case_id, 0))
        if meeting:
            people = meeting["participants"]
            expected.update(meeting_scheduled=people, meeting_updated=people * told_updated,
                            meeting_cancelled=people * cancelled)
        if closed:
            expected.update(case_closed_team=1 + team_only.get(case_id, 0))
        for template in set(expected) | {r[3] for r in sent}:
            got = sum(1 for r in sent if r[3] == template)
            if got != expected.get(template, 0):
                f.add("lost" if got < expected.get(template, 0) else
                      "duplicate" if expected.get(template) else "unexpected",
                      "%s: %d %s delivery rows, expected %d" % (own, got, template, expected.get(template, 0)))
        for _, did, dstatus, _ in sent:
            mid = delivery_message_id(did)
            known_mail.add(mid)
            if dstatus != "sent":
                f.add("lost", "%s: delivery %s is %s" % (own, did, dstatus))
            if not per_message.get(mid):
                f.add("lost", "%s: delivery %s reached no SMTP transaction" % (own, did))

    # Effects that belong to no accepted referral.
    for rows, what in ((referrals, "referral"), ):
        for r in rows:
            if r[0] not in known_refs:
                f.add("unexpected", "%s %s (status %s) is not in the ledger" % (what, r[0], r[2]))
    for name, table in (("decision", decisions), ("eligibility.referrals row", elig_refs), ("case", cases)):
        for rid in set(table) - known_refs:
            f.add("unexpected", "%s for referral %s, not in the ledger" % (name, rid))
    for name, table in (("offer", offers), ("eligibility.cases row", elig_cases), ("meeting", meetings),
                        ("plan version", plans),
                        ("scheduling.cases row", sched_cases), ("delivery", deliveries)):
        for cid in set(table) - known_cases:
            f.add("unexpected", "%s for case %s, not in the ledger" % (name, cid))
    _audit_professionals(f, professionals, cases, offers, workforce, events, known_events)
    for key in set(events) - known_events:
        f.add("unexpected", "outbox event %s (%d)" % (key, len(events[key])))
    for mid in set(per_message) - known_mail:
        f.add("unexpected", "SMTP transaction for message %s, not a delivery of the ledger" % mid)
    f.resent, unexplained = explain_resends({m: t for m, t in per_message.items() if m in known_mail},
                                            [(x.victim, x.at) for x in faults if x.verified])
    for mid, before, again, _ in unexplained:
        f.add("resent_unexplained", "message %s transmitted again at %.3f (before: %.3f) with no"
              " notification kill or PostgreSQL restart right after the first" % (mid, again, before))
    _audit_offsets(f)
    _audit_double_booking(f)
    return f


def _audit_double_booking(f):
    """No person (a family place aside: the same on every case) is in two
    scheduled meetings at once."""
    both = sql("SELECT a.person_id, a.meeting_id::text, b.meeting_id::text FROM scheduling.participants a"
               " JOIN scheduling.meetings ma ON ma.id = a.meeting_id"
               " JOIN scheduling.participants b ON b.person_id = a.person_id AND b.meeting_id > a.meeting_id"
               " JOIN scheduling.meetings mb ON mb.id = b.meeting_id"
               " WHERE ma.status = 'scheduled' AND mb.status = 'scheduled' AND a.role <> 'family'"
               " AND tstzrange (ma.starts_at, ma.ends_at) && tstzrange (mb.starts_at, mb.ends_at)")
    for person, first, second in both:
        f.add("wrong", "%s is in meetings %s and %s at once" % (person, first, second))


def _expect_count(f, what, rows, count, owner):
    """count rows: lost when fewer, duplicate when more (unexpected when none was)."""
    if len(rows) < count:
        f.add("lost", "%s: %d %s, expected %d" % (owner, len(rows), what, count))
    elif len(rows) > count:
        f.add("duplicate" if count else "unexpected", "%s: %d %s, expected %d" % (owner, len(rows), what, count))


def _audit_meeting(f, own, meeting, rows, expected):
    """The one meeting the ledger booked, in the state and SEQUENCE its life
    left it (expected: (status, sequence)); none when it booked none."""
    if not meeting:
        _expect_count(f, "meetings", rows, 0, own)
        return
    _expect_one(f, "meeting", rows, own)
    mine = [r for r in rows if r[1] == meeting["id"]]
    if rows and not mine:
        f.add("lost", "%s: meeting %s (booked, 201) is not stored" % (own, meeting["id"]))
    for _, mid, status, sequence in mine:
        if (status, int(sequence)) != expected:
            f.add("wrong", "%s: meeting %s is %s with SEQUENCE %s after %s, expected %s %d" % (
                own, mid, status, sequence, "+".join(meeting["steps"]), *expected))


def _audit_key_worker(f, own, case, offers, answer, closed=False):
    """Exactly one key worker, the offeree, for a case whose offer the
    ledger accepted (the case active, or closed when the ledger closed it);
    none, and the offer pending, for the others."""
    _, _, status, key_worker, kind = case
    accepted = [o for o in offers if o[2] == "accepted"]
    if len(accepted) > 1:
        f.add("duplicate", "%s: %d offers accepted" % (own, len(accepted)))
    if answer:
        offer_id, professional_id = answer
        if not any(o[1] == offer_id for o in accepted):
            f.add("lost", "%s: offer %s was accepted (200) and is %s" % (
                own, offer_id, [o[2] for o in offers if o[1] == offer_id] or "gone"))
        if status != ("closed" if closed else "active") or key_worker != professional_id or kind != "professional":
            f.add("wrong", "%s: accepted by %s, the case is %s with key worker %r" % (
                own, professional_id, status, key_worker))
    else:
        if accepted or key_worker or status != "offered":
            f.add("unexpected", "%s: not accepted by the ledger, the case is %s with key worker %r" % (
                own, status, key_worker))
        if [o[2] for o in offers] != ["pending"]:
            f.add("wrong", "%s: offers %s, expected one pending" % (own, [o[2] for o in offers]))


def _audit_professionals(f, professionals, cases, offers, workforce, events, known_events):
    """Each professional's counts are the cases they hold and the offers
    pending to them, within their maximum; each of the workforce is
    announced once."""
    held, pending = {}, {}
    for rows in cases.values():
        for _, _, status, key_worker, kind in rows:
            if status == "active" and kind == "professional":
                held[key_worker] = held.get(key_worker, 0) + 1
    for rows in offers.values():
        for _, _, status, professional_id in rows:
            if status == "pending" and professional_id:
                pending[professional_id] = pending.get(professional_id, 0) + 1
    seen = set()
    for pid, caseload, pending_offers, cover_load, maximum in professionals:
        seen.add(pid)
        if int(caseload) != held.get(pid, 0) or int(pending_offers) != pending.get(pid, 0):
            f.add("wrong", "professional %s: counts %s cases and %s pending offers, holds %d and has %d" % (
                pid, caseload, pending_offers, held.get(pid, 0), pending.get(pid, 0)))
        if int(caseload) + int(cover_load) > int(maximum):
            f.add("wrong", "professional %s: %s cases and %s covered above the maximum %s" % (
                pid, caseload, cover_load, maximum))
    for pid in sorted(set(held) - seen):
        f.add("wrong", "%d cases held by %s, not a registered professional" % (held[pid], pid))
    for pid in sorted(workforce):
        key = "assignment.professional_changed " + pid
        known_events.add(key)
        _expect_one(f, "assignment.professional_changed event", events.get(key, []), "professional " + pid)
    f.tally["assignment.professionals"] = len(professionals)
    f.tally["cases held by key workers"] = sum(held.values())


def _audit_offsets(f):
    """Every consumer has applied every event of every producer it reads: its
    offset equals the producer's last seq, which equals the producer's
    outbox row count and highest seq (gapless)."""
    last = dict(sql("SELECT producer, last_seq FROM bus.producers"))
    outbox = {p: (int(n), int(m or 0)) for p, n, m in
              sql("SELECT producer, count(*), coalesce(max(seq), 0) FROM bus.outbox GROUP BY 1")}
    offsets = {(c, p): int(s) for c, p, s in sql("SELECT consumer, producer, last_seq FROM bus.offsets")}
    for producer, (rows, high) in sorted(outbox.items()):
        if not (rows == high == int(last.get(producer, -1))):
            f.add("wrong", "producer %s: %d outbox rows, highest seq %d, last_seq %s" % (
                producer, rows, high, last.get(producer)))
    applied = 0
    for consumer, producers in sorted(CONSUMERS.items()):
        for producer in producers:
            have = offsets.get((consumer, producer))
            want = outbox.get(producer, (0, 0))[1]
            if have is None:
                f.add("unapplied", "consumer %s has no offset for %s" % (consumer, producer))
            elif have < want:
                f.add("unapplied", "consumer %s applied %s up to %d of %d" % (consumer, producer, have, want))
            elif have > want:
                f.add("wrong", "consumer %s is at %s seq %d, past the outbox's %d" % (
                    consumer, producer, have, want))
            applied += have or 0
    f.tally["events applied (all consumers)"] = applied
