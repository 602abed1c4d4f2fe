"""Fault injection with a ledger. Posts referrals through the gateway (a mix
of eligible and ineligible, each retried with its own Idempotency-Key until
it gets a definitive answer) while an injector SIGKILLs a random program of
the stack (the supervisor restarts it) or restarts PostgreSQL with
pg_ctl -m immediate. Then it waits for quiescence and checks every effect
from the database and the SMTP store against the ledger of accepted
referrals. Prints one summary line and TAP; exits non-zero unless nothing
was lost and nothing happened twice.

    ledger.py REFERRALS FAULTS"""

import email.parser
import glob
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kwtest import ok, done, token, http, referral, nhs_number, pid_of, sql, VAR  # noqa: E402

VICTIMS = ["bus", "gateway", "referral", "eligibility", "assignment", "scheduling", "notification",
           "postgres"]
PGBIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
POSTERS = 4


class Ledger:
    def __init__(self, count, rng):
        self.lock = threading.Lock()
        self.next = 0
        self.count = count
        self.plan = [(nhs_number(rng), rng.random() < 0.7, str(uuid.uuid4())) for _ in range(count)]
        self.accepted = {}          # nhs -> (referral id, eligible)
        self.refused = []           # (status, body) of definitive refusals
        self.last_success = 0.0

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


def pg_ctl(*args):
    cmd = [PGBIN + "/pg_ctl", "-D", os.path.join(VAR, "pg", "data")] + list(args)
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def inject(rng, name):
    if name == "postgres":
        pg_ctl("-m", "immediate", "-w", "stop")
        pg_ctl("-l", os.path.join(VAR, "pg", "server.log"), "-o", "-p " + os.environ["KW_PG_PORT"],
               "-w", "-t", "60", "start")
        return
    try:
        os.kill(pid_of(name), signal.SIGKILL)
    except (OSError, ValueError):
        pass                        # between a crash and its restart: nothing to kill


def healthy():
    try:
        status, body, _ = http("GET", "/v1/health")
    except OSError:
        return False
    return status == 200


def injector(rng, faults, ledger, stop, report):
    """Inject faults one after another: each waits for the stack to recover
    (health ok and a referral accepted after the fault) before the next."""
    while report["faults"] < faults and not stop.is_set():
        time.sleep(rng.uniform(0.1, 0.8))
        name = rng.choice(VICTIMS)
        t0 = time.monotonic()
        inject(rng, name)
        report["faults"] += 1
        report["by_victim"][name] = report["by_victim"].get(name, 0) + 1
        while not stop.is_set():
            if healthy() and (ledger.last_success > t0 or ledger.next >= ledger.count):
                break
            time.sleep(0.02)
        recovery = time.monotonic() - t0
        if recovery > report["longest"]:
            report["longest"], report["longest_victim"] = recovery, name


def counts(rows):
    out = {}
    for key, n in rows:
        out[key] = out.get(key, 0) + int(n)
    return out


def mail_per_case():
    """Distinct e-mails per case, and how many messages repeated one. An
    e-mail is its Message-ID (RFC 5322 3.6.4): delivery to SMTP is at least
    once, and a message sent again after a crash between the server's reply
    and the commit carries the same Message-ID, which mail stores file once."""
    parser = email.parser.BytesHeaderParser()
    ids, resent = {}, 0
    for path in glob.glob(os.path.join(VAR, "mail", "*.eml")):
        with open(path, "rb") as f:
            headers = parser.parse(f)
        case_id = headers.get("Subject", "").rsplit(" ", 1)[-1]
        seen = ids.setdefault(case_id, set())
        message_id = headers.get("Message-ID", path)
        if message_id in seen:
            resent += 1
        seen.add(message_id)
    return {case_id: len(s) for case_id, s in ids.items()}, resent


