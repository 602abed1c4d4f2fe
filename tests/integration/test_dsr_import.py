"""DSR feed imports through the gateway: CSV and NDJSON, counts, rejected
rows with their line numbers, a second import that changes nothing, rating
history that grows only on a change, entries read back, the events, and
entries that become referrals with source dsr (and those that must not)."""

import json
import random
import socket
from kwtest import ok, done, token, http, scalar, sql, wait_until, caught_up, nhs_number, HTTP

rng = random.Random()
coord = token(region="nhse", sub="dsr-coordinator")
feed = token(role="dsr_feed", region="nhse", sub="dsr-feed")
COLUMNS = ["dsr_id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
           "learning_disability", "autism", "rag", "rag_effective_date", "inpatient",
           "consent_basis", "lead_professional_email", "cetr_last", "cetr_next"]


def row(nhs, rag="green", consent="parental_responsibility", ld="yes", dob="2012-05-01",
        effective="2026-10-01", name="Test"):
    return {"dsr_id": "D-" + nhs, "nhs_number": nhs, "given_name": name, "family_name": "Child",
            "date_of_birth": dob, "postcode": "NR1 1AA", "learning_disability": ld, "autism": "no",
            "rag": rag, "rag_effective_date": effective, "inpatient": "no",
            "consent_basis": consent, "lead_professional_email": "lead@example.org",
            "cetr_last": "2026-09-01", "cetr_next": "2026-12-01"}


def csv(rows):
    def cell(v):
        v = str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v
    return ("\r\n".join([",".join(COLUMNS)] + [",".join(cell(r[c]) for c in COLUMNS) for r in rows])
            + "\r\n").encode()


def post(data, tok=feed, ctype="text/csv", headers=None):
    h = {"Content-Type": ctype}
    h.update(headers or {})
    return http("POST", "/v1/dsr/imports", tok=tok, raw=data, headers=h)


# --- a file with good and bad rows
rows = [row(nhs_number(rng)) for _ in range(20)]
rows[3]["given_name"] = 'Quote "Q", Comma'
rows[4]["given_name"] = "Line\r\nBreak"
bad = dict(rows[0], nhs_number="1234567890", dsr_id="D-bad1")
bad2 = dict(row(nhs_number(rng)), rag="purple")
bad3 = dict(row(nhs_number(rng)), date_of_birth="2099-01-01")
data = csv(rows[:6] + [bad] + rows[6:12] + [bad2, bad3] + rows[12:])
s, r, _ = post(data)
ok(s == 200 and r["rows"] == 23 and r["created"] == 20 and r["updated"] == 0 and r["unchanged"] == 0,
   "the import counts 23 rows, 20 created", r)
# header line 1; rows 2..; row 5 (index 4) spans two lines, so bad is on line 9
rejected = sorted((x["line"], x["field"]) for x in r.get("rejected", []))
ok(rejected == [(9, "nhs_number"), (16, "rag"), (17, "date_of_birth")],
   "the three bad rows are reported with their line and field", r.get("rejected"))
ok(all(x["error"] and "1234567890" not in x["error"] for x in r.get("rejected", [])),
   "each with an error that does not echo the value", r.get("rejected"))
ok(scalar("SELECT count(*) FROM referral.dsr_imports WHERE id = :'p1' AND created = 20 AND rejected = 3",
          r.get("import_id")) == "1", "the import is recorded with its counts")
events = scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'referral'"
                " AND type = 'dsr_entry_created' AND correlation_id = :'p1'", r.get("import_id"))
ok(events == "20", "one dsr_entry_created event per new entry", events)

s, e, _ = http("GET", "/v1/dsr/entries/%s" % rows[3]["nhs_number"], tok=coord)
ok(s == 200 and e["given_name"] == 'Quote "Q", Comma' and e["rag"] == "green"
   and e["learning_disability"] is True and e["autism"] is False and e["postcode"] == "NR1 1AA"
   and len(e["history"]) == 1 and e["history"][0]["rag"] == "green",
   "an entry reads back with quoted commas and its first rating", e)
