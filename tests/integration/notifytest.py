"""Helpers for the notification tests: a test region with its own
coordinator addresses, the SMTP sink's messages to one address, and GOV.UK
Notify protocol servers of a test's own, one per API key."""

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
import uuid
from kwtest import mails, mail_part, test_region, sql, wait_until, VAR


def notify_region(region_id, assignment, coordinators, change=None, **notification):
    """A test region (kwtest.test_region) whose notification section names
    coordinators and the other keys given; returns a coordinator token."""
    def edit(doc):
        doc["notification"] = dict(doc["notification"], coordinators=coordinators, **notification)
        if change:
            change(doc)
    return test_region(region_id, assignment, change=edit)


def mails_to(address):
    """The sink's messages delivered to address, oldest first."""
    return [m for m in mails() if address in m.get_all("Delivered-To", [])]


def text_of(message):
    return mail_part(message)


def html_of(message):
    return mail_part(message, "text/html")


def deliveries(case_id):
    """The case's delivery rows: (template, audience, channel, status, recipient_id)."""
    return [tuple(r) for r in sql("SELECT template, audience, channel, status, recipient_id"
                                  " FROM notification.deliveries WHERE case_id = :'p1'"
                                  " ORDER BY created_at, id", case_id)]


def settled(predicate, timeout=20.0):
    """wait_until predicate holds."""
    return wait_until(predicate, timeout, 0.2)


class NotifyServer:
    """A GOV.UK Notify protocol server of the test's own
    (tests/tools/notify_server.py) with its own API key: a region's
    base_url, so every request it takes was signed with that key."""

    def __init__(self, label):
        self.key = "%s-%s-%s" % (label, uuid.uuid4(), uuid.uuid4())
        self.proc = subprocess.Popen([sys.executable, "tests/tools/notify_server.py", "--api-key", self.key],
                                     stdout=subprocess.PIPE, text=True)
        self.url = "http://127.0.0.1:%s" % self.proc.stdout.readline().split()[1]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())

    def received(self, reference=None):
        """The sends received (for the delivery reference, when given), oldest first."""
        return [r for r in self.call("GET", "/_received")
                if reference is None or (r.get("body") or {}).get("reference") == reference]

    def receipt(self, delivery, notification_id, status, kind, to, bearer=None):
        """Send Notify's receipt for delivery to the gateway's callback route
        with bearer (the deployment's callback token when None): its answer's status."""
        if bearer is None:
            with open(os.environ.get("KW_NOTIFY_CALLBACK_TOKEN_FILE")
                      or os.path.join(VAR, "notify_callback_token")) as f:
                bearer = f.read().strip()
        body = {"id": notification_id, "reference": delivery, "to": to, "status": status,
                "created_at": "2026-12-01T10:00:00Z", "completed_at": "2026-12-01T10:00:05Z",
                "sent_at": "2026-12-01T10:00:01Z", "notification_type": kind}
        return self.call("POST", "/_receipt", {"url": "http://%s/v1/callbacks/notify" % os.environ["KW_HTTP_ADDR"],
                                               "token": bearer, "body": body})["status"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def notify_settings(region_id, server, callback_token=None, **kinds):
    """A region's "notify" object for server: its key (and callback_token,
    when given) in files beside the region file (named relative to it), and
    the kinds given."""
    settings = {"base_url": server.url}
    for field, suffix, text in (("api_key_file", "notify-key", server.key),
                                ("callback_token_file", "notify-callback", callback_token)):
        if text is not None:
            with open(os.path.join(os.environ["KW_REGION_DIR"], "%s.%s" % (region_id, suffix)), "w") as f:
                f.write(text + "\n")
            settings[field] = "%s.%s" % (region_id, suffix)
    return dict(settings, **kinds)


def contact_id(address):
    """The recipient id the notification service gives a person without a
    professional id: "contact-" and a 12-byte BLAKE2b of their address."""
    return "contact-" + hashlib.blake2b(address.encode(), digest_size=12).hexdigest()


def delivery_row(delivery):
    """(status, attempts, last_error) of a delivery, or None."""
    got = sql("SELECT status, attempts, coalesce (last_error, '') FROM notification.deliveries"
              " WHERE id = :'p1'", delivery)
    return (got[0][0], int(got[0][1]), got[0][2]) if got else None
