"""Hostile input at the gateway: broken and truncated JSON, wrong types for
every field of the referral body, huge numbers, deep nesting, overlong
strings, invalid UTF-8, NUL bytes, nulls, missing and unknown fields, wrong
content types, oversized, half-sent and trickled bodies (raw sockets), bad
tokens, another region's token, path traversal, hostile query parameters and
SQL metacharacters in every string field. Every answer must be the right 4xx
with the error body {"error": {"code", "message", "field"}} (naming the field
where one applies), never a 5xx;
afterwards the stack is healthy, no process was restarted, nothing accepted
was lost and a normal referral still goes all the way to a case."""

import base64
import copy
import hashlib
import hmac
import json
import os
import random
import socket
import time
from kwtest import ok, done, token, http, referral, nhs_number, pid_of, sql, scalar, wait_until, VAR

rng = random.Random()
tok = token()
HOST, PORT = os.environ["KW_HTTP_ADDR"].rsplit(":", 1)
PORT = int(PORT)
secret = open(os.environ.get("KW_JWT_SECRET_FILE", os.path.join(VAR, "jwt_secret")), "rb").read().strip()
PROCS = ["gateway", "referral", "eligibility", "assignment", "scheduling", "notification", "bus"]
pids = {name: pid_of(name) for name in PROCS}
ERROR_CODES = {"invalid", "unauthenticated", "forbidden", "not_found", "conflict", "too_large",
               "unsupported_media_type", "unavailable", "method_not_allowed"}
CODE_OF = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
           405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}
accepted = {}       # referral id -> body posted (all must still be readable at the end)
no_5xx = [True]


def full_referral(nhs=None):
    """The README referral with every optional part filled in."""
    body = referral(nhs or nhs_number(rng), suggested="kw.one@example.org")
    body["referrer"]["phone"] = "01603 000000"
    body["needs"]["summary"] = "free text"
    for i, p in enumerate(body["professionals"]):
        p["email"] = "pro%d@example.org" % i
        p["phone"] = "01603 11111%d" % i
    body["family"] = [{"name": "Parent One", "relationship": "mother", "email": "mum@example.org",
                       "phone": "07700 900000", "preferred_contact": "email", "language": "en",
                       "has_parental_responsibility": True}]
    body["meeting_preferences"] = {"location": "home", "days": ["tue", "wed"],
                                   "earliest": "09:30", "latest": "15:00"}
    return body


def leaves(node, path=""):
    """(path, value) for every scalar in the body, with the API's field paths."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, path + "." + k if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, "%s[%d]" % (path, i))
    else:
        yield path, node


def containers(node, path=""):
    """(path, value) for every object and array below the top."""
    if isinstance(node, dict):
        for k, v in node.items():
            p = path + "." + k if path else k
            if isinstance(v, (dict, list)):
                yield p, v
                yield from containers(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            p = "%s[%d]" % (path, i)
            if isinstance(v, (dict, list)):
                yield p, v
                yield from containers(v, p)


def split_path(path):
    parts = []
    for seg in path.split("."):
        while "[" in seg:
            name, rest = seg.split("[", 1)
            if name:
                parts.append(name)
            idx, seg = rest.split("]", 1)
            parts.append(int(idx))
        if seg:
            parts.append(seg)
    return parts


def get_in(body, path):
    for part in split_path(path):
        body = body[part]
    return body


def set_in(body, path, value):
    parts = split_path(path)
    for part in parts[:-1]:
        body = body[part]
    body[parts[-1]] = value


def del_in(body, path):
    parts = split_path(path)
    for part in parts[:-1]:
        body = body[part]
    del body[parts[-1]]


def err_of(body):
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return None


def expect(name, resp, statuses, field=None, field_optional=False, code=None):
    """One case: the status is one of statuses (an int or a set), the body is
    the error body with the right code, and names field when given
    (field_optional: the field, when present, is that one). Never 5xx."""
    status, body = resp[0], resp[1]
    statuses = {statuses} if isinstance(statuses, int) else set(statuses)
    e = err_of(body)
    problems = []
    if status >= 500:
        no_5xx[0] = False
        problems.append("5xx answer")
    if status not in statuses:
        problems.append("status %d, wanted %s" % (status, sorted(statuses)))
    if e is None:
        problems.append("body is not {\"error\": {...}}")
    else:
        want_code = code or CODE_OF.get(status)
        if not isinstance(e.get("code"), str) or (want_code and e.get("code") != want_code):
            problems.append("error.code %r, wanted %r" % (e.get("code"), want_code))
        if not isinstance(e.get("message"), str) or not e.get("message"):
            problems.append("error.message missing")
        if field is not None:
            if field_optional:
                if "field" in e and e["field"] != field:
                    problems.append("error.field %r, wanted %r or none" % (e.get("field"), field))
            elif e.get("field") != field:
                problems.append("error.field %r, wanted %r" % (e.get("field"), field))
    diag = "; ".join(problems) + "\nstatus %s body %s" % (status, str(body)[:600])
    return ok(not problems, name, diag)


def post(body=None, raw=None, tok_=None, headers=None):
    return http("POST", "/v1/referrals", body=body, raw=raw, tok=tok_ or tok, headers=headers)


def get_referral(rid, tok_=None):
    return http("GET", "/v1/referrals/%s" % rid, tok=tok_ or tok)


def stored_or_rejected(name, body, path):
    """The body carries a hostile value at path: either 201 and the value
    reads back verbatim, or 400 naming exactly that field. Never 5xx."""
    status, resp, _ = post(body)
    want = get_in(body, path)
    if status == 201:
        accepted[resp["id"]] = body
        s, stored, _ = get_referral(resp["id"])
        try:
            got = get_in(stored, path)
        except (KeyError, IndexError, TypeError):
            got = "<missing>"
        return ok(s == 200 and got == want, name + " (stored verbatim)",
                  "read back %s: %r, posted %r" % (s, str(got)[:200], str(want)[:200]))
    return expect(name + " (rejected)", (status, resp), 400, field=path)


# ----------------------------------------------------------------------------
# Raw sockets

def raw_exchange(data, chunks=None, delay=0.0, close_after_send=False, timeout=10):
    """Send data (or the list chunks, delay seconds apart) on a fresh
    connection and read the answer; (status, parsed body or text, raw)."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    try:
        for piece in (chunks if chunks is not None else [data]):
            s.sendall(piece)
            if delay:
                time.sleep(delay)
        if close_after_send:
            return None
        out = b""
        while True:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                break
            out += c
            if b"\r\n\r\n" in out:
                head, _, rest = out.partition(b"\r\n\r\n")
                hl = head.lower()
                if b"content-length:" in hl:
                    n = int(hl.split(b"content-length:")[1].split(b"\r\n")[0])
                    if len(rest) >= n:
                        break
                elif b"transfer-encoding: chunked" in hl and rest.endswith(b"0\r\n\r\n"):
                    break
    finally:
        s.close()
    if not out:
        return 0, None, out
    head, _, rest = out.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    if b"transfer-encoding: chunked" in head.lower():
        body, buf = b"", rest
        while buf:
            size_line, _, buf = buf.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            body, buf = body + buf[:size], buf[size + 2:]
        rest = body
    try:
        return status, json.loads(rest.decode()), out
    except ValueError:
        return status, rest.decode("utf-8", "replace"), out


def request_bytes(method, target, body=b"", headers=None, tok_=None, content_length=None):
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: %s:%d" % (HOST, PORT), "Connection: close"]
    if tok_:
        lines.append("Authorization: Bearer " + tok_)
    for k, v in (headers or {}).items():
        lines.append("%s: %s" % (k, v))
    if body or content_length is not None:
        lines.append("Content-Length: %d" % (len(body) if content_length is None else content_length))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def healthy():
    s, b, _ = http("GET", "/v1/health")
    return s == 200 and isinstance(b, dict) and b.get("status") == "ok"


# ============================================================================
# 1. Broken, truncated and non-object JSON
base = full_referral()
text = json.dumps(base).encode()
for cut in sorted(set([1, 2, 10, 11, 30, 57, 100, len(text) // 3, len(text) // 2,
                       len(text) - 40, len(text) - 2, len(text) - 1])):
    expect("truncated JSON body (%d of %d bytes) is 400" % (cut, len(text)),
           post(raw=text[:cut]), 400)
