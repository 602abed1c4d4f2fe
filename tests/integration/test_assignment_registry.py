"""The registry of professionals over the API: registration with every
field and the checks on each (the field named), duplicates by e-mail with
the existing id, the deputy (same region, not self, active), reading (a
coordinator, or the professional themself), changes (PATCH changes only
what it is given), deactivation (no new offers, never deleted), lists with
their filters and paging, the CSV import with its report per row, the
events (professional_changed with the whole record) and the audit."""

import random
from kwtest import ok, done, token, http, sql, scalar, professional, test_region

rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "registry-%d" % n
tok = test_region(REGION, {})
other_region = token(region="nhse")


def email(label):
    return "%s.%d@example.org" % (label, n)


full = {"name": "Rae Full", "agency": "Community Health", "discipline": "ld_nurse", "email": email("rae"),
        "phone": "01603 555555", "languages": ["en", "pl"], "localities": ["nr2", "NR3"], "max_caseload": 9,
        "working_hours": {"mon": ["09:00", "17:00"], "fri": ["09:00", "12:30"]}}
status, rae, _ = http("POST", "/v1/professionals", full, tok)
ok(status == 201 and rae["id"] and rae["region"] == REGION and rae["localities"] == ["NR2", "NR3"]
   and rae["languages"] == ["en", "pl"] and rae["max_caseload"] == 9 and rae["active"] is True
   and rae["caseload"] == 0 and rae["cases"] == [] and rae["working_hours"]["fri"] == ["09:00", "12:30"]
   and rae["working_hours"]["tue"] == [], "a professional is registered with every field", rae)
status, body, _ = http("POST", "/v1/professionals", dict(full, name="Other"), tok)
ok(status == 409 and body["error"]["code"] == "duplicate_professional" and body["error"]["existing_id"] == rae["id"],
   "an e-mail registered in the region is 409 with the existing id", body)
status, body, _ = http("POST", "/v1/professionals", dict(full, email=full["email"].upper()), tok)
ok(status == 409, "whatever its case", body)
status, body, _ = http("POST", "/v1/professionals", full, other_region)
ok(status == 201 and body["region"] == "nhse", "another region may register the same e-mail", body)

BAD = [
    ({"name": ""}, "name", "is required"),
    ({"name": "x" * 201}, "name", "longer than 200"),
    ({"agency": None}, "agency", "is required"),
    ({"discipline": "wizard"}, "discipline", "must be one of"),
    ({"email": "not an address"}, "email", "e-mail"),
    ({"phone": "12"}, "phone", "phone number"),
    ({"languages": ["english"]}, "languages[0]", "ISO 639"),
    ({"languages": ["en", "en"]}, "languages[1]", "twice"),
    ({"localities": ["Norwich"]}, "localities[0]", "postcode district"),
    ({"max_caseload": 201}, "max_caseload", "0 to 200"),
    ({"working_hours": {"mon": ["17:00", "09:00"]}}, "working_hours.mon", "start before it ends"),
    ({"working_hours": {"tue": ["09:00"]}}, "working_hours.tue", "[start, end]"),
    ({"working_hours": {"wed": ["9am", "5pm"]}}, "working_hours.wed[0]", "HH:MM"),
    ({"deputy_id": "nobody"}, "deputy_id", "registered professional"),
    ({"caseload": 3}, "caseload", "cannot be set"),
    ({"region": "nhse"}, "region", "cannot be set"),
    ({"id": "11111111-1111-1111-1111-111111111111"}, "id", "given by the service"),
    ({"colour": "blue"}, "colour", None),
]
for change, field, words in BAD:
    body = dict(full, email=email("bad%d" % rng.randrange(10 ** 6)))
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    status, answer, _ = http("POST", "/v1/professionals", body, tok)
    err = answer.get("error", {}) if isinstance(answer, dict) else {}
    ok(status == 400 and err.get("field") == field and (words is None or words in err.get("message", "")),
       "%s is refused naming %s" % (change, field), answer)

# Deputies
status, body, _ = http("POST", "/v1/professionals", dict(full, email=email("dep1"),
                                                          deputy_id="11111111-1111-1111-1111-111111111111"), tok)
ok(status == 400 and body["error"]["field"] == "deputy_id", "an unknown deputy is refused", body)
status, elsewhere, _ = http("GET", "/v1/professionals?limit=1", tok=other_region)
status, body, _ = http("POST", "/v1/professionals", dict(full, email=email("dep2"),
                                                          deputy_id=elsewhere["items"][0]["id"]), tok)
ok(status == 400 and body["error"]["field"] == "deputy_id", "a deputy of another region is refused", body)
sam = professional(tok, "Sam Deputy", email("sam"), deputy_id=rae["id"])
ok(sam["deputy_id"] == rae["id"], "a deputy of the region is taken", sam)
status, body, _ = http("PATCH", "/v1/professionals/%s" % rae["id"], {"deputy_id": rae["id"]}, tok)
ok(status == 400 and body["error"]["field"] == "deputy_id" and "own deputy" in body["error"]["message"],
   "a professional cannot be their own deputy", body)

