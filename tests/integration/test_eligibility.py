"""Eligibility beyond the first decision: the rule set read back as data,
re-evaluation on demand (only a changed result is recorded and announced),
every undecided or more-information referral after a rule change, a
referred child's DSR re-rating, and the age-out sweep (transition due and
age out, once per case across repeated sweeps and a restart). Region files
are the test stack's own copy (KW_REGION_DIR); they are restored."""

import datetime
import json
import os
import random
import signal
from kwtest import (ok, done, token, http, scalar, wait_until, nhs_number, referral, pid_of,
                    kill, wait_restarted, VAR, born, region_today)

rng = random.Random()
REGIONS = os.environ["KW_REGION_DIR"]
coord = token()
admin = token(role="admin", sub="test-admin")
log = os.path.join(VAR, "log", "eligibility.log")
with open(os.path.join(REGIONS, "norfolk.json")) as f:
    norfolk_original = f.read()


def hup_and_wait(event="regions_reloaded"):
    before = os.path.getsize(log)
    os.kill(pid_of("eligibility"), signal.SIGHUP)

    def logged():
        with open(log) as f:
            f.seek(before)
            return any(json.loads(line).get("event") == event for line in f if line.startswith("{"))
    return wait_until(logged, 10)


def write_region(name, config):
    with open(os.path.join(REGIONS, name + ".json"), "w") as f:
        json.dump(config, f)


def get(rid, tok=coord):
    return http("GET", "/v1/referrals/%s" % rid, tok=tok)[1]


def status_is(rid, status, tok=coord):
    def check():
        b = get(rid, tok)
        return b if b.get("status") == status else None
    return wait_until(check, 15)


def decisions(rid):
    return int(scalar("SELECT count(*) FROM eligibility.decisions WHERE referral_id = :'p1'", rid))


def decided_events(rid):
    return int(scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'eligibility'"
                      " AND type = 'decided' AND correlation_id = :'p1'", rid))


def create(body, tok=coord):
    s, b, _ = http("POST", "/v1/referrals", body, tok)
    return b.get("id") if s == 201 else None


def criterion(decision, cid):
    return next((c for c in decision.get("criteria", []) if c["id"] == cid), None)


# --- the rule set as data
s, rs, _ = http("GET", "/v1/eligibility/ruleset", tok=coord)
ok(s == 200 and rs["name"] == "norfolk" and rs["version"] == 1 and rs["region"] == "norfolk"
   and [c["id"] for c in rs["criteria"]] == ["age", "gp", "need", "professionals"],
   "norfolk's rule set lists its four criteria", rs)
need = next(c for c in rs.get("criteria", []) if c["id"] == "need")
ok([p["id"] for p in need.get("parts", [])] == ["complex_health_needs", "high_level_of_need"]
   and all(p["description"] for p in need["parts"]),
   "the need criterion shows its two parts, each described", need)
ok(rs.get("rule", {}).get("kind") == "all" and len(rs["rule"]["rules"]) == 4
   and rs["rule"]["rules"][0]["kind"] == "age_under" and rs["rule"]["rules"][0]["years"] == 18
   and rs["rule"]["rules"][0]["extended_years"] == 19
   and rs["rule"]["rules"][0]["extended_when"] == "child.in_complex_needs_school",
   "the rule tree is shown as configured", rs.get("rule"))
ok(rs.get("upper_age") == {"years": 18, "extended_years": 19,
                           "extended_when": "child.in_complex_needs_school"}
   and rs.get("transition_notice_days") == 180 and rs.get("gp_prefixes") == ["D82"]
   and "NR2" in rs.get("postcode_districts", []),
   "with the region's upper age, transition notice, GP prefixes and districts", rs)
s, b, _ = http("GET", "/v1/eligibility/ruleset", tok=token(region="nhse"))
ok(s == 200 and [c["id"] for c in b["criteria"]] == ["age", "ld_or_autism", "risk"],
   "nhse's rule set lists age, ld_or_autism and risk", b)

