"""kwctl's professional and case commands against the real stack, in a test
region: professional add, get, list, update, deactivate, import, absence
add, list and cancel, caseloads; case get (with each offer's reasons), list,
mine, decline, offer, accept, team (show, add, remove), change-request,
close and timeline; their readable tables and blocks, --json, --all, and
their exit statuses (0 done, 1 the API answered an error, 2 usage)."""

import json
import os
import random
import re
import subprocess
import tempfile
from kwtest import ok, done, token, http, nhs_number, referral, test_region, case_of, BIN

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "cli-%d" % n
TOK = test_region(REGION, {})
tmp = tempfile.TemporaryDirectory()


def kwctl(*args, tok=TOK):
    env = dict(os.environ, KW_TOKEN=tok)
    env.pop("KW_API_URL", None)
    p = subprocess.run([os.path.join(BIN, "kwctl")] + list(args), capture_output=True, text=True, env=env,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def write(name, text):
    path = os.path.join(tmp.name, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def email(label):
    return "%s.%d@example.org" % (label, n)


# --- professionals
body = {"name": "Cli One", "agency": "Community Health", "discipline": "ld_nurse", "email": email("one"),
        "languages": ["en", "pl"], "localities": ["NR2"], "max_caseload": 6,
        "working_hours": {"mon": ["09:00", "17:00"]}}
rc, out, err = kwctl("professional", "add", write("one.json", json.dumps(body)))
pid = (re.search(r"^professional\s+(\S+)", out, re.M) or [None, None])[1]
ok(rc == 0 and pid and re.search(r"^caseload\s+0 of 6 \(pending offers 0, covering 0\)", out, re.M)
   and re.search(r"^hours mon\s+09:00-17:00", out, re.M), "professional add prints the record", out + err)
rc, out, err = kwctl("professional", "add", write("one.json", json.dumps(body)))
ok(rc == 1 and "duplicate_professional" in err and "email" in err, "a second add is an API error (exit 1)", err)
rc, out, err = kwctl("professional", "add", write("bad.json", "{not json"))
ok(rc == 2 and "not JSON" in err, "a file that is not JSON is a usage error (exit 2)", err)
rc, out, err = kwctl("--json", "professional", "get", pid)
ok(rc == 0 and json.loads(out)["email"] == email("one"), "professional get --json is the API's answer", out)
rc, out, err = kwctl("professional", "update", pid, write("patch.json", '{"max_caseload": 8}'))
ok(rc == 0 and re.search(r"^caseload\s+0 of 8 ", out, re.M), "professional update changes what is given", out)
csv = "name,agency,discipline,email,languages,localities,max_caseload\n" + "".join(
    "Cli %d,Agency,speech_and_language_therapist,%s,en,NR2,5\n" % (i, email("imp%d" % i)) for i in range(4)) + \
    "Bad,Agency,wizard,%s,,,\n" % email("bad")
rc, out, err = kwctl("professional", "import", write("workforce.csv", csv))
ok(rc == 0 and "rows 5: created 4, updated 0, unchanged 0, rejected 1" in out
   and "line 6: discipline: discipline must be one of" in out, "professional import reports each row", out + err)
rc, out, err = kwctl("professional", "list", "--discipline", "speech_and_language_therapist", "--limit", "2")
ok(rc == 0 and out.splitlines()[0].split()[:3] == ["ID", "NAME", "DISCIPLINE"] and len(out.splitlines()) == 4
   and "more: add --cursor" in out, "professional list is a table, paged", out)
rc, out, err = kwctl("--json", "professional", "list", "--discipline", "speech_and_language_therapist", "--all",
                     "--limit", "2")
ok(rc == 0 and len(json.loads(out)["items"]) == 4 and json.loads(out)["next_cursor"] is None,
   "--all follows every page", out)
rc, out, err = kwctl("professional", "list", "--limit", "9999")
ok(rc == 2, "a limit over 500 is a usage error", err)

# --- a case: offered, declined, offered again by the coordinator, accepted
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), TOK)
case_id = case_of(TOK, created["id"])
rc, out, err = kwctl("case", "get", case_id)
offer_id = (re.search(r"^  (\S+)  pending  to ", out, re.M) or [None, None])[1]
ok(rc == 0 and re.search(r"^status\s+offered", out, re.M) and offer_id
   and re.search(r"^      speech and language therapist fits complex health needs, autism \(\+60\)", out, re.M),
   "case get shows the offer with its reasons", out)
rc, out, err = kwctl("case", "decline", case_id, offer_id)
ok(rc == 2 and "--reason" in err, "case decline needs --reason", err)
rc, out, err = kwctl("case", "decline", case_id, offer_id, "--reason", "on leave")
ok(rc == 0 and re.search(r"^  %s  declined  to " % offer_id, out, re.M) and "reason given: on leave" in out,
   "case decline", out)
