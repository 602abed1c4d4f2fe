"""The audit trail an admin can ask for (GET /v1/audit, kwctl audit): a
referral's creation, reads, change and listing, and a refused read from
another region, each a row with who, role, region, action, record and
outcome, oldest first, paged; only admins, only their own region's rows.
A read whose audit row cannot be written fails. The smaller rules: the
duplicate 409 names the existing referral only to coordinators and admins;
admins list only their own region's notifications; another region's rule
set is for admins only; the admin sweeps and notification lists are
audited."""

import os
import subprocess
from kwtest import ok, done, http, token, referral, nhs_number, sql, wait_until, list_all, pages, KWCTL, HTTP

KEYS = {"at", "actor", "role", "region", "action", "record_type", "record_id", "outcome"}

coord = token("coordinator", "norfolk", "audit-coordinator")
admin = token("admin", "norfolk", "audit-admin")
other_coord = token("coordinator", "nhse", "audit-nhse-coordinator")
other_admin = token("admin", "nhse", "audit-nhse-admin")
referrer = token("referrer", "norfolk", "audit-referrer")

nhs = nhs_number()
s, created, _ = http("POST", "/v1/referrals", referral(nhs), coord)
ok(s == 201, "a referral is created", created)
rid = created["id"]
s, _, _ = http("GET", "/v1/referrals/" + rid, tok=coord)
ok(s == 200, "it is read")
s, _, _ = http("POST", "/v1/referrals/%s/withdraw" % rid, {"reason": "moved away"}, coord)
ok(s == 200, "it is changed (withdrawn)")
# Every page, so the list reaches this referral however many the region has.
ok(list_all(coord) is not None, "the region's referrals are listed")
s, b, _ = http("GET", "/v1/referrals/" + rid, tok=other_coord)
ok(s == 404, "another region's coordinator is told there is no such referral", b)


def audit(tok, query):
    return http("GET", "/v1/audit?" + query, tok=tok)


def audit_all(tok, query):
    """Every row of GET /v1/audit?query, page by page."""
    return pages(tok, "/v1/audit?" + query) or []


s, b, _ = audit(admin, "record_id=" + rid)
ok(s == 200 and isinstance(b.get("items"), list), "GET /v1/audit answers the region's admin", b)
items = b.get("items", []) if s == 200 else []
ok(items and all(set(i) >= KEYS for i in items), "every row has at, actor, role, region, action,"
   " record_type, record_id, outcome", items[:1])
seen = [(i["action"], i["outcome"], i["actor"]) for i in items]
for action in ["create", "read", "withdraw", "list"]:
    ok((action, "ok", "audit-coordinator") in seen, "the %s by the coordinator is there" % action, seen)
ok(all(i["record_id"] == rid and i["region"] == "norfolk" for i in items),
   "only this record's rows, only the region's", items)
ok([i["at"] for i in items] == sorted(i["at"] for i in items), "oldest first")
ok(not any(i["actor"] == "audit-nhse-coordinator" for i in items),
   "the other region's refused read is not in this region's trail")

s, b, _ = audit(other_admin, "record_id=" + rid)
rows = b.get("items", []) if s == 200 else []
ok(s == 200 and [(i["actor"], i["action"], i["outcome"], i["region"]) for i in rows]
   == [("audit-nhse-coordinator", "read", "not_found", "nhse")],
   "the other region's admin sees exactly the refused cross-region read (outcome not_found)", b)

# Paging: one row a page, following next_cursor, gives the same rows.
paged, cursor = [], None
for _ in range(len(items) + 2):
    s, b, _ = audit(admin, "record_id=%s&limit=1%s" % (rid, "&cursor=" + cursor if cursor else ""))
    if s != 200:
        break
    paged += b["items"]
    cursor = b.get("next_cursor")
    if not cursor:
        break
# (each read of the trail is itself a row, type "audit": compared without them)
ok([i for i in paged if i["record_type"] == "referral"] == [i for i in items if i["record_type"] == "referral"]
   and len(items) > 1, "pages of one row follow next_cursor to the same rows", paged)

s, b, _ = audit(admin, "actor=audit-coordinator&record_id=" + rid)
ok(s == 200 and b["items"] and all(i["actor"] == "audit-coordinator" for i in b["items"]),
   "?actor= keeps that caller's rows", b)
s, b, _ = audit(admin, "record_id=%s&from=2000-01-01&to=2000-01-02" % rid)
ok(s == 200 and b["items"] == [], "?from=&to= keeps the rows of those days (none in 2000)", b)
for query, field in [("from=2024-13-01", "from"), ("to=yesterday", "to"), ("cursor=abc", "cursor"),
                     ("from=2024-02-02&to=2024-02-01", "to")]:
    s, b, _ = audit(admin, query)
    ok(s == 400 and b["error"].get("field") == field, "?%s is 400 naming %s" % (query, field), b)

for who, tok in [("coordinator", coord), ("referrer", referrer)]:
    s, b, _ = audit(tok, "record_id=" + rid)
    ok(s == 403 and "may not make this call" in b.get("error", {}).get("message", ""),
       "a %s may not read the audit trail: the gateway refuses the role before any service is asked" % who, b)
s, b, _ = audit(admin, "record_id=")
refused = [i for i in b.get("items", []) if i["action"] == "list" and i["record_type"] == "audit"
           and i["actor"] == "audit-referrer"]