try:
    # --- on demand: unchanged emits nothing; a rule change is a new decision
    rid = create(referral(nhs_number(rng)))
    ref = status_is(rid, "eligible")
    ok(ref is not None, "a referral is decided eligible", ref)
    wait_until(lambda: get(rid).get("case_id"), 15)
    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=coord)
    ok(s == 200 and b["changed"] is False and b["eligibility"]["outcome"] == "eligible",
       "re-evaluating it under the same rules changes nothing", b)
    ok(decisions(rid) == 1 and decided_events(rid) == 1,
       "and records no decision and emits no event", (decisions(rid), decided_events(rid)))

    s, b, _ = http("POST", "/v1/referrals/%s/information" % rid, {"child": {"language": "fr"}}, coord)
    ok(s == 200 and b["revision"] == 1, "information that does not bear on eligibility is added", b)
    ok(wait_until(lambda: scalar("SELECT revision FROM eligibility.referrals WHERE referral_id = :'p1'",
                                 rid) == "1", 10), "eligibility decides the new revision")
    ok(decisions(rid) == 1 and decided_events(rid) == 1,
       "with the same result: nothing recorded, nothing announced", (decisions(rid), decided_events(rid)))

    config = json.loads(norfolk_original)
    config["ruleset"]["version"] = 2
    config["gp_prefixes"] = ["B12"]
    write_region("norfolk", config)
    ok(hup_and_wait(), "the rules change: version 2 lists only B12 practices")
    key = {"Idempotency-Key": "re-evaluate-%d" % rng.randrange(1 << 30)}
    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=coord, headers=key)
    ok(s == 200 and b["changed"] is True and b["eligibility"]["outcome"] == "ineligible"
       and b["eligibility"]["version"] == 2
       and criterion(b["eligibility"], "gp")["met"] is False,
       "re-evaluating it now is a changed decision: ineligible under version 2", b)
    ok(decisions(rid) == 2 and wait_until(lambda: decided_events(rid) == 2, 5),
       "recorded as a second decision with its event", decisions(rid))
    ok(scalar("SELECT cause FROM eligibility.decisions WHERE referral_id = :'p1' AND sequence = 2",
              rid) == "re_evaluation", "whose cause is re_evaluation")
    ref = status_is(rid, "ineligible")
    ok(ref and ref["eligibility"]["version"] == 2, "the referral shows the new decision", ref)
    s2, b2, _ = http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=coord, headers=key)
    ok(s2 == 200 and b2 == b, "the same Idempotency-Key returns the first answer", b2)
    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=coord)
    ok(s == 200 and b["changed"] is False and decisions(rid) == 2,
       "a new request finds nothing changed", b)

    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=token(role="key_worker"))
    ok(s == 403, "a key worker may not re-evaluate", b)
    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=token(region="nhse"))
    ok(s == 404, "another region's coordinator does not find it", b)
    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % "00000000-0000-4000-8000-000000000000",
                   tok=coord)
    ok(s == 404 and b["error"]["field"] == "id", "an unknown referral is 404", b)
    s, b, _ = http("POST", "/v1/referrals/not-a-uuid/re-evaluate", tok=coord)
    ok(s == 404, "so is an id that is not one", b)
    body = referral(nhs_number(rng))
    del body["child"]["gp_practice"]
    wid = create(body)
    status_is(wid, "more_information_needed")
    s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % wid, {"reason": "moved away"}, coord)
    ok(s == 200 and b["status"] == "withdrawn", "a referral is withdrawn", b)
    ok(wait_until(lambda: scalar("SELECT withdrawn FROM eligibility.referrals WHERE referral_id = :'p1'",
                                 wid) == "t", 10), "eligibility sees the withdrawal")
    s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % wid, tok=coord)
    ok(s == 409 and b["error"]["code"] == "referral_withdrawn", "a withdrawn referral is 409", b)

    # --- after a rule change: every undecided or more-information referral
    body = referral(nhs_number(rng))
    del body["child"]["gp_practice"]
    waiting = create(body)
    ok(status_is(waiting, "more_information_needed") is not None,
       "a referral without a GP practice needs more information")
    eligible_before = create(referral(nhs_number(rng), eligible=False))
    status_is(eligible_before, "ineligible")
    config["ruleset"]["version"] = 3
    rules = config["ruleset"]["rule"]["all"]
    rules[1] = {"id": "gp", "description": "Lives in Norfolk", "criterion": "postcode_in_region"}
    write_region("norfolk", config)
    ok(hup_and_wait(), "version 3 asks for a Norfolk postcode instead of a GP practice")
    s, b, _ = http("POST", "/v1/admin/eligibility/re-evaluate", tok=coord)
    ok(s == 403, "a coordinator may not re-evaluate the whole region", b)
    ineligible_decisions = decisions(eligible_before)
    s, b, _ = http("POST", "/v1/admin/eligibility/re-evaluate", tok=admin)
    ok(s == 200 and b["evaluated"] >= 1 and b["changed"] >= 1,
       "an admin re-evaluates the undecided and more-information referrals", b)
    ref = status_is(waiting, "eligible")
    ok(ref and ref["eligibility"]["version"] == 3
       and criterion(ref["eligibility"], "gp")["met"] is True,
       "the waiting referral is now eligible under version 3", ref)
    ok(wait_until(lambda: get(waiting).get("case_id"), 15), "and a case is opened for it")
    ok(decisions(eligible_before) == ineligible_decisions,
       "an ineligible referral is not among them", decisions(eligible_before))
    s, b, _ = http("POST", "/v1/admin/eligibility/re-evaluate", tok=admin)
    ok(s == 200 and b["changed"] == 0, "run again, it changes nothing", b)
