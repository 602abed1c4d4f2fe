"""Every program's GET /metrics (the bus, the five services, the gateway on
its metrics port and on its API port) parsed by the Prometheus client's
parser and checked against the exposition rules (HELP and TYPE for every
family, counters ending _total, histograms in seconds with cumulative
buckets and +Inf equal to _count, no identifier or personal data in a
label), then the families that must move after one referral: referral's
RPC count for referral.create, eligibility's lag behind referral back to 0,
referral's relay backlog 0, a sent e-mail in notification's deliveries, the
bus's forwarded messages. Then the listener's answers to hostile requests:
405, 404, 400, 431, a slow client that cannot block a scrape, and the bound
on connections."""

import os
import random
import re
import socket
import time
import urllib.request
from prometheus_client.parser import text_string_to_metric_families
from kwtest import ok, done, token, http, wait_until, mails, nhs_number, referral, professional, workforce

BASE = int(os.environ["KW_METRICS_BASE"])
PROGRAMS = ["bus", "referral", "eligibility", "assignment", "scheduling", "notification", "gateway"]
PORT = {p: BASE + i for i, p in enumerate(PROGRAMS)}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
PERSONAL = re.compile(r"\d{10}|\d{3} \d{3} \d{4}|@")


def fetch(program):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % PORT[program], timeout=10) as resp:
        return resp.headers.get("Content-Type", ""), resp.read().decode()


