"""Idempotency-Key answers: each belongs to the caller's identity (sub, role
and region) and one request; the caller is authorised before a kept answer is
replayed; an answer kept more than 24 hours ago is not replayed, its key may
be used again, and the service deletes it."""

import random
from kwtest import (ok, done, token, http, sql, scalar, wait_until, nhs_number, referral,
                    kill, wait_restarted)

rng = random.Random()
tag = "%08x" % rng.getrandbits(32)
sub = "idem-" + tag
coord = token(sub=sub)


def key(name):
    return "%s-%s" % (name, tag)


def kept(schema, k):
    """The identities an answer is kept for under key k."""
    return sorted("/".join(r) for r in sql(
        "SELECT caller_sub, caller_role, caller_region, method FROM %s.idempotency WHERE key = :'p1'"
        % schema, k))


def copy_answer(schema, k, role, to_sub):
    """Keep the coordinator's answer under k for another identity too, as if
    that caller had made the same request when it was allowed to."""
    sql("INSERT INTO %s.idempotency (caller_sub, caller_role, caller_region, key, method,"
        " request_hash, response, created_at)"
        " SELECT :'p1', :'p2', caller_region, key, method, request_hash, response, created_at"
        " FROM %s.idempotency WHERE caller_sub = :'p3' AND caller_role = 'coordinator' AND key = :'p4'"
        % (schema, schema), to_sub, role, sub, k)


def backdate(schema, k):
    sql("UPDATE %s.idempotency SET created_at = now () - interval '25 hours' WHERE key = :'p1'" % schema, k)


# --- an answer belongs to one identity and one request
body = referral(nhs_number(rng))
k = key("create")
s1, a, _ = http("POST", "/v1/referrals", body, coord, headers={"Idempotency-Key": k})
s2, b, _ = http("POST", "/v1/referrals", body, coord, headers={"Idempotency-Key": k})
ok(s1 == 201 and s2 == 201 and a["id"] == b["id"], "the same caller, key and body get the first answer",
   (s1, a, s2, b))
s, c, _ = http("POST", "/v1/referrals", body, token(role="admin", sub=sub), headers={"Idempotency-Key": k})
ok(s == 409 and c["error"]["code"] == "duplicate_referral" and c["error"].get("existing_id") == a["id"],
   "the same sub and key with another role is decided afresh (the child has an open referral)", c)
s, c, _ = http("POST", "/v1/referrals", body, token(region="nhse", sub=sub), headers={"Idempotency-Key": k})
ok(s == 201 and c["id"] != a["id"] and c["region"] == "nhse",
   "the same sub and key in another region makes that region's own referral", c)
s, c, _ = http("POST", "/v1/referrals/%s/withdraw" % a["id"], {"reason": "moved"}, coord,
               headers={"Idempotency-Key": k})
ok(s == 409 and c["error"]["code"] == "idempotency_key_reused",
   "the same key on another method is a conflict, not the first answer", c)
ok(kept("referral", k) == ["%s/coordinator/nhse/referral.create" % sub,
                           "%s/coordinator/norfolk/referral.create" % sub],
   "one answer is kept per identity, with its method; refusals are not kept", kept("referral", k))

# --- the caller is authorised before a kept answer is replayed
s, made, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), coord)
k = key("withdraw")
s1, w, _ = http("POST", "/v1/referrals/%s/withdraw" % made["id"], {"reason": "moved away"}, coord,
                headers={"Idempotency-Key": k})
ok(s1 == 200 and w["status"] == "withdrawn", "a coordinator withdraws a referral with a key", w)
family = "family-" + tag
copy_answer("referral", k, "family", family)
ok("%s/family/norfolk/referral.withdraw" % family in kept("referral", k),
   "the answer is kept for a family member who did not make the referral", kept("referral", k))
s, b, _ = http("POST", "/v1/referrals/%s/withdraw" % made["id"], {"reason": "moved away"},
               token(role="family", sub=family), headers={"Idempotency-Key": k})
ok(s == 403 and "status" not in b and "child" not in b,
   "that family member gets 403, not the kept answer with the referral", b)
ok(scalar("SELECT count(*) FROM audit.events WHERE actor = :'p1' AND record_id = :'p2'"
          " AND action = 'withdraw' AND outcome = 'forbidden'", family, made["id"]) == "1",
   "and the refusal is audited")

s, made, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), coord)
ok(wait_until(lambda: scalar("SELECT count(*) FROM eligibility.referrals WHERE referral_id = :'p1'",
                             made["id"]) == "1", 15), "eligibility has seen a new referral")
k = key("re-evaluate")
s1, r, _ = http("POST", "/v1/referrals/%s/re-evaluate" % made["id"], tok=coord, headers={"Idempotency-Key": k})
ok(s1 == 200 and r["referral_id"] == made["id"], "a coordinator re-evaluates it with a key", r)
copy_answer("eligibility", k, "key_worker", sub)
s, b, _ = http("POST", "/v1/referrals/%s/re-evaluate" % made["id"], tok=token(role="key_worker", sub=sub),
               headers={"Idempotency-Key": k})
ok(s == 403 and "eligibility" not in b,
   "the same sub as a key worker, with an answer kept under the key, gets 403", b)

# --- an answer kept more than 24 hours ago is not replayed; its key may be used again
body = referral(nhs_number(rng))
k = key("expired")
s1, a, _ = http("POST", "/v1/referrals", body, coord, headers={"Idempotency-Key": k})
backdate("referral", k)
s2, b, _ = http("POST", "/v1/referrals", body, coord, headers={"Idempotency-Key": k})
ok(s1 == 201 and s2 == 409 and b["error"]["code"] == "duplicate_referral",
   "a request repeated after 24 hours is decided afresh, not answered from the old answer", (s1, a, s2, b))
other = referral(nhs_number(rng))
s3, c, _ = http("POST", "/v1/referrals", other, coord, headers={"Idempotency-Key": k})
s4, d, _ = http("POST", "/v1/referrals", other, coord, headers={"Idempotency-Key": k})
ok(s3 == 201 and s4 == 201 and c["id"] == d["id"] and c["id"] != a["id"],
   "the expired key takes a new request, whose answer is then replayed", (s3, c, s4, d))

# --- expired answers are deleted (at start and every hour)
k = key("pruned")
s, a, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), coord, headers={"Idempotency-Key": k})
backdate("referral", k)
fresh = key("create")
old = kill("referral")
ok(wait_restarted("referral", old), "the referral service is restarted")
ok(wait_until(lambda: kept("referral", k) == [], 20), "its expired answers are deleted", kept("referral", k))
ok(len(kept("referral", fresh)) == 2, "answers younger than 24 hours stay", kept("referral", fresh))
ok(wait_until(lambda: http("GET", "/v1/referrals/%s" % a["id"], tok=coord)[0] == 200, 20),
   "the referral service answers again")
done()