broken = [
    b"", b" ", b"\n\n", b"{", b"}", b"{{}}", b"{\"source\"}", b"{\"source\":}", b"{'source': 'self'}",
    b"{\"source\": \"self\",}", b"{\"a\":1 \"b\":2}", b"{} x", b"{}{}", b"nul", b"tru",
    b"NaN", b"{\"x\": NaN}", b"{\"x\": Infinity}", b"{\"x\": -Infinity}", b"{\"x\": 01}",
    b"{\"x\": .5}", b"{\"x\": 1e}", b"{\"x\": +1}", b"{\"x\": 0x10}", b"{\"x\": \"\\x41\"}",
    b"{\"x\": \"\\u12\"}", b"{\"x\": \"\\ud800\"}", b"{\"x\": \"\\udc00\\ud800\"}",
    b"/* c */ {}", b"{} // c", b"\xef\xbb\xbf{}", b"{\"source\":\"self\",\"source\":\"self\"}",
    b"{\"x\": \"unterminated}", b"{\"x\": [1, 2}", b"{\"x\": {\"y\": 1]}", b"\x00{}", b"{}\x00",
    b"{\"source\":\x00\"self\"}", b"{\"x\": \"a\tb\"}", b"{\"x\": \"a\nb\"}",
]
for raw in broken:
    expect("malformed JSON %r is 400" % raw[:40], post(raw=raw), 400)
for raw in [b"[]", b"[1, 2]", b"\"referral\"", b"42", b"null", b"true", b"false", b"[{}]"]:
    expect("a non-object JSON body %r is 400" % raw, post(raw=raw), 400)
expect("an empty object is 400 naming source", post(body={}), 400, field="source")

# ============================================================================
# 2. Wrong types for every field path
base = full_referral()
ENUMS = {"source", "consent.basis"}
for path, value in leaves(base):
    if path in ENUMS:
        wrongs = [("a number", 1), ("an unknown value", "carrier_pigeon"), ("an array", ["self"])]
    elif isinstance(value, bool):
        wrongs = [("a string", "true"), ("a number", 1)]
    else:
        wrongs = [("a number", 12345), ("an object", {"$gt": ""})]
    for label, wrong in wrongs:
        body = full_referral()
        set_in(body, path, wrong)
        expect("%s as %s is 400 naming it" % (path, label), post(body=body), 400, field=path)
for path, value in containers(base):
    body = full_referral()
    if isinstance(value, list):
        set_in(body, path, {"0": value[0]})
        expect("%s as an object instead of an array is 400 naming it" % path, post(body=body), 400, field=path)
    else:
        set_in(body, path, "a string")
        expect("%s as a string instead of an object is 400 naming it" % path, post(body=body), 400, field=path)
for path in ["professionals", "family", "meeting_preferences.days"]:
    body = full_referral()
    get_in(body, path).append(None)
    n = len(get_in(body, path)) - 1
    expect("a null item in %s is 400 naming it" % path, post(body=body), 400, field="%s[%d]" % (path, n))

# ============================================================================
# 3. Unknown fields at every level, and hostile keys
for path, value in [("", base)] + [(p, v) for p, v in containers(base) if isinstance(v, dict)]:
    body = full_referral()
    target = get_in(body, path) if path else body
    target["shoe_size"] = 3
    want = (path + ".shoe_size") if path else "shoe_size"
    expect("an unknown field %s is 400 naming it" % want, post(body=body), 400, field=want)
for key in ["SOURCE", "source ", "child.given_name", "__proto__", "'; DROP TABLE referral.referrals; --",
            "k" * 300, "\u00e9\u00e8", "\U0001F600"]:
    body = full_referral()
    body["child"][key] = "x"
    # An over-long key may be named cut short (the path buffer is 256 bytes).
    expect("an unknown child key %r is 400" % key[:30], post(body=body), 400,
           field=None if len(key) > 200 else "child." + key)

# ============================================================================
# 4. Nulls and missing required fields
REQUIRED = ["source", "referrer", "referrer.name", "child", "child.nhs_number", "child.given_name",
            "child.family_name", "child.date_of_birth", "consent", "consent.basis",
            "professionals[0].name", "professionals[0].agency", "family[0].name"]
for path in REQUIRED:
    body = full_referral()
    del_in(body, path)
    expect("missing %s is 400 naming it" % path, post(body=body), 400, field=path)
    body = full_referral()
    set_in(body, path, None)
    expect("%s null is 400 naming it" % path, post(body=body), 400, field=path)
for path in ["referrer.name", "child.nhs_number", "child.given_name", "child.family_name",
             "child.date_of_birth", "professionals[0].name", "family[0].name"]:
    for blank in ["", "   \t\n"]:
        body = full_referral()
        set_in(body, path, blank)
        expect("%s blank %r is 400 naming it" % (path, blank), post(body=body), 400, field=path)

# ============================================================================
# 5. Values the rules reject: NHS numbers, dates, huge numbers
# (written forms with spaces and hyphens are accepted: test_validation)
for bad in ["123", "abcdefghij", "94347659190", "9434765918", "943 476 591", "9434765919\n",
            "943-476-5918", "943\t476\t5919", "943.476.5919", "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",
            "-434765919", "1e10000000", "0000000000x"]:
    body = full_referral()
    body["child"]["nhs_number"] = bad
    expect("child.nhs_number %r is 400 naming it" % bad, post(body=body), 400, field="child.nhs_number")
for path in ["child.date_of_birth", "consent.date"]:
    for bad in ["2015-02-30", "2015-13-01", "2015-00-10", "15-03-02", "2015-3-2", "2099-01-01",
                "0000-00-00", "2015-03-02T00:00:00Z", "+2015-03-02", "99999-01-01", "yesterday",
                "2015-03-02'; --"]:
        body = full_referral()
        set_in(body, path, bad)
        expect("%s %r is 400 naming it" % (path, bad), post(body=body), 400, field=path)
huge = [b"1e400", b"-1e400", b"123456789012345678901234567890", b"-99999999999999999999999"]
for h in huge:
    expect("a huge number %s as source is 400" % h.decode(),
           post(raw=b'{"source": ' + h + b'}'), 400, field="source", field_optional=True)
    expect("a huge number %s in child.in_complex_needs_school is 400" % h.decode(),
           post(raw=json.dumps(full_referral()).encode().replace(
               b'"in_complex_needs_school": false', b'"in_complex_needs_school": ' + h)),
           400, field="child.in_complex_needs_school", field_optional=True)
for num in [b"1e308", b"-0", b"1.5", b"9223372036854775807", b"-9223372036854775808"]:
    expect("the number %s in needs.autism is 400 naming it" % num.decode(),
           post(raw=json.dumps(full_referral()).encode().replace(b'"autism": true', b'"autism": ' + num)),
           400, field="needs.autism")

# ============================================================================
# 6. Overlong strings, too many items
LIMITS = {"referrer.name": 200, "referrer.agency": 200, "referrer.role": 200, "referrer.email": 200,
          "referrer.phone": 200, "child.given_name": 200, "child.family_name": 200,
          "child.postcode": 10, "child.gp_practice": 10, "child.language": 35,
          "needs.summary": 4000, "consent.given_by": 200, "professionals[0].name": 200,
          "professionals[0].agency": 200, "family[0].name": 200}
for path, limit in LIMITS.items():
    body = full_referral()
    set_in(body, path, "x" * (limit + 1))
    expect("%s of %d characters is 400 naming it" % (path, limit + 1), post(body=body), 400, field=path)
for path in ["referrer.name", "child.given_name", "needs.summary", "family[0].name"]:
    body = full_referral()
    set_in(body, path, "y" * LIMITS[path])
    stored_or_rejected("%s of exactly %d characters" % (path, LIMITS[path]), body, path)
UNBOUNDED = ["professionals[0].discipline", "professionals[0].email", "professionals[0].phone",
             "family[0].relationship", "family[0].email", "family[0].phone", "family[0].preferred_contact",
             "family[0].language", "suggested_key_worker.email", "meeting_preferences.location",
             "meeting_preferences.earliest", "meeting_preferences.latest", "meeting_preferences.days[0]"]
for path in UNBOUNDED:
    body = full_referral()
    set_in(body, path, "z" * 100000)
    stored_or_rejected("%s of 100000 characters" % path, body, path)
body = full_referral()
body["professionals"] = body["professionals"] * 17 + body["professionals"][:0]
expect("51 professionals is 400 naming professionals", post(body=body), 400, field="professionals")
body = full_referral()
body["family"] = body["family"] * 21
expect("21 family members is 400 naming family", post(body=body), 400, field="family")
body = full_referral()
body["meeting_preferences"]["days"] = ["mon"] * 1001
expect("1001 meeting days is 400 naming the field", post(body=body), 400, field="meeting_preferences.days")
body = full_referral()
body["professionals"] = [{"name": "p", "agency": "a"}] * 5000
expect("5000 professionals is 400 naming professionals", post(body=body), 400, field="professionals")