def problems(text):
    """What breaks the exposition rules in text (a list of strings, empty when none)."""
    found = []
    families = list(text_string_to_metric_families(text))
    if not families:
        found.append("no family")
    for line in text.splitlines():
        if line.startswith("# TYPE ") and line.split()[2].startswith("kw_") is False:
            found.append("a family outside the kw_ namespace: " + line)
    for f in families:
        if not f.documentation:
            found.append("%s has no HELP" % f.name)
        if f.type not in ("counter", "gauge", "histogram"):
            found.append("%s is %s (no TYPE line?)" % (f.name, f.type))
        for s in f.samples:
            for k, v in s.labels.items():
                if UUID.search(v) or PERSONAL.search(v):
                    found.append("%s label %s=%r looks like an identifier or personal data" % (s.name, k, v))
        if f.type == "counter":
            found += ["counter sample %s does not end _total" % s.name
                      for s in f.samples if not s.name.endswith("_total")]
        if f.type != "histogram":
            continue
        if not f.name.endswith("_seconds"):
            found.append("histogram %s is not in seconds" % f.name)
        series = {}
        for s in f.samples:
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(key, {"buckets": [], "count": None})
            if s.name.endswith("_bucket"):
                series[key]["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                series[key]["count"] = s.value
        for key, v in series.items():
            bounds = [b for b, _ in v["buckets"]]
            counts = [c for _, c in v["buckets"]]
            if not bounds or bounds[-1] != float("inf"):
                found.append("%s%s has no +Inf bucket" % (f.name, key))
            if bounds != sorted(bounds):
                found.append("%s%s buckets out of order" % (f.name, key))
            if any(b > a for a, b in zip(counts[1:], counts)):
                found.append("%s%s buckets not cumulative: %s" % (f.name, key, counts))
            if counts and counts[-1] != v["count"]:
                found.append("%s%s +Inf %s differs from _count %s" % (f.name, key, counts[-1], v["count"]))
    return found


def value(program, name, **labels):
    """One sample's value, None when the series does not exist."""
    _, text = fetch(program)
    for f in text_string_to_metric_families(text):
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return None


def count(program, name, **labels):
    """A counter's value, 0 before its series exists."""
    return value(program, name, **labels) or 0.0


# --- every program answers, in the text format, by the rules
for p in PROGRAMS:
    ctype, text = fetch(p)
    bad = problems(text)
    ok("text/plain" in ctype and "version=0.0.4" in ctype and not bad,
       "%s: GET /metrics parses and keeps the exposition rules" % p, "\n".join(bad) or ctype)
    ok('kw_build_info{program="%s"' % p in text and "kw_process_start_time_seconds " in text,
       "%s: build info and start time" % p)

# The rule checker itself rejects what it must.
broken = ("# HELP kw_x_seconds x\n# TYPE kw_x_seconds histogram\n"
          'kw_x_seconds_bucket{le="0.1"} 3\nkw_x_seconds_bucket{le="+Inf"} 2\n'
          "kw_x_seconds_sum 1\nkw_x_seconds_count 2\n"
          "# HELP kw_y_total y\n# TYPE kw_y_total counter\n"
          'kw_y_total{id="1b4e28ba-2fa1-41d2-883f-0016d3cca427"} 1\n')
found = problems(broken)
ok(any("not cumulative" in f for f in found) and any("identifier" in f for f in found),
   "the checker catches non-cumulative buckets and an id in a label", found)

families = {f.name for f in text_string_to_metric_families(fetch("eligibility")[1])}
ok({"kw_rpc_server_duration_seconds", "kw_consumer_lag_events", "kw_consumer_events_applied",
    "kw_relay_backlog_events", "kw_relay_published", "kw_db_up"} <= families,
   "a service exports RPC, consumer, relay and database families", sorted(families))
families = {f.name for f in text_string_to_metric_families(fetch("gateway")[1])}
ok({"kw_gateway_responses", "kw_gateway_rpc_unavailable", "kw_gateway_unauthenticated",
    "kw_gateway_rpc_pending"} <= families, "the gateway's four families are kept", sorted(families))

# --- one referral moves the families
tok = token()
workforce(tok, prefix="metrics")
rng = random.Random()
email = "metrics.suggested.%d@example.org" % rng.randrange(10 ** 9)
professional(tok, "Metrics Suggested", email)
before = {
    "create": count("referral", "kw_rpc_server_duration_seconds_count", method="referral.create", outcome="ok"),
    "client": count("gateway", "kw_rpc_client_duration_seconds_count", service="referral",
                    method="referral.create", outcome="ok"),
    "applied": count("eligibility", "kw_consumer_events_applied_total", producer="referral"),
    "published": count("referral", "kw_relay_published_total", producer="referral"),
    "sent": count("notification", "kw_notification_deliveries_total", channel="email", status="sent"),
    "forwarded": count("bus", "kw_bus_messages_forwarded_total", direction="events"),
}
status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), suggested=email), tok)
ok(status == 201, "a referral is posted", body)
rid = body.get("id", "") if isinstance(body, dict) else ""
case_mail = wait_until(lambda: [m for m in mails() if email in str(m.get("To", ""))], 30)
ok(case_mail, "the offer e-mail reached the sink")

ok(count("referral", "kw_rpc_server_duration_seconds_count", method="referral.create",
         outcome="ok") >= before["create"] + 1, "referral's RPC count for referral.create rose")
ok(count("gateway", "kw_rpc_client_duration_seconds_count", service="referral", method="referral.create",
         outcome="ok") >= before["client"] + 1, "the gateway's client-side count for referral.create rose")
ok(wait_until(lambda: count("eligibility", "kw_consumer_events_applied_total", producer="referral")
              >= before["applied"] + 1, 15), "eligibility applied the referral's event")
ok(wait_until(lambda: value("eligibility", "kw_consumer_lag_events", producer="referral") == 0, 15),
   "eligibility's lag behind referral returns to 0")
ok(count("referral", "kw_relay_published_total", producer="referral") >= before["published"] + 1,
   "referral's relay published the event")
ok(wait_until(lambda: value("referral", "kw_relay_backlog_events", producer="referral") == 0, 15),
   "referral's relay backlog is 0")
ok(wait_until(lambda: count("notification", "kw_notification_deliveries_total", channel="email",
                            status="sent") >= before["sent"] + 1, 15),
   "notification's deliveries count a sent e-mail")
ok(count("bus", "kw_bus_messages_forwarded_total", direction="events") > before["forwarded"],
   "the bus counted the events it forwarded")
