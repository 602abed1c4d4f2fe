"""Bad bodies answered with every problem at once: "errors" lists each field
and message in the order of the body, "error" names the first; JSON that
cannot be read has one error. NHS numbers in their written forms (spaces,
hyphens) accepted by referral create, information and the DSR entry route,
stored as ten digits, and an error that tells the length from the check
digit."""

import random
from kwtest import ok, done, token, http, scalar, nhs_number, referral

rng = random.Random()
coord = token(sub="validation-coordinator")
dsr_coord = token(region="nhse", sub="validation-dsr")


def problems(b):
    return [(e.get("field"), e.get("message")) for e in b.get("error", {}).get("errors", [])]


def grouped(nhs, sep):
    return sep.join((nhs[:3], nhs[3:6], nhs[6:]))


def wrong_check(nhs):
    return nhs[:9] + str((int(nhs[9]) + 1) % 10)


# --- every problem of a body at once
s, b, _ = http("POST", "/v1/referrals", {"source": "professional"}, coord)
ok(s == 400 and [f for f, _ in problems(b)] == ["referrer", "child", "consent"],
   "a body of a source alone is told referrer, child and consent are required, in that order", b)
ok(s == 400 and b["error"]["field"] == "referrer" and b["error"]["message"] == "referrer is required"
   and b["error"]["code"] == "invalid", "error names the first of them with its code", b)

body = referral(nhs_number(rng))
del body["referrer"]["name"]
body["child"]["nhs_number"] = "123 456 78"
body["child"]["postcode"] = "nowhere"
body["family"] = [{"name": "Parent", "relationship": "mother", "email": "not-an-address"}]
body["consent"]["date"] = "2999-01-01"
want = ["referrer.name", "child.nhs_number", "child.postcode", "family[0].email", "consent.date"]
s, b, _ = http("POST", "/v1/referrals", body, coord)
got = problems(b)
ok(s == 400 and [f for f, _ in got] == want, "a body with five problems gets five errors, in body order", b)
ok(got and (b["error"]["field"], b["error"]["message"]) == got[0], "the first of errors is error", b)
ok(all(f in m for f, m in got) and "nowhere" not in str(b) and "not-an-address" not in str(b),
   "each message names its field and no value is echoed", b)
s2, b2, _ = http("POST", "/v1/referrals", body, coord)
ok(s2 == 400 and problems(b2) == got, "the same body gets the same errors in the same order", b2)

s, b, _ = http("POST", "/v1/referrals", raw=b'{"source": "professional", "referrer": ', tok=coord)
ok(s == 400 and b["error"]["code"] == "invalid" and len(b["error"].get("errors", [])) <= 1,
   "a body that is not JSON has one error", b)

s, made, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), coord)
ok(s == 201, "a referral to add information to", made)
s, b, _ = http("POST", "/v1/referrals/%s/information" % made.get("id"),
               {"child": {"postcode": "nowhere", "language": "English"}, "referrer": {"email": "x"}}, coord)
ok(s == 400 and [f for f, _ in problems(b)] == ["referrer.email", "child.postcode", "child.language"],
   "information with three problems gets three errors", b)

s, b, _ = http("POST", "/v1/professionals", {"name": " ", "discipline": "astronaut", "email": "x",
                                             "max_caseload": 500}, coord)
ok(s == 400 and [f for f, _ in problems(b)] == ["name", "agency", "discipline", "email", "max_caseload"],
   "a professional's record with five problems gets five errors", b)

s, doc, _ = http("GET", "/v1/openapi.json")
err_props = (doc.get("components", {}).get("schemas", {}).get("Error", {}).get("properties", {})
             .get("error", {}).get("properties", {})) if s == 200 else {}
ok(err_props.get("errors", {}).get("type") == "array"
   and set(err_props["errors"]["items"]["properties"]) == {"field", "message"},
   "the OpenAPI document describes errors as a list of field and message", err_props)

# --- NHS numbers as written
nhs = nhs_number(rng)
s, b, _ = http("POST", "/v1/referrals", referral(grouped(nhs, " ")), coord)
ok(s == 201, "a referral with the NHS number written 3 3 4 with spaces is made", b)
stored = scalar("SELECT nhs_number FROM referral.referrals WHERE id = :'p1'", b.get("id"))
ok(stored == nhs, "and it is stored as its ten digits", stored)
s, b2, _ = http("GET", "/v1/referrals/%s" % b.get("id"), tok=coord)
ok(s == 200 and b2["child"]["nhs_number"] == nhs, "and read back as its ten digits", b2)
s, dup, _ = http("POST", "/v1/referrals", referral(grouped(nhs, "-")), coord)
ok(s == 409 and dup["error"]["code"] == "duplicate_referral",
   "the same number written with hyphens is the same child (409)", dup)
s, b, _ = http("POST", "/v1/referrals/%s/information" % b.get("id"),
               {"child": {"nhs_number": grouped(nhs, "-"), "language": "fr"}}, coord)
ok(s == 200, "information giving the same NHS number with hyphens is not a change of number", b)

s, b, _ = http("POST", "/v1/referrals", referral(grouped(wrong_check(nhs_number(rng)), "-")), coord)
msg = b.get("error", {}).get("message", "")
ok(s == 400 and b["error"]["field"] == "child.nhs_number" and "check digit" in msg and "10 digits" not in msg,
   "a hyphenated number with a wrong check digit is refused for its check digit", b)
s, b, _ = http("POST", "/v1/referrals", referral(grouped(nhs_number(rng), " ")[:-1]), coord)
msg = b.get("error", {}).get("message", "")
ok(s == 400 and "10 digits" in msg and "check digit" not in msg,
   "a spaced number of nine digits is refused for its length", b)

s, b, _ = http("GET", "/v1/dsr/entries/%s" % grouped(wrong_check(nhs_number(rng)), "-"), tok=dsr_coord)
ok(s == 400 and b["error"]["field"] == "nhs_number" and "check digit" in b["error"]["message"],
   "GET /v1/dsr/entries with a wrong check digit names it", b)
unknown = nhs_number(rng)
for sep, written in (("-", "hyphens"), ("%20", "spaces")):
    s, b, _ = http("GET", "/v1/dsr/entries/%s" % grouped(unknown, sep), tok=dsr_coord)
    ok(s == 404, "GET /v1/dsr/entries with an NHS number written with %s is read (404: not on the register)"
       % written, b)

done()