# ============================================================================
# 7. Deep nesting
for depth in [40, 1000, 5000, 50000]:
    raw = b'{"child": {"given_name": ' + b"[" * depth + b"]" * depth + b"}}"
    expect("arrays nested %d deep in child.given_name are 400" % depth, post(raw=raw), 400,
           field="child.given_name", field_optional=True)
    raw = b'{"needs": ' + b'{"summary": ' * depth + b'"x"' + b"}" * depth + b"}"
    expect("objects nested %d deep under needs are 400" % depth, post(raw=raw), 400,
           field="needs.summary", field_optional=True)
expect("an unclosed nesting of 200000 brackets is 400", post(raw=b"[" * 200000), 400)

# ============================================================================
# 8. Invalid UTF-8, NUL bytes and control characters
body_text = json.dumps(full_referral()).encode()
for bad in [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80", b"\xf8\x88\x80\x80\x80"]:
    raw = body_text.replace(b'"given_name": "Test"', b'"given_name": "Te' + bad + b'st"')
    expect("invalid UTF-8 %r in child.given_name is 400" % bad, post(raw=raw), 400,
           field="child.given_name", field_optional=True)
raw = body_text.replace(b'"given_name"', b'"given_\xffname"')
expect("invalid UTF-8 in a key is 400", post(raw=raw), 400)
for path in ["child.given_name", "referrer.name", "needs.summary", "family[0].email"]:
    body = full_referral()
    set_in(body, path, "a\u0000b")
    expect("an escaped NUL in %s is 400" % path, post(body=body), 400, field=path, field_optional=True)
    raw = json.dumps(full_referral()).encode()
    leaf = json.dumps(get_in(full_referral(), path)).encode()
    raw = raw.replace(leaf, leaf[:-1] + b"\x00" + b'"', 1)
    expect("a raw NUL byte in %s is 400" % path, post(raw=raw), 400, field=path, field_optional=True)
body = full_referral()
body["needs"]["summary"] = "ctl\u0001\u001f\u007f\u2028\u2029\ufeff end"
stored_or_rejected("escaped control characters in needs.summary", body, "needs.summary")
body = full_referral()
body["child"]["given_name"] = "\U0001F600 Zo\u00eb \u202e"
stored_or_rejected("emoji and bidi override in child.given_name", body, "child.given_name")

# ============================================================================
# 9. Content types and sizes
good_text = json.dumps(full_referral()).encode()
for ctype in ["text/plain", "application/xml", "application/jsonp", "application/json-patch+json",
              "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "json", "",
              "application/javascript", "text/json"]:
    status, body, _ = http("POST", "/v1/referrals", raw=good_text, tok=tok, headers={"Content-Type": ctype})
    expect("Content-Type %r is 415" % ctype, (status, body), 415)
status, body, raw = raw_exchange(request_bytes("POST", "/v1/referrals", good_text, tok_=tok))
expect("no Content-Type at all is 415", (status, body), 415)
status, body, raw = raw_exchange(request_bytes("POST", "/v1/referrals", b"", tok_=tok,
                                               headers={"Content-Type": "application/json"}))
expect("no body at all is 400", (status, body), 400)
for size in [1024 * 1024 + 1, 5 * 1024 * 1024]:
    expect("a body of %d bytes is 413" % size,
           post(raw=b'{"needs": {"summary": "' + b"a" * (size - 26) + b'"}}'), 413)
status, body, raw = raw_exchange(request_bytes("POST", "/v1/referrals", tok_=tok, content_length=25 * 1024 * 1024,
                                               headers={"Content-Type": "application/json"}))
# Beyond the hard 20 MiB limit h2o refuses before reading the body (and before
# the gateway's handler runs), so the answer is 413 in plain text, stating the limits.
ok(status == 413 and isinstance(body, str) and "over the limit of 20 MiB" in body
   and "a JSON body: at most 1 MiB" in body,
   "a declared Content-Length of 25 MiB is 413 without reading the body, stating the limits", (status, body))
# Without a token, too: only the headers are sent, and the 413 comes first
# (docs/security.md, "Request bodies").
status, body, raw = raw_exchange(request_bytes("POST", "/v1/referrals", content_length=25 * 1024 * 1024,
                                               headers={"Content-Type": "application/json"}))
ok(status == 413 and isinstance(body, str) and "over the limit of 20 MiB" in body,
   "no token and a declared 25 MiB body: 413 on the headers alone, the body never awaited", (status, body))
status, body, raw = raw_exchange(request_bytes("POST", "/v1/referrals", good_text + b"x" * (2 * 1024 * 1024),
                                               tok_=tok, headers={"Content-Type": "text/plain"}))
expect("an oversized body with the wrong content type is 413 or 415", (status, body), {413, 415})

# ============================================================================
# 10. Half-sent and slow bodies (raw sockets)
hdr = lambda n: request_bytes("POST", "/v1/referrals", tok_=tok, content_length=n,
                              headers={"Content-Type": "application/json"})
raw_exchange(None, chunks=[hdr(1000) + good_text[:10]], close_after_send=True)
ok(healthy(), "a body cut short of its Content-Length, then closed: the gateway stays healthy")
raw_exchange(None, chunks=[hdr(10 * 1024 * 1024) + b"{" * 65536], close_after_send=True)
ok(healthy(), "10 MiB declared, 64 KiB sent, then closed: the gateway stays healthy")
raw_exchange(None, chunks=[hdr(500)], close_after_send=True)
ok(healthy(), "headers only, then closed: the gateway stays healthy")
raw_exchange(None, chunks=[hdr(500)[:40]], close_after_send=True)
ok(healthy(), "half a request line and headers, then closed: the gateway stays healthy")
# Connections that stay open half-sent must not block anyone else.
held = []
for n in range(20):
    s = socket.create_connection((HOST, PORT), timeout=10)
    s.sendall(hdr(4096) + good_text[:n * 5])
    held.append(s)
t0 = time.monotonic()
ok(healthy() and time.monotonic() - t0 < 3, "20 half-sent requests held open do not block other callers")
for s in held:
    s.close()
# A body trickled in small pieces, slowly, is still a good referral.
slow = full_referral()
slow_text = json.dumps(slow).encode()
pieces = [hdr(len(slow_text))] + [slow_text[i:i + 64] for i in range(0, len(slow_text), 64)]
t0 = time.monotonic()
status, body, raw = raw_exchange(None, chunks=pieces, delay=0.05, timeout=30)
ok(status == 201 and isinstance(body, dict) and body.get("id"),
   "a body trickled in %d pieces over %.1f s is accepted" % (len(pieces), time.monotonic() - t0), raw[:400])
if status == 201:
    accepted[body["id"]] = slow
# Headers trickled byte by byte.
trickle = request_bytes("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000", tok_=tok)
status, body, raw = raw_exchange(None, chunks=[trickle[i:i + 7] for i in range(0, len(trickle), 7)], delay=0.01)
expect("headers trickled in 7-byte pieces still route (404 for an unknown id)", (status, body), 404)
# A slow body that is truncated: declared 4 KiB, trickled 1 KiB, then closed.
raw_exchange(None, chunks=[hdr(4096)] + [good_text[i:i + 100] for i in range(0, 1000, 100)],
             delay=0.05, close_after_send=True)
ok(healthy(), "a trickled body abandoned half way: the gateway stays healthy")
status, body, raw = raw_exchange(b"GARBAGE\r\n\r\n")
ok(status == 400, "a request line that is not HTTP is 400 (from h2o)", raw[:200])
status, body, raw = raw_exchange(
    b"POST /v1/referrals HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nAuthorization: Bearer " + tok.encode() + b"\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
ok(status == 400, "broken chunked encoding is 400 (from h2o)", raw[:200])
chunked_body = json.dumps(full_referral()).encode()
status, body, raw = raw_exchange(
    b"POST /v1/referrals HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nAuthorization: Bearer " + tok.encode() + b"\r\n\r\n"
    + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [chunked_body[i:i + 50] for i in range(0, len(chunked_body), 50)])
    + b"0\r\n\r\n")
ok(status == 201, "a well-formed chunked body is accepted", raw[:300])
if status == 201:
    accepted[body["id"]] = json.loads(chunked_body)
# Protocol-level abuse that h2o answers itself: any 4xx, and the gateway survives.
for label, data in [
        ("a 100 KiB header", request_bytes("GET", "/v1/health", headers={"X-Junk": "j" * 102400})),
        ("500 headers", request_bytes("GET", "/v1/health", headers={"X-H%d" % i: "v" for i in range(500)})),
        ("two conflicting Content-Lengths",
         request_bytes("POST", "/v1/referrals", good_text, tok_=tok, headers={"Content-Type": "application/json"})
         .replace(b"Content-Length:", b"Content-Length: 5\r\nContent-Length:", 1)),
        ("a negative Content-Length", request_bytes("POST", "/v1/referrals", tok_=tok, content_length=-1,
                                                    headers={"Content-Type": "application/json"})),
        ("HTTP/9.9", b"GET /v1/health HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n")]:
    status, body, raw = raw_exchange(data)
    ok(status == 0 or (status < 500 and (400 <= status or "/v1/health" in data[:20].decode("latin-1"))),
       "%s is answered without a 5xx (a 4xx, a closed connection, or health)" % label, raw[:200])
    if status >= 500:
        no_5xx[0] = False
ok(healthy(), "after the protocol-level abuse the gateway stays healthy")
# A burst of hostile requests in parallel.
import threading
burst = []
def hostile_worker(n):
    for k in range(10):
        raws = [b"{", b"[]", b'{"child": 1}', b"\xff", json.dumps(full_referral()).encode()[:50]]
        st, bd, _ = post(raw=raws[(n + k) % len(raws)])
        burst.append((st, err_of(bd) is not None))
threads = [threading.Thread(target=hostile_worker, args=(n,)) for n in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ok(len(burst) == 160 and all(st == 400 and e for st, e in burst),
   "160 hostile requests from 16 parallel callers are each a JSON 400",
   sorted(set(burst)))
big = b'{"needs": {"summary": "' + b"a" * (2 * 1024 * 1024) + b'"}}'
status, body, raw = raw_exchange(
    b"POST /v1/referrals HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\nAuthorization: Bearer " + tok.encode() + b"\r\n\r\n"
    + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [big[i:i + 65536] for i in range(0, len(big), 65536)])
    + b"0\r\n\r\n")
expect("a chunked body over 1 MiB is 413", (status, body), 413)

# ============================================================================
# 11. Tokens


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header, claims, key=secret, raw_header=None, raw_claims=None):
    h = raw_header if raw_header is not None else json.dumps(header).encode()
    c = raw_claims if raw_claims is not None else json.dumps(claims).encode()
    signing = b64(h) + "." + b64(c)
    return signing + "." + b64(hmac.new(key, signing.encode(), hashlib.sha256).digest())


