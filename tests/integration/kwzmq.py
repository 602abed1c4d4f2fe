"""ZeroMQ helpers for the tests of the platform's transport: CURVE sockets
with a program's key pair from the test stack's key directory, with a fresh
key pair of their own or with none; the handshake's outcome read from a
socket monitor; and the few protobuf messages the tests send (Request,
Envelope, EligibilityDecided), packed by hand."""

import os
import time
import zmq
from zmq.utils.monitor import recv_monitor_message

KEYS = os.environ["KW_CURVE_PUBLIC_DIR"]
CTX = zmq.Context.instance()
OUTCOMES = {zmq.EVENT_HANDSHAKE_SUCCEEDED: "succeeded", zmq.EVENT_HANDSHAKE_FAILED_AUTH: "refused",
            zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "failed", zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "failed"}


def key(name, secret=False):
    with open(os.path.join(KEYS, name + (".key" if secret else ".pub"))) as f:
        return f.read().strip().encode()


def socket(kind, server, identity):
    """A socket of kind for the program server: identity is a program's
    name (its key pair), "fresh" (a key pair of its own) or None (no CURVE)."""
    s = CTX.socket(kind)
    s.linger = 0
    if identity == "fresh":
        s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()
    elif identity:
        s.curve_publickey, s.curve_secretkey = key(identity), key(identity, True)
    if identity:
        s.curve_serverkey = key(server)
    return s


def connect(s, endpoint, timeout=10.0):
    """Connect s and wait for the handshake: "succeeded", "refused" (ZAP
    said no), "failed" (no common mechanism) or "timeout"."""
    mon = s.get_monitor_socket()
    s.connect(endpoint)
    deadline = time.time() + timeout
    outcome = "timeout"
    while time.time() < deadline:
        if mon.poll(100):
            event = recv_monitor_message(mon)["event"]
            if event in OUTCOMES:
                outcome = OUTCOMES[event]
                break
    s.disable_monitor()
    mon.close()
    return outcome


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, value):
    """One protobuf field: an int is a varint, str/bytes are length-delimited."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def message(*fields):
    return b"".join(field(n, v) for n, v in fields if v is not None)


def request(method, role=None, region="norfolk", payload=b""):
    caller = message((1, "transport-test"), (2, role), (4, region)) if role else None
    return message((1, method), (2, caller), (3, payload or None),
                   (5, int(time.time() * 1000) + 10000))


def response_status(data):
    """The status field (1) of a packed Response (0, OK, when absent)."""
    i = 0
    while i < len(data):
        tag, i = _read_varint(data, i)
        if tag >> 3 == 1 and tag & 7 == 0:
            return _read_varint(data, i)[0]
        if tag & 7 == 0:
            i = _read_varint(data, i)[1]
        else:
            length, i = _read_varint(data, i)
            i += length
    return 0


def _read_varint(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def call(s, req, timeout=5.0):
    """Send [id][Request] on a DEALER; the Response's status, or None when
    no answer came within timeout (or it could not be sent: no peer)."""
    try:
        s.send_multipart([b"\x01" * 8, req], zmq.NOBLOCK)
    except zmq.Again:
        return None
    if not s.poll(int(timeout * 1000)):
        return None
    frames = s.recv_multipart()
    return response_status(frames[-1])


def envelope(producer, type_, seq, event_id, payload, region="norfolk", correlation=None):
    return message((1, event_id), (2, type_), (3, producer), (4, seq),
                   (5, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())), (6, region),
                   (7, correlation), (8, payload))


def publish_until_seen(pub, frames, sub, topic, timeout=10.0):
    """Send frames (a list of multipart messages) on pub again and again
    until sub receives a message whose topic is topic (the subscription
    travels through the bus first). Returns every topic sub received."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline and topic not in seen:
        for parts in frames:
            pub.send_multipart(parts)
        while sub.poll(100):
            seen.append(sub.recv_multipart()[0])
    return seen
