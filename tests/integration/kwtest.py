"""Helpers for the integration tests: TAP output, HTTP calls to the gateway,
SQL through psql, tokens through kwctl, the stack's processes and mail store.
The tests run against the stack that tests/run-all.sh started; its settings
arrive in the environment (KW_VAR_DIR, KW_HTTP_ADDR, KW_PG_PORT, KW_BIN_DIR).
Against a stack elsewhere (deploy/docker/compose-test.sh: containers), the
commands and the mail directory are given instead: KW_TEST_KWCTL and
KW_TEST_PSQL (a command line each, e.g. "docker exec CONTAINER kwctl") and
KW_TEST_MAIL_DIR."""

import datetime
import email
import glob
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zoneinfo

VAR = os.environ.get("KW_VAR_DIR", "")
HTTP = "http://" + os.environ["KW_HTTP_ADDR"]
BIN = os.environ.get("KW_BIN_DIR", "")
PG_PORT = os.environ.get("KW_PG_PORT", "")
KWCTL = shlex.split(os.environ.get("KW_TEST_KWCTL", "")) or [os.path.join(BIN, "kwctl")]
PSQL = shlex.split(os.environ.get("KW_TEST_PSQL", "")) or [
    "psql", "-h", os.path.join(VAR, "pg", "run"), "-p", PG_PORT, "-U", "postgres", "-d", "kw"]
MAIL_DIR = os.environ.get("KW_TEST_MAIL_DIR") or os.path.join(VAR, "mail")

_count = 0
_failed = 0


def ok(cond, name, diag=None):
    """Record one TAP test result."""
    global _count, _failed
    _count += 1
    if not cond:
        _failed += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (_count, name))
    if not cond and diag is not None:
        for line in str(diag).splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()
    return cond


def done():
    print("1..%d" % _count)
    sys.exit(1 if _failed or not _count else 0)


def token(role="coordinator", region="norfolk", sub="test-coordinator", **extra):
    args = KWCTL + ["token", "--role", role, "--region", region, "--sub", sub]
    for key, value in extra.items():
        args += ["--" + key.replace("_", "-"), value]
    # In a container (KW_TEST_KWCTL), the command fails while a fault has
    # the container down; it is asked again until the restart is done.
    deadline = time.monotonic() + (60 if os.environ.get("KW_TEST_KWCTL") else 0)
    while True:
        try:
            return subprocess.check_output(args, text=True).strip()
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def http(method, path, body=None, tok=None, headers=None, raw=None):
    """Call the gateway; returns (status, parsed JSON or text, headers)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(HTTP + path, data=data, method=method)
    if data is not None and not (headers and "Content-Type" in headers):
        req.add_header("Content-Type", "application/json")
    if tok:
        req.add_header("Authorization", "Bearer " + tok)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, text, hdrs = resp.status, resp.read().decode(), resp.headers
    except urllib.error.HTTPError as e:
        status, text, hdrs = e.code, e.read().decode(), e.headers
    try:
        return status, json.loads(text), hdrs
    except ValueError:
        return status, text, hdrs


def pages(tok, path):
    """Every item of GET path (which has a query) for tok, following
    next_cursor in pages of 500; None on an error answer."""
    items, cursor = [], None
    for _ in range(10000):
        status, page, _ = http("GET", "%s%slimit=500%s" % (path, "" if path.endswith("?") else "&",
                                                          "&cursor=" + cursor if cursor else ""), tok=tok)
        if status != 200:
            return None
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items
    return None


def list_all(tok, query=""):
    """Every item of GET /v1/referrals?query for tok, page by page; None on
    an error answer."""
    return pages(tok, "/v1/referrals?" + query)


def sql(query, *params):
    """Run a query as the cluster owner; returns rows as lists of strings.
    Parameters are passed as psql variables and quoted by psql itself."""
    args = PSQL + ["-At", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
    for i, p in enumerate(params):
        args += ["-v", "p%d=%s" % (i + 1, p)]
    out = subprocess.run(args, input=query, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def scalar(query, *params):
    rows = sql(query, *params)
    return rows[0][0] if rows else None


def wait_until(predicate, timeout=30.0, interval=0.1):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(interval)


def caught_up(timeout=30.0):
    """Wait until every consumer's offset has reached its producer's last
    seq (every event written so far applied everywhere); True when so."""
    return wait_until(lambda: scalar("SELECT count(*) FROM bus.offsets o JOIN bus.producers p"
                                     " ON p.producer = o.producer WHERE o.last_seq < p.last_seq") == "0",
                      timeout, 0.2)


def pid_of(name):
    with open(os.path.join(VAR, "run", name + ".pid")) as f:
        return int(f.read().strip())


def kill(name, sig=signal.SIGKILL):
    """Kill one supervised process; returns the pid killed."""
    pid = pid_of(name)
    os.kill(pid, sig)
    return pid


def wait_restarted(name, old_pid, timeout=20.0):
    def restarted():
        try:
            pid = pid_of(name)
        except (OSError, ValueError):
            return False
        return pid != old_pid and os.path.exists("/proc/%d" % pid)
    return wait_until(restarted, timeout)


def pg_ctl(*args):
    """Run pg_ctl on the stack's cluster (as its owner when we are root)."""
    pgbin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    cmd = [pgbin + "/pg_ctl", "-D", os.path.join(VAR, "pg", "data")] + list(args)
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def pg_start():
    pg_ctl("-l", os.path.join(VAR, "pg", "server.log"), "-o", "-p " + PG_PORT, "-w", "-t", "60", "start")


