#!/usr/bin/env python3
"""notify_server: a local server speaking GOV.UK Notify's documented REST API
(POST /v2/notifications/email, /sms, /letter), for testing the notification
service's Notify client. Python standard library only.

Each send must carry "Authorization: Bearer <JWT>": HS256 signed with the API
key's secret, "iss" the key's service id and "iat" within 30 seconds of now,
as Notify checks; otherwise 403 with Notify's AuthError body. A valid send is
answered 201 with Notify's body ({id, reference, content, uri, template}).
Bodies are checked as Notify documents them, and a wrong one is refused 400
with a ValidationError: no property outside the documented ones,
template_id a UUID, the recipient (email_address a valid address,
phone_number), personalisation an object, email_reply_to_id a UUID, a
reference of at most 1000 characters; a letter's address_line_1..7 at least
3 lines and the last a real UK postcode or a country; for a template the
test registered, every field of it in the personalisation.

Control (not part of Notify's API, for the test):
  POST /_next     {"statuses": [429, 500, 400, ...]}: the next sends get these
                  answers (Notify's error bodies), in order; with "kind"
                  ("email", "sms" or "letter") only the next sends of that kind
  GET  /_received every send received so far: [{path, status, body, jwt_error}]
  POST /_templates {"<template id>": ["subject", "body"], ...}: the
                  fields of these templates (sends to them must fill each)
  POST /_receipt  {"url", "token", "body"}: POST body to url with
                  "Authorization: Bearer <token>" (a delivery receipt, as
                  Notify sends one) and answer {"status": <the answer's>}

Usage: notify_server.py --api-key KEY [--port 0]; prints "port N" once
listening.
"""
import argparse
import base64
import hashlib
import hmac
import json
import re
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}
RECIPIENT = {"email": "email_address", "sms": "phone_number"}
PROPERTIES = {
    "email": {"email_address", "template_id", "personalisation", "reference", "email_reply_to_id"},
    "sms": {"phone_number", "template_id", "personalisation", "reference", "sms_sender_id"},
    "letter": {"template_id", "personalisation", "reference"},
}
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$", re.I)
COUNTRIES = {"france", "ireland", "germany", "spain", "italy", "netherlands", "belgium", "portugal",
             "poland", "united states", "canada", "australia"}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_jwt(header, service_id, secret, now):
    """None when the Authorization header holds a token Notify accepts, else why not."""
    if not header or not header.startswith("Bearer "):
        return "Unauthorized: authentication token must be provided"
    parts = header[7:].split(".")
    if len(parts) != 3:
        return "Invalid token: signature, api token not found"
    try:
        head = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        return "Invalid token: signature, api token not found"
    if head.get("alg") != "HS256" or head.get("typ") != "JWT":
        return "Invalid token: algorithm used is not HS256"
    mac = hmac.new(secret.encode(), (parts[0] + "." + parts[1]).encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(mac, signature):
        return "Invalid token: signature, api token not found"
    if claims.get("iss") != service_id:
        return "Invalid token: service not found"
    iat = claims.get("iat")
    if not isinstance(iat, int) or abs(now - iat) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return None


class State:
    def __init__(self, api_key):
        self.service_id = api_key[-73:-37]
        self.secret = api_key[-36:]
        self.lock = threading.Lock()
        self.next = []
        self.received = []
        self.templates = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, kind=None, message=None):
        default_kind, default_message = ERRORS.get(status, ("Exception", "error"))
        self.answer(status, {"status_code": status,
                             "errors": [{"error": kind or default_kind, "message": message or default_message}]})

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        state = self.server.state
        if self.path == "/_received":
            with state.lock:
                self.answer(200, list(state.received))
        else:
            self.error(404, "NotFound", "Not found")

    def do_POST(self):
        state = self.server.state
        raw = self.body()
        if self.path == "/_next":
            with state.lock:
                order = json.loads(raw)
                state.next.extend((order.get("kind"), status) for status in order["statuses"])
            self.answer(200, {})
            return
        if self.path == "/_templates":
            with state.lock:
                state.templates.update(json.loads(raw))
            self.answer(200, {})
            return
        if self.path == "/_receipt":
            self.send_receipt(json.loads(raw))
            return
        kind = self.path[len("/v2/notifications/"):] if self.path.startswith("/v2/notifications/") else ""
        if kind not in ("email", "sms", "letter"):
            self.error(404, "NotFound", "Not found")
            return
        jwt_error = check_jwt(self.headers.get("Authorization"), state.service_id, state.secret,
                              int(time.time()))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        record = {"path": self.path, "body": body, "jwt_error": jwt_error}
        with state.lock:
            forced = None
            if not jwt_error:
                queued = next((i for i, (only, _) in enumerate(state.next) if only in (None, kind)), None)
                forced = state.next.pop(queued)[1] if queued is not None else None
            state.received.append(record)
        if jwt_error:
            record["status"] = 403
            self.error(403, "AuthError", jwt_error)
            return
        with state.lock:
            templates = dict(state.templates)
        problem = self.validate(kind, body, templates)
        status = forced or (400 if problem else 201)
        record["status"] = status
        if status != 201:
            self.error(status, "ValidationError" if problem else None, problem)
            return
        notification_id = str(uuid.uuid4())
        record["id"] = notification_id
        self.answer(201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {"body": "(rendered template)", "subject": "(subject)"},
            "uri": "https://api.notifications.service.gov.uk/v2/notifications/" + notification_id,
            "template": {"id": body["template_id"], "version": 1,
                         "uri": "https://api.notifications.service.gov.uk/services/"
                                + state.service_id + "/templates/" + body["template_id"]},
        })

    @staticmethod
    def validate(kind, body, templates):
        if not isinstance(body, dict):
            return "Invalid JSON supplied in POST data"
        extra = sorted(set(body) - PROPERTIES[kind])
        if extra:
            return "Additional properties are not allowed (%s was unexpected)" % extra[0]
        if not isinstance(body.get("template_id"), str):
            return "template_id is a required property"
        if not UUID.match(body["template_id"]):
            return "template_id is not a valid UUID"
        if kind in RECIPIENT and not isinstance(body.get(RECIPIENT[kind]), str):
            return RECIPIENT[kind] + " is a required property"
        if kind == "email" and not EMAIL.match(body["email_address"]):
            return "email_address Not a valid email address"
        reply_to = body.get("email_reply_to_id")
        if reply_to is not None and (not isinstance(reply_to, str) or not UUID.match(reply_to)):
            return "email_reply_to_id is not a valid UUID"
        personalisation = body.get("personalisation", {})
        if not isinstance(personalisation, dict):
            return "personalisation is not of type object"
        if kind == "letter":
            lines = [personalisation.get("address_line_%d" % n) for n in range(1, 8)]
            lines = [line.strip() for line in lines if isinstance(line, str) and line.strip()]
            if len(lines) < 3:
                return "Address must be at least 3 lines"
            if not POSTCODE.match(lines[-1]) and lines[-1].lower() not in COUNTRIES:
                return "Last line of address must be a real UK postcode or another country"
        for name in templates.get(body["template_id"], []):
            if name not in personalisation:
                return "Missing personalisation: %s" % name
        reference = body.get("reference")
        if reference is not None and (not isinstance(reference, str) or len(reference) > 1000):
            return "reference must be a string of at most 1000 characters"
        return None

    def send_receipt(self, order):
        request = urllib.request.Request(order["url"], data=json.dumps(order["body"]).encode()
                                         if not isinstance(order["body"], str) else order["body"].encode(),
                                         method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": "Bearer " + order["token"]})
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                status = reply.status
        except urllib.error.HTTPError as e:
            status = e.code
        self.answer(200, {"status": status})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if len(args.api_key) < 74:
        sys.exit("notify_server: --api-key must be {name}-{service id}-{secret}")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.state = State(args.api_key)
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
