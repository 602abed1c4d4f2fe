"""SIGHUP makes eligibility read its region files again: a changed rule set
is in force for the next decision without a restart, and a file that does
not load leaves the previous rule sets in force (the reason logged). The
files are the test stack's own copy (KW_REGION_DIR); they are restored."""

import json
import os
import random
import signal
from kwtest import ok, done, token, http, wait_until, nhs_number, referral, pid_of, VAR

rng = random.Random()
tok = token()
path = os.path.join(os.environ["KW_REGION_DIR"], "norfolk.json")
with open(path) as f:
    original = f.read()
log = os.path.join(VAR, "log", "eligibility.log")


def hup_and_wait(event):
    """Send SIGHUP and wait for the log line event; the pid stays the same."""
    before = os.path.getsize(log)
    pid = pid_of("eligibility")
    os.kill(pid, signal.SIGHUP)

    def logged():
        with open(log) as f:
            f.seek(before)
            return any(json.loads(line).get("event") == event for line in f if line.startswith("{"))
    seen = wait_until(logged, 10)
    return seen and pid_of("eligibility") == pid


def reload_reason():
    """The reason of the last failed reload in the log."""
    with open(log) as f:
        reasons = [json.loads(line).get("reason") for line in f if line.startswith("{")
                   and json.loads(line).get("event") == "regions_reload_failed"]
    return reasons[-1] if reasons else None


def ruleset_version():
    s, b, _ = http("GET", "/v1/eligibility/ruleset", tok=tok)
    return b.get("version") if s == 200 else None


def decided(rid):
    def check():
        s, b, _ = http("GET", "/v1/referrals/%s" % rid, tok=tok)
        return b if s == 200 and b.get("status") != "received" else None
    return wait_until(check, 15)


try:
    ok(ruleset_version() == 1, "norfolk's rule set is version 1")
    config = json.loads(original)
    config["ruleset"]["version"] = 2
    config["gp_prefixes"] = ["B12"]
    with open(path, "w") as f:
        json.dump(config, f)
    ok(hup_and_wait("regions_reloaded"), "SIGHUP reloads the region files without a restart")
    ok(ruleset_version() == 2, "the rule set read back is version 2")
    s, b, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    ref = decided(b.get("id"))
    ok(ref and ref["eligibility"]["version"] == 2 and ref["status"] == "ineligible"
       and any(c["id"] == "gp" and c["met"] is False for c in ref["eligibility"]["criteria"]),
       "the next decision uses version 2 (D82 is no longer a listed prefix)", ref)

    with open(path, "w") as f:
        f.write('{"id": "norfolk", "version": "three"')
    ok(hup_and_wait("regions_reload_failed"), "a file that does not load is logged as a failed reload")
    ok(ruleset_version() == 2, "and version 2 stays in force")
    config["ruleset"]["version"] = 3
    config["ruleset"]["rule"]["all"][1]["criterion"] = "postcode"
    with open(path, "w") as f:
        json.dump(config, f)
    ok(hup_and_wait("regions_reload_failed"), "so is a well-formed file with an unknown criterion")
    ok(reload_reason() and "ruleset.rule.all[1].criterion" in reload_reason(),
       "the reason logged names the file and the path inside it", reload_reason())
    ok(ruleset_version() == 2, "and version 2 stays in force")
    s, b, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    ref = decided(b.get("id"))
    ok(ref and ref["eligibility"]["version"] == 2, "decisions go on under version 2", ref)
finally:
    with open(path, "w") as f:
        f.write(original)
    ok(hup_and_wait("regions_reloaded") and ruleset_version() == 1, "the original file is back in force")
done()