def mails(directory=None):
    """Every message in the SMTP sink's store (by default the test stack's),
    parsed, in the order it accepted them."""
    return [email.message_from_bytes(raw) for _, raw in sink_messages(directory)]


def mail_part(message, content_type="text/plain"):
    """The decoded text of a message's part of content_type ("" when none)."""
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part.get_payload(decode=True).decode("utf-8", "replace")
    return ""


def nhs_number(rng=random):
    """A random NHS number with a valid modulus-11 check digit."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def region_today(region="norfolk"):
    """Today in the region's time zone (its file's time_zone): the date the
    services count days on (ages, due dates, the family's weekdays). The
    machine's date (UTC) is a day behind it from 23:00 to midnight UTC in
    British Summer Time."""
    directory = os.environ.get("KW_REGION_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                "..", "..", "deploy", "regions")
    with open(os.path.join(directory, region + ".json")) as f:
        zone = json.load(f)["time_zone"]
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone)).date()


def region_day(offset, region="norfolk"):
    """The region's date offset days from today, as YYYY-MM-DD."""
    return (region_today(region) + datetime.timedelta(days=offset)).isoformat()


def born(years, days_to_birthday, region="norfolk"):
    """The date of birth (YYYY-MM-DD) of a child who turns `years` in
    days_to_birthday days (negative: turned) on the region's date; a
    birthday that falls on 29 February is 28 February in a year without one."""
    target = region_today(region) + datetime.timedelta(days=days_to_birthday)
    try:
        return target.replace(year=target.year - years).isoformat()
    except ValueError:
        return target.replace(year=target.year - years, day=28).isoformat()


def referral(nhs, eligible=True, suggested=None, dob="2015-03-02"):
    """A referral body for the norfolk rule set: eligible, or failing the
    gp and professionals criteria; suggested: the e-mail of the key worker
    the family suggests, or None."""
    pros = [
        {"name": "Therapist A", "agency": "Community Health", "discipline": "occupational_therapist"},
        {"name": "Social Worker B", "agency": "Children's Services", "discipline": "social_worker"},
        {"name": "Teacher C", "agency": "Riverside School", "discipline": "teacher"},
    ]
    return {
        "source": "professional",
        "referrer": {"name": "Dr Referrer", "agency": "Riverside Surgery", "role": "GP",
                     "email": "referrer@example.org"},
        "child": {"nhs_number": nhs, "given_name": "Test", "family_name": "Child",
                  "date_of_birth": dob, "postcode": "NR2 3TU",
                  "gp_practice": "D82001" if eligible else "B12345",
                  "in_complex_needs_school": False, "language": "en"},
        "needs": {"complex_health_needs": True, "high_level_of_need": False,
                  "learning_disability": False, "autism": True, "inpatient": False},
        "professionals": pros if eligible else pros[:1],
        "consent": {"basis": "parental_responsibility", "given_by": "Parent", "date": "2026-11-20"},
    } | ({"suggested_key_worker": {"email": suggested}} if suggested else {})


def post_until_answered(path, body, tok, attempts=5):
    """POST body with one Idempotency-Key, sent again while the answer is 503
    (a service busy past the gateway's timeout on a loaded machine); the key
    makes the repeats one request. Returns the last (status, body)."""
    key = "retry-%032x" % random.getrandbits(128)
    for _ in range(attempts):
        status, answer, _ = http("POST", path, body, tok, headers={"Idempotency-Key": key})
        if status != 503:
            break
        time.sleep(0.5)
    return status, answer


def post_referrals(count, rng, tok, on_progress=None, eligible_share=0.7):
    """Post count referrals (a mix of eligible and ineligible); calls
    on_progress(i) after each. Returns (ids, eligible_ids, failures)."""
    ids, eligible_ids, failures = [], set(), []
    for i in range(count):
        eligible = rng.random() < eligible_share
        status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), eligible), tok)
        if status == 201:
            ids.append(body["id"])
            if eligible:
                eligible_ids.add(body["id"])
        else:
            failures.append((status, body))
        if on_progress:
            on_progress(i)
    return ids, eligible_ids, failures