finally:
    with open(os.path.join(REGIONS, "norfolk.json"), "w") as f:
        f.write(norfolk_original)
    ok(hup_and_wait(), "the original norfolk rule set is back")

# --- a referred child's DSR rating changes
nhse = token(region="nhse", sub="nhse-coordinator")
feed = token(role="dsr_feed", region="nhse", sub="dsr-feed")
nhs = nhs_number(rng)
body = referral(nhs)
body["needs"] = {"learning_disability": True, "autism": False}
rid = create(body, nhse)
ref = status_is(rid, "more_information_needed", nhse)
ok(ref and ref["eligibility"]["missing"] == ["needs.inpatient"],
   "an nhse referral that is not known to be an inpatient or on the DSR needs information", ref)
columns = ["dsr_id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
           "learning_disability", "autism", "rag", "rag_effective_date", "inpatient",
           "consent_basis", "lead_professional_email", "cetr_last", "cetr_next"]


def import_rating(rag):
    values = ["D-" + nhs, nhs, "Test", "Child", "2015-03-02", "NR2 3TU", "yes", "no", rag,
              "2026-11-01", "no", "parental_responsibility", "lead@example.org", "", ""]
    data = (",".join(columns) + "\r\n" + ",".join(values) + "\r\n").encode()
    return http("POST", "/v1/dsr/imports", tok=feed, raw=data, headers={"Content-Type": "text/csv"})


s, b, _ = import_rating("green")
ok(s == 200 and b["created"] == 1, "the child is put on the DSR rated green", b)
ok(wait_until(lambda: scalar("SELECT rag FROM eligibility.dsr_ratings WHERE nhs_number = :'p1'", nhs)
              == "green", 10), "eligibility keeps the rating")
ok(get(rid, nhse)["status"] == "more_information_needed" and decisions(rid) == 1,
   "green does not count as risk: the decision stands, nothing recorded", decisions(rid))
s, b, _ = import_rating("amber")
ok(s == 200 and b["updated"] == 1, "the child is re-rated amber", b)
ref = status_is(rid, "eligible", nhse)
ok(ref and criterion(ref["eligibility"], "risk")["met"] is True,
   "the referral is decided again and is now eligible", ref)
ok(scalar("SELECT cause FROM eligibility.decisions WHERE referral_id = :'p1' ORDER BY sequence DESC"
          " LIMIT 1", rid) == "dsr_rating_changed", "the decision's cause is the DSR re-rating")
ok(scalar("SELECT count(*) FROM referral.referrals WHERE nhs_number = :'p1'", nhs) == "1",
   "and no second referral is made from the DSR entry")
s, b, _ = import_rating("red")
ok(wait_until(lambda: scalar("SELECT rag FROM eligibility.dsr_ratings WHERE nhs_number = :'p1'", nhs)
              == "red", 10) and decisions(rid) == 2,
   "re-rated red, still eligible: no new decision", decisions(rid))

# --- a referral for a region whose file eligibility has not read yet stays
# undecided until an admin re-evaluates the region once it is read (the
# gateway already knows the region: a token may name only a region that has
# a file)
with open(os.path.join(REGIONS, "nhse.json")) as f:
    latecomer = json.load(f)
latecomer["id"] = "latecomer"
try:
    write_region("latecomer", latecomer)
    late = token(region="latecomer", sub="latecomer-coordinator")
    ok(wait_until(lambda: http("GET", "/v1/eligibility/ruleset", tok=late)[0] != 401, 5),
       "the gateway takes tokens of the region once its file is there")
    body = referral(nhs_number(rng))
    body["needs"] = {"learning_disability": True, "inpatient": True}
    rid = create(body, late)
    ok(rid and wait_until(lambda: scalar("SELECT count(*) FROM eligibility.referrals"
                                         " WHERE referral_id = :'p1'", rid) == "1", 10)
       and get(rid, late)["status"] == "received",
       "a referral for a region whose rule set is not loaded is kept, undecided", get(rid, late))
    ok(hup_and_wait(), "the region's file is read")
    s, b, _ = http("POST", "/v1/admin/eligibility/re-evaluate",
                   tok=token(role="admin", region="latecomer", sub="latecomer-admin"))
    ok(s == 200 and b == {"evaluated": 1, "changed": 1}, "an admin re-evaluates the region", b)
    ref = status_is(rid, "eligible", late)
    ok(ref and ref["eligibility"]["ruleset"] == "nhse", "and the waiting referral is decided", ref)
finally:
    os.unlink(os.path.join(REGIONS, "latecomer.json"))
    ok(hup_and_wait(), "the region's file is removed again")

# --- age-out: a region whose upper age is under its age limit, so that
# open cases are already due
with open(os.path.join(REGIONS, "nhse.json")) as f:
    ageout = json.load(f)
