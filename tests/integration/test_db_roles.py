"""PostgreSQL least privilege on the running stack: every role logs in with
its own SCRAM password and nothing else (no trust in any stack's client
rules); no runtime role owns anything (but its session's temporary tables)
or can run DDL (CREATE, ALTER, DROP
in its own schema, public, bus and audit), only the owner can; a service
reads only its own and its subscribed producers' events; bus.migrations and
bus.subscriptions are the owner's; audit.events is append-only; the prune
policy lets a producer delete only events every consumer has passed."""

import os
import re
import subprocess
from kwtest import ok, done, VAR, PG_PORT, BIN, http, token, referral, nhs_number, caught_up, scalar, sql

SERVICES = ["referral", "eligibility", "assignment", "scheduling", "notification"]
RUNTIME = ["kw_" + s for s in SERVICES] + ["kw_audit_reader"]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def as_role(role, query, passfile=None):
    """(exit status, output) of QUERY run by ROLE over the stack's socket."""
    env = dict(os.environ)
    if passfile is not None:
        env["PGPASSFILE"] = passfile
    run = subprocess.run(["psql", "-X", "-h", os.path.join(VAR, "pg", "run"), "-p", PG_PORT, "-U", role,
                          "-d", "kw", "-w", "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
                         capture_output=True, text=True, env=env)
    return run.returncode, (run.stdout + run.stderr).strip()


def refused(role, query):
    rc, said = as_role(role, query)
    return rc != 0 and re.search(r"permission denied|must be owner", said) is not None, said


# Client authentication: SCRAM only, in every stack.
hba = open(os.path.join(VAR, "pg", "data", "pg_hba.conf")).read()
rules = [line.split() for line in hba.splitlines() if line.strip() and not line.startswith("#")]
ok(rules and all(r[-1] == "scram-sha-256" for r in rules),
   "the local stack's pg_hba.conf has only scram-sha-256 rules", hba)
# The client rules the other stacks write (compose and Kubernetes run the
# kw-postgres image): no rule and no initdb option trusts anyone.
for path in ["deploy/local/stack.sh", "deploy/docker/kw-postgres"]:
    text = open(os.path.join(ROOT, path)).read()
    trusting = re.findall(r"^\s*'?(?:local|host)\s.*\btrust\b.*$|(?:-A|--auth(?:-local|-host)?)[ =]trust\b",
                          text, re.M)
    ok(not trusting and "scram-sha-256" in text, "%s writes no trust rule and uses SCRAM" % path, trusting)
rc, said = as_role("kw_referral", "SELECT 1", passfile=os.devnull)
ok(rc != 0 and "password" in said, "a role without its password is refused", said)
rc, said = as_role("kw_referral", "SELECT 1", passfile=os.path.join(VAR, "pg", "pgpass.kw_eligibility"))
ok(rc != 0 and "password" in said, "another role's password file does not log in as kw_referral", said)
for role in RUNTIME + ["kw_owner"]:
    rc, said = as_role(role, "SELECT current_user", passfile=os.path.join(VAR, "pg", "pgpass." + role))
    ok(rc == 0 and said == role, "%s logs in with its own password file alone" % role, said)

# Events to look at: one referral through the whole path.
tok = token("coordinator", "norfolk", "roles-test")
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number()), tok)
ok(status == 201, "a referral is created", body)
ok(caught_up(), "every consumer applied it")

# The referral event carries no more than its consumers use: not the
# child's name, nor the referrer.
body = referral(nhs_number())
body["child"]["given_name"], body["child"]["family_name"] = "Zanzibarina", "Quixotefield"
status, made, _ = http("POST", "/v1/referrals", body, tok)
payload = scalar("SELECT encode(payload, 'hex') FROM bus.outbox WHERE producer = 'referral' AND type = 'received'"
                 " AND correlation_id = :'p1'", made.get("id", ""))
payload = bytes.fromhex(payload).decode("latin-1") if payload else None
ok(status == 201 and payload and body["child"]["nhs_number"] in payload
   and not any(w in payload for w in ["Zanzibarina", "Quixotefield", "Dr Referrer", "referrer@example.org"]),
   "referral.received carries the NHS number but not the child's name or the referrer",
   (status, made, payload))
s, _, _ = http("POST", "/v1/referrals/%s/information" % made.get("id", ""),
               {"professionals": [{"name": "Nurse D", "agency": "Community Health", "discipline": "ld_nurse"}]},
               tok)
added = scalar("SELECT encode(payload, 'hex') FROM bus.outbox WHERE producer = 'referral'"
               " AND type = 'information_added' AND correlation_id = :'p1'", made.get("id", ""))
