"""STARTTLS when configured: a second SMTP sink that offers and requires
STARTTLS (a certificate made here), and, while the stack's notification is
paused (SIGSTOP), a notification of the same database sending through it
with KW_SMTP_STARTTLS=1 and the certificate as its CA: the offer e-mail
arrives (the sink refuses any message before TLS). The same instance told
to require STARTTLS of the stack's plain sink sends nothing in clear: the
delivery waits with the TLS failure as its last error."""

import os
import random
import signal
import subprocess
import tempfile
from kwtest import (ok, done, http, nhs_number, referral, professional, case_of, wait_until, kill, pid_of, mails,
                    sink_messages, BIN, VAR, PG_PORT)
from notifytest import notify_region, settled

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = random.Random()
n = rng.randrange(10 ** 9)
tmp = tempfile.TemporaryDirectory()
cert, key = os.path.join(tmp.name, "cert.pem"), os.path.join(tmp.name, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
               check=True, capture_output=True)
TLS_PORT = int(os.environ["KW_SMTP_PORT"]) + 7
tls_dir = os.path.join(tmp.name, "mail")
sink = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "deploy/local/smtp_sink.py"), "--port", str(TLS_PORT),
                         "--dir", tls_dir, "--tls-cert", cert, "--tls-key", key],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

REGION = "notify-tls-%d" % n
tok = notify_region(REGION, {"offer_ttl": "1h"}, ["tls.coordinator.%d@example.org" % n])
main = pid_of("notification")
twin, log = None, os.path.join(VAR, "log", "notification-tls.log")


def start_twin(url):
    env = dict(os.environ, KW_DB_URL="host=%s port=%s dbname=kw" % (os.path.join(VAR, "pg", "run"), PG_PORT),
               KW_SMTP_URL=url, KW_SMTP_STARTTLS="1", KW_SMTP_CA_FILE=cert,
               KW_NOTIFICATION_RPC="ipc://%s/run/notification-rpc-tls" % VAR, KW_NOTIFICATION_METRICS="off")
    with open(log, "w") as f:
        p = subprocess.Popen([os.path.join(BIN, "notification")], env=env, stdout=f, stderr=subprocess.STDOUT)
    ok(wait_until(lambda: '"event":"ready"' in open(log).read(), 20), "a notification requiring STARTTLS starts")
    return p


def offer_to(label):
    pro = professional(tok, "Tee %s" % label, "%s.%d@example.org" % (label, n), localities=["NR2"])
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng), suggested=pro["email"]), tok)
    case_of(tok, body.get("id"))
    return pro["email"]


def arrived(directory, address):
    return [t for t, raw in sink_messages(directory) if address.encode() in raw]


kill("notification", signal.SIGSTOP)
try:
    twin = start_twin("smtp://127.0.0.1:%d" % TLS_PORT)
    address = offer_to("tls")
    ok(settled(lambda: arrived(tls_dir, address), 30), "the offer e-mail goes through STARTTLS")
    twin.terminate()
    twin.wait(timeout=20)
    twin = start_twin("smtp://127.0.0.1:%s" % os.environ["KW_SMTP_PORT"])
    clear = offer_to("clear")
    failed = settled(lambda: "SSL" in open(log).read() or "STARTTLS" in open(log).read(), 30)
    ok(failed, "against a server without STARTTLS the send fails")
    ok(not [m for m in mails() if clear in m.get_all("Delivered-To", [])], "and nothing is sent in clear")
finally:
    if twin:
        twin.terminate()
        twin.wait(timeout=20)
    kill("notification", signal.SIGCONT)
    sink.terminate()
    sink.wait(timeout=10)
ok(pid_of("notification") == main, "the stack's notification goes on")
done()