s, e, _ = http("GET", "/v1/dsr/entries/%s" % rows[4]["nhs_number"], tok=coord)
ok(s == 200 and e["given_name"] == "Line\r\nBreak", "an embedded line break is kept", e)

# --- the same file again changes nothing
s, r2, _ = post(data)
ok(s == 200 and r2["created"] == 0 and r2["updated"] == 0 and r2["unchanged"] == 20
   and len(r2["rejected"]) == 3, "re-importing the file: 0 created, 0 updated, 20 unchanged", r2)
hist = scalar("SELECT count(*) FROM referral.dsr_ratings WHERE nhs_number = :'p1'", rows[0]["nhs_number"])
ok(hist == "1", "the rating history did not grow", hist)

# --- a change: rating history grows only when the rating or its date moves
rows[0]["rag"] = "amber"
rows[0]["rag_effective_date"] = "2026-11-01"
rows[1]["postcode"] = "NR2 3TU"
s, r3, _ = post(csv(rows))
ok(s == 200 and r3["created"] == 0 and r3["updated"] == 2 and r3["unchanged"] == 18,
   "a re-rated and a moved entry are 2 updated", r3)
s, e, _ = http("GET", "/v1/dsr/entries/%s" % rows[0]["nhs_number"], tok=coord)
ok([(h["rag"], h["effective_date"]) for h in e.get("history", [])]
   == [("green", "2026-10-01"), ("amber", "2026-11-01")], "the history has both ratings in order", e)
s, e, _ = http("GET", "/v1/dsr/entries/%s" % rows[1]["nhs_number"], tok=coord)
ok(len(e.get("history", [])) == 1 and e["postcode"] == "NR2 3TU",
   "a change that is not a rating adds no history", e)
changed = scalar("SELECT count(*) FROM bus.outbox WHERE type = 'dsr_entry_changed' AND correlation_id = :'p1'",
                 r3.get("import_id"))
ok(changed == "2", "two dsr_entry_changed events", changed)

# --- entries that become referrals with source dsr, and those that must not
due = row(nhs_number(rng), rag="red")
no_consent = row(nhs_number(rng), rag="amber", consent="")
not_ld = row(nhs_number(rng), rag="blue", ld="no")
too_old = row(nhs_number(rng), rag="red", dob="1990-01-01")
green = row(nhs_number(rng), rag="green")
body = "\n".join(json.dumps({k: (v if v != "" else None) for k, v in x.items()})
                 for x in [due, no_consent, not_ld, too_old, green]) + "\n"
body = body.replace('"yes"', "true").replace('"no"', "false").encode()
s, r4, _ = post(body, ctype="application/x-ndjson")
ok(s == 200 and r4["created"] == 5 and r4["rejected"] == [], "an NDJSON file imports 5 entries", r4)


def dsr_referral(nhs):
    return scalar("SELECT id FROM referral.referrals WHERE region = 'nhse' AND nhs_number = :'p1'"
                  " AND source = 'dsr'", nhs)


rid = wait_until(lambda: dsr_referral(due["nhs_number"]), 15)
ok(rid, "a red entry with consent becomes a referral with source dsr")
s, ref, _ = http("GET", "/v1/referrals/%s" % rid, tok=coord)
ok(s == 200 and ref["source"] == "dsr" and ref["child"]["nhs_number"] == due["nhs_number"]
   and ref["consent"]["basis"] == "parental_responsibility" and ref["needs"]["learning_disability"] is True,
   "the referral carries the child, needs and consent from the entry", ref)
decided = wait_until(lambda: (lambda s_b: s_b[1] if s_b[1].get("status") != "received" else None)(
    http("GET", "/v1/referrals/%s" % rid, tok=coord)[:2]), 15)
crit = {c["id"]: c for c in (decided or {}).get("eligibility", {}).get("criteria", [])}
ok(decided and decided["status"] == "eligible" and crit.get("risk", {}).get("met") is True
   and "red" in crit["risk"]["detail"], "it is decided eligible on its DSR rating", decided)
# once every consumer has applied every event, the other entries of the
# file have been judged: none of them became a referral
ok(caught_up(), "every consumer has applied every event of the import")
for label, x in [("without consent", no_consent), ("without a learning disability or autism", not_ld),
                 ("over the age limit", too_old), ("rated green", green)]:
    ok(dsr_referral(x["nhs_number"]) is None, "an entry %s does not become a referral" % label)
