"""Who may do what, for every assignment route: a table of callers by role
and relationship to one case (admin, coordinator, the key worker, the
deputy, a team member, the professional offered the case, a professional
covering it, an unrelated professional, the family, another family, a
referrer, a DSR feed, a coordinator of another region) against every route,
each cell allowed (the service acts or answers a conflict, never 403),
forbidden (403: by the gateway when the route does not name the caller's
role, else by the service, which audits it) or not found (404: another region's records
do not exist for the caller). Calls that change the case run last, the
forbidden first, so that each cell is asked of the same case."""

import random
from kwtest import (ok, done, token, http, scalar, wait_until, nhs_number, referral, professional,
                    test_region, case_of, get_case, pending_offer)

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "access-%d" % n
tok = test_region(REGION, {"refusals_before_waiting": 20})


def email(label):
    return "%s.%d@example.org" % (label, n)


def kw(pro):
    return token(role="key_worker", region=REGION, sub="kw-" + pro["id"], professional_id=pro["id"])


# The people around one case.
deputy = professional(tok, "Dep", email("dep"), discipline="teacher", localities=["NR9"])
keyw = professional(tok, "Kee", email("kee"), deputy_id=deputy["id"])
team = professional(tok, "Tam", email("tam"), discipline="teacher", localities=["NR9"])
stranger = professional(tok, "Str", email("str"), discipline="teacher", localities=["NR9"], max_caseload=1)
for i in range(4):
    professional(tok, "Spare %d" % i, email("spare%d" % i), discipline="speech_and_language_therapist")
mum = email("mum")
body = referral(nhs_number(rng))
body["family"] = [{"name": "Ma", "relationship": "mother", "email": mum}]
status, created, _ = http("POST", "/v1/referrals", body, tok)
case_id = case_of(tok, created["id"])
offer = wait_until(lambda: pending_offer(get_case(tok, case_id)), 10)
status, body, _ = http("POST", "/v1/cases/%s/offers" % case_id, {"professional_id": keyw["id"], "reason": "setup"}, tok)
http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, pending_offer(body)["id"]), None, tok)
status, body, _ = http("POST", "/v1/cases/%s/change-request" % case_id, {"reason": "setup"}, tok)
offeree_id = pending_offer(body)["professional_id"]
http("POST", "/v1/cases/%s/team" % case_id, {"professional_id": team["id"]}, tok)
offeree = {"id": offeree_id}
case = get_case(tok, case_id)
ok(case["key_worker"]["id"] == keyw["id"] and case["deputy"]["id"] == deputy["id"] and offeree_id not in
   (keyw["id"], deputy["id"], team["id"]) and team["id"] in [m["professional_id"] for m in case["team"]],
   "a case with a key worker, a deputy, a team member and a professional offered it", case)

# A second case, covered: its key worker is away and the deputy covers.
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
covered_case = case_of(tok, created["id"])
wait_until(lambda: pending_offer(get_case(tok, covered_case)), 10)
http("PATCH", "/v1/professionals/%s" % team["id"], {"deputy_id": stranger["id"]}, tok)
status, body, _ = http("POST", "/v1/cases/%s/offers" % covered_case, {"professional_id": team["id"], "reason": "x"}, tok)
http("POST", "/v1/cases/%s/offers/%s/accept" % (covered_case, pending_offer(body)["id"]), None, tok)
status, body, _ = http("POST", "/v1/professionals/%s/absences" % team["id"],
                       {"from": "2020-01-01T00:00:00Z", "to": "2099-01-01T00:00:00Z"}, tok)
ok((get_case(tok, covered_case)["cover"] or {}).get("id") == stranger["id"],
   "and a professional covering another case")

CALLERS = {
    "admin": token(role="admin", region=REGION, sub="admin"),
    "coordinator": tok,
    "key_worker": kw(keyw),
    "deputy": kw(deputy),
    "team": kw(team),
    "offeree": kw(offeree),
    "cover": kw(stranger),
    "unrelated": token(role="key_worker", region=REGION, sub="nobody",
                       professional_id="00000000-0000-4000-8000-000000000001"),
    "family": token(role="family", region=REGION, sub=mum),
    "other_family": token(role="family", region=REGION, sub=email("dad")),
    "referrer": token(role="referrer", region=REGION, sub="ref"),
    "dsr_feed": token(role="dsr_feed", region=REGION, sub="feed"),
    "other_region": token(role="coordinator", region="nhse", sub="elsewhere"),
}
A, F, N = "allowed", "forbidden", "not found"
READ_CASE = {"admin": A, "coordinator": A, "key_worker": A, "deputy": A, "team": A, "offeree": A, "cover": F,
             "unrelated": F, "family": A, "other_family": F, "referrer": F, "dsr_feed": F, "other_region": N}