now = int(time.time())
ISS = os.environ.get("KW_JWT_ISSUER") or "kw-local"
AUD = os.environ.get("KW_JWT_AUDIENCE") or "kw-api"
claims = {"sub": "hostile", "role": "coordinator", "region": "norfolk", "iss": ISS, "aud": AUD,
          "iat": now - 10, "exp": now + 600}


def without(name):
    return {k: v for k, v in claims.items() if k != name}

HS = {"alg": "HS256", "typ": "JWT"}
valid = forge(HS, claims)
sig = valid.rsplit(".", 1)[1]
bad_tokens = [
    ("no Authorization header", None),
    ("an empty Authorization header", ""),
    ("Bearer with no token", "Bearer"),
    ("Bearer and a space", "Bearer "),
    ("a Basic scheme", "Basic dXNlcjpwYXNz"),
    ("a Token scheme", "Token " + valid),
    ("the token without a scheme", valid),
    ("Bearer with two spaces", "Bearer  " + valid),
    ("a token that is not a JWT", "Bearer abc"),
    ("a JWT of two parts", "Bearer " + valid.rsplit(".", 1)[0]),
    ("a JWT of four parts", "Bearer " + valid + ".x"),
    ("a JWT of empty parts", "Bearer .."),
    ("a JWT with an empty payload", "Bearer " + valid.split(".")[0] + ".." + sig),
    ("non-base64 characters", "Bearer " + valid.replace(".", "!.", 1)),
    ("standard base64 padding on the signature", "Bearer " + valid + "="),
    ("a truncated signature", "Bearer " + valid[:-3]),
    ("a wrong signature", "Bearer " + forge(HS, claims, b"wrong-secret-0123456789")),
    ("a signature with the secret plus a byte", "Bearer " + forge(HS, claims, secret + b"x")),
    ("an empty key", "Bearer " + forge(HS, claims, b"")),
    ("a tampered payload", "Bearer " + ".".join([valid.split(".")[0],
                                                 b64(json.dumps(dict(claims, role="admin")).encode()), sig])),
    ("an expired token", "Bearer " + forge(HS, dict(claims, exp=now - 5))),
    ("exp of 0 seconds ago", "Bearer " + forge(HS, dict(claims, exp=now))),
    ("exp as a string", "Bearer " + forge(HS, dict(claims, exp=str(now + 600)))),
    ("exp as a float", "Bearer " + forge(HS, dict(claims, exp=now + 600.5))),
    ("exp huge", "Bearer " + forge(HS, {}, raw_claims=json.dumps(dict(claims)).encode()
                                   .replace(b'"exp": %d' % (now + 600), b'"exp": 1e400'))),
    ("alg none, unsigned", "Bearer " + b64(b'{"alg":"none"}') + "." + b64(json.dumps(claims).encode()) + "."),
    ("alg none, signed", "Bearer " + forge({"alg": "none"}, claims)),
    ("alg None", "Bearer " + forge({"alg": "None"}, claims)),
    ("alg hs256 in lower case", "Bearer " + forge({"alg": "hs256"}, claims)),
    ("alg HS512", "Bearer " + forge({"alg": "HS512"}, claims)),
    ("alg RS256", "Bearer " + forge({"alg": "RS256"}, claims)),
    ("no alg", "Bearer " + forge({"typ": "JWT"}, claims)),
    ("a header that is not JSON", "Bearer " + forge(None, claims, raw_header=b"not json")),
    ("a header that is an array", "Bearer " + forge(None, claims, raw_header=b'["HS256"]')),
    ("duplicate alg", "Bearer " + forge(None, claims, raw_header=b'{"alg":"none","alg":"HS256"}')),
    ("a payload that is not JSON", "Bearer " + forge(HS, None, raw_claims=b"{sub")),
    ("a payload that is an array", "Bearer " + forge(HS, None, raw_claims=b"[]")),
    ("a payload with invalid UTF-8", "Bearer " + forge(HS, None, raw_claims=b'{"sub":"\xff"}')),
    ("no sub", "Bearer " + forge(HS, {k: v for k, v in claims.items() if k != "sub"})),
    ("no role", "Bearer " + forge(HS, {k: v for k, v in claims.items() if k != "role"})),
    ("no region", "Bearer " + forge(HS, {k: v for k, v in claims.items() if k != "region"})),
    ("an empty region", "Bearer " + forge(HS, dict(claims, region=""))),
    ("a numeric sub", "Bearer " + forge(HS, dict(claims, sub=7))),
    ("an unknown role", "Bearer " + forge(HS, dict(claims, role="superuser"))),
    ("a role of null", "Bearer " + forge(HS, dict(claims, role=None))),
    ("an overlong sub", "Bearer " + forge(HS, dict(claims, sub="s" * 5000))),
    ("a token over 8 KiB", "Bearer " + forge(HS, dict(claims, pad="p" * 9000))),
    ("no exp", "Bearer " + forge(HS, without("exp"))),
    ("exp 0 (never)", "Bearer " + forge(HS, dict(claims, exp=0))),
    ("no iat", "Bearer " + forge(HS, without("iat"))),
    ("iat two minutes ahead", "Bearer " + forge(HS, dict(claims, iat=now + 120, exp=now + 720))),
    ("nbf two minutes ahead", "Bearer " + forge(HS, dict(claims, nbf=now + 120))),
    ("a lifetime over 12 hours", "Bearer " + forge(HS, dict(claims, exp=claims["iat"] + 12 * 3600 + 1))),
    ("no iss", "Bearer " + forge(HS, without("iss"))),
    ("another issuer", "Bearer " + forge(HS, dict(claims, iss="https://elsewhere.example"))),
    ("no aud", "Bearer " + forge(HS, without("aud"))),
    ("another audience", "Bearer " + forge(HS, dict(claims, aud="another-api"))),
    ("an audience list without this API", "Bearer " + forge(HS, dict(claims, aud=["a", "b"]))),
    ("a region no region file names", "Bearer " + forge(HS, dict(claims, region="nowhere"))),
    ("a region of SQL", "Bearer " + forge(HS, dict(claims, region="norfolk' OR '1'='1"))),
    ("the region in upper case", "Bearer " + forge(HS, dict(claims, region="NORFOLK"))),
    ("a region that is a path", "Bearer " + forge(HS, dict(claims, region="../../etc/passwd"))),
]
ROUTES = [("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000"), ("POST", "/v1/referrals"),
          ("GET", "/v1/eligibility/ruleset"), ("GET", "/v1/cases/00000000-0000-4000-8000-000000000000"),
          ("GET", "/v1/notifications?case_id=x")]
