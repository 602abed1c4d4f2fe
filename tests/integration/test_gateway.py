"""The gateway's contract at the HTTP edge: tokens (bad signature, expired,
alg none), content type, body limit, malformed JSON, 404 and 405, the
Idempotency-Key, health, metrics, and 503 when a service does not answer."""

import base64
import hashlib
import hmac
import http.client as http_client
import json
import os
import random
import signal
import time
from kwtest import ok, done, token, http, referral, nhs_number, pid_of, VAR

rng = random.Random()
tok = token()
secret = open(os.environ.get("KW_JWT_SECRET_FILE", os.path.join(VAR, "jwt_secret")), "rb").read().strip()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header, claims, key=secret):
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    sig = hmac.new(key, signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(sig)


claims = {"sub": "edge", "role": "coordinator", "region": "norfolk", "iat": int(time.time()),
          "exp": int(time.time()) + 600, "iss": os.environ.get("KW_JWT_ISSUER") or "kw-local",
          "aud": os.environ.get("KW_JWT_AUDIENCE") or "kw-api"}
status, body, _ = http("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000",
                       tok=forge({"alg": "HS256", "typ": "JWT"}, claims))
ok(status == 404, "a token signed elsewhere with the secret is accepted", body)
status, body, hdrs = http("GET", "/v1/referrals/x", tok=forge({"alg": "HS256"}, claims, b"wrong-secret-0123456789"))
ok(status == 401 and body["error"]["code"] == "unauthenticated" and hdrs.get("WWW-Authenticate") == "Bearer",
   "a wrong signature is 401 with WWW-Authenticate", body)
status, body, _ = http("GET", "/v1/referrals/x", tok=forge({"alg": "HS256"}, dict(claims, exp=int(time.time()) - 5)))
ok(status == 401 and "expired" in body["error"]["message"], "an expired token is 401", body)
none = b64(b'{"alg":"none"}') + "." + b64(json.dumps(claims).encode()) + "."
status, body, _ = http("GET", "/v1/referrals/x", tok=none)
ok(status == 401, "alg none is 401", body)
status, body, _ = http("GET", "/v1/referrals/x", headers={"Authorization": "Basic abc"})
ok(status == 401, "a non-Bearer scheme is 401", body)

good = referral(nhs_number(rng))
status, body, _ = http("POST", "/v1/referrals", raw=json.dumps(good).encode(), tok=tok,
                       headers={"Content-Type": "text/plain"})
ok(status == 415 and body["error"]["code"] == "unsupported_media_type", "a non-JSON content type is 415", body)
status, body, _ = http("POST", "/v1/referrals", raw=b"{" + b" " * (1024 * 1024 + 10) + b"}", tok=tok)
ok(status == 413 and body["error"]["code"] == "too_large"
   and body["error"]["message"] == "the body is over the limit of 1 MiB (1048576 bytes) for this call",
   "a body over 1 MiB is 413 stating the limit", body)
status, body, _ = http("POST", "/v1/referrals", raw=b'{"source": ', tok=tok)
ok(status == 400 and "malformed JSON" in body["error"]["message"], "malformed JSON is 400", body)
status, body, _ = http("POST", "/v1/referrals", raw=b'[1, 2]', tok=tok)
ok(status == 400, "a JSON array body is 400", body)
status, body, _ = http("POST", "/v1/referrals", body=dict(good, source="carrier_pigeon"), tok=tok)
ok(status == 400 and body["error"]["field"] == "source" and "professional" in body["error"]["message"],
   "an unknown enum value is 400 naming the field and the allowed values", body)
status, body, _ = http("GET", "/v1/openapi.json")
ok(status == 200 and body.get("openapi", "").startswith("3.") and "/v1/referrals" in body.get("paths", {})
   and "/v1/dsr/imports" in body["paths"], "GET /v1/openapi.json serves the OpenAPI document without a token",
   status)
status, body, _ = http("GET", "/v1/nowhere", tok=tok)
ok(status == 404 and body["error"]["code"] == "not_found", "an unknown path is a JSON 404", body)
status, body, hdrs = http("DELETE", "/v1/referrals", tok=tok)
ok(status == 405 and hdrs.get("Allow") == "POST, GET", "a wrong method is 405 with Allow", body)
status, body, _ = http("GET", "/v1/referrals/x?colour=red", tok=tok)
ok(status == 400, "query parameters on a resource that takes none are 400", body)
status, body, _ = http("GET", "/v1/notifications?limit=lots", tok=tok)
ok(status == 400 and body["error"]["field"] == "limit", "a malformed query parameter is 400 naming it", body)

# One HTTP/1.1 connection carries one answer after another, whatever their
# status: each states its Content-Length (h2o ends an answer of unknown
# length but 200 by closing the connection).
conn = http_client.HTTPConnection(os.environ["KW_HTTP_ADDR"], timeout=30)
auth = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
answers = []
for method, path, data in [("POST", "/v1/referrals", json.dumps(referral(nhs_number(rng)))),
                           ("POST", "/v1/referrals", "{"), ("GET", "/v1/nowhere", None),
                           ("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000", None),
                           ("GET", "/v1/health", None)]:
    conn.request(method, path, body=data, headers=auth)
    resp = conn.getresponse()
    length = resp.getheader("Content-Length")
    text = resp.read()
    answers.append((resp.status, length is not None and int(length) == len(text), resp.will_close,
                    conn.sock is not None))
conn.close()
ok([a[0] for a in answers] == [201, 400, 404, 404, 200]
   and all(a[1] and not a[2] and a[3] for a in answers),
   "answers of every status state their length and keep the connection open", answers)

key = "edge-%d" % rng.randrange(1 << 30)
first = http("POST", "/v1/referrals", body=good, tok=tok, headers={"Idempotency-Key": key})
again = http("POST", "/v1/referrals", body=good, tok=tok, headers={"Idempotency-Key": key})
ok(first[0] == 201 and again[0] == 201 and first[1]["id"] == again[1]["id"],
   "a repeat with the same Idempotency-Key returns the first answer", (first[:2], again[:2]))
other = dict(good, child=dict(good["child"], nhs_number=nhs_number(rng)))
status, body, _ = http("POST", "/v1/referrals", body=other, tok=tok, headers={"Idempotency-Key": key})
ok(status == 409, "the same key with a different body is 409", body)
status, body, _ = http("POST", "/v1/referrals", body=good, tok=tok, headers={"Idempotency-Key": "x" * 201})
ok(status == 400 and body["error"]["field"] == "Idempotency-Key", "an over-long Idempotency-Key is 400", body)

status, body, _ = http("GET", "/v1/health")
ok(status == 200 and body["status"] == "ok" and set(body["services"]) ==
   {"referral", "eligibility", "assignment", "scheduling", "notification"},
   "health is ok and names every service, without a token", body)
# The NHS numbers this test posted, and one in a path, have all been through
# the gateway before the metrics are read.
posted = [good["child"]["nhs_number"], other["child"]["nhs_number"]]
http("GET", "/v1/dsr/entries/%s" % posted[0], tok=tok)
status, text, hdrs = http("GET", "/metrics")
ok(status == 200 and "kw_gateway_responses_total" in text and "text/plain" in hdrs.get("Content-Type", ""),
   "metrics in the Prometheus text format, without a token")
ok('route="POST /v1/referrals"' in text and "/v1/dsr/entries/" in text
   and not any(n in text for n in posted) and "edge" not in text and "test-coordinator" not in text,
   "metric labels carry no personal data or callers (routes by pattern)", text[:2000])

# A service that does not answer: the gateway says 503, never hangs.
pid = pid_of("referral")
os.kill(pid, signal.SIGSTOP)
try:
    t0 = time.monotonic()
    status, body, _ = http("GET", "/v1/referrals/00000000-0000-4000-8000-000000000000", tok=tok)
    took = time.monotonic() - t0
    ok(status == 503 and body["error"]["code"] == "unavailable" and took < 10,
       "a service that does not answer gives 503 (after %.1f s)" % took, body)
    status, body, _ = http("GET", "/v1/health")
    ok(status == 503 and body["status"] == "degraded" and body["services"]["referral"] != "ok"
       and body["services"]["eligibility"] == "ok", "health is 503 degraded and names the service", body)
finally:
    os.kill(pid, signal.SIGCONT)
status, body, _ = http("GET", "/v1/referrals/" + first[1]["id"], tok=tok)
ok(status == 200, "the service answers again once it resumes", body)
done()
