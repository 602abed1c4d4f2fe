"""The referral API beyond create: list with filters and cursor pages,
withdraw, information added (merged, decided again), self-referrals, the
duplicate rule, and Idempotency-Key answers that survive a restart of the
referral service."""

import copy
import random
from concurrent.futures import ThreadPoolExecutor
from kwtest import (ok, done, token, http, scalar, wait_until, nhs_number, referral,
                    kill, wait_restarted, list_all, post_until_answered)

rng = random.Random()
coord = token()
tag = "%08x" % rng.getrandbits(32)
mine = token(role="referrer", sub="referrer-" + tag)
other = token(role="referrer", sub="other-" + tag)


def get(rid, tok=coord):
    return http("GET", "/v1/referrals/%s" % rid, tok=tok)


def status_of(rid, wanted):
    def check():
        s, b, _ = get(rid)
        return b if s == 200 and b.get("status") == wanted else None
    return check


# --- list: only one's own for a referrer, pages by cursor, filters
made = []
for i in range(5):
    s, b, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), eligible=(i % 2 == 0)), mine)
    ok(s == 201, "referrer posts referral %d" % (i + 1), b)
    made.append(b.get("id"))
s, b, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), other)
others_id = b.get("id")

s, page, _ = http("GET", "/v1/referrals?limit=2", tok=mine)
ok(s == 200 and len(page["items"]) == 2 and page["next_cursor"],
   "a page of 2 with a next_cursor", page)
seen = [item["id"] for item in page["items"]]
while page.get("next_cursor"):
    s, page, _ = http("GET", "/v1/referrals?limit=2&cursor=%s" % page["next_cursor"], tok=mine)
    if s != 200:
        break
    seen += [item["id"] for item in page["items"]]
ok(seen == made, "following the cursor lists exactly the referrer's 5 referrals, oldest first",
   (seen, made))
ok(page.get("next_cursor") is None, "the last page has next_cursor null", page)

everything = [item["id"] for item in list_all(coord) or []]
ok(others_id and others_id in everything and set(made) <= set(everything),
   "a coordinator's list covers every referrer's referrals", (others_id, len(everything)))
# 501 referrals of one referrer: a page asked for 100000 holds 500 and a cursor
bulk = token(role="referrer", sub="bulk-" + tag)
answers = [post_until_answered("/v1/referrals", referral(nhs_number(rng), eligible=False), bulk)
           for _ in range(501)]
refused = [a for a in answers if a[0] != 201]
s, page, _ = http("GET", "/v1/referrals?limit=100000", tok=bulk)
ok(not refused and s == 200 and len(page["items"]) == 500 and page.get("next_cursor"),
   "a limit over 500 is held to 500", (refused[:3], s, len(page.get("items", [])) if s == 200 else page))

wait_until(status_of(made[1], "ineligible"), 15)
s, page, _ = http("GET", "/v1/referrals?status=ineligible", tok=mine)
ok(s == 200 and [i["id"] for i in page["items"]] == [made[1], made[3]]
   and all(i["status"] == "ineligible" for i in page["items"]),
   "status=ineligible lists the two ineligible ones", page)
s, page, _ = http("GET", "/v1/referrals?source=self", tok=mine)
ok(s == 200 and page["items"] == [], "source=self lists none of them", page)
today = scalar("SELECT (now() AT TIME ZONE 'UTC')::date::text")
s, page, _ = http("GET", "/v1/referrals?from=%s&to=%s" % (today, today), tok=mine)
ok(s == 200 and len(page["items"]) == 5, "from and to today list all 5", page)
s, page, _ = http("GET", "/v1/referrals?to=2020-01-01", tok=mine)
ok(s == 200 and page["items"] == [], "to a past date lists none", page)
for query, field in [("status=open", "status"), ("from=2026-02-30", "from"), ("to=yesterday", "to"),
                     ("cursor=abc", "cursor"), ("cursor=1.not-a-uuid", "cursor"),
                     ("from=2026-11-02&to=2026-11-01", "to"), ("limit=-1", "limit"),
                     ("colour=red", "colour")]:
    s, b, _ = http("GET", "/v1/referrals?" + query, tok=mine)
    ok(s == 400 and b["error"].get("field") == field, "?%s is 400 naming %s" % (query, field), b)

