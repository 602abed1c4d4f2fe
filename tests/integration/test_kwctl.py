"""The operator CLI against the real stack: kwctl referral create, get, list
and withdraw, kwctl dsr import and get, and kwctl eligibility ruleset,
re-evaluate, re-evaluate-all and age-out, their readable and --json output,
and their exit statuses (0 done, 1 the API answered an error, 2 usage, 3 no
gateway). Every endpoint kwctl calls is served: a 404 or 405 where kwctl
expects an answer fails its test."""

import base64
import json
import os
import random
import re
import signal
import socket
import string
import subprocess
import tempfile
import uuid
from kwtest import (ok, done, token, http, scalar, wait_until, nhs_number, referral, pid_of,
                    list_all, born, BIN, HTTP, VAR)

KWCTL = os.path.join(BIN, "kwctl")
TOK = token()
rng = random.Random()
tmp = tempfile.TemporaryDirectory()


def kwctl(*args, tok=TOK, stdin=None, env=None):
    """Run kwctl with KW_TOKEN=tok (unset when None) and the gateway from
    KW_HTTP_ADDR; returns (exit status, stdout, stderr)."""
    e = dict(os.environ)
    e.pop("KW_API_URL", None)
    e.pop("KW_TOKEN", None)
    if tok is not None:
        e["KW_TOKEN"] = tok
    e.update(env or {})
    p = subprocess.run([KWCTL] + list(args), input=stdin, capture_output=True, text=True,
                       env=e, timeout=120)
    return p.returncode, p.stdout, p.stderr


