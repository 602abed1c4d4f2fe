"""What other services' events do to meetings and reviews, over the real
stack. A new key worker (a coordinator's offer, accepted) takes the old
one's place in the case's future meetings, with a new SEQUENCE and
meeting_updated; an absence of a required participant over a meeting
flags it; a professional's part-time hours (professional_changed) move
the next booking to their day; a cancelled absence frees the days it
held (absence_cancelled); the DSR rating of the child (a DSR import)
brings C(E)TR reviews: the cadence for red, amber or blue, and the first
review within five working days of an admission (blue); a closed case's
future meetings are cancelled (METHOD CANCEL)."""

import datetime
from kwtest import ok, done, http, sql, token, caught_up, wait_until, region_day
from kwsched import (coordinator, admin, worker, open_case, dates, book, events, invite, vevent,
                     key_worker_token)

PART_TIME = {"wed": ["10:00", "15:00"]}
kw = worker("chg")
case = open_case(kw)
first, last = dates(1, 21)
status, m, _ = book(case, earliest=first, latest=last)
ok(status == 201, "a meeting is booked", m)

# --- a new key worker takes the old one's place
kw2 = worker("chg2")
status, offered, _ = http("POST", "/v1/cases/%s/offers" % case["id"],
                          {"professional_id": kw2["id"], "reason": "a new key worker"}, coordinator)
offer = [o for o in offered.get("offers", []) if o["status"] == "pending"]
status, accepted, _ = http("POST", "/v1/cases/%s/offers/%s/accept" % (case["id"], offer[0]["id"] if offer else "x"),
                           None, coordinator)
ok(status == 200 and accepted["key_worker"]["id"] == kw2["id"], "the case has a new key worker", accepted)
caught_up()


def participants(meeting_id):
    return {p["id"]: p["role"] for p in http("GET", "/v1/meetings/%s" % meeting_id, tok=coordinator)[1]
            .get("participants", [])}


moved = wait_until(lambda: participants(m["id"]).get(kw2["id"]) == "key_worker", 15)
ok(moved and kw["id"] not in participants(m["id"]), "the new key worker replaces the old in the meeting",
   participants(m["id"]))
ev = vevent(invite(m["id"])[2])
ok(int(ev["SEQUENCE"]) == 1 and ("mailto:" + kw2["email"]) in [str(a) for a in ev.get("ATTENDEE")],
   "the invitation names the new key worker with a higher SEQUENCE")
ok(any(bytes.fromhex(p).find(b"participants") >= 0 for _, p in events("meeting_updated", case["id"])),
   "meeting_updated tells of the change")
ok(http("GET", "/v1/meetings/%s" % m["id"], tok=key_worker_token(kw2))[0] == 200, "the new key worker reads it")

# --- an absence over the meeting flags it, and the cover joins it
start = datetime.datetime.fromisoformat(http("GET", "/v1/meetings/%s" % m["id"], tok=coordinator)[1]["start"])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % kw2["id"],
                          {"from": now, "to": start.date().isoformat(), "reason": "ill"}, coordinator)
ok(status == 201, "the new key worker is away from now until the meeting's day", absence)
caught_up()
flagged = wait_until(lambda: http("GET", "/v1/meetings/%s" % m["id"], tok=coordinator)[1].get("flagged"), 15)
ok(flagged, "the meeting is flagged: a required participant is absent")
cover = (http("GET", "/v1/cases/%s" % case["id"], tok=coordinator)[1].get("cover") or {}).get("id")
ok(cover and wait_until(lambda: participants(m["id"]).get(cover) in ("cover", "deputy"), 15),
   "the cover joins the meeting", (cover, participants(m["id"])))

# --- part-time hours move the next booking to the professional's day
part = worker("chgpart", hours=PART_TIME)
caught_up()
status, m2, _ = book(case, type="tac", earliest=first, latest=last, required=["key_worker", part["id"]])
day = datetime.date.fromisoformat(m2.get("start", "2000-01-01")[:10])
ok(status == 201 and day.weekday() == 2 and m2["start"][11:16] >= "10:00", "a part-time professional's Wednesday",
   m2)
