"""make bench, e-mail: how fast the notification service sends to the
local SMTP sink, against Postfix's smtp-source sending the same number of
messages of the same size with the same concurrency to the same sink, and
how the service's loop answers meanwhile.

COUNT (argv[1], 1000) e-mail deliveries are written straight into
notification.deliveries as pending but not yet due (a real rendered offer
e-mail each, to COUNT addresses), then made due at once: the time from then
until every one is recorded sent gives e-mails/s (it includes the sender's
first wake-up, up to its 1 s timer). Meanwhile one client reads a delivery
record through the gateway (GET /v1/notifications/{id}: gateway, RPC,
notification's loop, PostgreSQL) as fast as it is answered: p50/p99 of
those answers while the e-mails go out, and the same with nothing going
out. Then smtp-source -s N -m COUNT -l SIZE: N the service's e-mails at
once (KW_SMTP_IN_FLIGHT, 8 unless the environment sets it), SIZE the
average size the sink journalled for the service's messages; the same
reader runs meanwhile, so both senders share the machine with it alike,
and its p50/p99 then (the service sending nothing) are what the machine
itself allows a read while mail goes out.

Both are also timed by the sink's own clock, from the first message it
accepted to the last (its journal's "at"): that leaves out the sender's
wake-up and smtp-source's start, so the two rates compare the sending
alone. And the processor time the notification service used meanwhile
(its /proc stat), a figure the other programs on the machine hardly move.
PostgreSQL's WAL flushes (pg_stat_wal) are counted in both runs: the
reads' audit commits in both, the sender's own commits in the first.

Whether every e-mail is recorded is polled every 50 ms on one psql
session kept open: a psql process and a new connection each time took
the processor from the reader and the programs it measures, 20 times a
second, which smtp-source's run does not share (p99 while sending was
two to four times higher with it, paired runs, same stack).
Prints one line per figure; asserts nothing."""

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kwtest import PSQL, sql, scalar, http, token, sink_journal  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
IN_FLIGHT = int(os.environ.get("KW_SMTP_IN_FLIGHT", "8"))
tok = token(role="coordinator", region="norfolk", sub="mail-bench")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))] if values else float("nan")


def sink_rate(times):
    """Messages a second between the first and the last the sink accepted."""
    return (len(times) - 1) / (max(times) - min(times)) if len(times) > 1 and max(times) > min(times) else 0.0


def cpu_seconds(program):
    """User plus system processor seconds program has used (its pid file in
    the stack's run directory), or None when it cannot be read."""
    try:
        with open(os.path.join(os.environ["KW_VAR_DIR"], "run", program + ".pid")) as f:
            pid = f.read().strip()
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, KeyError, ValueError, IndexError):
        return None