def audit(ledger):
    """Compare the stores with the ledger: (lost, duplicates, wrong, details)."""
    ours = {nhs: rid for nhs, (rid, _) in ledger.accepted.items()}
    rows = sql("SELECT nhs_number, id::text FROM referral.referrals")
    per_nhs = {}
    for nhs, rid in rows:
        if nhs in ours:
            per_nhs.setdefault(nhs, []).append(rid)
    decisions = dict(sql("SELECT referral_id::text, outcome FROM eligibility.decisions"))
    cases = counts(sql("SELECT referral_id::text, count(*) FROM assignment.cases GROUP BY 1"))
    case_of = dict(sql("SELECT referral_id::text, id::text FROM assignment.cases"))
    offers = counts(sql("SELECT case_id::text, count(*) FROM assignment.offers GROUP BY 1"))
    sent = counts(sql("SELECT case_id, count(*) FROM notification.deliveries"
                      " WHERE status = 'sent' GROUP BY 1"))
    mails, resent = mail_per_case()
    lost, dup, wrong, details = 0, 0, 0, []
    for nhs, (rid, eligible) in ledger.accepted.items():
        stored = per_nhs.get(nhs, [])
        if rid not in stored:
            lost += 1
            details.append("referral %s not stored" % rid)
            continue
        dup += len(stored) - 1
        outcome = decisions.get(rid)
        if outcome is None:
            lost += 1
            details.append("referral %s has no decision" % rid)
            continue
        if outcome != ("eligible" if eligible else "ineligible"):
            wrong += 1
            details.append("referral %s decided %s" % (rid, outcome))
        if not eligible:
            dup += cases.get(rid, 0)
            continue
        case_id = case_of.get(rid)
        dup += max(0, cases.get(rid, 0) - 1)
        if case_id is None or offers.get(case_id, 0) == 0 or mails.get(case_id, 0) == 0 \
                or sent.get(case_id, 0) == 0:
            lost += 1
            details.append("referral %s: case %s, offers %s, deliveries %s, mails %s" % (
                rid, case_id, offers.get(case_id, 0), sent.get(case_id, 0), mails.get(case_id, 0)))
            continue
        dup += offers[case_id] - 1 + mails[case_id] - 1 + sent[case_id] - 1
    return lost, dup, wrong, details, resent


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    faults = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    seed = int(os.environ.get("KW_FAULTS_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print("# faults: %d referrals, %d faults, seed %d" % (count, faults, seed))
    tok = token(sub="fault-ledger")
    ledger = Ledger(count, rng)
    # Spread the referrals over the faults: about 1.5 s per fault and recovery.
    pace = max(0.0, POSTERS * faults * 1.5 / count - 0.005) if faults else 0.0
    stop = threading.Event()
    report = {"faults": 0, "longest": 0.0, "longest_victim": "", "by_victim": {}}
    threads = [threading.Thread(target=poster, args=(ledger, tok, pace, stop)) for _ in range(POSTERS)]
    inj = threading.Thread(target=injector, args=(random.Random(seed + 1), faults, ledger, stop, report))
    started = time.monotonic()
    for t in threads + [inj]:
        t.start()
    for t in threads:
        t.join()
    inj.join(timeout=600)
    stop.set()
    posting = time.monotonic() - started

    # Quiescence: effects settle once every consumer has caught up.
    deadline = time.monotonic() + 300
    while True:
        result = audit(ledger)
        if result[0] == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    lost, dup, wrong, details, resent = result
    print("accepted %d, lost %d, duplicate effects %d, faults injected %d, longest recovery %.1f s (%s)" % (
        len(ledger.accepted), lost, dup, report["faults"], report["longest"], report["longest_victim"]))
    print("# posting took %.0f s; faults by victim: %s; refused %d" % (
        posting, ", ".join("%s %d" % kv for kv in sorted(report["by_victim"].items())), len(ledger.refused)))
    print("# e-mails sent again with the same Message-ID after a crash between the SMTP reply"
          " and the commit: %d" % resent)
    for line in details[:20]:
        print("#   " + line)
    ok(len(ledger.accepted) == count and not ledger.refused,
       "faults: every one of the %d referrals was accepted" % count, ledger.refused[:3])
    ok(report["faults"] == faults, "faults: %d faults injected" % report["faults"])
    ok(lost == 0, "faults: nothing lost", details[:5])
    ok(dup == 0, "faults: no effect happened twice")
    ok(wrong == 0, "faults: every decision is the expected one")
    ok(healthy(), "faults: the stack is healthy at the end")
    done()


main()
