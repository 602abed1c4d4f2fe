"""The first wall: CURVE and ZAP on every ZeroMQ socket of the running stack.
A client with no key, or with a fresh key pair of its own and the servers'
public keys, is refused by every service's RPC endpoint and by both sides of
the bus, so it can call no method, receive no frame and get none through;
a program's key is admitted only where its name is (the gateway calls the
services but does not subscribe; a service's own key reaches only its
health); and the bus passes an event only from the producer its topic
names. Each refusal is checked beside an admitted peer doing the same."""

import os
import subprocess
import tempfile
import zmq
from kwtest import ok, done, VAR, BIN
from kwzmq import socket, connect, call, request, publish_until_seen

SERVICES = ["referral", "eligibility", "assignment", "scheduling", "notification"]
RPC = {s: os.environ["KW_%s_RPC" % s.upper()] for s in SERVICES}
OK_STATUS, FORBIDDEN = 0, 4

# No keys, no start: a program whose key directory is empty exits at once.
empty = tempfile.mkdtemp()
for program in ("bus", "gateway", "referral"):
    run = subprocess.run([os.path.join(BIN, program)], env=dict(os.environ, KW_CURVE_PUBLIC_DIR=empty),
                         capture_output=True, text=True, timeout=30)
    ok(run.returncode == 2 and "cannot read the key" in run.stderr,
       "%s refuses to start without its keys" % program, (run.returncode, run.stderr[-200:]))
os.rmdir(empty)

# RPC: the gateway's key is answered; no key and a fresh key are refused.
for s in SERVICES:
    gateway = socket(zmq.DEALER, s, "gateway")
    ok(connect(gateway, RPC[s]) == "succeeded" and call(gateway, request("health")) == OK_STATUS,
       "%s: the gateway's key is admitted and answered" % s)
    gateway.close()
    for identity in (None, "fresh"):
        intruder = socket(zmq.DEALER, s, identity)
        outcome = connect(intruder, RPC[s])
        ok(outcome == ("failed" if identity is None else "refused"),
           "%s: a client with %s is refused at the handshake"
           % (s, "a fresh key pair" if identity else "no key"), outcome)
        answers = [call(intruder, request(m, role="admin"), timeout=0.5) for m in ("health", s + ".list")]
        ok(answers == [None, None], "%s: ... and no method answers it" % s, answers)
        intruder.close()

# A program admitted to a service only for its own health probe cannot vouch
# for a caller: a request with an admin caller is refused as having none.
for identity, want in (("referral", FORBIDDEN), ("gateway", OK_STATUS)):
    s = socket(zmq.DEALER, "referral", identity)
    connect(s, RPC["referral"])
    status = call(s, request("referral.list", role="admin"))
    ok(status == want, "referral.list with an admin caller from the %s key: status %d" % (identity, want), status)
    s.close()

# The bus: subscribers and publishers with no key or a fresh key are refused;
# the gateway's key is neither a subscriber's nor a publisher's.
for side, endpoint, identities in (("subscribe", os.environ["KW_BUS_SUB"], (None, "fresh", "gateway")),
                                   ("publish", os.environ["KW_BUS_PUB"], (None, "fresh", "gateway"))):
    for identity in identities:
        s = socket(zmq.SUB if side == "subscribe" else zmq.PUB, "bus", identity)
        outcome = connect(s, endpoint)
        ok(outcome == ("failed" if identity is None else "refused"),
           "bus %s side: %s is refused" % (side, identity or "no key"), outcome)
        s.close()

# Frames: a watcher with a subscriber's key sees what an admitted producer
# publishes; refused subscribers see nothing; refused publishers and a
# producer publishing under another's name get nothing through.
watcher = socket(zmq.SUB, "bus", "scheduling")
watcher.setsockopt(zmq.SUBSCRIBE, b"referral.")
watcher.setsockopt(zmq.SUBSCRIBE, b"eligibility.")
ok(connect(watcher, os.environ["KW_BUS_SUB"]) == "succeeded", "a watcher with the scheduling key subscribes")
outsiders = []
for identity in (None, "fresh"):
    sub = socket(zmq.SUB, "bus", identity)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    connect(sub, os.environ["KW_BUS_SUB"])
    pub = socket(zmq.PUB, "bus", identity)
    connect(pub, os.environ["KW_BUS_PUB"])
    outsiders.append((sub, pub))
insider = socket(zmq.PUB, "bus", "eligibility")
ok(connect(insider, os.environ["KW_BUS_PUB"]) == "succeeded", "a publisher with the eligibility key connects")
for _, pub in outsiders:
    pub.send_multipart([b"referral.outsider_probe", b""])
frames = [[b"referral.forged_by_eligibility", b""], [b"eligibility.transport_probe", b""]]
seen = publish_until_seen(insider, frames, watcher, b"eligibility.transport_probe")
ok(b"eligibility.transport_probe" in seen, "the eligibility key's own event reaches the watcher")
ok(b"referral.forged_by_eligibility" not in seen,
   "an event under the referral name from the eligibility key is dropped by the bus", seen)
ok(b"referral.outsider_probe" not in seen, "nothing from the refused publishers got through", seen)
got = [sub.poll(0) for sub, _ in outsiders]
ok(got == [0, 0], "the refused subscribers received no frame", got)
with open(os.path.join(VAR, "log", "bus.log")) as f:
    log = f.read()
ok('"event":"bus_event_refused"' in log and '"sender":"eligibility"' in log,
   "the bus logged the refused event and its sender")
ok('"event":"curve_handshake_failed","socket":"bus-sub"' in log
   and '"event":"curve_handshake_failed","socket":"bus-pub"' in log,
   "the bus logged the failed handshakes of both sides")
for s in SERVICES:
    with open(os.path.join(VAR, "log", s + ".log")) as f:
        log = f.read()
    ok(log.count('"event":"curve_handshake_failed","socket":"rpc"') >= 2
       and '"event":"curve_refused","domain":"rpc"' in log,
       "%s logged the client without a key and the refused key" % s)
for sub, pub in outsiders:
    sub.close()
    pub.close()
insider.close()
watcher.close()
done()