added = bytes.fromhex(added).decode("latin-1") if added else ""
ok(s == 200 and "Nurse D" in added and "Zanzibarina" not in added and "Dr Referrer" not in added,
   "referral.information_added (read by assignment too) carries the new professional, not the child's name")
ok(caught_up(), "and eligibility decides from it")
rows = sql("SELECT status FROM referral.referrals WHERE id = :'p1'", made.get("id", ""))
ok(rows and rows[0][0] != "received", "the referral was decided", rows)

# Nobody but the owner owns anything, and no runtime role can run DDL.
owned = scalar("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
               " WHERE c.relpersistence <> 't' AND r.rolname = ANY (string_to_array(:'p1', ','))", ",".join(RUNTIME))
ok(owned == "0", "no runtime role owns a table, index or sequence", owned)
owned = scalar("SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner"
               " WHERE r.rolname = ANY (string_to_array(:'p1', ','))", ",".join(RUNTIME))
ok(owned == "0", "no runtime role owns a schema", owned)
ok(scalar("SELECT count(*) FROM pg_namespace WHERE nspname = ANY (string_to_array(:'p1', ','))"
          " AND pg_get_userbyid(nspowner) = 'kw_owner'", ",".join(SERVICES)) == "5",
   "kw_owner owns the five service schemas")
for svc in SERVICES:
    role = "kw_" + svc
    table = scalar("SELECT min(tablename) FROM pg_tables WHERE schemaname = :'p1'", svc)
    statements = [
        "CREATE TABLE %s.ddl_probe (n int)" % svc,
        "CREATE TABLE public.ddl_probe (n int)",
        "CREATE TABLE bus.ddl_probe (n int)",
        "CREATE SCHEMA ddl_probe",
        "ALTER TABLE %s.%s ADD COLUMN ddl_probe int" % (svc, table),
        "CREATE INDEX ddl_probe ON %s.%s ((1))" % (svc, table),
        "DROP TABLE %s.%s" % (svc, table),
        "ALTER TABLE bus.outbox DISABLE ROW LEVEL SECURITY",
        "DROP TABLE audit.events",
        "TRUNCATE %s.%s" % (svc, table),
    ]
    for stmt in statements:
        good, said = refused(role, stmt)
        ok(good, "%s is refused: %s" % (role, stmt), said)
    rc, said = as_role(role, "SELECT count(*) FROM %s.%s" % (svc, table))
    ok(rc == 0, "%s reads its own table %s.%s" % (role, svc, table), said)
    # What a later migration adds is the runtime role's to use (default privileges).
    rc, said = as_role("kw_owner", "BEGIN; CREATE TABLE %s.ddl_probe (n int);"
                       " SELECT has_table_privilege('%s', '%s.ddl_probe', 'INSERT,SELECT,UPDATE,DELETE'),"
                       " has_table_privilege('%s', '%s.ddl_probe', 'TRUNCATE'); ROLLBACK" % (svc, role, svc, role, svc))
    ok(rc == 0 and "t|f" in said.splitlines(),
       "the owner creates in %s, and %s gets exactly DML on the new table" % (svc, role), said)
good, said = refused("kw_audit_reader", "CREATE TABLE audit.ddl_probe (n int)")
ok(good, "kw_audit_reader cannot create either", said)

# The event log: own events and subscribed producers' only.
subs = {}
for consumer, producer in sql("SELECT consumer, producer FROM bus.subscriptions"):
    subs.setdefault(consumer, set()).add(producer)
ok("referral" in subs.get("eligibility", set()) and subs.get("notification") == {"assignment", "eligibility", "referral", "scheduling"} and "assignment" in subs.get("scheduling", set()),
   "bus.subscriptions holds each consumer's producers (from its event table)", subs)
totals = dict((p, int(n)) for p, n in sql("SELECT producer, count(*) FROM bus.outbox GROUP BY producer"))
for svc in SERVICES:
    seen = dict((p, int(n)) for p, n in
                (line.split("|") for line in as_role("kw_" + svc, "SELECT producer, count(*) FROM bus.outbox"
                                                     " GROUP BY producer")[1].splitlines() if line))
    want = dict((p, n) for p, n in totals.items() if p == svc or p in subs.get(svc, set()))
    ok(seen == want, "kw_%s reads exactly its own and its subscribed producers' events" % svc,
       "saw %s, want %s" % (seen, want))
ok(totals.get("eligibility", 0) > 0 and "eligibility" not in subs.get("scheduling", set()),
   "scheduling does not consume eligibility, whose events exist")