for i, (label, auth) in enumerate(bad_tokens):
    method, path = ROUTES[i % len(ROUTES)]
    headers = {} if auth is None else {"Authorization": auth}
    if method == "POST":
        headers["Content-Type"] = "application/json"
    data = good_text if method == "POST" else None
    status, body, hdrs = http(method, path, raw=data, headers=headers)
    expect("%s on %s %s is 401" % (label, method, path.split("?")[0]), (status, body), 401)
status, body, hdrs = http("GET", "/v1/referrals/x", headers={"Authorization": "Basic abc"})
ok(hdrs.get("WWW-Authenticate") == "Bearer", "a 401 carries WWW-Authenticate: Bearer", dict(hdrs))
status, body, _ = http("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000", tok=forge(HS, claims))
expect("a forged-but-correct token reaches the service (404 for an unknown id)", (status, body), 404)
status, body, _ = http("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000",
                       tok=forge(HS, dict(claims, aud=["another-api", AUD], nbf=now + 30, iat=now + 30)))
expect("an audience list holding this API, iat and nbf within the minute of skew: accepted", (status, body), 404)

# ============================================================================
# 12. Another region, another caller
mine = full_referral()
status, body, _ = post(mine)
ok(status == 201, "a norfolk referral for the region checks is accepted", body)
rid = body.get("id") if status == 201 else "00000000-0000-4000-8000-000000000000"
if status == 201:
    accepted[rid] = mine
nhse = token(region="nhse", sub="nhse-coordinator")
expect("a norfolk referral read with an nhse token is 404", get_referral(rid, nhse), 404)
expect("a norfolk referral read with a token for an unknown region is 401",
       get_referral(rid, token(region="nowhere")), 401)
expect("the ruleset with a token whose region is a path is 401", http("GET", "/v1/eligibility/ruleset",
                                                                      tok=token(region="../../etc/passwd")), 401)
for hostile in ["x", "'%20OR%20'1'='1", "..%2F..%2Fetc", "0" * 127, "00000000-0000-4000-8000-00000000000g",
                "%00"]:
    expect("re-evaluating the referral id %s is 404" % hostile[:24],
           http("POST", "/v1/referrals/%s/re-evaluate" % hostile, tok=tok), 404)
expect("re-evaluating a norfolk referral with an nhse token is 404",
       http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=nhse), 404)
expect("re-evaluating with a referrer's token is 403",
       http("POST", "/v1/referrals/%s/re-evaluate" % rid, tok=token(role="referrer")), 403)
expect("the region's re-evaluation with a coordinator token is 403",
       http("POST", "/v1/admin/eligibility/re-evaluate", tok=tok), 403)
expect("the age-out sweep with a key worker token is 403",
       http("POST", "/v1/admin/eligibility/age-out", tok=token(role="key_worker")), 403)
expect("the age-out sweep for a region no region file names is 401",
       http("POST", "/v1/admin/eligibility/age-out", tok=token(role="admin", region="nowhere")), 401)
expect("an admin command with a junk body is judged on the token alone (403)",
       http("POST", "/v1/admin/eligibility/re-evaluate", raw=b"\x00{junk", tok=tok,
            headers={"Content-Type": "application/json"}), 403)
case_id = None
def has_case():
    s, b, _ = get_referral(rid)
    return b.get("case_id") if s == 200 and isinstance(b, dict) else None
case_id = wait_until(has_case, 20)
if case_id:
    expect("a norfolk case read with an nhse token is 404", http("GET", "/v1/cases/%s" % case_id, tok=nhse), 404)
    s, b, _ = http("GET", "/v1/notifications?case_id=%s" % case_id, tok=nhse)
    ok(s in (403, 404) or (s == 200 and b.get("items") == []),
       "a norfolk case's notifications are not listed for an nhse token", (s, b))
else:
    ok(False, "the region-check referral opens a case", "no case_id")
    ok(False, "a norfolk case's notifications are not listed for an nhse token", "no case_id")

# ============================================================================
# 13. Paths: traversal, encodings, odd ids, methods
A = {"Authorization": "Bearer " + tok}
traversal = [
    "/v1/referrals/../../etc/passwd", "/v1/referrals/%2e%2e/%2e%2e/etc/passwd",
    "/v1/referrals/..%2f..%2fetc%2fpasswd", "/v1/referrals/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/v1/referrals/..%5c..%5cetc%5cpasswd", "/v1/referrals/....//....//etc/passwd",
    "/v1/referrals/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/v1/referrals/..;/..;/etc/passwd",
    "/v1/referrals/%2e%2e%2f%2e%2e%2fmetrics", "/v1/referrals/../../metrics/../v1/health/x",
    "/v1/cases/../referrals/../../../../etc/shadow", "/v1/referrals/%00", "/v1/referrals/x%00y",
    "/v1/referrals/%ff%fe", "/v1/referrals/%", "/v1/referrals/%zz", "/v1/referrals/'%20OR%201=1--",
    "/v1/referrals/1;DROP%20TABLE%20referral.referrals", "/v1/referrals/%3Cscript%3E",
    "/v1/referrals/" + "a" * 127, "/v1/referrals/" + "a" * 128, "/v1/referrals/" + "a" * 5000,
    "/v1/referrals/x/", "/v1/referrals/x/y", "/v1/referrals//x", "//v1//referrals//x",
    "/V1/REFERRALS/x", "/v1/referrals/x?", "/v1/cases/%2e%2e", "/v1/cases/00000000-0000-4000-8000-00000000000g",
    "/v1/referrals/00000000-0000-4000-8000-000000000000%20", "/v1/referrals/{id}",
]
for target in traversal:
    status, body, raw = raw_exchange(request_bytes("GET", target, tok_=tok))
    expect("GET %s is 400 or 404" % target[:70], (status, body), {400, 404})
for target in ["/v1/referrals/../health", "/v1/../v1/health", "/v1/referrals/%2e%2e/health"]:
    status, body, raw = raw_exchange(request_bytes("GET", target))
    ok(status in (200, 404) and isinstance(body, dict), "GET %s normalises to a known answer" % target, raw[:200])
for method, path, allow in [("DELETE", "/v1/referrals", "POST, GET"), ("PUT", "/v1/referrals/x", "GET"),
                            ("PATCH", "/v1/cases/x", "GET"), ("POST", "/v1/health", "GET"),
                            ("DELETE", "/metrics", "GET"), ("GET", "/v1/dsr/imports", "POST"),
                            ("GET", "/v1/referrals/x/withdraw", "POST"),
                            ("FOO", "/v1/eligibility/ruleset", "GET")]:
    status, body, raw = raw_exchange(request_bytes(method, path, tok_=tok))
    got_allow = b"allow: " + allow.encode() in raw.lower().replace(b"allow: " + allow.lower().encode(),
                                                                   b"allow: " + allow.encode())
    expect("%s %s is 405" % (method, path), (status, body), 405)
    ok(got_allow, "%s %s names Allow: %s" % (method, path, allow), raw[:300])

# ============================================================================
# 14. Query parameters
for query, field in [("limit=lots", "limit"), ("limit=-1", "limit"), ("limit=1e3", "limit"),
                     ("limit=99999999999999999999", "limit"), ("limit=9223372036854775808", "limit"),
                     ("limit=", "limit"), ("limit=%00", "limit"), ("limit=%zz", "limit"),
                     ("limit=1&limit=2", "limit"), ("limit=0x10", "limit"), ("limit=5;", "limit"),
                     ("case_id=" + "c" * 600, "case_id"), ("case_id=%ff%fe", "case_id"),
                     ("case_id=a%00b", "case_id"), ("case_id=x&case_id=y", "case_id"),
                     ("cursor=%27%20OR%201%3D1--", "cursor"), ("cursor=../../etc/passwd", "cursor"),
                     ("colour=red", "colour"), ("items=1", "items"), ("%ff=1", None), ("=1", None)]:
    status, body, _ = http("GET", "/v1/notifications?" + query, tok=tok)
    expect("GET /v1/notifications?%s is 400%s" % (query[:50], " naming " + field if field else ""),
           (status, body), 400, field=field)
