"""Time eligible referrals one at a time through the stack: from the POST
to the referral's decision, to the case's pending offer, and to the e-mail
recorded as sent. Prints percentiles in milliseconds."""

import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from kwtest import http, token, referral, nhs_number  # noqa: E402


def poll(fn, timeout=10.0):
    """Call fn every 2 ms until it returns a true value; that value or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.002)
    return None


def one(rng, tok):
    t0 = time.monotonic()
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    if status != 201:
        return None
    t_post = time.monotonic() - t0
    rid = body["id"]

    def decided():
        _, ref, _ = http("GET", "/v1/referrals/" + rid, tok=tok)
        return ref if ref.get("case_id") else None
    ref = poll(decided)
    if not ref:
        return None
    t_case = time.monotonic() - t0

    def offered():
        _, case, _ = http("GET", "/v1/cases/" + ref["case_id"], tok=tok)
        return case["offers"] if case.get("offers") else None
    if not poll(offered):
        return None
    t_offer = time.monotonic() - t0

    def sent():
        _, page, _ = http("GET", "/v1/notifications?case_id=" + ref["case_id"], tok=tok)
        return [d for d in page.get("items", []) if d["status"] == "sent"]
    if not poll(sent):
        return None
    return t_post, t_case, t_offer, time.monotonic() - t0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))] * 1000


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rng = random.Random(7)
    tok = token()
    results = [r for r in (one(rng, tok) for _ in range(count)) if r]
    print("# %d referrals, one at a time; milliseconds from the POST (p50 / p95 / max)" % len(results))
    for i, label in enumerate(["201 answered", "case opened", "offer pending", "e-mail sent"]):
        column = [r[i] for r in results]
        print("%-14s %7.1f %7.1f %7.1f" % (label, pct(column, 50), pct(column, 95), max(column) * 1000))
    if len(results) != count:
        print("# %d referrals did not complete within 10 s" % (count - len(results)))
        sys.exit(1)


main()
