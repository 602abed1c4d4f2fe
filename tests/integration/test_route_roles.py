"""Authorisation in two places, route by route: the routes come from the
served OpenAPI document (GET /v1/openapi.json), so a route added to the
gateway is walked without changing this test. Each operation is called with
a token of every role, of the region that holds the records named in the
path (own) and of another region (other):
- a role the operation's x-roles does not name gets the gateway's 403, for
  either region (the service is never asked);
- a named role gets the service's answer, never the gateway's 403 nor a 5xx;
- a path naming a record of the own region never answers 2xx to a token of
  the other region, and a read of it answers 2xx to an admin and a
  coordinator of the own region and 404 to those of the other: the region is
  checked behind the gateway too.
The records are made in two test regions of their own (a referral with its
case and offer, a professional with an absence, a team member, a DSR entry,
a second case with its key worker, a meeting, and a plan with an action),
so the admin commands and writes walked here change nothing else."""

import random
from kwtest import (ok, done, token, http, nhs_number, referral, professional, test_region, case_of,
                    get_case, pending_offer, wait_until)

ROLES = ["admin", "coordinator", "key_worker", "referrer", "dsr_feed", "family"]
GATEWAY_REFUSAL = "may not make this call"
rng = random.Random()
n = rng.randrange(10 ** 9)
OWN, OTHER = "roles-own-%d" % n, "roles-other-%d" % n
own_coordinator = test_region(OWN, {"offer_ttl": "1h"})
test_region(OTHER, {"offer_ttl": "1h"})

# --- the records of the own region the paths name
pro = professional(own_coordinator, "Rae Roles", "rae.%d@example.org" % n, localities=["NR2"])
member = professional(own_coordinator, "Max Member", "max.%d@example.org" % n, localities=["NR2"])
child_nhs = nhs_number(rng)
status, created, _ = http("POST", "/v1/referrals", referral(child_nhs, suggested=pro["email"]), own_coordinator)
ok(status == 201, "a referral of the own region", created)
referral_id = created.get("id")
case_id = case_of(own_coordinator, referral_id)
offer = pending_offer(get_case(own_coordinator, case_id)) if case_id else None
ok(case_id and offer, "its case with an offer", (case_id, offer))
status, team, _ = http("POST", "/v1/cases/%s/team" % case_id,
                       {"professional_id": member["id"]}, own_coordinator)
team_member = next((m for m in (team.get("members") or []) if m.get("professional_id") == member["id"]), {}) \
    if status == 201 else {}
ok(status == 201 and team_member.get("id"), "a team member of the case", team)
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % member["id"],
                          {"from": "2030-01-01", "to": "2030-01-05", "reason": "leave"}, own_coordinator)
ok(status == 201 and absence.get("id"), "an absence of a professional", absence)
dsr_nhs = nhs_number(rng)
dsr_csv = ("dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode,learning_disability,autism,rag,"
           "rag_effective_date,inpatient,consent_basis,lead_professional_email,cetr_last,cetr_next\r\n"
           "D-%s,%s,Test,Child,2012-05-01,NR1 1AA,yes,no,green,2026-10-01,no,parental_responsibility,"
           "lead@example.org,2026-09-01,2026-12-01\r\n" % (dsr_nhs, dsr_nhs)).encode()
status, imported, _ = http("POST", "/v1/dsr/imports", tok=token(role="dsr_feed", region=OWN, sub="roles-feed"),
                           raw=dsr_csv, headers={"Content-Type": "text/csv"})
ok(status == 200 and imported.get("created") == 1, "a DSR entry", imported)
# A case with an accepted key worker, its meeting and its plan with an action.
status, created, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), own_coordinator)
sched_case = case_of(own_coordinator, created.get("id"))
status, sched, _ = http("POST", "/v1/cases/%s/offers" % sched_case,
                        {"professional_id": pro["id"], "reason": "for the meetings"}, own_coordinator)
sched_offer = pending_offer(sched) or {}
status, sched, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (sched_case, sched_offer.get("id")), None,
                        own_coordinator)
ok(status == 200 and sched["key_worker"]["id"] == pro["id"], "a case with its key worker", sched)
wait_until(lambda: http("POST", "/v1/cases/%s/meetings" % sched_case,
                        {"type": "planning", "required": ["key_worker"]}, own_coordinator)[0] == 201, 20)
status, meetings, _ = http("GET", "/v1/cases/%s/meetings" % sched_case, tok=own_coordinator)
meeting_id = (meetings.get("items") or [{}])[0].get("id") if status == 200 else None
status, plan, _ = http("POST", "/v1/meetings/%s/outcome" % meeting_id,
                       {"actions": [{"description": "Call the school", "owner": "key_worker", "due": "2030-01-01"}]},
                       own_coordinator)
action_id = (plan.get("actions") or [{}])[0].get("id") if status == 200 else None
ok(meeting_id and action_id, "a meeting and a plan with an action", plan)

notice = wait_until(lambda: (http("GET", "/v1/notifications?case_id=%s" % case_id, tok=own_coordinator)[1]
                            .get("items") or [None])[0], 15)
ok(notice and notice.get("id"), "the offer's notification", notice)
status, prefs, _ = http("PUT", "/v1/contacts/%s/preferences" % pro["id"], {"channels": ["email"]}, own_coordinator)
ok(status == 200, "a contact's preferences", prefs)