for query in ["&&&", "limit=1&&", "limit=%2B5"]:
    status, body, _ = http("GET", "/v1/notifications?" + query, tok=tok)
    ok(status == 200 and isinstance(body, dict) and isinstance(body.get("items"), list),
       "GET /v1/notifications?%s is 200 with a list" % query, (status, str(body)[:300]))
for query in ["case_id='%20OR%20'1'='1", "case_id=1;DROP%20TABLE%20notification.deliveries",
              "case_id=%25", "case_id=*"]:
    status, body, _ = http("GET", "/v1/notifications?" + query, tok=tok)
    ok(status == 200 and isinstance(body, dict) and body.get("items") == [],
       "GET /v1/notifications?%s is 200 with no items" % query, (status, body))
for query, field in [("status=bogus", "status"), ("status=SENT", "status"), ("channel=pigeon", "channel"),
                     ("status=sent%00", "status"), ("template=" + "t" * 600, "template")]:
    expect("GET /v1/notifications?%s is 400 naming %s" % (query[:50], field),
           http("GET", "/v1/notifications?" + query, tok=tok)[:2], 400, field=field)
for path in ["/v1/notifications/not-a-uuid", "/v1/notifications/%27%20OR%201%3D1",
             "/v1/notifications/00000000-0000-4000-8000-00000000000g"]:
    expect("GET %s is 400 naming id" % path[:60], http("GET", path, tok=tok)[:2], 400, field="id")
    expect("POST %s/retry is 400 naming id" % path[:60], http("POST", path + "/retry", tok=tok)[:2], 400, field="id")
expect("a retry of a notification nobody has is 404",
       http("POST", "/v1/notifications/00000000-0000-4000-8000-000000000000/retry", tok=tok)[:2], 404)
expect("a key worker may not retry a notification",
       http("POST", "/v1/notifications/00000000-0000-4000-8000-000000000000/retry",
            tok=token(role="key_worker", sub="kw-hostile", professional_id="00000000-0000-4000-8000-000000000001"))[:2],
       403)
for path in ["/v1/referrals/x?colour=red", "/v1/dsr/entries/x?region=nhse", "/v1/cases/x?x=%00"]:
    expect("GET %s (no query taken) is 400" % path, http("GET", path, tok=tok)[:2], 400)

# ============================================================================
# 15. Idempotency-Key abuse
for label, key in [("201 characters", "k" * 201), ("a tab", "a\tb")]:
    status, body, raw = raw_exchange(request_bytes("POST", "/v1/referrals", good_text, tok_=tok,
                                                   headers={"Content-Type": "application/json",
                                                            "Idempotency-Key": key}))
    expect("an Idempotency-Key with %s is 400 naming it" % label, (status, body), 400, field="Idempotency-Key")
status, body, raw = raw_exchange(
    request_bytes("POST", "/v1/referrals", good_text, tok_=tok, headers={"Content-Type": "application/json"})
    .replace(b"Content-Type", b"Idempotency-Key: k\x01\x02\r\nContent-Type", 1))
ok(status == 400, "an Idempotency-Key with control bytes is 400 (from h2o)", raw[:300])

# ============================================================================
# 16. SQL metacharacters in every string field
SQLI = ["'; DROP TABLE referral.referrals; --", "\" OR \"1\"=\"1", "' OR '1'='1' --", "\\", "\\'", "%_%",
        "$1 $$ $body$", "E'\\x00'", "); DELETE FROM audit.events; --", "/* */ -- ;",
        "Robert'); DROP TABLE students;--", "\u2019\u02bc\uff07 quotes", "{\"a\": 1}", "NULL", "\\N",
        "'||pg_sleep(5)||'", "x' AND 1=(SELECT COUNT(*) FROM pg_tables) AND 'a'='a"]
base = full_referral()
string_paths = [p for p, v in leaves(base) if isinstance(v, str) and p not in ENUMS]
for i, path in enumerate(string_paths):
    for j in range(2):
        payload = SQLI[(i * 2 + j) % len(SQLI)]
        body = full_referral()
        set_in(body, path, payload)
        t0 = time.monotonic()
        stored_or_rejected("SQL metacharacters %r in %s" % (payload[:24], path), body, path)
        if time.monotonic() - t0 > 4:
            ok(False, "the SQL payload in %s took %.1f s" % (path, time.monotonic() - t0))
ok(scalar("SELECT count(*) FROM referral.referrals") not in (None, "0"),
   "referral.referrals still exists and holds the accepted referrals")
ok(int(scalar("SELECT count(*) FROM audit.events") or 0) > 0, "audit.events still holds events")

# ============================================================================
# 17. The assignment routes: professionals, absences, cases, offers, teams
pro_base = {"name": "Hostile Pro", "agency": "Agency", "discipline": "social_worker", "email": "hp@example.org",
            "phone": "01603 000000", "languages": ["en"], "localities": ["NR2"], "max_caseload": 5,
            "working_hours": {"mon": ["09:00", "17:00"]}}
pro_n = [0]


def pro_body(**change):
    pro_n[0] += 1
    body = copy.deepcopy(pro_base)
    body["email"] = "hp%d.%d@example.org" % (pro_n[0], rng.randrange(10 ** 9))
    body.update(change)
    return body


def post_pro(body=None, raw=None):
    return http("POST", "/v1/professionals", body=body, raw=raw, tok=tok)


for raw in [b"", b"{", b"{\"name\": ", b"[]", b"null", b"\"x\"", b"{\"name\": \"a\"}}", b"\xff\xfe"]:
    expect("POST /v1/professionals with %r is 400" % raw[:20], post_pro(raw=raw)[:2], 400)
for field in ["name", "agency", "discipline", "email", "phone"]:
    for wrong in [7, 1.5, True, ["x"], {"a": 1}]:
        expect("professional %s as %s is 400 naming it" % (field, type(wrong).__name__),
               post_pro(pro_body(**{field: wrong}))[:2], 400, field=field)
    for text in ["x" * 10000, "a\u0000b", "line\nbreak"]:
        expect("professional %s with %r is 400 naming it" % (field, text[:8]),
               post_pro(pro_body(**{field: text}))[:2], 400, field=field, field_optional="\u0000" in text)
for field, wrong in [("languages", "en"), ("languages", [1]), ("localities", "NR2"), ("localities", [None]),
                     ("max_caseload", "5"), ("max_caseload", -1), ("max_caseload", 2 ** 40), ("max_caseload", 1.5),
                     ("working_hours", []), ("working_hours", {"mon": "09:00"}), ("working_hours", {"moon": []}),
                     ("deputy_id", 5), ("deputy_id", "' OR '1'='1"), ("active", "yes"), ("caseload", 0)]:
    status, body, _ = post_pro(pro_body(**{field: wrong}))
    e = err_of(body) or {}
    expect("professional %s = %r is 400 naming it" % (field, wrong), (status, body), 400)
    ok(str(e.get("field", "")).startswith(field), "  and the field is %s" % field, e)
for i, payload in enumerate(SQLI_PRO := ["'; DROP TABLE assignment.professionals; --", "\" OR \"1\"=\"1",
                                         "$1 $$ x", "Robert'); DROP TABLE students;--", "%_%"]):
    status, body, _ = post_pro(pro_body(name=payload, agency=payload))
    ok(status == 201 and body.get("name") == payload and body.get("agency") == payload,
       "SQL metacharacters %r in a name and agency are stored verbatim" % payload[:20], (status, body))
ok(scalar("SELECT count(*) FROM assignment.professionals") not in (None, "0"), "assignment.professionals stands")

for target in ["x", "'%20OR%20'1'='1", "..%2F..%2Fetc", "0" * 127, "00000000-0000-4000-8000-00000000000g", "%00"]:
    for method, path, body_ in [("GET", "/v1/professionals/%s", None), ("PATCH", "/v1/professionals/%s", {}),
                                ("GET", "/v1/professionals/%s/absences", None),
                                ("POST", "/v1/professionals/%s/absences", {"from": "2030-01-01", "to": "2030-01-02"}),
                                ("POST", "/v1/professionals/%s/absences/x/cancel", None),
                                ("GET", "/v1/cases/%s/team", None), ("GET", "/v1/cases/%s/timeline", None),
                                ("POST", "/v1/cases/%s/offers/x/accept", None),
                                ("POST", "/v1/cases/%s/offers/x/decline", {"reason": "r"}),
                                ("POST", "/v1/cases/%s/change-request", {"reason": "r"}),
                                ("POST", "/v1/cases/%s/close", {"reason": "other"}),
                                ("DELETE", "/v1/cases/%s/team/x", None)]:
        expect("%s %s is 404" % (method, (path % target)[:60]), http(method, path % target, body_, tok)[:2], {400, 404})