# Ages are counted on the region's date (kwtest.region_today).
today = region_today("nhse")


ageout["id"] = "ageout"
ageout["upper_age"] = {"years": 20}
ageout["transition"] = {"notice_days": 100}
ageout["ruleset"]["id"] = "ageout"
ageout["ruleset"]["rule"]["all"][0]["years"] = 30
try:
    write_region("ageout", ageout)
    ok(hup_and_wait(), "a test region with upper age 20 and 100 days' notice is loaded")
    tok = token(region="ageout", sub="ageout-coordinator")
    ages = {"due": born(20, 40, "nhse"), "out": born(20, -3, "nhse"), "young": born(20, 101, "nhse"),
            "birthday": born(20, 0, "nhse")}
    cases = {}
    for label, dob in ages.items():
        body = referral(nhs_number(rng), dob=dob)
        body["needs"] = {"learning_disability": True, "inpatient": True}
        rid = create(body, tok)
        ok(status_is(rid, "eligible", tok) is not None, "the %s child's referral is eligible" % label)
        cases[label] = wait_until(lambda: get(rid, tok).get("case_id"), 15)
    ok(all(cases.values()) and wait_until(lambda: scalar(
        "SELECT count(*) FROM eligibility.cases WHERE region = 'ageout'") == "4", 10),
       "each has an open case that eligibility knows", cases)

    def events(case_id, kind):
        return int(scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'eligibility'"
                          " AND type = :'p1' AND correlation_id = :'p2'", "case_" + kind, case_id))

    ageout_admin = token(role="admin", region="ageout", sub="ageout-admin")
    s, b, _ = http("POST", "/v1/admin/eligibility/age-out", tok=tok)
    ok(s == 403, "a coordinator may not run the sweep", b)
    s, b, _ = http("POST", "/v1/admin/eligibility/age-out", tok=ageout_admin)
    ok(s == 200 and b == {"transition_due": 3, "age_out": 2},
       "the sweep: three within 100 days of 20, two aged 20 (one today)", b)
    expect = {"due": (1, 0), "out": (1, 1), "young": (0, 0), "birthday": (1, 1)}
    got = {k: (events(cases[k], "transition_due"), events(cases[k], "age_out")) for k in cases}
    ok(got == expect, "each event once for the right case", got)

    def case(label):
        return http("GET", "/v1/cases/%s" % cases[label], tok=tok)[1]
    closed = wait_until(lambda: all(case(k).get("status") == "closed" for k in ("out", "birthday")), 15)
    ok(closed and all(case(k).get("close_reason") == "transferred_to_adult_services"
                      for k in ("out", "birthday")),
       "assignment closes the aged-out cases as transferred to adult services",
       [case(k) for k in ("out", "birthday")])
    ok(case("due").get("status") != "closed" and case("young").get("status") != "closed",
       "the others stay open", [case("due"), case("young")])
    ok(wait_until(lambda: scalar("SELECT count(*) FROM referral.referrals WHERE case_id IN (:'p1', :'p2')"
                                 " AND status = 'closed'", cases["out"], cases["birthday"]) == "2", 10),
       "and their referrals are closed")
    ok(wait_until(lambda: scalar("SELECT count(*) FROM eligibility.cases WHERE region = 'ageout'"
                                 " AND closed_at IS NOT NULL") == "2", 10),
       "eligibility sees the two cases closed")
    s, b, _ = http("POST", "/v1/admin/eligibility/age-out", tok=ageout_admin)
    ok(s == 200 and b == {"transition_due": 0, "age_out": 0}, "a second sweep emits nothing", b)
    old = kill("eligibility")
    ok(wait_restarted("eligibility", old), "eligibility is killed and restarted (sweeping at start)")
    ok(wait_until(lambda: http("GET", "/v1/eligibility/ruleset", tok=tok)[0] == 200, 15),
       "and answers again")
    s, b, _ = http("POST", "/v1/admin/eligibility/age-out", tok=ageout_admin)
    got = {k: (events(cases[k], "transition_due"), events(cases[k], "age_out")) for k in cases}
    ok(s == 200 and got == expect, "still each event exactly once", got)
    payload = scalar("SELECT encode(payload, 'hex') FROM bus.outbox WHERE type = 'case_age_out'"
                     " AND correlation_id = :'p1'", cases["out"])
    birthday = (today - datetime.timedelta(days=3)).isoformat()
    ok(payload and cases["out"].encode().hex() in payload and birthday.encode().hex() not in payload
       and b"Test".hex() not in payload,
       "the age-out event carries the case, not the upper-age date (a birthday) nor a name", payload)
finally:
    os.unlink(os.path.join(REGIONS, "ageout.json"))
    ok(hup_and_wait(), "the test region is removed")
done()