# --- a referrer may not read or withdraw another's referral
s, b, _ = get(others_id, mine)
ok(s == 403, "a referrer cannot read another referrer's referral", b)
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % others_id, {"reason": "test"}, mine)
ok(s == 403, "nor withdraw it", b)

# --- withdraw
rid = made[0]
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % rid, {}, mine)
ok(s == 400 and b["error"]["field"] == "reason", "a withdrawal needs a reason", b)
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % rid, {"reason": "family moved away"}, mine)
ok(s == 200 and b["status"] == "withdrawn" and b["withdrawn_at"]
   and b["withdrawal_reason"] == "family moved away", "withdraw answers the withdrawn referral", b)
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % rid, {"reason": "again"}, mine)
ok(s == 409 and b["error"]["field"] == "status", "withdrawing twice is 409", b)
events = scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'referral' AND type = 'withdrawn'"
                " AND correlation_id = :'p1'", rid)
ok(events == "1", "one referral.withdrawn event", events)
nhs = scalar("SELECT nhs_number FROM referral.referrals WHERE id = :'p1'", rid)
s, b, _ = http("POST", "/v1/referrals", referral(nhs), mine)
ok(s == 201, "after a withdrawal the child may be referred again", b)
s, b, _ = http("POST", "/v1/referrals/00000000-0000-4000-8000-000000000000/withdraw",
               {"reason": "x"}, coord)
ok(s == 404, "withdrawing an unknown referral is 404", b)

# --- information added: merged, decided again
nhs = nhs_number(rng)
body = referral(nhs)
del body["child"]["gp_practice"]
s, b, _ = http("POST", "/v1/referrals", body, coord)
rid = b["id"]
ref = wait_until(status_of(rid, "more_information_needed"), 15)
ok(ref and "child.gp_practice" in ref["eligibility"]["missing"],
   "without gp_practice the referral needs more information", ref)
s, b, _ = http("POST", "/v1/referrals/%s/information" % rid,
               {"child": {"gp_practice": "D82001"},
                "professionals": [{"name": "Nurse D", "agency": "Community Health",
                                   "discipline": "ld_nurse"}]}, coord)
ok(s == 200 and b["revision"] == 1 and b["child"]["gp_practice"] == "D82001"
   and b["child"]["given_name"] == "Test" and len(b["professionals"]) == 4,
   "information is merged: the new field set, the rest kept, the professional added", b)
ref = wait_until(status_of(rid, "eligible"), 15)
ok(ref is not None and ref["eligibility"]["outcome"] == "eligible",
   "a new decision follows and the referral becomes eligible", ref)
ok(wait_until(lambda: get(rid)[1].get("case_id"), 15), "and a case is opened for it")
decisions = scalar("SELECT count(*) FROM eligibility.decisions WHERE referral_id = :'p1'", rid)
ok(decisions == "2", "eligibility recorded one decision per revision", decisions)
s, b, _ = http("POST", "/v1/referrals/%s/information" % rid, {"child": {"nhs_number": nhs_number(rng)}}, coord)
ok(s == 400 and b["error"]["field"] == "child.nhs_number", "the NHS number cannot be changed", b)
s, b, _ = http("POST", "/v1/referrals/%s/information" % rid, {"source": "self"}, coord)
ok(s == 400 and b["error"]["field"] == "source", "nor the source", b)
s, b, _ = http("POST", "/v1/referrals/%s/information" % rid, {"child": {"postcode": "nowhere"}}, coord)
ok(s == 400 and b["error"]["field"] == "child.postcode", "merged information is validated", b)
s, b, _ = http("POST", "/v1/referrals/%s/information" % rid, {"surprise": 1}, coord)
ok(s == 400 and b["error"]["field"] == "surprise", "unknown fields are named", b)
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % rid, {"reason": "no longer needed"}, coord)
s, b, _ = http("POST", "/v1/referrals/%s/information" % rid, {"child": {"language": "fr"}}, coord)
ok(s == 409, "a withdrawn referral takes no more information", b)