def sink_journal(path=None):
    """The SMTP sink's transactions (its transactions.log, by default the
    test stack's), one dict per accepted transmission, in order: {"at",
    "file", "offset", "size", "message_id", "bytes"} (deploy/local/smtp_sink.py)."""
    try:
        with open(path or os.path.join(MAIL_DIR, "transactions.log"), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def sink_messages(directory=None, skip=0):
    """The SMTP sink's messages as stored, from its skip-th on: (journal
    entry, the message's bytes: trace headers, then the message as it came)."""
    directory = directory or MAIL_DIR
    out, files = [], {}
    try:
        for t in sink_journal(os.path.join(directory, "transactions.log"))[skip:]:
            f = files.get(t["file"]) or files.setdefault(t["file"], open(os.path.join(directory, t["file"]), "rb"))
            f.seek(t["offset"])
            raw = f.read(t["size"])
            # Each stored message starts with its trace headers, its size is
            # its own: a journal line that points elsewhere is the sink's fault.
            if not raw.startswith(b"Return-Path: <") or len(raw) != t["size"]:
                raise AssertionError("the sink's journal points at no stored message: %r" % t)
            out.append((t, raw))
    finally:
        for f in files.values():
            f.close()
    return out


def delivery_message_id(delivery_id):
    """The Message-ID notification gives the e-mail of a delivery."""
    return "<%s@keyworker.invalid>" % delivery_id


# Faults inside whose window an e-mail may be transmitted again: a crash of
# notification between the SMTP server's reply and the commit, or the
# database going away at that moment. The fault must hit within
# RESEND_HIT_S after the transmission it interrupted (the window is one
# round trip and one COMMIT); the sink stamps a transaction once it has read
# and stored it (an fsync each, one after another), which can be well after
# the sender's last byte when several messages are in flight at once
# (notification sends up to 8), and so after a kill that followed that
# byte, hence RESEND_STAMP_S before it.
# The copy must follow the fault within RESEND_AFTER_S (the restart, then
# the sender's first run).
# One fault interrupts at most the messages in flight at that moment
# (KW_SMTP_IN_FLIGHT, 8 by default): each may be sent again.
RESEND_FAULTS = ("notification", "postgres")
RESEND_PER_FAULT = 8
RESEND_STAMP_S = 1.0
RESEND_HIT_S = 1.0
RESEND_AFTER_S = 60.0


def explain_resends(per_message, faults):
    """per_message: {message id: [transmission times]}; faults: [(victim,
    time)] of faults verified to have happened. Every transmission after the
    first must be explained by a fault of RESEND_FAULTS that hit right after
    the transmission before it and shortly before this one (see
    RESEND_HIT_S); a fault explains at most RESEND_PER_FAULT of them (the
    messages it can have caught in flight). Returns (explained, unexplained): lists of (message id,
    before, again, victim, fault time), and of (message id, before, again, None)."""
    window = sorted((at, victim) for victim, at in faults if victim in RESEND_FAULTS)
    used, explained, unexplained = {}, [], []
    for mid, times in sorted(per_message.items()):
        times = sorted(times)
        for first, again in zip(times, times[1:]):
            i = next((i for i, (at, _) in enumerate(window)
                      if used.get(i, 0) < RESEND_PER_FAULT and first - RESEND_STAMP_S <= at <= first + RESEND_HIT_S
                      and at <= again <= at + RESEND_AFTER_S), None)
            if i is None:
                unexplained.append((mid, first, again, None))
            else:
                used[i] = used.get(i, 0) + 1
                explained.append((mid, first, again, window[i][1], window[i][0]))
    return explained, unexplained


def effects(ids):
    """Count each accepted referral's effects in every service's own tables,
    row by row, and its e-mails as SMTP transactions."""
    id_list = "{" + ",".join(ids) + "}"

    def per_referral(query):
        return {rid: int(n) for rid, n in sql(query, id_list)}
    decisions = per_referral("SELECT referral_id::text, count(*) FROM eligibility.decisions"
                             " WHERE referral_id::text = ANY (:'p1'::text[]) GROUP BY 1")
    cases = per_referral("SELECT referral_id::text, count(*) FROM assignment.cases"
                         " WHERE referral_id::text = ANY (:'p1'::text[]) GROUP BY 1")
    offers = per_referral("SELECT c.referral_id::text, count(o.id) FROM assignment.cases c"
                          " JOIN assignment.offers o ON o.case_id = c.id"
                          " WHERE c.referral_id::text = ANY (:'p1'::text[]) GROUP BY 1")
    scheduled = per_referral("SELECT c.referral_id::text, count(s.case_id) FROM assignment.cases c"
                             " JOIN scheduling.cases s ON s.case_id = c.id"
                             " WHERE c.referral_id::text = ANY (:'p1'::text[]) GROUP BY 1")
    projected = per_referral("SELECT r.id::text, count(*) FROM referral.referrals r"
                             " JOIN assignment.cases c ON c.referral_id = r.id AND r.case_id = c.id::text"
                             " WHERE r.id::text = ANY (:'p1'::text[]) AND r.status = 'eligible' GROUP BY 1")
    rows = sql("SELECT c.referral_id::text, d.id::text, d.status FROM assignment.cases c"
               " JOIN notification.deliveries d ON d.case_id = c.id::text"
               " WHERE c.referral_id::text = ANY (:'p1'::text[])", id_list)
    deliveries, sent, referral_of = {}, {}, {}
    for rid, did, status in rows:
        deliveries[rid] = deliveries.get(rid, 0) + 1
        if status == "sent":
            sent[rid] = sent.get(rid, 0) + 1
        referral_of[delivery_message_id(did)] = rid
    # Every transmission the SMTP sink accepted counts, whatever its Message-ID.
    per_message = {}
    for t in sink_journal():
        if t["message_id"] in referral_of:
            per_message.setdefault(t["message_id"], []).append(t["at"])
    mails = {}
    for mid, times in per_message.items():
        mails[referral_of[mid]] = mails.get(referral_of[mid], 0) + len(times)
    return {"decisions": decisions, "cases": cases, "offers": offers, "scheduled": scheduled,
            "projected": projected, "deliveries": deliveries, "sent": sent, "mails": mails,
            "per_message": per_message, "referral_of": referral_of}


def check_exactly_once(label, ids, eligible_ids, faults=(), timeout=60, settle=3.0):
    """Wait until every referral has all its effects, wait settle seconds
    and count again (a late duplicate counts), then assert each effect
    happened exactly once. faults: [(victim, time)] of the faults the test
    injected: an e-mail transmitted again is allowed only after its own
    kill of notification or PostgreSQL restart (TAP lines prefixed with label)."""
    def complete():
        e = effects(ids)
        full = (len(e["decisions"]) == len(ids) and len(e["offers"]) == len(eligible_ids)
                and len(e["mails"]) == len(eligible_ids) and len(e["sent"]) == len(eligible_ids)
                and len(e["scheduled"]) == len(eligible_ids) and len(e["projected"]) == len(eligible_ids))
        return e if full else None
    e = wait_until(complete, timeout, 0.5) or effects(ids)
    deadline = time.time() + timeout
    while True:
        time.sleep(settle)
        again = effects(ids)
        if again == e or time.time() > deadline:
            break
        e = again
    explained, unexplained = explain_resends(e["per_message"], faults)
    mails = dict(e["mails"])
    for mid, *_ in explained:
        mails[e["referral_of"][mid]] -= 1
    dup = lambda d: {k: v for k, v in d.items() if int(v) != 1}
    ok(len(e["decisions"]) == len(ids) and not dup(e["decisions"]),
       "%s: %d referrals, each decided exactly once" % (label, len(ids)),
       "decided %d, duplicated %s" % (len(e["decisions"]), dup(e["decisions"])))
    ok(set(e["cases"]) == eligible_ids and not dup(e["cases"]),
       "%s: each of the %d eligible referrals has exactly one case" % (label, len(eligible_ids)),
       "cases %d, duplicated %s, for ineligible %d" % (
           len(e["cases"]), dup(e["cases"]), len(set(e["cases"]) - eligible_ids)))
    ok(set(e["offers"]) == eligible_ids and not dup(e["offers"]),
       "%s: each case has exactly one offer" % label,
       "offers %d, duplicated %s" % (len(e["offers"]), dup(e["offers"])))
    ok(set(e["scheduled"]) == eligible_ids and not dup(e["scheduled"])
       and set(e["projected"]) == eligible_ids and not dup(e["projected"]),
       "%s: the scheduling and referral projections hold each case exactly once" % label,
       "scheduled %d %s, projected %d %s" % (len(e["scheduled"]), dup(e["scheduled"]),
                                             len(e["projected"]), dup(e["projected"])))
    ok(set(e["deliveries"]) == eligible_ids and not dup(e["deliveries"])
       and set(e["sent"]) == eligible_ids and not dup(e["sent"]),
       "%s: each offer has exactly one delivery, sent" % label,
       "deliveries %d %s, sent %d %s" % (len(e["deliveries"]), dup(e["deliveries"]),
                                         len(e["sent"]), dup(e["sent"])))
    ok(set(mails) == eligible_ids and not dup(mails) and not unexplained,
       "%s: each offer was transmitted to SMTP exactly once (%d again after a fault)" % (
           label, len(explained)),
       "mails %d, duplicated %s, unexplained %s" % (len(mails), dup(mails), unexplained[:3]))


DISCIPLINES = ["social_worker", "occupational_therapist", "speech_and_language_therapist", "physiotherapist",
               "special_educator", "family_support_worker", "behaviour_specialist", "ld_nurse",
               "community_nurse", "psychologist"]


def professional(tok, name, email, **fields):
    """Register a professional over the API; returns the record (or fails the test)."""
    body = {"name": name, "agency": "Test Agency", "discipline": "social_worker", "email": email,
            "localities": ["NR2"], "max_caseload": 12}
    body.update(fields)
    status, record, _ = http("POST", "/v1/professionals", body, tok)
    if status != 201:
        raise AssertionError("registering %s: %s %s" % (email, status, record))
    return record


def workforce(tok, count=60, max_caseload=15, prefix="wf"):
    """Register count professionals of the token's region in one CSV import
    (varied disciplines, districts NR1 to NR9, some speaking pl or ur): a
    region's workforce. Importing it again changes nothing. Returns the
    import's answer."""
    lines = ["name,agency,discipline,email,languages,localities,max_caseload"]
    for i in range(count):
        langs = "en pl" if i % 5 == 0 else "en ur" if i % 7 == 0 else "en"
        lines.append("Worker %s %d,Agency %d,%s,%s.%d@example.org,%s,NR%d NR%d,%d" % (
            prefix, i, i % 4, DISCIPLINES[i % len(DISCIPLINES)], prefix, i, langs, 1 + i % 9, 1 + (i + 3) % 9,
            max_caseload))
    status, answer, _ = http("POST", "/v1/professionals/import", tok=tok, raw="\n".join(lines).encode(),
                             headers={"Content-Type": "text/csv"})
    if status != 200 or answer.get("rejected"):
        raise AssertionError("workforce import: %s %s" % (status, answer))
    return answer


def test_region(region_id, assignment, base="norfolk", change=None):
    """A region of the stack's own (base's rules and notification section,
    change(doc) applied) with its assignment section, read by eligibility,
    assignment, scheduling and notification after a SIGHUP. Returns a
    coordinator token of the region once eligibility
    knows it."""
    directory = os.environ["KW_REGION_DIR"]
    with open(os.path.join(directory, base + ".json")) as f:
        doc = json.load(f)
    doc["id"] = region_id
    doc["name"] = "Test region " + region_id
    doc["assignment"] = assignment
    if change:
        change(doc)
    with open(os.path.join(directory, region_id + ".json"), "w") as f:
        json.dump(doc, f)
    def reloads(name):
        with open(os.path.join(VAR, "log", name + ".log"), errors="replace") as f:
            text = f.read()
        return text.count('"settings_reloaded"'), text.count('"settings_reload_failed"')
    # assignment, scheduling and notification read the region files on
    # SIGHUP and log it.
    readers = ("assignment", "scheduling", "notification")
    before = {name: reloads(name) for name in readers}
    for name in ("eligibility",) + readers:
        kill(name, signal.SIGHUP)
    for name in readers:
        if not wait_until(lambda: reloads(name) != before[name], 15) or reloads(name)[1] != before[name][1]:
            raise AssertionError("%s did not read region %s" % (name, region_id))
    tok = token(region=region_id)
    if not wait_until(lambda: http("GET", "/v1/eligibility/ruleset", tok=tok)[0] == 200, 15):
        raise AssertionError("region %s was not loaded" % region_id)
    time.sleep(0.5)
    return tok


def case_of(tok, referral_id, timeout=20):
    """The case id of a referral, once it has one."""
    def found():
        status, body, _ = http("GET", "/v1/referrals/%s" % referral_id, tok=tok)
        return body.get("case_id") if status == 200 else None
    return wait_until(found, timeout)


def get_case(tok, case_id):
    status, body, _ = http("GET", "/v1/cases/%s" % case_id, tok=tok)
    return body if status == 200 else None


def pending_offer(case):
    """The case's pending offer, or None."""
    pending = [o for o in (case or {}).get("offers", []) if o["status"] == "pending"]
    return pending[0] if pending else None
