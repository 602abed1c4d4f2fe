"""The issue's end to end over the API: a case with an accepted key worker
gets a booked planning meeting with its invitation, the participants
answer, the outcome is recorded (held some months ago, recorded late) with
actions for the key worker, a team member and the family, and the Family
Service Plan is read as JSON and as a printable page (by the family too).
The sweep then finds an action overdue and the routine review due, each
announced once, also after the scheduling service is killed with SIGKILL
and restarted. A later meeting folds the review due in (covers); its
outcome is the plan's version 2 while version 1 keeps the actions as they
were. Actions are completed by their owner (nobody else but the key
worker and coordinators), cancelled and reassigned."""

import datetime
import signal
from kwtest import ok, done, http, sql, kill, wait_restarted, caught_up, wait_until, get_case
from kwsched import (coordinator, admin, worker, key_worker_token, family_token, open_case, dates, book, events,
                     invite, vevent)

kw = worker("plankw")
case = open_case(kw)
members = [worker("planmember%d" % i) for i in range(2)]
for pro in members:
    http("POST", "/v1/cases/%s/team" % case["id"], {"professional_id": pro["id"]}, coordinator)
caught_up()
deputy = (get_case(coordinator, case["id"]).get("deputy") or {}).get("id")
member = [pro for pro in members if pro["id"] != deputy][0]
kw_tok, member_tok, fam_tok = key_worker_token(kw), key_worker_token(member), family_token(case)

# --- a planning meeting for the key worker, the family and the team member
first, last = dates(1, 21)
status, m, _ = book(case, tok=kw_tok, earliest=first, latest=last, required=["key_worker", "family", member["id"]],
                    optional=["team"])
ok(status == 201 and {p["id"] for p in m["participants"] if p["required"]} == {kw["id"], "family", member["id"]},
   "the key worker books the planning meeting with the family and a team member", m)
ok({p["role"] for p in m.get("participants", []) if p["id"] == member["id"]} == {"team"},
   "a person of the case named by id keeps their role", m)
status, ctype, cal, _ = invite(m["id"], fam_tok)
ok(status == 200 and str(cal["METHOD"]) == "REQUEST" and str(vevent(cal)["UID"]) == m["uid"],
   "the family reads the invitation")
for tok, person in ((kw_tok, None), (member_tok, None), (fam_tok, "family")):
    body = {"response": "accepted"} | ({"participant_id": person} if person else {})
    ok(http("POST", "/v1/meetings/%s/responses" % m["id"], body, tok)[0] == 200, "a participant accepts")

# --- the outcome: the plan's first version
# Held at noon UTC: the same date in the region's time zone (Europe/London)
# whatever the hour the test runs, so the review due is a date the test knows.
held_on = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=170)
held = held_on.isoformat() + "T12:00:00Z"
yesterday, in_ten = dates(-1, 10)
in_thirty = dates(30, 30)[0]
outcome = {"held_at": held, "attended": [kw["id"], "family", member["id"]], "notes": "Agreed the first steps.",
           "family_views": "We would like help at school <b>soon</b>.",
           "actions": [{"description": "Ask the school for a review", "owner": "key_worker", "due": yesterday},
                       {"description": "Send the therapy report", "owner": member["id"], "due": in_ten},
                       {"description": "Keep a sleep diary", "owner": "family", "due": in_thirty}]}
status, refused, _ = http("POST", "/v1/meetings/%s/outcome" % m["id"], outcome, member_tok)
ok(status == 403, "a team member cannot record the outcome", refused)
bad = dict(outcome, actions=[{"description": "x", "owner": "someone-else", "due": in_ten}])
status, refused, _ = http("POST", "/v1/meetings/%s/outcome" % m["id"], bad, kw_tok)
ok(status == 400 and refused["error"].get("field") == "actions", "an owner outside the case is refused", refused)
status, refused, _ = http("POST", "/v1/meetings/%s/outcome" % m["id"],
                          dict(outcome, actions=[{"description": "x", "owner": "family", "due": "soon"}]), kw_tok)
ok(status == 400 and refused["error"].get("field") == "actions[0].due", "a due date must be a date", refused)
status, plan, _ = http("POST", "/v1/meetings/%s/outcome" % m["id"], outcome, kw_tok)
ok(status == 200 and plan.get("version") == 1 and len(plan.get("actions", [])) == 3
   and all(a["status"] == "open" for a in plan["actions"]), "the outcome writes plan version 1", plan)
owners = {a["description"]: (a["owner"], a["owner_name"]) for a in plan.get("actions", [])}
ok(owners.get("Ask the school for a review") == (kw["id"], kw["name"])
   and owners.get("Keep a sleep diary") == ("family", "The family"), "owners by role become people", owners)