rc, out, err = kwctl("case", "offer", case_id, "--professional", pid, "--reason", "knows the family")
offer2 = (re.search(r"^  (\S+)  pending  to Cli One", out, re.M) or [None, None])[1]
ok(rc == 0 and offer2 and "chosen by the coordinator: knows the family" in out, "case offer", out + err)
kw = token(role="key_worker", region=REGION, sub="cli-one", professional_id=pid)
rc, out, err = kwctl("case", "accept", case_id, offer2, tok=kw)
ok(rc == 0 and re.search(r"^status\s+active", out, re.M) and re.search(r"^key worker\s+Cli One", out, re.M),
   "case accept by the offeree", out + err)
rc, out, err = kwctl("case", "accept", case_id, offer2, tok=kw)
ok(rc == 1 and "offer_not_pending" in err, "accepting again is an API error", err)
rc, out, err = kwctl("case", "mine", tok=kw)
ok(rc == 0 and case_id in out and "key_worker" in out, "case mine lists the key worker's case", out)
rc, out, err = kwctl("case", "list", "--status", "active")
ok(rc == 0 and case_id in out and "Cli One" in out, "case list --status active", out)
rc, out, err = kwctl("case", "list", "--status", "busy")
ok(rc == 2 and "--status" in err, "an unknown status is a usage error", err)

# --- team, change request, timeline, close
rc, out, err = kwctl("case", "team", case_id, "add", "--name", "Guest Worker", "--agency", "Charity",
                     "--email", email("guest"))
member = (re.search(r"^(\S+)\s+Guest Worker", out, re.M) or [None, None])[1]
ok(rc == 0 and member, "case team add", out + err)
rc, out, err = kwctl("case", "team", case_id, "remove", member)
ok(rc == 0 and "Guest Worker" not in out, "case team remove", out + err)
rc, out, err = kwctl("case", "team", case_id)
ok(rc == 0 and out.splitlines()[0].startswith("MEMBER"), "case team shows the team", out)
rc, out, err = kwctl("case", "change-request", case_id, "--reason", "family asked", "--requested-by", "family")
ok(rc == 0 and re.search(r"pending  to .*change_request", out), "case change-request starts a new round", out + err)
rc, out, err = kwctl("case", "timeline", case_id, "--all")
kinds = [line.split()[1] for line in out.splitlines()[1:] if line.strip()]
ok(rc == 0 and kinds[:3] == ["case_opened", "team_changed", "offer_made"] and "change_requested" in kinds,
   "case timeline --all lists every event", out)
rc, out, err = kwctl("case", "close", case_id, "--reason", "bored")
ok(rc == 2 and "--reason" in err, "a close reason outside the list is a usage error", err)
rc, out, err = kwctl("case", "close", case_id, "--reason", "moved_away", "--note", "to Leeds")
ok(rc == 0 and re.search(r"^status\s+closed", out, re.M) and re.search(r"^close note\s+to Leeds", out, re.M),
   "case close", out + err)

# --- absences and caseloads
rc, out, err = kwctl("professional", "absence", "add", pid, "--from", "2031-03-01", "--to", "2031-03-02",
                     "--reason", "course")
aid = (re.search(r"^absence (\S+) of", out) or [None, None])[1]
ok(rc == 0 and aid and "2031-03-01T00:00:00Z to 2031-03-03T00:00:00Z, scheduled" in out, "absence add", out + err)
rc, out, err = kwctl("professional", "absence", "list", pid)
ok(rc == 0 and aid in out and "scheduled" in out, "absence list", out)
rc, out, err = kwctl("professional", "absence", "cancel", pid, aid)
ok(rc == 0 and "cancelled" in out, "absence cancel", out + err)
rc, out, err = kwctl("professional", "absence", "add", pid, "--from", "2031-03-01")
ok(rc == 2, "absence add needs --to", err)
rc, out, err = kwctl("professional", "caseloads")
ok(rc == 0 and out.splitlines()[0].split()[:3] == ["PROFESSIONAL", "NAME", "CASELOAD"] and "Cli One" in out,
   "professional caseloads", out)
rc, out, err = kwctl("professional", "deactivate", pid)
ok(rc == 0 and re.search(r"^active\s+no", out, re.M), "professional deactivate", out + err)
rc, out, err = kwctl("professional", "get", pid, tok=token(role="referrer", region=REGION, sub="r"))
ok(rc == 1 and "forbidden" in err, "a referrer is refused (exit 1)", err)
rc, out, err = kwctl("case", "frobnicate")
ok(rc == 2 and "unknown case command" in err, "an unknown command is a usage error", err)
done()