# Path parameters by route prefix and name; any other is an id no record has.
UNKNOWN = "00000000-0000-4000-8000-00000000abcd"
PARAMS = [("/v1/cases/{id}/meetings", "id", sched_case), ("/v1/cases/{id}/plan", "id", sched_case),
          ("/v1/meetings/{id}", "id", meeting_id), ("/v1/plan-actions/{id}", "id", action_id), ("", "n", "1"),
          ("/v1/referrals/{id}", "id", referral_id), ("/v1/cases/{id}", "id", case_id),
          ("/v1/professionals/{id}", "id", member["id"]), ("/v1/dsr/entries/{id}", "id", dsr_nhs),
          ("", "offer_id", offer and offer.get("id")), ("", "member_id", team_member.get("id")),
          ("", "absence_id", absence.get("id")), ("/v1/notifications/{id}", "id", (notice or {}).get("id")),
          ("/v1/contacts/{id}", "id", pro["id"])]


def fill(pattern):
    path = pattern
    for prefix, name, value in PARAMS:
        if "{%s}" % name in path and pattern.startswith(prefix):
            path = path.replace("{%s}" % name, str(value or UNKNOWN))
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + UNKNOWN + path[end + 1:]
    return path


def tokens(region):
    out = {}
    for role in ROLES:
        extra = {"professional_id": pro["id"]} if role == "key_worker" else {}
        out[role] = token(role=role, region=region, sub="roles-%s-%d" % (role, n), **extra)
    return out


TOKENS = {OWN: tokens(OWN), OTHER: tokens(OTHER)}

status, doc, _ = http("GET", "/v1/openapi.json")
ok(status == 200, "the OpenAPI document is served", doc)
operations = []
for pattern, item in sorted(doc.get("paths", {}).items()):
    for method, op in item.items():
        if op.get("security") == []:
            continue                        # health, metrics and the document itself: no token
        operations.append((method.upper(), pattern, op))
ok(len(operations) >= 30 and all(isinstance(op.get("x-roles"), list) and op["x-roles"] for _, _, op in operations),
   "every operation behind a token lists its roles (%d operations)" % len(operations))
ok(all(set(op["x-roles"]) <= set(ROLES) for _, _, op in operations), "and names only the platform's roles")
# Reads first, so that the writes walked later (an accept, a member removed) cannot change what they see.
operations.sort(key=lambda o: (o[0] != "GET", o[1]))


def call(method, pattern, op, tok):
    body = op.get("requestBody", {}).get("content", {})
    if "text/csv" in body:
        return http(method, fill(pattern), tok=tok, raw=b"unknown_column\r\n", headers={"Content-Type": "text/csv"})
    if "application/json" in body:
        return http(method, fill(pattern), {}, tok)
    return http(method, fill(pattern), tok=tok)


def message(answer):
    return answer.get("error", {}).get("message", "") if isinstance(answer, dict) else str(answer)


problems = {"unnamed": [], "named": [], "other region": [], "own region read": []}
calls = 0
for method, pattern, op in operations:
    names_record = "{id}" in pattern
    for region in (OWN, OTHER):
        for role in ROLES:
            status, answer, _ = call(method, pattern, op, TOKENS[region][role])
            calls += 1
            where = "%s %s as %s of %s: %s %s" % (method, pattern, role, "own" if region == OWN else "other",
                                                  status, message(answer)[:100])
            refused_here = status == 403 and GATEWAY_REFUSAL in message(answer)
            if role not in op["x-roles"]:
                if not refused_here:
                    problems["unnamed"].append(where)
                continue
            if refused_here or status >= 500:
                problems["named"].append(where)
            if names_record and region == OTHER and 200 <= status < 300:
                problems["other region"].append(where)
            if names_record and method == "GET" and role in ("admin", "coordinator"):
                if region == OWN and not 200 <= status < 300 or region == OTHER and status != 404:
                    problems["own region read"].append(where)

ok(not problems["unnamed"], "a role an operation does not name gets the gateway's 403 (%d calls in all)" % calls,
   "\n".join(problems["unnamed"]))
ok(not problems["named"], "a role an operation names gets the service's answer, never the gateway's 403 or a 5xx",
   "\n".join(problems["named"]))
ok(not problems["other region"], "a record of one region is never answered 2xx to a token of another",
   "\n".join(problems["other region"]))
ok(not problems["own region read"],
   "a record read by an admin or coordinator: 2xx in its region, 404 from another",
   "\n".join(problems["own region read"]))

# The operations without a platform token are exactly these, each saying how
# it is authenticated instead; a token of any role opens none of them.
no_token = sorted((method.upper(), pattern) for pattern, item in doc.get("paths", {}).items()
                  for method, op in item.items() if op.get("security") == [])
ok(no_token == [("GET", "/metrics"), ("GET", "/v1/health"), ("GET", "/v1/links/{token}"),
                ("GET", "/v1/meeting-links/{token}"), ("GET", "/v1/openapi.json"), ("POST", "/v1/callbacks/notify"),
                ("POST", "/v1/links/{token}"), ("POST", "/v1/meeting-links/{token}")],
   "only health, metrics, the document, signed links and Notify's callback take no platform token", no_token)
opened = []
for role in ROLES:
    tok = TOKENS[OWN][role]
    status, _, _ = http("GET", "/v1/links/not-a-signed-link", tok=tok)
    if status != 403:
        opened.append("GET /v1/links as %s: %s" % (role, status))
    for method in ("GET", "POST"):
        status, _, _ = http(method, "/v1/meeting-links/not-a-signed-link", tok=tok,
                            raw=b"confirm=yes" if method == "POST" else None,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status != 403:
            opened.append("%s /v1/meeting-links as %s: %s" % (method, role, status))
    status, _, _ = http("POST", "/v1/callbacks/notify", {}, tok)
    if status != 401:
        opened.append("POST /v1/callbacks/notify as %s: %s" % (role, status))
ok(not opened, "a platform token of any role opens neither a link (403) nor the callback (401)", "\n".join(opened))
done()