ok(s == 200 and not refused, "a call the gateway refused read nothing, so the trail has no row for it (the"
   " gateway logs and counts it)", b.get("items", [])[-3:])

# kwctl audit.
run = subprocess.run(KWCTL + ["audit", "--record", rid, "--url", HTTP], capture_output=True, text=True,
                     env=dict(os.environ, KW_TOKEN=admin), timeout=60)
ok(run.returncode == 0 and "withdraw" in run.stdout and "RECORD_ID" in run.stdout,
   "kwctl audit --record prints the record's rows", run.stdout + run.stderr)
run = subprocess.run(KWCTL + ["audit", "--from", "someday", "--url", HTTP], capture_output=True, text=True,
                     env=dict(os.environ, KW_TOKEN=admin), timeout=60)
ok(run.returncode == 2 and "--from" in run.stderr, "kwctl audit refuses a bad --from", run.stderr)

# A read whose audit row cannot be written fails.
sql("REVOKE INSERT ON audit.events FROM kw_referral")
try:
    s, b, _ = http("GET", "/v1/referrals/" + rid, tok=coord)
    ok(s == 503 and "referral" not in str(b.get("child", "")), "a read that cannot be audited fails (503)", b)
    s, b, _ = http("GET", "/v1/referrals?limit=5", tok=coord)
    ok(s == 503 and "items" not in b, "so does a list", b)
finally:
    sql("GRANT INSERT ON audit.events TO kw_referral")
s, _, _ = http("GET", "/v1/referrals/" + rid, tok=coord)
ok(s == 200, "reads answer again once audit rows can be written")
sql("REVOKE INSERT ON audit.events FROM kw_notification")
try:
    s, b, _ = http("GET", "/v1/notifications", tok=coord)
    ok(s == 503, "a notification list that cannot be audited fails", b)
finally:
    sql("GRANT INSERT ON audit.events TO kw_notification")

# notification.list and the admin sweeps are audited.
s, _, _ = http("GET", "/v1/notifications", tok=coord)
ok(s == 200, "the notifications are listed")
s, _, _ = http("POST", "/v1/admin/eligibility/re-evaluate", {}, admin)
ok(s == 200, "an admin re-evaluates the region")
s, _, _ = http("POST", "/v1/admin/eligibility/age-out", {}, admin)
ok(s == 200, "an admin runs the age-out sweep")
rows = audit_all(admin, "actor=audit-coordinator")
ok(any(i["action"] == "list" and i["record_type"] == "notification" for i in rows),
   "the notification list is audited", rows[-3:])
actions = set((i["action"], i["record_type"], i["record_id"]) for i in audit_all(admin, "actor=audit-admin"))
ok(("re_evaluate_all", "region", "norfolk") in actions and ("age_out_sweep", "region", "norfolk") in actions,
   "both admin sweeps are audited", actions)

# The duplicate 409 names the existing referral only to coordinators and admins.
nhs2 = nhs_number()
s, first, _ = http("POST", "/v1/referrals", referral(nhs2), coord)
ok(s == 201, "a second referral is created")
s, b, _ = http("POST", "/v1/referrals", referral(nhs2), referrer)
ok(s == 409 and b["error"]["code"] == "duplicate_referral" and "existing_id" not in b["error"],
   "a referrer's duplicate is 409 without existing_id", b)
s, b, _ = http("POST", "/v1/referrals", referral(nhs2), coord)
ok(s == 409 and b["error"].get("existing_id") == first["id"], "a coordinator's names the existing referral", b)

# A case of another region: 404, audited as not_found in the caller's region.
case_id = wait_until(lambda: (http("GET", "/v1/referrals/" + first["id"], tok=coord)[1] or {}).get("case_id"), 30)
ok(case_id, "the second referral's case opens", case_id)
s, b, _ = http("GET", "/v1/cases/%s" % case_id, tok=other_coord)
ok(s == 404, "another region's coordinator is told there is no such case", b)
s, b, _ = audit(other_admin, "record_id=%s" % case_id)
ok(s == 200 and [(i["actor"], i["action"], i["record_type"], i["outcome"]) for i in b["items"]]
   == [("audit-nhse-coordinator", "read", "case", "not_found")],
   "the refused cross-region case read is in the other region's trail", b)

# Admins list only their own region's notifications; another region's rule
# set is for admins only.
s, b, _ = http("GET", "/v1/notifications?region=nhse", tok=admin)
ok(s == 403 and b["error"].get("field") == "region", "an admin may not list another region's notifications", b)
s, b, _ = http("GET", "/v1/notifications?region=norfolk", tok=admin)
ok(s == 200, "but may list the own region's", b)
s, b, _ = http("GET", "/v1/eligibility/ruleset?region=nhse", tok=coord)
ok(s == 403 and b["error"].get("field") == "region", "a coordinator may not read another region's rule set", b)
s, b, _ = http("GET", "/v1/eligibility/ruleset?region=nhse", tok=admin)
ok(s == 200 and b.get("region") == "nhse", "an admin may", b)
s, b, _ = http("GET", "/v1/eligibility/ruleset?region=norfolk", tok=coord)
ok(s == 200, "and anyone the own region's", b)

done()
