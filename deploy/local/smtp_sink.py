#!/usr/bin/python3
"""smtp_sink: a local SMTP server that accepts every message and stores it,
for the local stack and the tests, in two append-only files of a directory:

  messages.mbox     every message as stored (the envelope as trace headers,
                    Return-Path and Delivered-To, then the message as it
                    came), each after an mbox "From " line, so a mail reader
                    opens it; lines of a message starting "From " are not
                    quoted: the journal's offsets are what is exact.
  transactions.log  one line a transaction: {"at": seconds since the epoch,
                    "file": "messages.mbox", "offset": where the stored
                    message starts in it, "size": its stored length,
                    "message_id": the Message-ID header or "", "bytes": the
                    size of the message as it came}.

A message sent twice is two messages and two lines, whatever its
Message-ID. A reader reads the journal, then each line's bytes: a line is
written only once its message is whole. Runs until SIGTERM or SIGINT.

The server replies to a message's DATA only once the message and its line
are written and synced to disk: a message acknowledged is on disk. The
messages completed in one turn of the event loop (several connections at
once) are stored together, one write and one fsync of each file for all of
them, then each is answered. (No file a message: on ext4 creating one
was measured at 0.4 to 0.5 ms of system time, more than all the rest of a
message's handling.)

While a file named "refuse" is in the directory, every message is answered
with the SMTP reply it holds (its first line, such as "451 4.3.0 Try again
later" or "550 5.1.1 No such user"), stored nowhere and not journalled: a
test's way to make the server refuse, temporarily or for good.

    smtp_sink.py [--host 127.0.0.1] [--port 2525] --dir DIR [--tls-cert PEM --tls-key PEM]

With --tls-cert and --tls-key it offers STARTTLS and requires it: a client
that does not start TLS has every command after EHLO refused.

The SMTP server is Debian's python3-aiosmtpd, on this program's one
asyncio loop; this file is its handler and the storage. Logs carry counts
and file names only, never addresses or message content (aiosmtpd's own
log, which names senders and recipients, is kept to errors)."""

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import sys
import time

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    sys.exit("smtp_sink: aiosmtpd is missing: apt-get install -y python3-aiosmtpd")

SIZE_LIMIT = 32 * 1024 * 1024
# A message's text lines, without their CRLF, as SMTP carries them (RFC 5321
# 4.5.3.1.6): a longer one is refused, as mail servers do.
TEXT_LINE_LIMIT = 998
RECEIVE_SIZE = 65536
NO_AUTH = ("LOGIN", "PLAIN")     # aiosmtpd's own, which refuse every login: no AUTH offered
JOURNAL = "transactions.log"
SPOOL = "messages.mbox"
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
FOLD = re.compile(rb"\r?\n[ \t]+")


def log(text):
    print("smtp_sink: " + text, file=sys.stderr, flush=True)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def message_id(content):
    """The first Message-ID header of content (bytes), unfolded, or ""."""
    end = content.find(b"\r\n\r\n")
    head = FOLD.sub(b" ", content[:end] if end >= 0 else content)
    found = MESSAGE_ID.search(head)
    return found.group(1).decode("ascii", "replace") if found else ""


class Store:
    """aiosmtpd's handler: each message's DATA waits while the messages of
    its turn of the loop are written and synced together, then is answered."""

    def __init__(self, directory, loop):
        self.directory = directory
        self.loop = loop
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        self.spool = os.open(os.path.join(directory, SPOOL), flags, 0o600)
        self.journal = os.open(os.path.join(directory, JOURNAL), flags, 0o600)
        self.end = os.fstat(self.spool).st_size
        self.pending = []           # (stored bytes, journal line, the future its DATA awaits)
        self.scheduled = False

    def refusal(self):
        """The reply of a "refuse" file in the directory, or None."""
        try:
            with open(os.path.join(self.directory, "refuse"), encoding="utf-8") as f:
                reply = f.readline().strip()
        except OSError:
            return None
        return reply if len(reply) > 4 and reply[:3].isdigit() and reply[0] in "45" else "451 4.3.0 Refused"

    async def handle_DATA(self, server, session, envelope):
        refusal = self.refusal()
        if refusal:
            log("refused a message (%s)" % refusal[:3])
            return refusal
        mail_from, content = envelope.mail_from or "", envelope.original_content
        if any(len(line) > TEXT_LINE_LIMIT for line in content.split(b"\r\n")):
            return "500 5.5.6 Line too long (at most %d octets a line)" % TEXT_LINE_LIMIT
        now = time.time()
        trace = "Return-Path: <%s>\r\n" % mail_from + "".join("Delivered-To: %s\r\n" % r for r in envelope.rcpt_tos)
        separator = ("From %s %s\r\n" % (mail_from or "MAILER-DAEMON", time.asctime(time.gmtime(now)))).encode()
        stored = trace.encode("utf-8", "replace") + content
        offset = self.end + len(separator)
        self.end = offset + len(stored) + 2
        line = json.dumps({"at": now, "file": SPOOL, "offset": offset, "size": len(stored),
                           "message_id": message_id(content), "bytes": len(content)})
        stored_reply = self.loop.create_future()
        self.pending.append((separator + stored + b"\r\n", line, stored_reply))
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)
        return await stored_reply

    def flush(self):
        """Store every message pending, sync once, answer each."""
        self.scheduled = False
        batch, self.pending = self.pending, []
        if not batch:
            return
        reply = "250 Message accepted for delivery"
        try:
            write_all(self.spool, b"".join(stored for stored, _, _ in batch))
            os.fsync(self.spool)
            write_all(self.journal, "".join(line + "\n" for _, line, _ in batch).encode("utf-8"))
            os.fsync(self.journal)
        except OSError as e:
            log("store failed: %s" % e.strerror)
            reply = "451 Requested action aborted: local error in processing"
            self.end = os.fstat(self.spool).st_size
        for _, _, stored_reply in batch:
            if not stored_reply.done():
                stored_reply.set_result(reply)


class Session(SMTP):
    """aiosmtpd's SMTP, each connection's socket read RECEIVE_SIZE at a
    time (asyncio's 256 KiB a read had each allocation mapped and unmapped)."""

    def connection_made(self, transport):
        if hasattr(transport, "max_size"):
            transport.max_size = RECEIVE_SIZE
        super().connection_made(transport)


async def serve(args):
    loop = asyncio.get_running_loop()
    tls = {}
    if args.tls_cert:
        import ssl
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        tls = {"tls_context": context, "require_starttls": True}
    store = Store(args.dir, loop)
    hostname = socket.gethostname()
    try:
        server = await loop.create_server(
            lambda: Session(store, hostname=hostname, ident="smtp_sink", data_size_limit=SIZE_LIMIT,
                            enable_SMTPUTF8=True, auth_exclude_mechanism=NO_AUTH, loop=loop, **tls),
            args.host, args.port, reuse_address=True)
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return 1
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    log("listening on %s:%d, storing in %s" % (args.host, args.port, args.dir))
    await stop.wait()
    server.close()
    store.flush()
    log("stopped")
    return 0


def main():
    parser = argparse.ArgumentParser(description="Local SMTP sink storing messages in an mbox and a journal.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")
    parser.add_argument("--dir", required=True, help="directory the messages and the journal are written to")
    parser.add_argument("--tls-cert", help="certificate (PEM): offer and require STARTTLS")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
