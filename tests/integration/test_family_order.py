"""The family keeps the referral's order: the scheduling service, which
learns the family from the assignment service's events, holds its members
as family:1, family:2, ... in the order the referral named them, and a
meeting's family participant is the first of them with an e-mail (not
whichever the stores happen to list first)."""

from kwtest import ok, done, http, sql, wait_until, caught_up, nhs_number, referral, case_of, get_case, pending_offer
from kwsched import coordinator, worker, key_worker_token, rng, email, book, dates

kw = worker("forder")
names = ["Member %d" % i for i in range(1, 8)]
# The first has only a phone number: the meeting's family is the second.
family = [{"name": names[0], "relationship": "carer", "phone": "07700900%03d" % rng.randrange(1000)}]
family += [{"name": name, "relationship": "other", "email": email("forder%d.%d" % (i, rng.randrange(10 ** 6)))}
           for i, name in enumerate(names[1:], 2)]
body = referral(nhs_number(rng))
body["family"] = family
status, created, _ = http("POST", "/v1/referrals", body, coordinator)
ok(status == 201, "a referral naming seven family members", created)
case_id = case_of(coordinator, created.get("id"))
wait_until(lambda: pending_offer(get_case(coordinator, case_id)), 15)
status, case, _ = http("POST", "/v1/cases/%s/offers" % case_id,
                       {"professional_id": kw["id"], "reason": "chosen for the test"}, coordinator)
offer = pending_offer(case) or {}
status, case, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case_id, offer.get("id")), None, coordinator)
ok(status == 200, "its key worker accepts (the family carried in key_worker_changed)", case)
caught_up()


def places():
    return sql("SELECT person_id, name FROM scheduling.case_people WHERE case_id = :'p1' AND role = 'family'"
               " ORDER BY length (person_id), person_id", case_id)


wait_until(lambda: len(places()) == len(names), 20)
ok([list(p) for p in places()] == [["family:%d" % i, name] for i, name in enumerate(names, 1)],
   "the scheduling service holds them as family:1..7 in the referral's order", places())
first, last = dates(1, 21)
status, meeting, _ = book({"id": case_id}, tok=key_worker_token(kw), earliest=first, latest=last)
got = [p for p in meeting.get("participants", []) if p.get("role") == "family"] if status == 201 else meeting
ok(status == 201 and [(p["name"], p["email"]) for p in got] == [(names[1], family[1]["email"])],
   "a meeting's family is the first member with an e-mail", got)
done()