class Watcher:
    """One psql session kept open for the counts polled while the e-mails
    go out: a process and a connection each time would take the processor
    from the reader (and the programs it measures) 20 times a second,
    which smtp-source's run does not have to share."""

    def __enter__(self):
        self.psql = subprocess.Popen(PSQL + ["-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        return self

    def count(self, query):
        self.psql.stdin.write(query + ";\n")
        self.psql.stdin.flush()
        return int(self.psql.stdout.readline())

    def __exit__(self, *exc):
        self.psql.stdin.close()
        self.psql.wait(timeout=30)


def _ticks(pid):
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def programs_cpu():
    """Processor seconds so far of each program of the stack that takes
    part (its pid file), of the cluster's processes together (the
    postmaster's children) and of this bench itself (reader and polling)."""
    out = {"bench": time.process_time()}
    run_dir = os.path.join(os.environ["KW_VAR_DIR"], "run")
    for name in ("notification", "gateway", "smtp"):
        try:
            with open(os.path.join(run_dir, name + ".pid")) as f:
                out[name] = _ticks(f.read().strip()) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    try:
        with open(os.path.join(os.environ["KW_VAR_DIR"], "pg", "data", "postmaster.pid")) as f:
            master = f.readline().strip()
        ticks = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/stat" % pid) as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == master:
                        ticks += _ticks(pid)
            except (OSError, IndexError):
                pass
        out["postgres"] = ticks / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return out


def cpu_line(before, after, seconds):
    """Each program's share of one processor over a phase, as a line."""
    return "  ".join("%s %.0f%%" % (name, 100 * (after[name] - before[name]) / seconds)
                     for name in sorted(after) if name in before and seconds)


def wal_flushes():
    """PostgreSQL's WAL syncs (fsyncs) and writes so far (pg_stat_wal)."""
    row = sql("SELECT wal_sync, wal_write FROM pg_stat_wal")[0]
    return int(row[0]), int(row[1])


def read_latencies(delivery_id, stop):
    out = []
    while not stop.is_set():
        t = time.perf_counter()
        status, _, _ = http("GET", "/v1/notifications/%s" % delivery_id, tok=tok)
        if status == 200:
            out.append((time.perf_counter() - t) * 1000)
    return out


body = ("Dear Bench Professional,\n\nYou have been offered the key worker role for case %s.\n\n"
        "The offer expires at 2026-12-04T10:00:00Z (UTC).\n\nPlease sign in to Norfolk Key Worker Service "
        "to accept or decline the offer. The details of the case are available there once you have signed "
        "in; for their privacy, none are sent by e-mail.\n\nThis message was sent automatically; replies are "
        "not read.\n")
html = "".join("<p>%s</p>\n" % para for para in body.strip().split("\n\n"))
run = uuid.uuid4().hex[:8]
rows = []
for i in range(COUNT):
    case = str(uuid.uuid4())
    rows.append("\t".join([str(uuid.uuid4()), "bench-%s-%d" % (run, i), "assignment.offer_made", "email",
                           "bench-%s-%d" % (run, i), "bench.%s.%d@example.org" % (run, i), "offer_made", case,
                           "norfolk", "Key worker offer for case %s" % case,
                           (body % case).replace("\n", "\\n"), html.replace("\n", "\\n"), "pending",
                           "professional"]))
sql("COPY notification.deliveries (id, event_id, event, channel, recipient_id, recipient_address, template,"
    " case_id, region, subject, body, html, status, audience) FROM STDIN;\n" + "\n".join(rows) + "\n\\.\n"
    "UPDATE notification.deliveries SET next_attempt_at = now () + interval '1 day'"
    " WHERE event_id LIKE 'bench-%s-%%';" % run)
probe = scalar("SELECT id FROM notification.deliveries WHERE event_id = 'bench-%s-0'" % run)

stop = threading.Event()
idle = []
t = threading.Thread(target=lambda: idle.extend(read_latencies(probe, stop)))
t.start()
time.sleep(3)
stop.set()
t.join()

stop = threading.Event()
busy = []
reader = threading.Thread(target=lambda: busy.extend(read_latencies(probe, stop)))
reader.start()
start = time.time()
cpu_before = cpu_seconds("notification")
wal_before = wal_flushes()
programs_before = programs_cpu()
sql("UPDATE notification.deliveries SET next_attempt_at = now () WHERE event_id LIKE 'bench-%s-%%'" % run)
with Watcher() as watcher:
    while watcher.count("SELECT count(*) FROM notification.deliveries WHERE event_id LIKE 'bench-%s-%%'"
                        " AND status = 'sent'" % run) < COUNT and time.time() - start < 600:
        time.sleep(0.05)
elapsed = time.time() - start
cpu_after = cpu_seconds("notification")
wal_after = wal_flushes()
programs_after = programs_cpu()
stop.set()
reader.join()
sent = int(scalar("SELECT count(*) FROM notification.deliveries WHERE event_id LIKE 'bench-%s-%%'"
                  " AND status = 'sent'" % run))
ids = {"<%s@keyworker.invalid>" % r[0] for r in sql("SELECT id FROM notification.deliveries"
                                                      " WHERE event_id LIKE 'bench-%s-%%'" % run)}
journal = sink_journal()
sizes = [t["bytes"] for t in journal if t["message_id"] in ids]
service_at = [t["at"] for t in journal if t["message_id"] in ids]
size = int(sum(sizes) / len(sizes)) if sizes else 1500
print("notification e-mails sent            %d of %d in %.2f s: %.0f e-mails/s (%d in flight)" % (
    sent, COUNT, elapsed, sent / elapsed if elapsed else 0, IN_FLIGHT))
if cpu_before is not None and cpu_after is not None:
    print("notification processor time          %.0f ms, %.2f ms an e-mail" % (
        (cpu_after - cpu_before) * 1000, (cpu_after - cpu_before) * 1000 / max(sent, 1)))
print("WAL flushes while sending            %d (%.0f/s, %.2f an e-mail), %d writes" % (
    wal_after[0] - wal_before[0], (wal_after[0] - wal_before[0]) / elapsed if elapsed else 0,
    (wal_after[0] - wal_before[0]) / max(sent, 1), wal_after[1] - wal_before[1]))
print("processor while sending              " + cpu_line(programs_before, programs_after, elapsed))
print("message size                         %d bytes on average (%d transactions journalled)" % (size, len(sizes)))
print("GET /v1/notifications/{id}, idle      p50 %.1f ms  p99 %.1f ms  (%d calls)" % (
    pct(idle, 50), pct(idle, 99), len(idle)))
print("GET /v1/notifications/{id}, sending   p50 %.1f ms  p99 %.1f ms  (%d calls; target p99 <= 10 ms)" % (
    pct(busy, 50), pct(busy, 99), len(busy)))

source = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
if not os.path.exists(source):
    print("smtp-source                          missing (apt-get install postfix)")
else:
    port = os.environ.get("KW_SMTP_PORT", "2525")
    t0 = time.time()
    journalled = len(sink_journal())
    wal_before = wal_flushes()
    programs_before = programs_cpu()
    stop = threading.Event()
    beside = []
    reader = threading.Thread(target=lambda: beside.extend(read_latencies(probe, stop)))
    reader.start()
    p = subprocess.run([source, "-s", str(IN_FLIGHT), "-m", str(COUNT), "-l", str(size), "-f",
                        "keyworker@localhost", "-t", "bench.source@example.org", "127.0.0.1:%s" % port],
                       capture_output=True, text=True, timeout=600)
    took = time.time() - t0
    wal_after = wal_flushes()
    programs_after = programs_cpu()
    stop.set()
    reader.join()
    print("smtp-source (Postfix) same count      %d in %.2f s: %.0f e-mails/s (exit %d)%s" % (
        COUNT, took, COUNT / took if took else 0, p.returncode, (" " + p.stderr.strip()[:200]) if p.returncode else ""))
    if elapsed and took:
        print("service / smtp-source                %.2f (aim: at least 0.5)" % ((sent / elapsed) / (COUNT / took)))
    source_at = [t["at"] for t in sink_journal()[journalled:]]
    ours, theirs = sink_rate(service_at), sink_rate(source_at)
    print("by the sink's clock, first to last    service %.0f e-mails/s, smtp-source %.0f e-mails/s: %.2f" % (
        ours, theirs, ours / theirs if theirs else 0))
    print("GET /v1/notifications/{id}, smtp-source sending  p50 %.1f ms  p99 %.1f ms  (%d calls: the machine's"
          " share, the service sending nothing)" % (pct(beside, 50), pct(beside, 99), len(beside)))
    print("WAL flushes while smtp-source sends   %d (%.0f/s: the reads' own audit commits)" % (
        wal_after[0] - wal_before[0], (wal_after[0] - wal_before[0]) / took if took else 0))
    print("processor while smtp-source sends    " + cpu_line(programs_before, programs_after, took))