# Changes: only what is given
status, body, _ = http("PATCH", "/v1/professionals/%s" % rae["id"], {"phone": "01603 666666", "localities": ["NR4"]},
                       tok)
ok(status == 200 and body["phone"] == "01603 666666" and body["localities"] == ["NR4"] and body["name"] == "Rae Full"
   and body["languages"] == ["en", "pl"] and body["working_hours"]["mon"] == ["09:00", "17:00"],
   "PATCH changes only the fields given", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % sam["id"], {"deputy_id": ""}, tok)
ok(status == 200 and body["deputy_id"] is None, "an empty deputy_id removes the deputy", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % rae["id"], {"email": sam["email"]}, tok)
ok(status == 409 and body["error"]["code"] == "duplicate_professional", "an e-mail cannot be taken over", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % rae["id"], {"max_caseload": 300}, tok)
ok(status == 400 and body["error"]["field"] == "max_caseload", "PATCH is checked like POST", body)
status, body, _ = http("PATCH", "/v1/professionals/00000000-0000-4000-8000-000000000000", {"phone": "01603 666666"}, tok)
ok(status == 404, "an unknown professional is 404", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % rae["id"], {"phone": "01603 666666"}, other_region)
ok(status == 404, "and so is another region's", body)
status, body, _ = http("DELETE", "/v1/professionals/%s" % rae["id"], None, tok)
ok(status == 405, "a professional is never deleted", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % sam["id"], {"active": False}, tok)
ok(status == 200 and body["active"] is False, "but may be deactivated", body)
status, body, _ = http("POST", "/v1/professionals", dict(full, email=email("dep3"), deputy_id=sam["id"]), tok)
ok(status == 400 and "not active" in body["error"]["message"], "an inactive deputy is refused", body)

# Reading
rae_tok = token(role="key_worker", region=REGION, sub="rae", professional_id=rae["id"])
status, body, _ = http("GET", "/v1/professionals/%s" % rae["id"], tok=rae_tok)
ok(status == 200 and body["id"] == rae["id"], "a key worker reads their own record", body)
status, body, _ = http("GET", "/v1/professionals/%s" % sam["id"], tok=rae_tok)
ok(status == 403, "but not a colleague's", body)
status, body, _ = http("PATCH", "/v1/professionals/%s" % rae["id"], {"phone": "01603 777777"}, rae_tok)
ok(status == 403, "nor change their own", body)
for role in ("referrer", "family", "dsr_feed"):
    status, body, _ = http("GET", "/v1/professionals/%s" % rae["id"], tok=token(role=role, region=REGION, sub=role))
    ok(status == 403, "a %s may not read a professional" % role, body)
    status, body, _ = http("POST", "/v1/professionals", dict(full, email=email(role)),
                           token(role=role, region=REGION, sub=role))
    ok(status == 403, "nor register one", body)

# Lists
for i in range(5):
    professional(tok, "Lister %d" % i, email("list%d" % i), discipline="psychologist" if i % 2 else "teacher",
                 localities=["NR%d" % (5 + i)], languages=["en", "ur"] if i == 3 else ["en"],
                 agency="Agency %d" % (i % 2), max_caseload=0 if i == 4 else 5)


def names(query):
    status, body, _ = http("GET", "/v1/professionals" + query, tok=tok)
    return sorted(p["name"] for p in body["items"]) if status == 200 else (status, body)


ok(names("?discipline=psychologist") == ["Lister 1", "Lister 3"], "filtered by discipline", names("?discipline=psychologist"))
ok(names("?locality=nr8") == ["Lister 3"], "by district, in any case", names("?locality=nr8"))
ok(names("?language=ur") == ["Lister 3"], "by language", names("?language=ur"))
ok(names("?agency=agency%201&discipline=teacher") == [], "by agency and discipline together")
ok("Lister 4" not in names("?available=true") and "Sam Deputy" not in names("?available=true")
   and "Lister 0" in names("?available=true"), "available: active with room", names("?available=true"))
ok(names("?active=false") == ["Sam Deputy"], "the deactivated", names("?active=false"))
status, body, _ = http("GET", "/v1/professionals?available=maybe", tok=tok)
ok(status == 400 and body["error"]["field"] == "available", "a filter's value is checked", body)
seen, cursor = [], None
for _ in range(10):
    status, page, _ = http("GET", "/v1/professionals?limit=3" + ("&cursor=" + cursor if cursor else ""), tok=tok)
    seen += [p["id"] for p in page["items"]]
    cursor = page["next_cursor"]
    if not cursor:
        break
ok(len(seen) == 7 and len(set(seen)) == 7, "paging in threes gives every professional once", seen)
status, body, _ = http("GET", "/v1/professionals?cursor=bogus", tok=tok)
ok(status == 400 and body["error"]["field"] == "cursor", "a made-up cursor is refused", body)
status, body, _ = http("GET", "/v1/professionals", tok=rae_tok)
ok(status == 403, "a key worker may not list the registry", body)