def write(name, text):
    path = os.path.join(tmp.name, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def write_json(name, body):
    return write(name, json.dumps(body))


def fields(text):
    """The 'label  value' lines of a readable block (label and value at
    least two spaces apart, at the start of the line) as a dict."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+(?: \S+)*?)\s{2,}(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fresh_referral(family="Child", **kw):
    body = referral(nhs_number(rng), **kw)
    body["child"]["family_name"] = family
    return body


# ---------------------------------------------------------------- help, usage
rc, out, err = kwctl("--help")
ok(rc == 0 and all(w in out for w in ("referral create", "referral get", "referral list",
                                      "referral withdraw", "dsr import", "dsr get",
                                      "kwctl token", "KW_API_URL", "KW_HTTP_ADDR",
                                      "KW_TOKEN", "KW_JWT_SECRET", "--json", "--url",
                                      "--idempotency-key", "--all")),
   "kwctl --help documents every command, option and environment variable", out + err)
rc, out, _ = kwctl("referral", "--help")
ok(rc == 0 and "withdraw ID --reason TEXT" in out and "KW_TOKEN" in out and "Exit status" in out,
   "kwctl referral --help documents the referral commands, environment and exit statuses")
rc, out, _ = kwctl("dsr", "--help")
ok(rc == 0 and "--format csv|ndjson" in out and "NHS_NUMBER" in out,
   "kwctl dsr --help documents the dsr commands")
rc, out, err = kwctl()
ok(rc == 2 and "Usage: kwctl" in err and out == "", "kwctl without a command is a usage error (2)")
rc, _, err = kwctl("referral", "frobnicate")
ok(rc == 2 and "unknown referral command" in err, "an unknown referral command exits 2", err)
rc, _, err = kwctl("referral", "get", "--bogus=some-secret-value", "x")
ok(rc == 2 and "--bogus" in err and "some-secret-value" not in err,
   "an unknown option exits 2 naming the option but not its value", err)
rc, _, err = kwctl("referral", "get")
ok(rc == 2 and "needs one referral ID" in err, "referral get without an ID exits 2", err)
rc, _, err = kwctl("referral", "list", "--limit", "501")
ok(rc == 2 and "--limit" in err, "list --limit 501 exits 2", err)
rc, _, err = kwctl("referral", "list", "--from", "2026-02-30")
ok(rc == 2 and "--from must be a date" in err, "list --from with no such date exits 2", err)
rc, _, err = kwctl("referral", "list", "--status", "pending")
ok(rc == 2 and "--status must be one of" in err, "list --status with an unknown status exits 2", err)
rc, _, err = kwctl("referral", "withdraw", str(uuid.uuid4()))
ok(rc == 2 and "--reason" in err, "withdraw without --reason exits 2", err)

# ---------------------------------------------------------------- token
rc, out, err = kwctl("token", "--role", "coordinator", "--region", "norfolk")
ok(rc == 2 and "token needs --role, --region and --sub" in err and out == "",
   "kwctl token without --sub still exits 2 with its message", err)
rc, out, _ = kwctl("token", "--role", "referrer", "--region", "norfolk", "--sub", "ops-test")
ok(rc == 0 and re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+\n", out) is not None,
   "kwctl token still prints one JWT line", out)
for bad in ("kw1", "7d1f0c3e-2a4b-4c1d-9e8f-00000000000", "7d1f0c3e-2a4b-4c1d-9e8f-00000000000g"):
    rc, out, err = kwctl("token", "--role", "key_worker", "--region", "norfolk", "--sub", "kw1",
                         "--professional-id", bad)
    ok(rc == 2 and out == "" and "--professional-id must be a UUID" in err,
       "kwctl token --professional-id %s exits 2: not a UUID" % bad, err)
pid = "7d1f0c3e-2a4b-4c1d-9e8f-000000000001"
rc, out, err = kwctl("token", "--role", "key_worker", "--region", "norfolk", "--sub", "kw1",
                     "--professional-id", pid)
claims = json.loads(base64.urlsafe_b64decode(out.split(".")[1] + "==")) if rc == 0 else {}
ok(rc == 0 and claims.get("professional_id") == pid,
   "kwctl token --professional-id UUID puts the id in the token", out + err)
ok(claims.get("iss") == (os.environ.get("KW_JWT_ISSUER") or "kw-local")
   and claims.get("aud") == (os.environ.get("KW_JWT_AUDIENCE") or "kw-api")
   and claims.get("exp", 0) - claims.get("iat", 0) == 43200,
   "kwctl token writes iss, aud, iat and exp 12 hours later by default", claims)
for ttl in ("0", "59", "43201"):
    rc, out, err = kwctl("token", "--role", "coordinator", "--region", "norfolk", "--sub", "c1", "--ttl", ttl)
    ok(rc == 2 and out == "" and "--ttl" in err and "60 to 43200" in err,
       "kwctl token --ttl %s exits 2: a token lives 60 s to KW_JWT_MAX_LIFETIME" % ttl, err)
rc, out, err = kwctl("token", "--role", "coordinator", "--region", "norfolk", "--sub", "c1", "--ttl", "600")
short = json.loads(base64.urlsafe_b64decode(out.split(".")[1] + "==")) if rc == 0 else {}
ok(rc == 0 and short.get("exp", 0) - short.get("iat", 0) == 600, "kwctl token --ttl 600", out + err)

# ---------------------------------------------------------------- create
body1 = fresh_referral()
nhs1 = body1["child"]["nhs_number"]
path1 = write_json("referral1.json", body1)
rc, out, err = kwctl("referral", "create", path1)
m = re.fullmatch(r"referral ([0-9a-f-]{36}) received \(region norfolk\)\n", out)
ok(rc == 0 and m, "referral create prints 'referral ID received (region norfolk)' and exits 0",
   out + err)
rid1 = m.group(1) if m else None
status, stored, _ = http("GET", "/v1/referrals/%s" % rid1, tok=TOK)
ok(status == 200 and stored["child"]["nhs_number"] == nhs1 and stored["source"] == "professional",
   "the created referral is stored as the file said", stored)

body2 = fresh_referral(eligible=False)
rc, out, err = kwctl("referral", "create", "-", stdin=json.dumps(body2))
m = re.fullmatch(r"referral ([0-9a-f-]{36}) received \(region norfolk\)\n", out)
ok(rc == 0 and m and m.group(1) != rid1, "referral create - reads the referral from stdin",
   out + err)
rid2 = m.group(1) if m else None

bad = fresh_referral()
del bad["referrer"]["name"]
bad["child"]["postcode"] = "nowhere"
bad["consent"]["date"] = "2999-01-01"
rc, out, err = kwctl("referral", "create", "-", stdin=json.dumps(bad))
lines = err.splitlines()
ok(rc == 1 and len(lines) == 3 and lines[0].startswith("kwctl: 400 invalid: referrer.name is required")
   and "(field child.postcode)" in lines[1] and "(field consent.date)" in lines[2]
   and lines[1].startswith("kwctl:   "),
   "referral create of a body with three problems prints each on a line of its own", err)

body3 = fresh_referral()
del body3["child"]["gp_practice"]
rc, out, err = kwctl("--json", "referral", "create", write_json("referral3.json", body3))
created3 = json.loads(out) if rc == 0 else {}
ok(rc == 0 and created3.get("status") == "received" and created3.get("region") == "norfolk"
   and out.startswith("{\n  \""),
   "--json before the command prints the 201 answer indented", out + err)
rid3 = created3.get("id")

# Idempotency-Key: a repeat with the same key and body gives the first answer
key = "kwctl-test-" + uuid.uuid4().hex
body4 = fresh_referral()
path4 = write_json("referral4.json", body4)
rc_a, out_a, err_a = kwctl("referral", "create", path4, "--idempotency-key", key)
rc_b, out_b, err_b = kwctl("referral", "create", "--idempotency-key", key, path4)
ok(rc_a == 0 and rc_b == 0 and out_a == out_b and out_a.startswith("referral "),
   "a create repeated with the same --idempotency-key answers with the same referral",
   out_a + err_a + out_b + err_b)
other = fresh_referral()
rc, out, err = kwctl("referral", "create", write_json("other.json", other), "--idempotency-key", key)
ok(rc == 1 and err.startswith("kwctl: 409 ") and out == "",
   "the same key with another body exits 1 with the 409", err)
rc, _, err = kwctl("referral", "create", path1, "--idempotency-key", "bad\tkey")
ok(rc == 2 and "--idempotency-key" in err, "an --idempotency-key with a tab exits 2", err)

# Errors the API answers
existing4 = out_a.split()[1] if out_a.startswith("referral ") else None
rc, out, err = kwctl("referral", "create", path4)
ok(rc == 1 and err.startswith("kwctl: 409 duplicate_referral") and out == "",
   "a create without a key gets a fresh key: the repeat is a duplicate (exit 1)", err)
ok(existing4 and err.rstrip().endswith("(existing_id %s)" % existing4),
   "the duplicate error shows the existing referral's id", err)
bad = fresh_referral()
bad["child"]["nhs_number"] = "9434765918"
rc, out, err = kwctl("referral", "create", write_json("bad_nhs.json", bad))
ok(rc == 1 and re.match(r"kwctl: 400 invalid: .+ \(field child\.nhs_number\)\n$", err) and out == "",
   "an invalid referral exits 1 with 'kwctl: 400 invalid: MESSAGE (field child.nhs_number)'", err)
bad = fresh_referral()
bad["child"]["date_of_birth"] = "2099-01-01"
rc, out, err = kwctl("referral", "create", write_json("bad_dob.json", bad), "--json")
answer = json.loads(out) if out.startswith("{") else {}
ok(rc == 1 and "(field child.date_of_birth)" in err
   and answer.get("error", {}).get("field") == "child.date_of_birth",
   "with --json the error body goes to stdout too, exit 1", out + err)

# Files kwctl cannot use: exit 2, nothing sent
rc, out, err = kwctl("referral", "create", os.path.join(tmp.name, "no-such-file.json"))
ok(rc == 2 and "cannot read" in err and out == "", "a missing file exits 2", err)
rc, out, err = kwctl("referral", "create", write("broken.json", '{"source": "professional",'))
ok(rc == 2 and "is not JSON" in err, "a file that is not JSON exits 2", err)
rc, out, err = kwctl("referral", "create", write("array.json", "[1, 2]"))
ok(rc == 2 and "one JSON object" in err, "a file holding no JSON object exits 2", err)

# Token and gateway
rc, out, err = kwctl("referral", "create", path1, tok=None)
ok(rc == 2 and "no token" in err and "kwctl token" in err and "KW_TOKEN" in err,
   "without --token or KW_TOKEN kwctl exits 2 and says how to get a token", err)
rc, out, err = kwctl("referral", "get", rid1, "--token", TOK, tok=None)
ok(rc == 0 and rid1 in out and TOK not in out + err, "--token is used when KW_TOKEN is unset",
   out + err)
fake = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.not-a-signature"
rc, out, err = kwctl("referral", "get", rid1, tok=fake)
ok(rc == 1 and err.startswith("kwctl: 401 unauthenticated") and fake not in out + err
   and "not-a-signature" not in out + err,
   "a bad token is 401 (exit 1) and is never printed", err)
port = free_port()
rc, out, err = kwctl("referral", "get", rid1, "--url", "http://127.0.0.1:%d" % port)
ok(rc == 3 and "cannot reach the gateway" in err and str(port) in err and TOK not in err,
   "an unreachable gateway (--url) exits 3 and says so", err)
rc, out, err = kwctl("referral", "create", path1, env={"KW_API_URL": "http://127.0.0.1:%d" % port})
ok(rc == 3 and "KW_API_URL" in err and "--idempotency-key " in err,
   "KW_API_URL is used; an unreachable create exits 3 and prints the key to retry with", err)
rc, out, err = kwctl("referral", "get", rid1, "--url", HTTP + "/",
                     env={"KW_API_URL": "http://127.0.0.1:%d" % port})
ok(rc == 0 and rid1 in out, "--url wins over KW_API_URL (a trailing / is fine)", out + err)
rc, out, err = kwctl("referral", "get", rid1, "--url", "ftp://127.0.0.1")
ok(rc == 2 and "http://" in err, "a --url that is not http(s) exits 2", err)

# ---------------------------------------------------------------- get
def decided(rid, need_case=False):
    def check():
        s, b, _ = http("GET", "/v1/referrals/%s" % rid, tok=TOK)
        if s == 200 and b.get("status") != "received" and (b.get("case_id") or not need_case):
            return b
        return None
    return wait_until(check, 20)


ref1 = decided(rid1, need_case=True) or {}
rc, out, err = kwctl("referral", "get", rid1)
f = fields(out)
ok(rc == 0 and f.get("id") == rid1 and f.get("status") == "eligible"
   and f.get("source") == "professional" and f.get("received") == ref1.get("received_at")
   and f.get("child") == "Test Child" and f.get("born") == "2015-03-02"
   and f.get("case") == ref1.get("case_id") and f.get("case"),
   "referral get shows id, status, source, received, child, date of birth and case id", out + err)
ok(re.search(r"^eligibility\s+eligible \(rule set norfolk, version 1, decided \S+\)$", out, re.M),
   "referral get shows the eligibility outcome, rule set and version", out)
crit = dict(re.findall(r"^  (age|gp|need|professionals)\s+(yes|no|unknown)\s", out, re.M))
ok(crit == {"age": "yes", "gp": "yes", "need": "yes", "professionals": "yes"},
   "referral get lists every criterion met yes", out)

decided(rid2)
rc, out, err = kwctl("referral", "get", rid2)
crit = dict(re.findall(r"^  (age|gp|need|professionals)\s+(yes|no|unknown)\s", out, re.M))
ok(rc == 0 and fields(out).get("status") == "ineligible" and fields(out).get("case") == "none"
   and crit == {"age": "yes", "gp": "no", "need": "yes", "professionals": "no"},
   "an ineligible referral shows the failing criteria as no and no case", out + err)

decided(rid3)
rc, out, err = kwctl("referral", "get", rid3)
crit = dict(re.findall(r"^  (age|gp|need|professionals)\s+(yes|no|unknown)\s", out, re.M))
ok(rc == 0 and fields(out).get("status") == "more_information_needed" and crit.get("gp") == "unknown"
   and re.search(r"^missing\s+child\.gp_practice$", out, re.M),
   "missing data shows the criterion as unknown and the missing field", out + err)

rc, out, err = kwctl("referral", "get", rid1, "--json")
status, api_body, _ = http("GET", "/v1/referrals/%s" % rid1, tok=TOK)
ok(rc == 0 and json.loads(out) == api_body and out.startswith("{\n  "),
   "referral get --json prints the API's answer as is, indented", out + err)
rc, out, err = kwctl("referral", "get", str(uuid.uuid4()))
ok(rc == 1 and err.startswith("kwctl: 404 not_found") and out == "",
   "referral get of an unknown id exits 1 with the 404", err)
rc, out, err = kwctl("referral", "get", rid1, tok=token(region="nhse"))
ok(rc == 1 and err.startswith("kwctl: 404 "), "another region's referral is a 404 (exit 1)", err)

# ---------------------------------------------------------------- list
status, body, _ = http("GET", "/v1/referrals?limit=1", tok=TOK)
ok(status == 200 and isinstance(body, dict) and "items" in body, "the referral list kwctl reads answers", body)
family = "Lister" + "".join(rng.choice(string.ascii_lowercase) for _ in range(6))
self_ids = []
for i in range(3):
    b = fresh_referral(family=family)
    b["source"] = "self"
    b["referrer"] = {"name": "Parent %d" % i, "email": "parent%d@example.org" % i,
                     "role": "mother"}
    s, created, _ = http("POST", "/v1/referrals", b, TOK)
    if s == 201:
        self_ids.append(created["id"])

expected = list_all(TOK, "source=self") or []
rc, out, err = kwctl("referral", "list", "--source", "self", "--all", "--limit", "1", "--json")
whole = json.loads(out) if rc == 0 else {}
got = [it["id"] for it in whole.get("items", [])]
ok(rc == 0 and len(self_ids) == 3 and got == [it["id"] for it in expected]
   and len(set(got)) == len(got) and set(self_ids) <= set(got)
   and "next_cursor" in whole and whole["next_cursor"] is None,
   "list --all --limit 1 follows next_cursor through every page (%d referrals)" % len(expected),
   out[:2000] + err)
rc, out, err = kwctl("referral", "list", "--source", "self", "--limit", "2", "--json")
page = json.loads(out) if rc == 0 else {}
ok(rc == 0 and len(page.get("items", [])) == 2 and page.get("next_cursor"),
   "list --limit 2 --json prints one page of 2 with its next_cursor", out + err)
rc, out, err = kwctl("referral", "list", "--source", "self", "--limit", "2")
lines = out.splitlines()
ok(rc == 0 and re.match(r"^ID\s+STATUS\s+SOURCE\s+RECEIVED_AT\s+CHILD$", lines[0])
   and len(lines) == 4 and lines[3].startswith("more: add --cursor " + page.get("next_cursor", "?")),
   "list prints a table of 2 rows and how to get the next page", out + err)
rc, out, err = kwctl("referral", "list", "--source", "self", "--all")
rows = {l.split()[0]: l for l in out.splitlines()[1:]}
ok(rc == 0 and len(rows) == len(expected) and "more:" not in out
   and all(re.match(r"^%s\s+\w+\s+self\s+\S+Z?\s+Test %s$" % (i, family), rows.get(i, ""))
           for i in self_ids),
   "list --all shows every row with id, status, source, received_at and child name",
   out[:2000] + err)
received = [l.split()[3] for l in out.splitlines()[1:]]
_, help_out, _ = kwctl("referral", "--help")
ok(rc == 0 and len(received) > 1 and received == sorted(received)
   and "oldest first" in help_out and "newest" not in help_out,
   "list prints the referrals oldest first, as kwctl referral --help says", out[:1000] + help_out)
first = http("GET", "/v1/referrals?source=self&limit=1", tok=TOK)[1]["items"][0]
day = first["received_at"][:10]
rc, out, err = kwctl("referral", "list", "--source", "self", "--from", day, "--to", day,
                     "--all", "--json")
got = [it["id"] for it in json.loads(out)["items"]] if rc == 0 else []
ok(rc == 0 and set(self_ids) <= set(got)
   and all(it["received_at"][:10] == day for it in json.loads(out)["items"]),
   "list --from and --to keep the referrals received that day", out[:2000] + err)
rc, out, err = kwctl("referral", "list", "--to", "2000-01-01")
ok(rc == 0 and out == "no referrals\n", "a list with no match says 'no referrals'", out + err)
decided(rid2)
rc, out, err = kwctl("referral", "list", "--status", "ineligible", "--all", "--json")
items = json.loads(out)["items"] if rc == 0 else []
ok(rc == 0 and rid2 in [it["id"] for it in items]
   and all(it["status"] == "ineligible" for it in items),
   "list --status ineligible holds only ineligible referrals, the test's among them",
   out[:2000] + err)
rc, out, err = kwctl("referral", "list", "--cursor", "not-a-cursor")
ok(rc == 1 and err.startswith("kwctl: 400 invalid"), "a bad cursor is 400 (exit 1)", err)

# ---------------------------------------------------------------- withdraw
body5 = fresh_referral()
s, created5, _ = http("POST", "/v1/referrals", body5, TOK)
rid5 = created5.get("id") if s == 201 else str(uuid.uuid4())
rc, out, err = kwctl("referral", "withdraw", rid5, "--reason", "family moved away")
ok(rc == 0 and out == "referral %s withdrawn\n" % rid5,
   "referral withdraw prints 'referral ID withdrawn' and exits 0", out + err)
rc, out, err = kwctl("referral", "get", rid5)
ok(rc == 0 and fields(out).get("status") == "withdrawn"
   and re.search(r"^withdrawn\s+\S+: family moved away$", out, re.M),
   "the withdrawn referral shows status withdrawn and the reason", out + err)
rc, out, err = kwctl("referral", "create", write_json("again.json", body5))
ok(rc == 0 and out.startswith("referral ") and rid5 not in out,
   "once withdrawn, a new referral for the child is no duplicate", out + err)
rc, out, err = kwctl("referral", "withdraw", str(uuid.uuid4()), "--reason", "no such referral")
ok(rc == 1 and err.startswith("kwctl: 404 not_found"),
   "withdrawing an unknown referral exits 1 with the 404", err)

# ---------------------------------------------------------------- dsr
rc, _, err = kwctl("dsr", "import", write("feed.txt", "dsr_id\n"))
ok(rc == 2 and "--format" in err, "dsr import of a file of unknown type exits 2", err)
rc, _, err = kwctl("dsr", "import", os.path.join(tmp.name, "missing.csv"))
ok(rc == 2 and "cannot read" in err, "dsr import of a missing file exits 2", err)
rc, _, err = kwctl("dsr", "get", "12345")
ok(rc == 2 and "10 digits" in err, "dsr get of a short NHS number exits 2", err)

COLUMNS = ["dsr_id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
           "learning_disability", "autism", "rag", "rag_effective_date", "inpatient",
           "consent_basis", "lead_professional_email", "cetr_last", "cetr_next"]
dsr_nhs = [nhs_number(rng) for _ in range(4)]
rows = []
for i, n in enumerate(dsr_nhs):
    rows.append(["KW-T-%d-%s" % (i, n), n, "Dsr", "Child%s" % "ABCD"[i], "2012-05-0%d" % (i + 1),
                 "NR2 3TU", "true", "false", "green" if i else "amber", "2026-01-1%d" % i,
                 "false", "parental_responsibility", "lead%d@example.org" % i, "", ""])
bad_row = ["KW-T-bad", "9434765918", "Dsr", "Childbad", "2012-05-09", "NR2 3TU", "true", "false",
           "green", "2026-01-10", "false", "", "", "", ""]
csv_rows = rows[:2] + [bad_row] + rows[2:]
csv_text = ",".join(COLUMNS) + "\n" + "".join(",".join(r) + "\n" for r in csv_rows)
csv_path = write("feed.csv", csv_text)

rc, out, err = kwctl("dsr", "import", csv_path)
lines = out.splitlines()
ok(rc == 0 and len(lines) == 3 and re.fullmatch(r"import \S+", lines[0])
   and lines[1] == "rows 5: created 4, updated 0, unchanged 0, rejected 1"
   and lines[2].startswith("line 4: nhs_number: "),
   "dsr import prints the counts and the rejected row's line and field", out + err)
rc, out, err = kwctl("dsr", "import", csv_path)
ok(rc == 0 and out.splitlines()[1:2] == ["rows 5: created 0, updated 0, unchanged 4, rejected 1"],
   "importing the same file again changes nothing", out + err)
change = dict(zip(COLUMNS, rows[0]))
change.update({"rag": "red", "rag_effective_date": "2026-02-01",
               "learning_disability": True, "autism": False, "inpatient": False,
               "cetr_last": None, "cetr_next": None})
rc, out, err = kwctl("dsr", "import", "-", "--format", "ndjson", "--json",
                     stdin=json.dumps(change) + "\n")
result = json.loads(out) if rc == 0 else {}
ok(rc == 0 and (result.get("rows"), result.get("created"), result.get("updated"),
                result.get("unchanged"), result.get("rejected")) == (1, 0, 1, 0, []),
   "an NDJSON import from stdin with --json shows one row updated", out + err)
rc, out, err = kwctl("dsr", "get", dsr_nhs[0])
f = fields(out)
hist = re.findall(r"^  (\d{4}-\d\d-\d\d)\s+(\w+)\s+recorded", out, re.M)
ok(rc == 0 and f.get("nhs number") == dsr_nhs[0] and f.get("name") == "Dsr ChildA"
   and f.get("born") == "2012-05-01" and f.get("rating") == "red since 2026-02-01"
   and f.get("learning disability") == "yes" and f.get("autism") == "no",
   "dsr get shows the entry with its current rating", out + err)
ok(hist == [("2026-01-10", "amber"), ("2026-02-01", "red")],
   "dsr get shows the rating history, oldest first", out + err)
rc, out, err = kwctl("dsr", "get", dsr_nhs[1][:3] + " " + dsr_nhs[1][3:6] + " " + dsr_nhs[1][6:],
                     "--json")
entry = json.loads(out) if rc == 0 else {}
ok(rc == 0 and entry.get("nhs_number") == dsr_nhs[1] and entry.get("rag") == "green"
   and len(entry.get("history", [])) == 1,
   "dsr get --json (NHS number with spaces) prints the entry as the API answers", out + err)
rc, out, err = kwctl("dsr", "get", "-".join((dsr_nhs[1][:3], dsr_nhs[1][3:6], dsr_nhs[1][6:])), "--json")
entry = json.loads(out) if rc == 0 else {}
ok(rc == 0 and entry.get("nhs_number") == dsr_nhs[1],
   "dsr get --json (NHS number with hyphens) prints the entry", out + err)
wrong = dsr_nhs[1][:9] + str((int(dsr_nhs[1][9]) + 1) % 10)
rc, _, err = kwctl("dsr", "get", wrong[:3] + "-" + wrong[3:6] + "-" + wrong[6:])
ok(rc == 2 and "check digit" in err and "10 digits" not in err,
   "dsr get of a hyphenated NHS number with a wrong check digit exits 2 naming the check digit", err)
rc, out, err = kwctl("dsr", "get", nhs_number(rng))
ok(rc == 1 and err.startswith("kwctl: 404 not_found"),
   "dsr get of an NHS number not on the register exits 1 with the 404", err)

# ---------------------------------------------------------------- eligibility
rc, out, err = kwctl("--help")
ok(rc == 0 and all(w in out for w in ("eligibility ruleset", "eligibility re-evaluate ID",
                                      "eligibility re-evaluate-all", "eligibility age-out")),
   "kwctl --help documents the eligibility commands", out + err)
rc, out, _ = kwctl("eligibility", "--help")
ok(rc == 0 and "re-evaluate ID [--idempotency-key KEY]" in out and "re-evaluate-all" in out
   and "age-out" in out and "KW_TOKEN" in out and "Exit status" in out,
   "kwctl eligibility --help documents the eligibility commands, environment and exit statuses")
rc, out, err = kwctl("eligibility")
ok(rc == 2 and "eligibility needs a command" in err and out == "",
   "kwctl eligibility without a command exits 2", err)
rc, _, err = kwctl("eligibility", "frobnicate")
ok(rc == 2 and "unknown eligibility command" in err, "an unknown eligibility command exits 2", err)
rc, _, err = kwctl("eligibility", "re-evaluate")
ok(rc == 2 and "needs one referral ID" in err, "eligibility re-evaluate without an ID exits 2", err)
rc, _, err = kwctl("eligibility", "re-evaluate", rid1, rid2)
ok(rc == 2 and "needs one referral ID" in err, "eligibility re-evaluate with two IDs exits 2", err)
rc, _, err = kwctl("eligibility", "ruleset", "norfolk")
ok(rc == 2 and "takes no arguments" in err, "eligibility ruleset with an argument exits 2", err)
rc, _, err = kwctl("eligibility", "re-evaluate", rid1, "--idempotency-key", "bad\tkey")
ok(rc == 2 and "--idempotency-key" in err, "a re-evaluate --idempotency-key with a tab exits 2", err)
rc, _, err = kwctl("eligibility", "age-out", "--bogus=some-secret-value")
ok(rc == 2 and "--bogus" in err and "some-secret-value" not in err,
   "an unknown eligibility option exits 2 naming the option but not its value", err)
rc, _, err = kwctl("eligibility", "ruleset", tok=None)
ok(rc == 2 and "no token" in err, "eligibility ruleset without a token exits 2", err)
rc, _, err = kwctl("eligibility", "age-out", "--url", "http://127.0.0.1:%d" % free_port())
ok(rc == 3 and "cannot reach the gateway" in err, "eligibility age-out with no gateway exits 3", err)

ADMIN = token(role="admin", region="norfolk", sub="kwctl-admin")
REGION_DIR = os.environ["KW_REGION_DIR"]
ELIGIBILITY_LOG = os.path.join(VAR, "log", "eligibility.log")


def hup_eligibility():
    """SIGHUP eligibility and wait until it says it read its region files."""
    before = os.path.getsize(ELIGIBILITY_LOG)
    os.kill(pid_of("eligibility"), signal.SIGHUP)

    def reloaded():
        with open(ELIGIBILITY_LOG) as f:
            f.seek(before)
            return any(json.loads(line).get("event") == "regions_reloaded"
                       for line in f if line.startswith("{"))
    return wait_until(reloaded, 10)


# ruleset
status, ruleset, _ = http("GET", "/v1/eligibility/ruleset", tok=TOK)
rc, out, err = kwctl("eligibility", "ruleset")
f = fields(out)
ok(rc == 0 and status == 200 and f.get("region") == "norfolk (Norfolk Key Worker Service)"
   and f.get("rule set") == "norfolk version 1" and f.get("time zone") == "Europe/London"
   and f.get("upper age") == "18, 19 when child.in_complex_needs_school"
   and f.get("transition notice") == "180 days" and f.get("review interval") == "182 days"
   and f.get("gp prefixes") == "D82"
   and f.get("postcode districts") == str(len(ruleset.get("postcode_districts", [None]))),
   "eligibility ruleset shows region, rule set, time zone, upper age, notice, review, prefixes"
   " and the number of districts", out + err)
tree = out.split("rules:\n", 1)[-1].splitlines()
ok(tree == [
    "  all eligible \u2014 Every criterion below holds",
    "    age_under age (years 18, 19 when child.in_complex_needs_school) \u2014 Under 18, or under 19"
    " when in a complex needs school",
    "    gp_practice gp \u2014 Registered with a Norfolk GP practice",
    "    any need \u2014 Complex health needs or a high level of need",
    "      flag complex_health_needs (field needs.complex_health_needs) \u2014 Complex health needs",
    "      flag high_level_of_need (field needs.high_level_of_need) \u2014 A high level of need",
    "    professionals professionals (at least 3, from at least 2 agencies) \u2014 At least 3"
    " professionals from at least 2 agencies involved"],
   "eligibility ruleset shows the rule tree as an outline: kind, id, parameters, description",
   out + err)
rc, out, err = kwctl("eligibility", "ruleset", "--json")
ok(rc == 0 and json.loads(out) == ruleset and out.startswith("{\n  "),
   "eligibility ruleset --json prints the API's answer as is", out + err)
rc, out, err = kwctl("eligibility", "ruleset", tok=token(region="nhse"))
f = fields(out)
ok(rc == 0 and f.get("rule set") == "nhse version 1" and f.get("upper age") == "25"
   and f.get("gp prefixes") == "-"
   and "      dsr_rating dsr_rating (ratings red, amber, blue) \u2014 On the Dynamic Support"
       " Register rated red, amber or blue" in out.splitlines(),
   "another region's token shows its own rule set (no extension, no prefixes, a rating rule)",
   out + err)

# re-evaluate one referral
CRITERION = r"^  (age|gp|need|professionals)\s+(yes|no|unknown)\s"
rc, out, err = kwctl("eligibility", "re-evaluate", rid1)
lines = out.splitlines()
ok(rc == 0 and lines[:1] == ["referral %s: unchanged, eligible (rule set norfolk version 1)" % rid1]
   and dict(re.findall(CRITERION, out, re.M))
   == {"age": "yes", "gp": "yes", "need": "yes", "professionals": "yes"},
   "re-evaluating an eligible referral prints 'unchanged, eligible' and every criterion met",
   out + err)
ok(re.search(r"^    complex_health_needs\s+yes\s+Complex health needs( \(.+\))?$", out, re.M)
   and re.search(r"^    high_level_of_need\s+no\s+A high level of need( \(.+\))?$", out, re.M),
   "the need criterion's parts are shown below it, indented", out)
rc, out, err = kwctl("eligibility", "re-evaluate", rid1, "--json")
answer = json.loads(out) if rc == 0 else {}
ok(rc == 0 and answer.get("referral_id") == rid1 and answer.get("changed") is False
   and answer.get("eligibility", {}).get("outcome") == "eligible" and out.startswith("{\n  "),
   "eligibility re-evaluate --json prints the API's answer", out + err)
rc, out, err = kwctl("referral", "get", rid1)
ok(rc == 0 and re.search(r"^    complex_health_needs\s+yes\s", out, re.M),
   "referral get shows the criteria's parts indented as well", out + err)
key = "kwctl-re-" + uuid.uuid4().hex
rc_a, out_a, err_a = kwctl("eligibility", "re-evaluate", rid3, "--idempotency-key", key)
rc_b, out_b, err_b = kwctl("eligibility", "re-evaluate", "--idempotency-key", key, rid3)
ok(rc_a == 0 and rc_b == 0 and out_a == out_b
   and out_a.startswith("referral %s: unchanged, more_information_needed (" % rid3)
   and re.search(r"^missing\s+child\.gp_practice$", out_a, re.M),
   "a re-evaluate repeated with one --idempotency-key answers the same; missing fields shown",
   out_a + err_a + out_b + err_b)
rc, out, err = kwctl("eligibility", "re-evaluate", str(uuid.uuid4()))
ok(rc == 1 and err.startswith("kwctl: 404 not_found") and "(field id)" in err and out == "",
   "re-evaluating an unknown referral exits 1 with the 404 and its field", err)
rc, out, err = kwctl("eligibility", "re-evaluate", rid1, tok=token(region="nhse"))
ok(rc == 1 and err.startswith("kwctl: 404 "), "another region's referral is a 404 (exit 1)", err)
rc, out, err = kwctl("eligibility", "re-evaluate", rid1, "--json",
                     tok=token(role="key_worker", sub="kwctl-kw"))
ok(rc == 1 and err.startswith("kwctl: 403 forbidden")
   and json.loads(out or "{}").get("error", {}).get("code") == "forbidden",
   "a key worker may not re-evaluate: 403, exit 1, the error body on stdout with --json",
   out + err)
s, b, _ = http("GET", "/v1/referrals/%s" % rid5, tok=TOK)
ok(s == 200 and b.get("status") == "withdrawn", "the referral withdrawn above reads as withdrawn", b)
wait_until(lambda: http("POST", "/v1/referrals/%s/re-evaluate" % rid5, tok=TOK)[0] == 409, 10)
rc, out, err = kwctl("eligibility", "re-evaluate", rid5)
ok(rc == 1 and err.startswith("kwctl: 409 referral_withdrawn") and out == "",
   "re-evaluating a withdrawn referral exits 1 with the 409 referral_withdrawn", err)

# re-evaluate-all and age-out in norfolk
rc, out, err = kwctl("eligibility", "re-evaluate-all", tok=ADMIN)
m = re.fullmatch(r"evaluated (\d+) referrals, (\d+) decisions changed\n", out)
ok(rc == 0 and m and int(m.group(1)) >= 1,
   "eligibility re-evaluate-all by an admin prints the counts (rid3 is among them)", out + err)
rc, out, err = kwctl("--json", "eligibility", "re-evaluate-all", tok=ADMIN)
answer = json.loads(out) if rc == 0 else {}
ok(rc == 0 and isinstance(answer.get("evaluated"), int) and answer.get("changed") == 0,
   "re-evaluate-all --json prints the counts; unchanged rules change nothing", out + err)
rc, out, err = kwctl("eligibility", "re-evaluate-all")
ok(rc == 1 and err.startswith("kwctl: 403 forbidden") and out == "",
   "re-evaluate-all by a coordinator exits 1 with the 403", err)
rc, out, err = kwctl("eligibility", "age-out", tok=ADMIN)
ok(rc == 0 and re.fullmatch(r"transition due: \d+, age out: \d+\n", out),
   "eligibility age-out by an admin prints 'transition due: N, age out: M'", out + err)
rc, out, err = kwctl("eligibility", "age-out", "--json", tok=ADMIN)
answer = json.loads(out) if rc == 0 else {}
ok(rc == 0 and answer == {"transition_due": 0, "age_out": 0},
   "age-out --json prints the counts; a second sweep emits nothing", out + err)
rc, out, err = kwctl("eligibility", "age-out")
ok(rc == 1 and err.startswith("kwctl: 403 forbidden") and out == "",
   "age-out by a coordinator exits 1 with the 403", err)

# A region of the test's own: a decision that changes, and a sweep with events
with open(os.path.join(REGION_DIR, "norfolk.json")) as f:
    own = json.load(f)
own["id"] = own["ruleset"]["id"] = "kwctltest"
own["name"] = "kwctl test region"
own["upper_age"] = {"years": 12}
own["transition"] = {"notice_days": 100}
own_path = os.path.join(REGION_DIR, "kwctltest.json")
try:
    with open(own_path, "w") as f:
        json.dump(own, f)
    ok(hup_eligibility(), "a test region kwctltest (upper age 12, 100 days' notice) is loaded")
    own_tok = token(region="kwctltest", sub="kwctl-own")
    own_admin = token(role="admin", region="kwctltest", sub="kwctl-own-admin")
    dob = born(12, 40, "kwctltest")
    s, b, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), dob=dob), own_tok)
    own_rid = b.get("id") if s == 201 else str(uuid.uuid4())
    case_id = wait_until(lambda: http("GET", "/v1/referrals/%s" % own_rid, tok=own_tok)[1]
                         .get("case_id"), 20)
    known = wait_until(lambda: scalar("SELECT count(*) FROM eligibility.cases"
                                      " WHERE region = 'kwctltest'") == "1", 10)
    rc, out, err = kwctl("eligibility", "age-out", tok=own_admin)
    ok(rc == 0 and case_id and known and out == "transition due: 1, age out: 0\n",
       "the sweep finds the child turning 12 in 40 days: 'transition due: 1, age out: 0'",
       out + err)
    own["ruleset"]["version"] = 2
    own["gp_prefixes"] = ["B12"]
    with open(own_path, "w") as f:
        json.dump(own, f)
    ok(hup_eligibility(), "version 2 of the test region lists only B12 practices")
    rc, out, err = kwctl("eligibility", "re-evaluate", own_rid, tok=own_tok)
    lines = out.splitlines()
    ok(rc == 0 and lines[:1] == ["referral %s: decision changed, now ineligible"
                                 " (rule set kwctltest version 2)" % own_rid]
       and dict(re.findall(CRITERION, out, re.M)).get("gp") == "no",
       "re-evaluating under version 2 prints 'decision changed, now ineligible' with gp no",
       out + err)
    rc, out, err = kwctl("eligibility", "re-evaluate", own_rid, tok=own_tok)
    ok(rc == 0 and out.startswith("referral %s: unchanged, ineligible (rule set kwctltest version 2)\n"
                                  % own_rid), "asked again, it is unchanged", out + err)
finally:
    os.unlink(own_path)
    ok(hup_eligibility(), "the test region is removed")

done()