status, refused, _ = book(case, type="tac", earliest=first, latest=first, required=[part["id"]])
ok(status == 409 or datetime.date.fromisoformat(first).weekday() == 2, "not on another day", refused)

# --- a cancelled absence frees the professional's days again
away = worker("chgaway")
caught_up()
status, absence, _ = http("POST", "/v1/professionals/%s/absences" % away["id"],
                          {"from": first, "to": last, "reason": "training"}, coordinator)
ok(status == 201, "a professional is away every day of the window", absence)
caught_up()
status, refused, _ = book(case, type="tac", earliest=first, latest=last, required=[away["id"]])
ok(status == 409, "no meeting can require them then", refused)
status, cancelled, _ = http("POST", "/v1/professionals/%s/absences/%s/cancel" % (away["id"], absence.get("id")),
                            None, coordinator)
ok(status == 200, "the absence is cancelled", cancelled)
caught_up()
status, m3, _ = book(case, type="tac", earliest=first, latest=last, required=[away["id"]])
ok(status == 201, "once it is cancelled, the meeting that requires them is booked", m3)

# --- the child's DSR rating brings C(E)TR reviews
nhs = [[case["nhs"]]]
header = ("dsr_id,nhs_number,given_name,family_name,date_of_birth,postcode,learning_disability,autism,rag,"
          "rag_effective_date,inpatient,consent_basis,lead_professional_email,cetr_last,cetr_next\r\n")
rated = region_day(-70)
row = "D-%s,%s,Test,Child,2015-03-02,NR2 3TU,no,yes,%s,%s,no,parental_responsibility,lead@example.org,,\r\n"
feed = token(role="dsr_feed", sub="chg-feed")
if nhs:
    status, imported, _ = http("POST", "/v1/dsr/imports", tok=feed, raw=(header + row % (nhs[0][0], nhs[0][0], "red",
                               rated)).encode(), headers={"Content-Type": "text/csv"})
    ok(status == 200 and not imported.get("rejected"), "the child is rated red on the DSR", imported)
    caught_up()
    ok(wait_until(lambda: sql("SELECT rag FROM scheduling.dsr WHERE case_id = :'p1'", case["id"]), 15) == [["red"]],
       "the scheduling service knows the rating")
    http("POST", "/v1/admin/scheduling/sweep", None, admin)
    caught_up()
    kinds = [bytes.fromhex(p) for _, p in events("review_due", case["id"])]
    due = region_day(21)
    ok(any(b"cetr" in k and due.encode() in k for k in kinds), "a C(E)TR review is due 91 days after the rating",
       kinds)
    admitted = region_day(-1)
    status, imported, _ = http("POST", "/v1/dsr/imports", tok=feed, raw=(header + row % (nhs[0][0], nhs[0][0],
                               "blue", admitted)).encode(), headers={"Content-Type": "text/csv"})
    caught_up()
    wait_until(lambda: sql("SELECT admitted_on FROM scheduling.dsr WHERE case_id = :'p1'", case["id"]) == [[admitted]],
               15)
    http("POST", "/v1/admin/scheduling/sweep", None, admin)
    caught_up()
    kinds = [bytes.fromhex(p) for _, p in events("review_due", case["id"])]
    ok(any(b"cetr_admission" in k for k in kinds), "an admission (blue) brings the first C(E)TR within 5 working days",
       kinds)
else:
    ok(False, "the case's child is known", nhs)

# --- a closed case's future meetings are cancelled
status, closed, _ = http("POST", "/v1/cases/%s/close" % case["id"], {"reason": "moved_away"}, coordinator)
ok(status == 200, "the case is closed", closed)
caught_up()
cancelled = wait_until(lambda: http("GET", "/v1/meetings/%s" % m2["id"], tok=coordinator)[1].get("status")
                       == "cancelled", 15)
status, ctype, cal, _ = invite(m2["id"])
ok(cancelled and str(cal["METHOD"]) == "CANCEL", "the closed case's meetings are cancelled")
ok(book(case, earliest=first, latest=last)[0] == 409, "a closed case books no meeting")
done()