# Import
csv = """name,agency,discipline,email,phone,languages,localities,max_caseload,deputy_email,working_hours,active
Imp One,Health,ld_nurse,{a},01603 222222,en pl,NR2;NR3,10,{b},"mon 09:00-17:00; tue 09:00-12:30",true
Imp Two,Health,psychologist,{b},,en,NR4,8,,,
Bad Discipline,Health,wizard,{c},,,,,,,
Bad District,Health,teacher,{d},,,XX,,,,
Own Deputy,Health,teacher,{e},,,,,{e},,
Twice,Health,teacher,{b},,,,,,,
"Quoted, Name",Health,teacher,{f},,,,5,nobody@example.org,,
Short,Health
Hours,Health,teacher,{g},,,,,,"mon 9-5",
""".format(a=email("imp1"), b=email("imp2"), c=email("imp3"), d=email("imp4"), e=email("imp5"),
           f=email("imp6"), g=email("imp7"))
ANALYZED = ("SELECT sum(analyze_count) FROM pg_stat_user_tables WHERE schemaname = 'assignment'"
            " AND relname IN ('professionals', 'professional_terms')")
analyzed = int(scalar(ANALYZED))
status, report, _ = http("POST", "/v1/professionals/import", tok=tok, raw=csv.encode(),
                         headers={"Content-Type": "text/csv"})
ok(status == 200 and report["rows"] == 9 and report["created"] == 2 and report["updated"] == 0
   and report["unchanged"] == 0, "the good rows are registered", report)
# Matching's plans are made once a connection: an import that changes the
# registry takes its statistics at once, before it answers.
ok(int(scalar(ANALYZED)) >= analyzed + 2, "the import took the registry's statistics again",
   (analyzed, scalar(ANALYZED)))
got = [(r["line"], r["field"]) for r in report.get("rejected", [])]
ok(got == [(4, "discipline"), (5, "localities"), (6, "deputy_email"), (7, "email"), (8, "deputy_email"), (9, ""),
           (10, "working_hours")], "each bad row is reported with its line and column", report.get("rejected"))
status, again, _ = http("POST", "/v1/professionals/import", tok=tok, raw=csv.encode(),
                        headers={"Content-Type": "text/csv"})
ok(status == 200 and again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == 2,
   "the same file again changes nothing", again)
status, imp, _ = http("GET", "/v1/professionals?locality=NR3&language=pl", tok=tok)
one = [p for p in imp["items"] if p["name"] == "Imp One"]
ok(one and one[0]["working_hours"]["tue"] == ["09:00", "12:30"] and one[0]["deputy_id"]
   and one[0]["max_caseload"] == 10, "a row's lists, hours, maximum and deputy are kept", one)
changed = csv.replace("Imp Two,Health,psychologist", "Imp Two,Health,social_worker")
status, again, _ = http("POST", "/v1/professionals/import", tok=tok, raw=changed.encode(),
                        headers={"Content-Type": "text/csv"})
ok(status == 200 and again["updated"] == 1 and again["unchanged"] == 1, "a changed row is an update", again)
for bad, field in [("name,agency\nx,y\n", "header"), ("name,agency,discipline,email,colour\n", "header"),
                   ("", "file"), ("\xff\xfe,x\n", "file")]:
    status, body, _ = http("POST", "/v1/professionals/import", tok=tok, raw=bad.encode("latin-1"),
                           headers={"Content-Type": "text/csv"})
    ok(status == 400 and body["error"]["field"] == field, "a file that cannot be read is refused: %r" % bad[:20], body)
status, body, _ = http("POST", "/v1/professionals/import", tok=rae_tok, raw=csv.encode(),
                       headers={"Content-Type": "text/csv"})
ok(status == 403, "a key worker may not import", body)

# Events and audit
events = sql("SELECT type, correlation_id FROM bus.outbox WHERE producer = 'assignment'"
             " AND type = 'professional_changed' AND region = :'p1'", REGION)
ok(len(events) >= 10 and all(e[1] for e in events), "every registration and change is professional_changed",
   len(events))
payload = scalar("SELECT encode (payload, 'hex') FROM bus.outbox WHERE producer = 'assignment'"
                 " AND type = 'professional_changed' AND correlation_id = :'p1' ORDER BY seq LIMIT 1", rae["id"])
ok(payload and full["email"].encode().hex() in payload and b"NR2".hex() in payload and b"09:00".hex() in payload,
   "with the whole record: contact, districts, working hours", payload and payload[:80])
ok(scalar("SELECT count(*) FROM audit.events WHERE record_id = :'p1' AND action = 'read' AND outcome = 'ok'",
          rae["id"]) == "1", "a read is audited")
ok(int(scalar("SELECT count(*) FROM audit.events WHERE record_id = :'p1' AND outcome = 'forbidden'",
              sam["id"])) >= 1, "and a refusal")
done()