ok(http("POST", "/v1/meetings/%s/outcome" % m["id"], outcome, kw_tok)[0] == 409, "one outcome per meeting")
status, read, _ = http("GET", "/v1/meetings/%s" % m["id"], tok=kw_tok)
ok(read.get("status") == "held", "the meeting is held")
status, current, _ = http("GET", "/v1/cases/%s/plan" % case["id"], tok=fam_tok)
ok(status == 200 and current["version"] == 1, "the family reads the plan", current)
status, page, headers = http("GET", "/v1/cases/%s/plan.html" % case["id"], tok=fam_tok)
ok(status == 200 and headers.get("Content-Type", "").startswith("text/html") and "<table>" in page
   and "<script" not in page.lower() and '<html lang="en">' in page and "Keep a sleep diary" in page
   and "&lt;b&gt;soon&lt;/b&gt;" in page, "the printable plan: a table of actions, escaped, no scripts")
caught_up()
ok(len(events("plan_updated", case["id"])) == 1, "plan_updated")

# --- the sweep: the overdue action and the review due, once each, across a SIGKILL
status, swept, _ = http("POST", "/v1/admin/scheduling/sweep", None, admin)
ok(status == 200, "an admin runs the sweep", swept)
ok(http("POST", "/v1/admin/scheduling/sweep", None, coordinator)[0] == 403, "a coordinator may not")
caught_up()
overdue = events("action_overdue", case["id"])
reviews = events("review_due", case["id"])
ok(len(overdue) == 1 and len(reviews) == 1, "one action overdue and one review due", (len(overdue), len(reviews)))
due = (held_on + datetime.timedelta(days=182)).isoformat()
ok(bytes.fromhex(reviews[0][1]).find(due.encode()) >= 0 and bytes.fromhex(reviews[0][1]).find(b"routine") >= 0,
   "the routine review is due 182 days after the meeting was held", due)
status, current, _ = http("GET", "/v1/cases/%s/plan" % case["id"], tok=kw_tok)
ok([a["status"] for a in current["actions"] if a["due"] == yesterday] == ["overdue"], "the action shows overdue")
old = kill("scheduling", signal.SIGKILL)
ok(wait_restarted("scheduling", old), "the scheduling service is killed and restarted")
ok(wait_until(lambda: http("POST", "/v1/admin/scheduling/sweep", None, admin)[0] == 200, 20), "the sweep runs again")
caught_up()
ok(len(events("action_overdue", case["id"])) == 1 and len(events("review_due", case["id"])) == 1,
   "nothing is announced twice after the restart")

# --- actions: completed by their owner, not by others
actions = {a["description"]: a for a in current["actions"]}
report, diary = actions["Send the therapy report"], actions["Keep a sleep diary"]
ok(http("POST", "/v1/plan-actions/%s/complete" % report["id"], None, fam_tok)[0] == 403,
   "the family cannot complete the team member's action")
status, done_action, _ = http("POST", "/v1/plan-actions/%s/complete" % report["id"], None, member_tok)
ok(status == 200 and done_action["status"] == "done", "the team member completes their action", done_action)
ok(http("POST", "/v1/plan-actions/%s/complete" % report["id"], None, member_tok)[0] == 409, "done is done")
status, moved, _ = http("POST", "/v1/plan-actions/%s/reassign" % diary["id"], {"owner": "key_worker",
                        "due": dates(40, 40)[0]}, kw_tok)
ok(status == 200 and moved["owner"] == kw["id"] and moved["due"] == dates(40, 40)[0], "an action is reassigned",
   moved)
ok(http("POST", "/v1/plan-actions/%s/cancel" % diary["id"], {"reason": "x"}, fam_tok)[0] == 403,
   "the family cannot cancel an action")
status, cancelled, _ = http("POST", "/v1/plan-actions/%s/cancel" % diary["id"], {"reason": "not needed"}, kw_tok)
ok(status == 200 and cancelled["status"] == "cancelled", "the key worker cancels an action", cancelled)

# --- a review meeting folds the review due in; its outcome is version 2
status, review, _ = book(case, type="review", earliest=first, latest=last)
ok(status == 201 and review.get("covers") == ["routine:" + due], "the review due is folded into the meeting",
   review)
status, plan2, _ = http("POST", "/v1/meetings/%s/outcome" % review["id"],
                        {"attended": [kw["id"]], "actions": [{"description": "Book respite", "owner": "key_worker",
                                                              "due": in_thirty}]}, coordinator)
ok(status == 200 and plan2["version"] == 2 and len(plan2["actions"]) == 4, "the next outcome is version 2", plan2)
status, v1, _ = http("GET", "/v1/cases/%s/plan/versions/1" % case["id"], tok=kw_tok)
v1_status = {a["description"]: a["status"] for a in v1.get("actions", [])}
ok(status == 200 and v1["version"] == 1 and v1_status.get("Send the therapy report") == "open"
   and len(v1_status) == 3, "version 1 keeps its actions as they were", v1)
ok(http("GET", "/v1/cases/%s/plan/versions/9" % case["id"], tok=kw_tok)[0] == 404, "no version 9")
status, refused, _ = http("GET", "/v1/cases/%s/plan/versions/one" % case["id"], tok=kw_tok)
ok(status == 400 and refused["error"].get("field") == "n", "a version is a number", refused)
audits = sql("SELECT count(*) FROM audit.events WHERE record_id = :'p1' AND action IN ('plan.get', 'plan.html',"
             " 'plan.version', 'meeting.outcome')", case["id"])
ok(int(audits[0][0]) >= 5, "plan reads and writes are audited", audits)
done()
