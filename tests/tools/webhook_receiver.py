#!/usr/bin/env python3
"""webhook_receiver: an agency's system receiving the platform's webhooks, for
tests. It checks each POST as docs/notifications-channels.md tells receivers
to, with Python's own hmac (an implementation independent of the platform's):
X-KW-Webhook-Signature must be "v1=" + hex HMAC-SHA256(secret, timestamp + "."
+ raw body), compared in constant time; X-KW-Webhook-Timestamp within 300 s
of now; an X-KW-Webhook-Id already taken is answered 200 and not taken again.
Answers: 204 taken, 200 a duplicate, 400 bad signature or stale timestamp.

Control: POST /_next {"statuses": [500, 410, ...]} forces the next answers
(after the checks); GET /_received lists [{id, verdict, status, body}].

Usage: webhook_receiver.py --secret-file FILE [--port 0]; prints "port N".
"""
import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WINDOW = 300


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if data:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with self.server.lock:
            self.answer(200, list(self.server.received))

    def verdict(self, raw):
        stamp = self.headers.get("X-KW-Webhook-Timestamp") or ""
        signature = self.headers.get("X-KW-Webhook-Signature") or ""
        if not stamp.isdigit():
            return "no timestamp"
        expected = "v1=" + hmac.new(self.server.secret, stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return "bad signature"
        if abs(time.time() - int(stamp)) > WINDOW:
            return "stale timestamp"
        return "ok"

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        if self.path == "/_next":
            with server.lock:
                server.next.extend(json.loads(raw)["statuses"])
            self.answer(200, {})
            return
        delivery = self.headers.get("X-KW-Webhook-Id") or ""
        verdict = self.verdict(raw)
        with server.lock:
            if verdict == "ok" and delivery in server.taken:
                verdict = "duplicate"
            status = {"ok": 204, "duplicate": 200}.get(verdict, 400)
            if verdict == "ok" and server.next:
                status = server.next.pop(0)
            if status == 204:
                server.taken.add(delivery)
            server.received.append({"id": delivery, "verdict": verdict, "status": status,
                                    "body": raw.decode("utf-8", "replace")})
        self.answer(status, {"error": verdict} if status == 400 else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    with open(args.secret_file, "rb") as f:
        server.secret = f.read().rstrip(b"\r\n")
    server.lock = threading.Lock()
    server.next, server.received, server.taken = [], [], set()
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
