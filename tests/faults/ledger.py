"""Fault injection with a ledger. Registers a workforce (one CSV import),
then posts referrals through the gateway (a mix of eligible and ineligible,
each retried with its own Idempotency-Key until it gets a definitive answer),
accepts the offers of two cases in three as their offerees, and gives each
accepted case a life (life_of): a meeting booked, then rescheduled,
cancelled or held (its outcome writes the plan), and a share of the cases
closed, each call retried with its own Idempotency-Key too, while an
injector kills a random program of the stack or restarts PostgreSQL
(stack_faults.py, or the injector named by KW_FAULTS_INJECTOR), one verified
fault at a time, each waiting for the stack to recover (health, the bus,
and a referral accepted after it). Then it waits until every effect is in
place, waits a settle period, and audits again (audit.py): nothing lost,
nothing happened twice, nothing unexpected, every consumer caught up, every
e-mail transmitted again explained by a fault in the crash window, exactly
one key worker for each case whose offer was accepted and none for the
others, every professional's counts equal to the cases and offers they
hold, each case's meeting booked once in the state its life left it, its
plan written once when held, its closure once, and the deliveries of each
step to each participant. Prints one summary line and TAP; exits non-zero
on any finding.

    ledger.py REFERRALS FAULTS [--defects]

--defects: once the clean run has passed, injects known defects from outside
(defects.py) and checks that the audit reports each one."""

import datetime
import os
import random
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kwtest import ok, done, token, http, referral, nhs_number, sql, workforce  # noqa: E402
import audit as auditing  # noqa: E402
import stack_faults  # noqa: E402

POSTERS = 4
LIFERS = 3
SETTLE_S = float(os.environ.get("KW_FAULTS_SETTLE", "8"))
# Places in the workforce for every referral: nobody runs out of room.
WORKFORCE_MAX_CASELOAD = 20


def chosen(case_id):
    """Whether the ledger accepts the case's offer: two cases in three."""
    return int(case_id.replace("-", "")[-6:], 16) % 3 != 0


# What the ledger does with an accepted case after booking its meeting, by
# the case id's first digits: each step one call.
LIVES = (("cancel",), ("reschedule",), ("reschedule", "outcome", "close"), ("outcome",), ("close",),
         ("outcome", "close"))


def life_of(case_id):
    return LIVES[int(case_id[:8], 16) % len(LIVES)]


def day(offset):
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def step_call(step, case_id, meeting_id, key_worker):
    """(path, body) of one step of a case's life."""
    if step == "book":
        return "/v1/cases/%s/meetings" % case_id, {"type": "planning", "duration_minutes": 60,
                                                   "required": ["key_worker"], "earliest": day(1), "latest": day(60)}
    if step == "reschedule":
        return "/v1/meetings/%s/reschedule" % meeting_id, {"earliest": day(61), "latest": day(120)}
    if step == "cancel":
        return "/v1/meetings/%s/cancel" % meeting_id, {"reason": "the ledger cancels it"}
    if step == "outcome":
        held = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
        return "/v1/meetings/%s/outcome" % meeting_id, {
            "held_at": held.strftime("%Y-%m-%dT%H:%M:%SZ"), "attended": [key_worker], "notes": "Held for the ledger.",
            "actions": [{"description": "Ledger action", "owner": key_worker, "due": day(30)}]}
    return "/v1/cases/%s/close" % case_id, {"reason": "no_longer_needed"}


class Ledger:
    def __init__(self, count, rng):
        self.lock = threading.Lock()
        self.next = 0
        self.count = count
        nhs = []
        seen = set()
        while len(nhs) < count:
            n = nhs_number(rng)
            if n not in seen:
                seen.add(n)
                nhs.append(n)
        self.plan = [(n, rng.random() < 0.7, str(uuid.uuid4())) for n in nhs]
        self.accepted = {}          # nhs -> (referral id, eligible)
        self.refused = []           # (status, body) of definitive refusals
        self.last_success = 0.0
        self.workforce = set()      # the professionals registered (ids)
        self.answers = {}           # case id -> (offer id, professional id), accepted (200)
        self.answer_refused = []    # (case id, status, body) of definitive refusals of an accept
        self.tried = set()          # cases whose offer the acceptor answered
        self.lived = set()          # accepted cases whose life the lifers took
        self.meetings = {}          # case id -> {"id", "participants", "steps": [steps answered]}
        self.closed = set()         # cases closed (200)
        self.life_refused = []      # (case id, step, status, body) of definitive refusals

    def take(self):
        with self.lock:
            if self.next >= self.count:
                return None
            self.next += 1
            return self.plan[self.next - 1]