if case_id:
    for method, path, body_ in [("POST", "/v1/cases/%s/offers/%s/accept", None),
                                ("POST", "/v1/cases/%s/offers/%s/decline", {"reason": "r"}),
                                ("DELETE", "/v1/cases/%s/team/%s", None)]:
        for target in ["x", "0" * 127, "'%20OR%20'1'='1", "00000000-0000-4000-8000-000000000000"]:
            expect("%s on a real case with the id %s is 404" % (path.split("/")[-2] if "team" not in path else "team",
                                                                 target[:20]),
                   http(method, path % (case_id, target), body_, tok)[:2], 404)
    for bad, field in [({"professional_id": "x", "reason": "r"}, "professional_id"),
                       ({"professional_id": "00000000-0000-4000-8000-000000000000"}, "reason"),
                       ({"professional_id": 5, "reason": "r"}, "professional_id"),
                       ({"professional_id": "00000000-0000-4000-8000-000000000000", "reason": "r" * 5000}, "reason")]:
        expect("a coordinator's offer %s is 400 naming %s" % (str(bad)[:40], field),
               http("POST", "/v1/cases/%s/offers" % case_id, bad, tok)[:2], 400, field=field)
    for bad, field in [({"reason": "other", "note": "n" * 2000}, "note"), ({"reason": 5}, "reason"),
                       ({"reason": "closed'; --"}, "reason"), ({}, "reason")]:
        expect("closing with %s is 400 naming %s" % (str(bad)[:40], field),
               http("POST", "/v1/cases/%s/close" % case_id, bad, tok)[:2], 400, field=field)
    for bad, field in [({"reason": "r", "requested_by": "mayor"}, "requested_by"), ({"reason": ""}, "reason"),
                       ({"reason": ["r"]}, "reason")]:
        expect("a change request %s is 400 naming %s" % (str(bad)[:40], field),
               http("POST", "/v1/cases/%s/change-request" % case_id, bad, tok)[:2], 400, field=field)
    for bad, field in [({"name": "n" * 500, "agency": "a"}, "name"), ({"email": "x"}, "name"),
                       ({"name": "n", "email": "not-mail"}, "email"), ({"name": "n", "discipline": "wizard"},
                                                                         "discipline"),
                       ({"professional_id": "x"}, "professional_id")]:
        expect("a team member %s is 400 naming %s" % (str(bad)[:40], field),
               http("POST", "/v1/cases/%s/team" % case_id, bad, tok)[:2], 400, field=field)
for path, query, field in [("/v1/professionals", "available=maybe", "available"),
                           ("/v1/professionals", "limit=-1", "limit"), ("/v1/professionals", "cursor=x", "cursor"),
                           ("/v1/professionals", "locality=" + "x" * 600, "locality"),
                           ("/v1/cases", "status=pending", "status"), ("/v1/cases", "awaiting=1", "awaiting"),
                           ("/v1/cases", "key_worker_id='%20OR%201=1", "key_worker_id"),
                           ("/v1/cases", "cursor=%27", "cursor"), ("/v1/me/cases", "colour=red", "colour"),
                           ("/v1/caseloads", "limit=lots", "limit")]:
    # /v1/me/cases is a key worker's or a family's: a coordinator's token gets 403 at the gateway.
    caller = token(role="family", sub="hostile-family") if path == "/v1/me/cases" else tok
    expect("GET %s?%s is 400 naming %s" % (path, query[:30], field),
           http("GET", path + "?" + query, tok=caller)[:2], 400, field=field)
for body_, field in [({"from": 5, "to": "2030-01-02"}, "from"), ({"from": "2030-01-01", "to": "2030-13-45"}, "to"),
                     ({"from": "2030-01-01T25:00:00Z", "to": "2030-01-02"}, "from"),
                     ({"from": "'; DROP TABLE x; --", "to": "2030-01-02"}, "from"),
                     ({"from": "2030-01-02", "to": "2030-01-01T00:00:00Z"}, "to")]:
    status, listed, _ = http("GET", "/v1/professionals?limit=1", tok=tok)
    pid_ = listed["items"][0]["id"] if status == 200 and listed.get("items") else "x"
    expect("an absence %s is 400 naming %s" % (str(body_)[:50], field),
           http("POST", "/v1/professionals/%s/absences" % pid_, body_, tok)[:2], 400, field=field)
for label, data in [("binary", bytes(range(256)) * 8), ("a NUL in a field", b"name,agency,discipline,email\na\x00,b,teacher,c@example.org\n"),
                    ("an unclosed quote", b"name,agency,discipline,email\n\"a,b,teacher,c@example.org\n"),
                    ("200 columns", b",".join([b"name"] * 200) + b"\n"),
                    ("invalid UTF-8", b"name,agency,discipline,email\n\xc3\x28,b,teacher,c@example.org\n"),
                    ("10,000 bad rows", b"name,agency,discipline,email\n" + b"x,y,wizard,z@example.org\n" * 10000)]:
    status, body, _ = http("POST", "/v1/professionals/import", raw=data, tok=tok, headers={"Content-Type": "text/csv"})
    ok(status in (200, 400) and isinstance(body, dict) and (status == 400 or isinstance(body.get("rejected"), list)),
       "a workforce file with %s is answered with its rejections or 400" % label, (status, str(body)[:300]))
    if status >= 500:
        no_5xx[0] = False

