"""make bench, DSR part: generate a 100,000-row DSR CSV with 1 % bad rows,
time PostgreSQL's COPY of the file into a plain table, then the import of
the same file through the gateway, and a second import of it. Checks that
exactly the bad rows are reported (by line) and that the second import
changes nothing; prints rows/s and the ratio to COPY. While the second
import runs (off the referral service's loop), another call to the service
is made again and again: how many were answered during the import, and
their latency (median, 95th percentile, maximum).
    dsr_bench.py OUT_DIR   (the stack's settings in the environment)"""

import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request

OUT = sys.argv[1]
ROWS = int(os.environ.get("BENCH_DSR_ROWS", "100000"))
HTTP = "http://" + os.environ["KW_HTTP_ADDR"]
PSQL = [os.environ["KW_PSQL"], "-h", os.environ["KW_VAR_DIR"] + "/pg/run", "-p", os.environ["KW_PG_PORT"],
        "-U", "postgres", "-d", "kw", "-v", "ON_ERROR_STOP=1", "-qtA"]
COLUMNS = ["dsr_id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
           "learning_disability", "autism", "rag", "rag_effective_date", "inpatient",
           "consent_basis", "lead_professional_email", "cetr_last", "cetr_next"]


def nhs(n):
    """The n-th NHS number with a valid check digit, from 900000000."""
    while True:
        digits = [int(c) for c in "%09d" % (900000000 + n)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check), n + 1
        n += 1


def generate(path):
    rng = random.Random(20261125)
    bad_lines, n = set(), 0
    with open(path, "w", newline="") as f:
        f.write(",".join(COLUMNS) + "\r\n")
        for i in range(ROWS):
            number, n = nhs(n)
            rag = rng.choices(["green", "amber", "red", "blue"], [90, 4, 4, 2])[0]
            row = ["DSR-%06d" % i, number, "Given%d" % i, '"Family, %d"' % i,
                   "%04d-%02d-%02d" % (rng.randrange(2002, 2024), rng.randrange(1, 13), rng.randrange(1, 29)),
                   "NR%d %dAB" % (rng.randrange(1, 35), rng.randrange(1, 10)),
                   rng.choice(["yes", "no"]), rng.choice(["yes", "no"]), rag,
                   "2026-%02d-%02d" % (rng.randrange(1, 11), rng.randrange(1, 29)),
                   rng.choice(["yes", "no", ""]),
                   rng.choice(["parental_responsibility", "own_consent", "", ""]),
                   "lead%d@example.org" % (i % 50), "2026-06-01", "2027-01-15"]
            if i % 100 == 37:
                # 1 % bad: a wrong check digit, an unreal date or an unknown rating
                kind = (i // 100) % 3
                if kind == 0:
                    row[1] = row[1][:9] + str((int(row[1][9]) + 1) % 10)
                elif kind == 1:
                    row[4] = "2015-02-30"
                else:
                    row[8] = "purple"
                bad_lines.add(i + 2)
            f.write(",".join(row) + "\r\n")
    return bad_lines


def psql(sql):
    return subprocess.run(PSQL, input=sql, capture_output=True, text=True, check=True).stdout


def import_file(data, token):
    req = urllib.request.Request(HTTP + "/v1/dsr/imports", data=data, method="POST")
    req.add_header("Content-Type", "text/csv")
    req.add_header("Authorization", "Bearer " + token)
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as resp:
        body = json.loads(resp.read())
    return time.perf_counter() - start, body


path = os.path.join(OUT, "dsr.csv")
bad = generate(path)
with open(path, "rb") as f:
    data = f.read()
token = subprocess.check_output([os.environ["KW_BIN_DIR"] + "/kwctl", "token", "--role", "dsr_feed",
                                 "--region", "nhse", "--sub", "bench-feed"], text=True).strip()

psql("CREATE SCHEMA IF NOT EXISTS bench_scratch; DROP TABLE IF EXISTS bench_scratch.dsr;"
     " CREATE TABLE bench_scratch.dsr (" + ", ".join(c + " text" for c in COLUMNS) + ")")
copies = []
for _ in range(3):
    psql("TRUNCATE bench_scratch.dsr")
    start = time.perf_counter()
    psql("\\copy bench_scratch.dsr FROM '%s' WITH (FORMAT csv, HEADER true)" % path)
    copies.append(time.perf_counter() - start)
psql("DROP SCHEMA bench_scratch CASCADE")
copy_s = min(copies)

def wait_quiet(timeout=600):
    """Until every consumer has applied every event (the first import's
    events and the referrals they made), so the second import is timed
    alone rather than behind that work."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        behind = psql("SELECT count(*) FROM bus.offsets o JOIN bus.producers p USING (producer)"
                      " WHERE o.last_seq < p.last_seq").strip()
        if behind == "0":
            return True
        time.sleep(1)
    return False


first_s, first = import_file(data, token)
quiet_start = time.perf_counter()
wait_quiet()
quiet_s = time.perf_counter() - quiet_start
# The second import, with calls to the referral service made meanwhile.
reader = subprocess.check_output([os.environ["KW_BIN_DIR"] + "/kwctl", "token", "--role", "coordinator",
                                  "--region", "nhse", "--sub", "bench-reader"], text=True).strip()
result = {}
importer = threading.Thread(target=lambda: result.setdefault("second", import_file(data, token)))
importer.start()
latencies = []
while importer.is_alive():
    req = urllib.request.Request(HTTP + "/v1/dsr/entries/%s" % nhs(0)[0])
    req.add_header("Authorization", "Bearer " + reader)
    start = time.perf_counter()
    try:
        urllib.request.urlopen(req, timeout=60).read()
    except urllib.error.HTTPError as e:
        e.read()
    if importer.is_alive():
        latencies.append(time.perf_counter() - start)
importer.join()
second_s, second = result["second"]
latencies.sort()
lines = {r["line"] for r in first.get("rejected", [])}
checks = [
    ("the bad rows are reported, each by its line", lines == bad),
    ("every other row is kept (created)", first.get("created") == ROWS - len(bad)),
    ("a second import creates nothing", second.get("created") == 0),
    ("a second import updates nothing", second.get("updated") == 0),
    ("a second import finds every good row unchanged", second.get("unchanged") == ROWS - len(bad)),
]
print("## DSR import: %d rows (%d bad), %.1f MB" % (ROWS, len(bad), len(data) / 1e6))
for name, good in checks:
    print("%s - %s" % ("ok" if good else "NOT OK", name))
print("the services applied the first import's events in %.1f s" % quiet_s)
if latencies:
    print("RESULT dsr_import_concurrent_calls=%d call_p50_ms=%.1f call_p95_ms=%.1f call_max_ms=%.1f"
          % (len(latencies), 1000 * latencies[len(latencies) // 2],
             1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 1000 * latencies[-1]))
else:
    print("RESULT dsr_import_concurrent_calls=0 (no call was answered during the import)")
print("RESULT dsr_rows=%d copy_s=%.3f import_s=%.3f reimport_s=%.3f copy_rows_per_s=%.0f"
      " import_rows_per_s=%.0f reimport_rows_per_s=%.0f ratio=%.3f checks=%s"
      % (ROWS, copy_s, first_s, second_s, ROWS / copy_s, ROWS / first_s, ROWS / second_s,
         copy_s / first_s, "ok" if all(g for _, g in checks) else "failed"))
sys.exit(0 if all(g for _, g in checks) else 1)