rc, said = as_role("kw_scheduling", "SELECT count(*) FROM bus.outbox WHERE producer = 'eligibility'")
ok(rc == 0 and said == "0", "kw_scheduling cannot read eligibility.decided payloads", said)
good, said = refused("kw_scheduling", "INSERT INTO bus.subscriptions VALUES ('scheduling', 'eligibility')")
ok(good, "a runtime role cannot subscribe itself to another producer", said)
for stmt in ["INSERT INTO bus.migrations (service, version, name) VALUES ('referral', 999, 'x')",
             "UPDATE bus.migrations SET name = name", "DELETE FROM bus.migrations"]:
    good, said = refused("kw_referral", stmt)
    ok(good, "bus.migrations is the owner's: %s refused" % stmt, said)
rc, said = as_role("kw_referral", "UPDATE bus.outbox SET payload = payload")
ok(rc != 0 and "permission denied" in said, "no runtime role rewrites an event", said)
rc, said = as_role("kw_referral", "BEGIN; DELETE FROM bus.outbox WHERE producer <> 'referral'; ROLLBACK")
ok(rc == 0 and "DELETE 0" in said, "a producer cannot delete another producer's events", said)

# Pruning: a producer deletes only what every consumer has passed.
passed = scalar("SELECT count(*) FROM bus.outbox b WHERE producer = 'referral' AND seq <= ALL"
                " (SELECT coalesce(o.last_seq, 0) FROM bus.subscriptions s LEFT JOIN bus.offsets o"
                "  ON o.consumer = s.consumer AND o.producer = s.producer WHERE s.producer = 'referral')")
rc, said = as_role("kw_referral", "BEGIN; DELETE FROM bus.outbox WHERE producer = 'referral'; ROLLBACK")
ok(rc == 0 and ("DELETE %s" % passed) in said and passed != "0",
   "the producer may delete its events every consumer has passed (%s)" % passed, said)
rows = sql("BEGIN; UPDATE bus.offsets SET last_seq = 0 WHERE consumer = 'eligibility' AND producer = 'referral';"
           " SET LOCAL ROLE kw_referral; WITH d AS (DELETE FROM bus.outbox WHERE producer = 'referral' RETURNING 1)"
           " SELECT count(*) FROM d; ROLLBACK")
ok(["0"] in rows and ["1"] not in rows, "none while one consumer has not passed them", rows)

# The audit table: append-only for every runtime role; the reader only reads.
for role in ["kw_" + s for s in SERVICES]:
    for stmt in ["UPDATE audit.events SET outcome = 'ok'", "DELETE FROM audit.events", "SELECT count(*) FROM audit.events"]:
        good, said = refused(role, stmt)
        ok(good, "%s: %s is refused" % (role, stmt), said)
    rc, said = as_role(role, "BEGIN; INSERT INTO audit.events (actor, role, region, action, record_type,"
                       " record_id, outcome) VALUES ('t', 't', 't', 't', 't', 't', 't'); ROLLBACK")
    ok(rc == 0, "%s appends audit rows" % role, said)
rc, said = as_role("kw_audit_reader", "SELECT count(*) > 0 FROM audit.events")
ok(rc == 0 and said == "t", "kw_audit_reader reads audit rows", said)
for stmt in ["INSERT INTO audit.events (actor, role, region, action, record_type, record_id, outcome)"
             " VALUES ('t', 't', 't', 't', 't', 't', 't')", "DELETE FROM audit.events",
             "UPDATE audit.events SET outcome = 'ok'", "SELECT count(*) FROM referral.referrals",
             "SELECT count(*) FROM bus.outbox"]:
    good, said = refused("kw_audit_reader", stmt)
    ok(good, "kw_audit_reader: %s is refused" % stmt, said)

# A service refuses to start until --migrate (as the owner) has recorded its
# subscriptions; --migrate records them from its event table.
env = dict(os.environ, KW_DB_URL="host=%s port=%s dbname=kw" % (os.path.join(VAR, "pg", "run"), PG_PORT),
           KW_RPC_ENABLED="0", PGPASSFILE=os.path.join(VAR, "pg", "pgpass.scheduling"))
sql("DELETE FROM bus.subscriptions WHERE consumer = 'scheduling'")
run = subprocess.run([os.path.join(BIN, "scheduling")], env=env, capture_output=True, text=True, timeout=60)
ok(run.returncode != 0 and "schema_not_migrated" in run.stderr,
   "scheduling without its subscriptions refuses to start", run.stderr[-400:])
env["PGPASSFILE"] = os.path.join(VAR, "pg", "pgpass.kw_owner")
run = subprocess.run([os.path.join(BIN, "scheduling"), "--migrate"], env=env, capture_output=True, text=True,
                     timeout=60)
ok(run.returncode == 0 and sql("SELECT producer FROM bus.subscriptions WHERE consumer = 'scheduling'"
                               " ORDER BY producer") == [["assignment"], ["referral"]],
   "scheduling --migrate as kw_owner records its producers again", run.stderr[-300:])

done()