# --- self-referrals
family = token(role="family", sub="family-" + tag)
body = referral(nhs_number(rng))
body["source"] = "self"
body["referrer"] = {"name": "A Parent"}
s, b, _ = http("POST", "/v1/referrals", body, family)
ok(s == 400 and b["error"]["field"] == "referrer.email", "a self-referral needs a contact", b)
body["referrer"]["phone"] = "07700 900123"
s, b, _ = http("POST", "/v1/referrals", body, family)
ok(s == 201, "a family member makes a self-referral", b)
s, got, _ = get(b.get("id"), family)
ok(s == 200 and got["source"] == "self", "and can read it back", got)
s, b, _ = http("POST", "/v1/referrals", body | {"child": body["child"] | {"nhs_number": nhs_number(rng)}},
               token(role="referrer", sub="r-" + tag))
ok(s == 403 and b["error"]["field"] == "source", "a professional cannot make a self-referral", b)
dsr_body = copy.deepcopy(referral(nhs_number(rng)))
dsr_body["source"] = "dsr"
s, b, _ = http("POST", "/v1/referrals", dsr_body, mine)
ok(s == 403, "nor one with source dsr", b)

# --- stored forms
body = referral(nhs_number(rng))
body["child"]["postcode"] = "nr23tu"
body["child"]["gp_practice"] = "d82001"
s, b, _ = http("POST", "/v1/referrals", body, coord)
s, got, _ = get(b.get("id"))
ok(s == 200 and got["child"]["postcode"] == "NR2 3TU" and got["child"]["gp_practice"] == "D82001",
   "a postcode and a GP practice code are stored in their standard form", got.get("child"))

# --- duplicates
nhs = nhs_number(rng)
s, first, _ = http("POST", "/v1/referrals", referral(nhs), coord)
s, b, _ = http("POST", "/v1/referrals", referral(nhs), coord)
ok(s == 409 and b["error"]["code"] == "duplicate_referral" and b["error"].get("existing_id") == first["id"],
   "a second open referral for the child is 409 duplicate_referral with the existing id (a coordinator)", b)
s, b, _ = http("POST", "/v1/referrals", referral(nhs), mine)
ok(s == 409 and b["error"]["code"] == "duplicate_referral" and "existing_id" not in b["error"],
   "a referrer is told of the duplicate without its id", b)
s, b, _ = http("POST", "/v1/referrals", referral(nhs), token(region="nhse"))
ok(s == 201, "the same child may be referred in another region", b)

# Creates for one child at the same moment: one is made, every other is
# told of it as a duplicate (the insert waits for the one in progress).
nhs = nhs_number(rng)
with ThreadPoolExecutor(max_workers=8) as pool:
    answers = list(pool.map(lambda _: http("POST", "/v1/referrals", referral(nhs), coord), range(8)))
made_ids = [b["id"] for s, b, _ in answers if s == 201]
dups = [b for s, b, _ in answers if s == 409 and b["error"]["code"] == "duplicate_referral"]
ok(len(made_ids) == 1 and len(dups) == 7 and all(d["error"].get("existing_id") == made_ids[0] for d in dups),
   "eight creates for one child at once: one 201, seven 409 duplicate_referral naming it",
   [(s, b.get("error", {}).get("code")) for s, b, _ in answers])
ok(scalar("SELECT count(*) FROM referral.referrals WHERE nhs_number = :'p1'", nhs) == "1",
   "one referral is stored for the child")

# --- Idempotency-Key answers survive a restart of the referral service
key = {"Idempotency-Key": "restart-" + tag}
body = referral(nhs_number(rng))
s1, a, _ = http("POST", "/v1/referrals", body, coord, headers=key)
old = kill("referral")
ok(wait_restarted("referral", old), "the referral service is restarted after SIGKILL")
s2, b = None, None
def replayed():
    global s2, b
    s2, b, _ = http("POST", "/v1/referrals", body, coord, headers=key)
    return s2 != 503
wait_until(replayed, 20, 0.2)
ok(s1 == 201 and s2 == 201 and a["id"] == b["id"], "the same key and body answer the first 201 again",
   (s1, a, s2, b))
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % a["id"], {"reason": "x"}, coord, headers=key)
ok(s == 409 and b["error"]["code"] == "idempotency_key_reused",
   "the same key on another endpoint is a 409", b)
count = scalar("SELECT count(*) FROM referral.referrals WHERE nhs_number = :'p1'",
               body["child"]["nhs_number"])
ok(count == "1", "one referral stored", count)
done()
