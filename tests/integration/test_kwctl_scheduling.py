"""kwctl's meeting and plan commands against the real stack: meeting book
(a search and a refused type), get, respond, reschedule, ics (the
invitation as it is, parsed by python3-icalendar), outcome from a file,
cancel; plan get, versions and complete; their exit statuses (0 done, 1
the API answered an error, 2 usage) and --json."""

import json
import os
import subprocess
import tempfile
import icalendar
from kwtest import ok, done, BIN
from kwsched import coordinator, worker, open_case, dates, key_worker_token

kw = worker("cli")
case = open_case(kw)
tmp = tempfile.TemporaryDirectory()


def kwctl(*args, tok=coordinator):
    env = dict(os.environ, KW_TOKEN=tok)
    env.pop("KW_API_URL", None)
    p = subprocess.run([os.path.join(BIN, "kwctl")] + list(args), capture_output=True, text=True, env=env,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


first, last = dates(1, 21)
rc, out, err = kwctl("meeting", "book", case["id"], "--type", "planning", "--earliest", first, "--latest", last,
                     "--required", "key_worker,family", "--json")
meeting = json.loads(out) if rc == 0 else {}
ok(rc == 0 and meeting.get("status") == "scheduled", "meeting book finds a slot", err)
rc, out, err = kwctl("meeting", "book", case["id"], "--type", "party")
ok(rc == 2 and "--type" in err, "an unknown type is a usage error", err)
rc, out, err = kwctl("meeting", "book", case["id"], "--type", "review", "--earliest", first, "--latest", first,
                     "--required", "nobody")
ok(rc == 1 and "400" in err and "required" in err, "the API's refusal is exit status 1", err)
rc, out, err = kwctl("meeting", "get", meeting.get("id", "x"))
ok(rc == 0 and "PARTICIPANT" in out and "key_worker" in out and "needs_action" in out,
   "meeting get prints the meeting and its participants", out)
rc, out, err = kwctl("meeting", "respond", meeting.get("id", "x"), "--response", "accepted", tok=key_worker_token(kw))
ok(rc == 0 and "accepted" in out, "meeting respond as the key worker", err)
rc, out, err = kwctl("meeting", "reschedule", meeting.get("id", "x"), "--earliest", dates(5, 5)[0], "--json")
ok(rc == 0 and json.loads(out).get("sequence") == 1, "meeting reschedule raises the sequence", err)
rc, out, err = kwctl("meeting", "ics", meeting.get("id", "x"))
cal = icalendar.Calendar.from_ical(out) if rc == 0 else None
ok(cal is not None and str(cal["METHOD"]) == "REQUEST", "meeting ics prints the invitation as it is")
outcome = os.path.join(tmp.name, "outcome.json")
with open(outcome, "w") as f:
    json.dump({"notes": "kwctl", "actions": [{"description": "Phone the school", "owner": "key_worker",
                                              "due": dates(9, 9)[0]}]}, f)
rc, out, err = kwctl("meeting", "outcome", meeting.get("id", "x"), outcome)
ok(rc == 0 and "Phone the school" in out and "version" in out, "meeting outcome from a file is the plan", err)
rc, out, err = kwctl("plan", "get", case["id"], "--json")
plan = json.loads(out) if rc == 0 else {}
ok(plan.get("version") == 1 and len(plan.get("actions", [])) == 1, "plan get", err)
rc, out, err = kwctl("plan", "versions", case["id"])
ok(rc == 0 and out.count("version") == 1 and "Phone the school" in out, "plan versions prints each version", err)
rc, out, err = kwctl("plan", "complete", plan["actions"][0]["id"] if plan.get("actions") else "x")
ok(rc == 0 and "done" in out, "plan complete", err)
rc, out, err = kwctl("plan", "get", case["id"], "--version", "7")
ok(rc == 1 and "404" in err, "a version that is not there is exit status 1", err)
rc, out, err = kwctl("meeting", "cancel", meeting.get("id", "x"), "--reason", "held already")
ok(rc == 1 and "409" in err, "a held meeting cannot be cancelled", err)
rc, out, err = kwctl("plan", "sideways", case["id"])
ok(rc == 2, "an unknown plan command is a usage error", err)
done()