COORDINATORS = {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "other_region": N}
REGION_LISTS = {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "other_region": A}
MINE = {c: F for c in CALLERS} | {c: A for c in ("key_worker", "deputy", "team", "offeree", "cover", "unrelated",
                                                  "family", "other_family")}
SELF = {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "key_worker": A, "other_region": N}
CHANGE = {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "key_worker": A, "family": A, "other_region": N}
ANSWER = {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "offeree": A, "other_region": N}
COVERED_READ = dict(READ_CASE, cover=A, key_worker=F, deputy=F, offeree=F, family=F, team=A)

kee = keyw["id"]
absence = {"from": "2031-01-01", "to": "2031-01-02"}
ROUTES = [
    ("GET case", "GET", "/v1/cases/%s" % case_id, None, READ_CASE),
    ("GET covered case", "GET", "/v1/cases/%s" % covered_case, None, COVERED_READ),
    ("GET timeline", "GET", "/v1/cases/%s/timeline" % case_id, None, READ_CASE),
    ("GET team", "GET", "/v1/cases/%s/team" % case_id, None, READ_CASE),
    ("GET cases", "GET", "/v1/cases", None, REGION_LISTS),
    ("GET my cases", "GET", "/v1/me/cases", None, MINE),
    ("GET caseloads", "GET", "/v1/caseloads", None, REGION_LISTS),
    ("GET professionals", "GET", "/v1/professionals", None, REGION_LISTS),
    ("GET professional", "GET", "/v1/professionals/%s" % kee, None, SELF),
    ("GET absences", "GET", "/v1/professionals/%s/absences" % kee, None, SELF),
    ("POST professional", "POST", "/v1/professionals",
     lambda c: {"name": "New", "agency": "A", "discipline": "teacher", "email": email("new-" + c)},
     {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "other_region": A}),
    ("PATCH professional", "PATCH", "/v1/professionals/%s" % kee, lambda c: {"phone": "01603 123456"}, COORDINATORS),
    ("POST import", "POST", "/v1/professionals/import", None,
     {c: F for c in CALLERS} | {"admin": A, "coordinator": A, "other_region": A}),
    ("POST absence", "POST", "/v1/professionals/%s/absences" % kee, lambda c: absence, SELF),
    ("POST team", "POST", "/v1/cases/%s/team" % case_id, lambda c: {"name": "Guest " + c, "agency": "X"},
     COORDINATORS),
    ("POST coordinator's offer", "POST", "/v1/cases/%s/offers" % case_id,
     lambda c: {"professional_id": offeree_id, "reason": "test"}, COORDINATORS),
    ("POST change request", "POST", "/v1/cases/%s/change-request" % case_id, lambda c: {"reason": "test"}, CHANGE),
    ("POST decline", "POST", None, lambda c: {"reason": "test"}, ANSWER),
    ("POST close", "POST", "/v1/cases/%s/close" % case_id, lambda c: {"reason": "other"}, COORDINATORS),
]
IMPORT = "name,agency,discipline,email\nImp,A,teacher,%s\n"


def call(method, path, body, caller_name, caller):
    if path == "/v1/professionals/import":
        return http(method, path, tok=caller, raw=(IMPORT % email("imp-" + caller_name)).encode(),
                    headers={"Content-Type": "text/csv"})
    return http(method, path, body, caller)


def classify(status):
    return F if status == 403 else N if status == 404 else A if status < 500 and status not in (400, 401) else status


by_service = 0
for label, method, path, body, table in ROUTES:
    # The forbidden first, so that the allowed change nothing they would see.
    order = sorted(CALLERS, key=lambda c: (table[c] == A, c != "offeree"))
    for name in order:
        target = path
        if target is None:
            pending = pending_offer(get_case(tok, case_id))
            if not pending:
                continue
            target = "/v1/cases/%s/offers/%s/decline" % (case_id, pending["id"])
            if name == "offeree" and pending["professional_id"] != offeree_id:
                continue
        status, answer, _ = call(method, target, body(name) if body else None, name, CALLERS[name])
        got = classify(status)
        if status == 403 and "may not make this call" not in str(answer):
            by_service += 1
        ok(got == table[name], "%s as %s: %s" % (label, name, table[name]), (status, answer))
refused = int(scalar("SELECT count(*) FROM audit.events WHERE region = :'p1' AND outcome = 'forbidden'", REGION))
ok(by_service >= 20 and refused >= by_service,
   "every refusal the service makes is audited (%d refused there, %d audited)" % (by_service, refused))
done()
