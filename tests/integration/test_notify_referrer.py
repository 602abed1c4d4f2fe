"""More information needed -> the referrer (docs/notifications.md): a
referral whose decision is more_information_needed tells the referrer (the
referral's referrer.email) the referral id and the missing fields' paths,
never a value or a health detail; information added that still leaves
something missing is a new decision and tells them again, once; information
that makes the referral decidable tells them nothing more."""

import random
from kwtest import ok, done, http, token, nhs_number, referral, wait_until, caught_up
from notifytest import mails_to, text_of, html_of, settled

rng = random.Random()
n = rng.randrange(10 ** 9)
tok = token()
REFERRER = "referrer.%d@example.org" % n
body = referral(nhs_number(rng))
body["referrer"]["email"] = REFERRER
del body["child"]["gp_practice"]
del body["needs"]["complex_health_needs"]
status, created, _ = http("POST", "/v1/referrals", body, tok)
ok(status == 201, "a referral without the child's GP practice and without saying whether the needs are complex",
   created)
rid = created.get("id")
SUBJECT = "More information needed for referral %s" % rid


def referral_status():
    return http("GET", "/v1/referrals/%s" % rid, tok=tok)[1].get("status")


def told():
    return [m for m in mails_to(REFERRER) if str(m["Subject"]) == SUBJECT]


def quiet():
    caught_up()
    wait_until(lambda: False, 1.5)


ok(wait_until(lambda: referral_status() == "more_information_needed", 15),
   "the referral needs more information")
ok(settled(told), "the referrer is told")
quiet()
first = told()
ok(len(first) == 1, "once", len(first))
text = text_of(first[0]) if first else ""
ok(rid in text and "child.gp_practice" in text and "needs.complex_health_needs" in text
   and "child.gp_practice" in html_of(first[0]), "naming the referral and the missing fields' paths", text)
ok("Test" not in text and "autism" not in text.lower() and "2015-03-02" not in text and body["child"]["nhs_number"]
   not in text, "and no name, NHS number, date of birth or health detail", text)

# Information added that decides nothing new (the same fields missing): no
# new decision, nothing told.
status, after, _ = http("POST", "/v1/referrals/%s/information" % rid,
                        {"professionals": [{"name": "Nurse D", "agency": "Community Health",
                                            "discipline": "community_nurse"}]}, tok)
ok(status == 200 and after.get("revision") == 1, "information is added (revision 1)", after)
quiet()
ok(len(told()) == 1, "the same decision stands: the referrer is not told again", len(told()))

# The needs answered, still without the GP practice: a new decision, told again once.
status, after, _ = http("POST", "/v1/referrals/%s/information" % rid, {"needs": {"complex_health_needs": True}},
                        tok)
ok(status == 200 and after.get("revision") == 2, "the needs are added (revision 2)", after)
ok(settled(lambda: len(told()) == 2), "the new decision, still missing the practice, tells the referrer again")
quiet()
ok(len(told()) == 2, "once more, not twice", len(told()))
second = told()[-1:]
ok(second and "child.gp_practice" in text_of(second[0]) and "needs.complex_health_needs" not in text_of(second[0]),
   "naming what is still missing", second and text_of(second[0]))


# The practice given: decidable, nothing more to tell.
status, after, _ = http("POST", "/v1/referrals/%s/information" % rid, {"child": {"gp_practice": "D82001"}}, tok)
ok(status == 200, "the GP practice is added", after)
ok(wait_until(lambda: referral_status() == "eligible", 15),
   "the referral is eligible")
quiet()
ok(len(told()) == 2, "and the referrer is not told again", len(told()))
done()