# ============================================================================
# 17b. Signed links and Notify's callback: no platform token, hostile input
for label, target in [("a traversal", "/v1/links/..%2f..%2fmetrics"), ("a NUL", "/v1/links/a%00b"),
                      ("markup", "/v1/links/%3Cscript%3Ealert(1)%3C%2Fscript%3E.x"),
                      ("a forged payload", "/v1/links/" + base64.urlsafe_b64encode(
                          b"1|offer.accept|00000000-0000-4000-8000-000000000000|"
                          b"00000000-0000-4000-8000-000000000000|99999999999").decode().rstrip("=") + ".AAAA"),
                      ("a 255-character token", "/v1/links/" + "a" * 255),
                      ("a 5,000-character token", "/v1/links/" + "a" * 5000),
                      ("two dots", "/v1/links/a.b.c"), ("invalid UTF-8", "/v1/links/%c3%28.x"),
                      ("a meeting's traversal", "/v1/meeting-links/..%2f..%2fmetrics"),
                      ("a meeting's NUL", "/v1/meeting-links/a%00b"),
                      ("a meeting's markup", "/v1/meeting-links/%3Cscript%3Ealert(1)%3C%2Fscript%3E.x"),
                      ("a meeting's forged payload", "/v1/meeting-links/" + base64.urlsafe_b64encode(
                          b"1|meeting.attend|00000000-0000-4000-8000-000000000000|"
                          b"00000000-0000-4000-8000-000000000000|99999999999|1").decode().rstrip("=") + ".AAAA"),
                      ("a meeting's offer payload", "/v1/meeting-links/" + base64.urlsafe_b64encode(
                          b"1|offer.accept|00000000-0000-4000-8000-000000000000|"
                          b"00000000-0000-4000-8000-000000000000|99999999999").decode().rstrip("=") + ".AAAA"),
                      ("a meeting's revision past 32 bits", "/v1/meeting-links/" + base64.urlsafe_b64encode(
                          b"1|meeting.attend|00000000-0000-4000-8000-000000000000|"
                          b"00000000-0000-4000-8000-000000000000|99999999999|99999999999").decode().rstrip("=")
                       + ".AAAA"),
                      ("a meeting's 5,000-character token", "/v1/meeting-links/" + "a" * 5000),
                      ("a meeting's invalid UTF-8", "/v1/meeting-links/%c3%28.x")]:
    for method in ("GET", "POST"):
        status, body, hdrs = http(method, target, raw=b"confirm=yes" if method == "POST" else None,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        text = body if isinstance(body, str) else json.dumps(body)
        ok(status in (403, 404) and "<script>" not in text,
           "%s %s link is refused (403/404), nothing reflected unescaped" % (method, label), (status, text[:200]))
        if status >= 500:
            no_5xx[0] = False
callback_file = os.environ.get("KW_NOTIFY_CALLBACK_TOKEN_FILE") or os.path.join(VAR, "notify_callback_token")
with open(callback_file) as f:
    callback_token = f.read().strip()
for label, data in [("malformed JSON", b"{"), ("a JSON array", b"[]"), ("binary", bytes(range(256))),
                    ("deep nesting", b"[" * 10000 + b"]" * 10000), ("17 KiB", b"{\"id\": \"" + b"x" * 17000 + b"\"}")]:
    status, body, _ = http("POST", "/v1/callbacks/notify", raw=data, tok=callback_token)
    ok(400 <= status < 500 and isinstance(body, dict),
       "a callback with %s is refused with a 4xx" % label, (status, str(body)[:200]))
    if status >= 500:
        no_5xx[0] = False
for label, value in [("Bearer and nothing", "Bearer"), ("a Basic scheme", "Basic " + callback_token),
                     ("the token twice", "Bearer " + callback_token * 2), ("its prefix", "Bearer " + callback_token[:10])]:
    status, body, _ = http("POST", "/v1/callbacks/notify", raw=b"{}", headers={"Authorization": value,
                                                                              "Content-Type": "application/json"})
    ok(status == 401, "a callback with %s is refused (401)" % label, (status, body))
# 17c. The scheduling routes: meetings, invitations, plans, actions
for target in ["x", "'%20OR%20'1'='1", "..%2F..%2Fetc", "0" * 127, "00000000-0000-4000-8000-00000000000g", "%00",
               "00000000-0000-4000-8000-000000000000"]:
    for method, path, body_ in [("GET", "/v1/meetings/%s", None), ("GET", "/v1/meetings/%s/invite.ics", None),
                                ("POST", "/v1/meetings/%s/responses", {"response": "accepted"}),
                                ("POST", "/v1/meetings/%s/reschedule", {}),
                                ("POST", "/v1/meetings/%s/cancel", {"reason": "r"}),
                                ("POST", "/v1/meetings/%s/outcome", {}),
                                ("GET", "/v1/cases/%s/meetings", None), ("POST", "/v1/cases/%s/meetings",
                                                                        {"type": "review"}),
                                ("GET", "/v1/cases/%s/plan", None), ("GET", "/v1/cases/%s/plan.html", None),
                                ("GET", "/v1/cases/%s/plan/versions/1", None),
                                ("POST", "/v1/plan-actions/%s/complete", None),
                                ("POST", "/v1/plan-actions/%s/cancel", {"reason": "r"}),
                                ("POST", "/v1/plan-actions/%s/reassign", {"owner": "family"})]:
        expect("%s %s is 404" % (method, (path % target)[:60]), http(method, path % target, body_, tok)[:2],
               {400, 404})
if case_id:
    meetings = "/v1/cases/%s/meetings" % case_id
    for bad, field in [({"type": 5}, "type"), ({"type": "party"}, "type"), ({}, "type"),
                       ({"type": "review", "duration_minutes": -5}, "duration_minutes"),
                       ({"type": "review", "duration_minutes": 99999999999}, "duration_minutes"),
                       ({"type": "review", "duration_minutes": 7}, "duration_minutes"),
                       ({"type": "review", "earliest": "2026-02-30"}, "earliest"),
                       ({"type": "review", "earliest": "'; DROP TABLE scheduling.meetings; --"}, "earliest"),
                       ({"type": "review", "latest": "2099-12-31"}, "latest"),
                       ({"type": "review", "start": "2030-01-01T25:00:00Z"}, "start"),
                       ({"type": "review", "start": "2030-01-01T10:00:00+99:00"}, "start"),
                       ({"type": "review", "start": "1999-01-01T10:00:00Z"}, "start"),
                       ({"type": "review", "required": "key_worker"}, "required"),
                       ({"type": "review", "required": [5]}, "required[0]"),
                       ({"type": "review", "required": ["x"] * 40}, "required"),
                       ({"type": "review", "required": ["' OR '1'='1"]}, "required"),
                       ({"type": "review", "location": "l" * 5000}, "location"),
                       ({"type": "review", "location": "a\u0001b"}, "location")]:
        expect("a meeting %s is 400 naming %s" % (str(bad)[:50], field), http("POST", meetings, bad, tok)[:2],
               400, field=field)
    for query, field in [("status=maybe", "status"), ("status=" + "s" * 600, "status"), ("colour=red", "colour")]:
        expect("GET meetings?%s is 400 naming %s" % (query[:30], field),
               http("GET", meetings + "?" + query, tok=tok)[:2], 400, field=field)
    for version in ["0", "-1", "1.5", "99999999999999999999", "%27", "1e3"]:
        expect("plan version %s is 400 or 404" % version,
               http("GET", "/v1/cases/%s/plan/versions/%s" % (case_id, version), tok=tok)[:2], {400, 404})
for body_, field in [({"response": "yes"}, "response"), ({"response": 5}, "response"), ({}, "response"),
                     ({"response": "accepted", "participant_id": "p" * 500}, "participant_id")]:
    expect("a response %s is 400 naming %s" % (str(body_)[:40], field),
           http("POST", "/v1/meetings/00000000-0000-4000-8000-000000000000/responses", body_, tok)[:2], 400,
           field=field)
for body_, field in [({"held_at": "yesterday"}, "held_at"), ({"held_at": "1990-01-01T00:00:00Z"}, "held_at"),
                     ({"notes": "n" * 6000}, "notes"), ({"actions": [{"description": "d", "owner": "family"}]},
                                                        "actions[0].due"),
                     ({"actions": [{"owner": "family", "due": "2030-01-01"}]}, "actions[0].description"),
                     ({"actions": [{}] * 60}, "actions"), ({"attended": "everyone"}, "attended")]:
    expect("an outcome %s is 400 naming %s" % (str(body_)[:40], field),
           http("POST", "/v1/meetings/00000000-0000-4000-8000-000000000000/outcome", body_, tok)[:2], 400,
           field=field)
expect("a reassignment without owner or due is 400",
       http("POST", "/v1/plan-actions/00000000-0000-4000-8000-000000000000/reassign", {}, tok)[:2], 400,
       field="owner")
expect("the sweep by a coordinator is 403", http("POST", "/v1/admin/scheduling/sweep", None, tok)[:2], 403)

# ============================================================================
# 18. After all that: healthy, nothing restarted, nothing lost, still working
ok(no_5xx[0], "no hostile request was answered with a 5xx")
status, body, _ = http("GET", "/v1/health")
ok(status == 200 and body.get("status") == "ok" and all(v == "ok" for v in body.get("services", {}).values()),
   "GET /v1/health is 200 ok after the hostile input", body)
now_pids = {}
for name in PROCS:
    try:
        now_pids[name] = pid_of(name)
    except (OSError, ValueError):
        now_pids[name] = None
ok(now_pids == pids, "every process has the pid it had at the start (nothing crashed)",
   "before %s\nafter %s" % (pids, now_pids))
lost = []
for rid_, sent in accepted.items():
    s, b, _ = get_referral(rid_)
    if s != 200 or b.get("child", {}).get("nhs_number") != sent["child"]["nhs_number"]:
        lost.append((rid_, s))
ok(accepted and not lost, "all %d referrals accepted during the run read back" % len(accepted), lost[:10])
n_db = scalar("SELECT count(*) FROM referral.referrals WHERE id::text = ANY (:'p1'::text[])",
              "{" + ",".join(accepted) + "}")
ok(n_db == str(len(accepted)), "the database holds each of them exactly once", (n_db, len(accepted)))
id_list = "{" + ",".join(accepted) + "}"


def all_decided():
    n = scalar("SELECT count(*) FROM referral.referrals WHERE id::text = ANY (:'p1'::text[])"
               " AND status <> 'received'", id_list)
    return n == str(len(accepted))


ok(wait_until(all_decided, 60, 0.5),
   "every accepted referral, hostile strings and all, was decided by eligibility",
   sql("SELECT id, status FROM referral.referrals WHERE id::text = ANY (:'p1'::text[])"
       " AND status = 'received'", id_list)[:10])
final = full_referral()
status, body, _ = post(final)
ok(status == 201, "a normal referral posted afterwards is accepted", body)
fid = body.get("id") if isinstance(body, dict) else None


def decided():
    s, b, _ = get_referral(fid)
    return b if s == 200 and b.get("status") != "received" and b.get("case_id") else None


ref = wait_until(decided, 20) if fid else None
ok(ref and ref["status"] == "eligible" and ref.get("case_id"),
   "the normal referral becomes eligible and opens a case", ref)
if ref and ref.get("case_id"):
    s, case, _ = http("GET", "/v1/cases/%s" % ref["case_id"], tok=tok)
    ok(s == 200 and case.get("referral_id") == fid, "its case reads back", case)
done()