ok(value("referral", "kw_db_up", connection="referral") == 1, "referral's database connection is up")
status, api_text, hdrs = http("GET", "/metrics")
ok(status == 200 and not problems(api_text) and "kw_gateway_responses_total" in api_text
   and "kw_rpc_client_duration_seconds" in api_text,
   "the gateway's API port answers GET /metrics with the same families", problems(api_text))
for p in PROGRAMS:
    _, text = fetch(p)
    bad = problems(text)
    ok(not bad and (not rid or rid not in text), "%s: still by the rules, and no referral id" % p,
       "\n".join(bad))


# --- the listener against hostile clients (the bus's)
def raw(data, read=True):
    s = socket.create_connection(("127.0.0.1", PORT["bus"]), timeout=10)
    s.sendall(data)
    answer = b""
    while read:
        chunk = s.recv(65536)
        if not chunk:
            break
        answer += chunk
    s.close()
    return answer


def status_of(answer):
    return answer.split(b"\r\n", 1)[0].decode(errors="replace")


answer = raw(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
ok(status_of(answer) == "HTTP/1.1 405 Method Not Allowed" and b"\r\nAllow: GET, HEAD\r\n" in answer,
   "POST /metrics: 405 with Allow", answer[:200])
ok(status_of(raw(b"GET /v1/health HTTP/1.1\r\n\r\n")) == "HTTP/1.1 404 Not Found", "another path: 404")
ok(status_of(raw(b"GET /metricsX HTTP/1.1\r\n\r\n")) == "HTTP/1.1 404 Not Found", "a longer path: 404")
ok(status_of(raw(b"hello\r\n\r\n")) == "HTTP/1.1 400 Bad Request", "not a request line: 400")
ok(status_of(raw(b"GET /metrics HTTP/9.9\r\n\r\n")) == "HTTP/1.1 400 Bad Request", "an unknown version: 400")
ok(status_of(raw(b"GET metrics HTTP/1.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request", "a relative target: 400")
ok(status_of(raw(b"GET /metrics\x00 HTTP/1.1\r\n\r\n")) == "HTTP/1.1 400 Bad Request", "a NUL byte: 400")
ok(status_of(raw(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 8000 + b"\r\n\r\n"))
   == "HTTP/1.1 431 Request Header Fields Too Large", "a request head past 4 KiB: 431")
answer = raw(b"HEAD /metrics HTTP/1.0\r\n\r\n")
ok(status_of(answer) == "HTTP/1.1 200 OK" and answer.endswith(b"\r\n\r\n"), "HEAD: 200 without a body")
answer = raw(b"GET /metrics?x=1 HTTP/1.1\r\n\r\n")
ok(status_of(answer) == "HTTP/1.1 200 OK" and b"kw_bus_messages_forwarded_total" in answer,
   "GET /metrics with a query string: 200")

# A client that sends half a request and waits does not hold up a scrape, and
# is let go after the listener's deadline.
slow = socket.create_connection(("127.0.0.1", PORT["bus"]), timeout=20)
slow.sendall(b"GET /metr")
ok(fetch("bus")[1].startswith("# HELP"), "a scrape is answered while a slow client waits")
t0 = time.monotonic()
ok(slow.recv(100) == b"", "the slow client is closed by the listener (after %.1f s)" % (time.monotonic() - t0))
slow.close()

# More idle connections than the bound: those past it are closed at once.
idle = [socket.create_connection(("127.0.0.1", PORT["bus"]), timeout=20) for _ in range(20)]
closed = 0
for s in idle[16:]:
    s.settimeout(3)
    try:
        closed += s.recv(100) == b""
    except socket.timeout:
        pass
ok(closed == 4, "connections past 16 are closed at once (%d of 4)" % closed)
for s in idle:
    s.close()
ok(wait_until(lambda: fetch("bus")[1].startswith("# HELP"), 15), "scrapes work again once they are gone")
done()