# a green entry re-rated amber later does
rows_again = [dict(green, rag="amber", rag_effective_date="2026-11-20")]
s, r5, _ = post(csv(rows_again))
ok(s == 200 and r5["updated"] == 1, "re-rating the green entry amber", r5)
ok(wait_until(lambda: dsr_referral(green["nhs_number"]), 15), "then makes its referral")
# importing the due entry again makes no second referral
s, r6, _ = post(csv([dict(due, rag="amber")]))
ok(s == 200 and r6["updated"] == 1, "the referred entry is re-rated", r6)
ok(caught_up(), "every consumer has applied the re-rating")
dues = scalar("SELECT count(*) FROM bus.outbox WHERE producer = 'eligibility' AND type = 'dsr_referral_due'"
              " AND correlation_id = :'p1'", r6.get("import_id"))
ok(dues == "0", "a referred child re-rated is not announced as due again", dues)
ours = [due["nhs_number"].encode().hex(), green["nhs_number"].encode().hex()]
due_payloads = [p for (p,) in sql("SELECT encode(payload, 'hex') FROM bus.outbox WHERE producer = 'eligibility'"
                                  " AND type = 'dsr_referral_due'") if any(n in p for n in ours)]
ok(len(due_payloads) == 2 and not any(v.encode().hex() in p for p in due_payloads
                                      for v in ("red", "amber", "2026-10-01", "2026-11-20")),
   "dsr_referral_due names the child's NHS number, never the rating or its date", due_payloads)
count = scalar("SELECT count(*) FROM referral.referrals WHERE nhs_number = :'p1'", due["nhs_number"])
ok(count == "1", "and gets no second referral while the first is open", count)
changed = sql("SELECT payload FROM bus.outbox WHERE type = 'dsr_entry_changed' AND correlation_id = :'p1'",
              r6.get("import_id"))
ok(len(changed) == 1, "the re-rating of a referred child is an event (for its key worker)", changed)

# --- file-level errors, formats, limits, roles
s, b, _ = post(b"nhs_number,colour\r\n9434765919,red\r\n")
ok(s == 400 and b["error"]["field"] == "header" and "colour" in b["error"]["message"],
   "an unknown column is named", b)
s, b, _ = post(b"dsr_id,nhs_number\r\n")
ok(s == 400 and "given_name" in b["error"]["message"], "missing columns are named", b)
s, b, _ = post(csv(rows), ctype="application/json")
ok(s == 415, "a JSON content type is 415", b)
s, b, _ = post(csv(rows), tok=token(role="referrer", region="nhse"))
ok(s == 403, "a referrer may not import", b)
s, b, _ = http("GET", "/v1/dsr/entries/%s" % rows[0]["nhs_number"], tok=token(region="norfolk"))
ok(s == 404, "another region does not see the entry", b)
s, b, _ = http("GET", "/v1/dsr/entries/1234567890", tok=coord)
ok(s == 400 and b["error"]["field"] == "nhs_number", "a bad NHS number in the path is 400", b)
def declared(length):
    """Send only the headers of an import of length bytes; the status line."""
    host, port = HTTP[len("http://"):].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("POST /v1/dsr/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % (feed, length)).encode())
        return sock.recv(200).split(b"\r\n")[0]


ok(b" 413 " in declared(20 * 1024 * 1024 + 1), "a file over 20 MiB is 413 before it is read")
s, b, _ = post(b"dsr_id" + b" " * (2 * 1024 * 1024) + b"\r\n")
ok(s == 400 and b["error"]["field"] == "header", "a 2 MiB file (over the JSON limit) is read and judged", b)
key = {"Idempotency-Key": "dsr-%08x" % rng.getrandbits(32)}
s1, a, _ = post(csv(rows_again), headers=key)
s2, b, _ = post(csv(rows_again), headers=key)
ok(s1 == 200 and s2 == 200 and a["import_id"] == b["import_id"],
   "an import retried with its Idempotency-Key answers the first result", (a, b))
done()