def poster(ledger, tok, pace, stop):
    while not stop.is_set():
        item = ledger.take()
        if item is None:
            return
        nhs, eligible, key = item
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                status, body, _ = http("POST", "/v1/referrals", referral(nhs, eligible), tok,
                                       headers={"Idempotency-Key": key})
            except OSError:
                status, body = None, None
            if status == 201:
                with ledger.lock:
                    ledger.accepted[nhs] = (body["id"], eligible)
                    ledger.last_success = time.monotonic()
                break
            if status is not None and 400 <= status < 500:
                with ledger.lock:
                    ledger.refused.append((status, body))
                break
            time.sleep(0.05)
        time.sleep(pace)


def answered(method, path, body, tok):
    """Call with one Idempotency-Key, again until a definitive answer (not a
    5xx, not a broken connection) or 300 s: (status, body), status None
    when none came."""
    key = str(uuid.uuid4())
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            status, answer, _ = http(method, path, body, tok, headers={"Idempotency-Key": key})
        except OSError:
            status, answer = None, None
        if status is not None and status < 500:
            return status, answer
        time.sleep(0.05)
    return None, None


def accept(ledger, case_id, offer_id, professional_id, tokens):
    """Accept the offer as its offeree, retried with one Idempotency-Key
    until a definitive answer."""
    tok = tokens.get(professional_id)
    if not tok:
        tok = tokens[professional_id] = token(role="key_worker", sub="ledger-" + professional_id,
                                              professional_id=professional_id)
    status, body = answered("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer_id), {}, tok)
    with ledger.lock:
        if status == 200:
            ledger.answers[case_id] = (offer_id, professional_id)
        elif status is not None:
            ledger.answer_refused.append((case_id, status, body))


def live(ledger, case_id, key_worker, tok):
    """Book the case's meeting, then the steps of its life, each once,
    stopping at a refusal."""
    meeting = None
    for step in ("book",) + life_of(case_id):
        path, body = step_call(step, case_id, meeting and meeting["id"], key_worker)
        status, answer = answered("POST", path, body, tok)
        if status not in (200, 201):
            with ledger.lock:
                ledger.life_refused.append((case_id, step, status, answer))
            return
        with ledger.lock:
            if step == "book":
                meeting = ledger.meetings[case_id] = {"id": answer["id"], "steps": [],
                                                      "participants": len(answer.get("participants", []))}
            elif step == "close":
                ledger.closed.add(case_id)
            meeting["steps"].append(step)


def lifer(ledger, tok, accepted_all, deadline_s=300):
    """Give each accepted case its life once the scheduling service knows
    its key worker, while the faults are injected; once the acceptor is
    done (accepted_all), until every accepted case has lived (or the
    deadline)."""
    deadline = None
    while True:
        if accepted_all.is_set() and deadline is None:
            deadline = time.monotonic() + deadline_s
        with ledger.lock:
            waiting = {c: a[1] for c, a in ledger.answers.items() if c not in ledger.lived}
        try:
            known = {r[0] for r in sql("SELECT case_id::text FROM scheduling.case_people WHERE role = 'key_worker'"
                                       " AND case_id::text = ANY (:'p1'::text[])",
                                       "{" + ",".join(waiting) + "}")} if waiting else set()
        except Exception:   # PostgreSQL restarting
            time.sleep(0.2)
            continue
        ready = [c for c in waiting if c in known]
        for case_id in ready:
            with ledger.lock:
                if case_id in ledger.lived:
                    continue
                ledger.lived.add(case_id)
            live(ledger, case_id, waiting[case_id], tok)
        if ready:
            continue
        if deadline is not None and (not waiting or time.monotonic() > deadline):
            return
        time.sleep(0.2)


def acceptor(ledger, stop, deadline_s=300):
    """Accept the pending offers of the chosen cases as they appear, while
    the referrals are posted and the faults injected; once stop is set,
    until every eligible referral has its case and no chosen offer is left
    pending (or the deadline)."""
    tokens = {}
    deadline = None
    while True:
        if stop.is_set() and deadline is None:
            deadline = time.monotonic() + deadline_s
        try:
            # Counted before the offers are read: a case and its offer commit together.
            cases = int(sql("SELECT count(*) FROM assignment.cases")[0][0])
            rows = sql("SELECT case_id, id, professional_id FROM assignment.offers WHERE status = 'pending'"
                       " AND professional_id IS NOT NULL ORDER BY created_at LIMIT 500")
        except Exception:   # PostgreSQL restarting
            time.sleep(0.2)
            continue
        untried = [r for r in rows if chosen(r[0]) and r[0] not in ledger.tried]
        for case_id, offer_id, professional_id in untried:
            ledger.tried.add(case_id)
            accept(ledger, case_id, offer_id, professional_id, tokens)
        if untried:
            continue
        if deadline is not None:
            with ledger.lock:
                eligible = sum(1 for _, e in ledger.accepted.values() if e)
            if cases >= eligible or time.monotonic() > deadline:
                return
        time.sleep(0.2)


def healthy(injector):
    """Every service answers the gateway's health check and the bus accepts
    connections on both endpoints."""
    try:
        status, _, _ = http("GET", "/v1/health")
    except OSError:
        return False
    return status == 200 and injector.bus_reachable()


def run_injector(injector, rng, faults, ledger, stop, report):
    """Inject faults one after another until `faults` are verified; each
    waits for the stack to recover (healthy and a referral accepted after the
    fault) before the next. Unverified attempts are kept apart."""
    while len(report["verified"]) < faults and not stop.is_set():
        time.sleep(rng.uniform(0.1, 0.8))
        name = rng.choice(injector.victims)
        t0 = time.monotonic()
        fault = injector.inject(name)
        (report["verified"] if fault.verified else report["unverified"]).append(fault)
        if len(report["unverified"]) > max(10, faults):
            return
        while not stop.is_set():
            if healthy(injector) and (ledger.last_success > t0 or ledger.next >= ledger.count):
                break
            time.sleep(0.02)
        recovery = time.monotonic() - t0
        if recovery > report["longest"]:
            report["longest"], report["longest_victim"] = recovery, name


def settle(ledger, injector, faults, deadline_s=300, during=None):
    """Audit until nothing is missing (or the deadline), then wait SETTLE_S
    and audit again until two audits in a row agree. during() runs once in
    the first settle period (defects.py injects a late duplicate there).
    Returns the last Findings and whether the stores settled."""
    deadline = time.monotonic() + deadline_s
    journal = injector.sink_journal()
    while True:
        f = auditing.audit(ledger, faults, journal)
        pending = f.count("lost") + f.count("unapplied")
        if pending == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    while True:
        if during:
            during()
            during = None
        time.sleep(SETTLE_S)
        again = auditing.audit(ledger, faults, journal)
        if again.fingerprint() == f.fingerprint():
            return again, True
        if time.monotonic() > deadline:
            return again, False
        f = again


def summary(ledger, report, f, settled, posting):
    verified = report["verified"]
    by_victim = {}
    for x in verified:
        by_victim[x.victim] = by_victim.get(x.victim, 0) + 1
    window = auditing.RESEND_PER_FAULT * sum(1 for x in verified if x.victim in auditing.RESEND_FAULTS)
    print("accepted %d, offers accepted %d, meetings %d, closed %d, lost %d, duplicate %d, wrong %d,"
          " unexpected %d, unapplied %d, re-sent %d (bound %d, unexplained %d), faults verified %d of %d attempted,"
          " longest recovery %.1f s (%s)" % (
              len(ledger.accepted), len(ledger.answers), len(ledger.meetings), len(ledger.closed), f.count("lost"),
              f.count("duplicate"), f.count("wrong"), f.count("unexpected"), f.count("unapplied"), len(f.resent), window,
              f.count("resent_unexplained"), len(verified), len(verified) + len(report["unverified"]),
              report["longest"], report["longest_victim"]))
    steps = [x for m in ledger.meetings.values() for x in m["steps"]]
    print("# lives: %d meetings booked, %d rescheduled, %d cancelled, %d held, %d cases closed; refused %d" % (
        len(ledger.meetings), steps.count("reschedule"), steps.count("cancel"), steps.count("outcome"),
        len(ledger.closed), len(ledger.life_refused)))
    print("# posting took %.0f s; faults by victim: %s; refused %d; settled: %s" % (
        posting, ", ".join("%s %d" % kv for kv in sorted(by_victim.items())), len(ledger.refused),
        "yes, %.0f s after the last change" % SETTLE_S if settled else "NO"))
    print("# audited: " + ", ".join("%s %d" % kv for kv in sorted(f.tally.items())))
    for mid, first, again, victim, at in f.resent:
        print("#   re-sent %s: %.3f then %.3f, after %s hit at %.3f" % (mid, first, again, victim, at))
    for x in report["unverified"][:10]:
        print("#   unverified fault: %r" % (x,))
    for line in f.details()[:20]:
        print("#   " + line)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 1000
    faults = int(args[1]) if len(args) > 1 else 30
    seed = int(os.environ.get("KW_FAULTS_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print("# faults: %d referrals, %d faults, seed %d" % (count, faults, seed))
    injector = stack_faults.load()
    tok = token(sub="fault-ledger")
    ledger = Ledger(count, rng)
    people = max(60, -(-count // WORKFORCE_MAX_CASELOAD))
    workforce(tok, people, WORKFORCE_MAX_CASELOAD, prefix="ledger")
    ledger.workforce = {r[0] for r in sql("SELECT id FROM assignment.professionals WHERE email LIKE 'ledger.%'")}
    print("# workforce: %d professionals, %d places" % (len(ledger.workforce),
                                                         len(ledger.workforce) * WORKFORCE_MAX_CASELOAD))
    # Spread the referrals over the faults: about 1.5 s per fault and recovery.
    pace = max(0.0, POSTERS * faults * 1.5 / count - 0.005) if faults else 0.0
    stop = threading.Event()
    report = {"verified": [], "unverified": [], "longest": 0.0, "longest_victim": ""}
    threads = [threading.Thread(target=poster, args=(ledger, tok, pace, stop)) for _ in range(POSTERS)]
    inj = threading.Thread(target=run_injector,
                           args=(injector, random.Random(seed + 1), faults, ledger, stop, report))
    accepting = threading.Thread(target=acceptor, args=(ledger, stop))
    accepted_all = threading.Event()
    lifers = [threading.Thread(target=lifer, args=(ledger, tok, accepted_all)) for _ in range(LIFERS)]
    started = time.monotonic()
    for t in threads + [inj, accepting] + lifers:
        t.start()
    for t in threads:
        t.join()
    inj.join(timeout=600)
    stop.set()
    inj.join()
    accepting.join()
    accepted_all.set()
    for t in lifers:
        t.join()
    posting = time.monotonic() - started
    all_faults = report["verified"] + report["unverified"]

    f, settled = settle(ledger, injector, all_faults)
    summary(ledger, report, f, settled, posting)
    window = auditing.RESEND_PER_FAULT * sum(1 for x in report["verified"] if x.victim in auditing.RESEND_FAULTS)
    ok(len(ledger.accepted) == count and not ledger.refused,
       "faults: every one of the %d referrals was accepted" % count, ledger.refused[:3])
    eligible_cases = sum(1 for _, e in ledger.accepted.values() if e)
    ok(len(ledger.tried) > 0 and not ledger.answer_refused and len(ledger.answers) == len(ledger.tried),
       "faults: %d offers accepted by their offerees while the faults were injected, none refused"
       " (%d eligible referrals)" % (len(ledger.answers), eligible_cases), ledger.answer_refused[:3])
    ok(ledger.lived == set(ledger.answers) and not ledger.life_refused
       and all(m["steps"] == ["book"] + list(life_of(c)) for c, m in ledger.meetings.items())
       and set(ledger.meetings) == ledger.lived,
       "faults: each of the %d accepted cases lived: a meeting booked, rescheduled, cancelled or held, %d"
       " closed, none refused" % (len(ledger.answers), len(ledger.closed)),
       (len(ledger.lived), len(ledger.meetings), ledger.life_refused[:3]))
    ok(len(report["verified"]) == faults and not report["unverified"],
       "faults: %d faults injected, each verified" % len(report["verified"]), report["unverified"][:5])
    ok(settled, "faults: the stores settled (two audits %.0f s apart agree)" % SETTLE_S)
    ok(f.count("lost") == 0 and f.count("unapplied") == 0,
       "faults: nothing lost, every consumer applied every event", f.details()[:5])
    ok(f.count("duplicate") == 0 and f.count("unexpected") == 0, "faults: no effect happened twice",
       f.details()[:5])
    ok(f.count("wrong") == 0, "faults: every decision, projection, key worker and professional's count is"
       " the expected one", f.details()[:5])
    ok(f.count("resent_unexplained") == 0 and len(f.resent) <= window,
       "faults: %d e-mails transmitted again, each after a notification kill or PostgreSQL"
       " restart that caught it in flight (bound %d)" % (len(f.resent), window), f.details()[:5])
    ok(healthy(injector), "faults: the stack is healthy at the end")
    if "--defects" in sys.argv and f.clean() and settled:
        import defects
        defects.check(ledger, injector, all_faults, f, settle)
    done()


main()
