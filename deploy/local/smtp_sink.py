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

A message with a text line over 998 octets (its CRLF not counted) is
refused with 500, as mail servers do (RFC 5321 4.5.3.1.6).

With --tls-cert and --tls-key it offers STARTTLS and requires it: a client
that does not start TLS has every command after EHLO refused.

Python's standard library only: one thread, asyncio, a small SMTP server
(RFC 5321's commands a sender uses: EHLO, HELO, STARTTLS, MAIL, RCPT, DATA,
RSET, NOOP, VRFY, QUIT). Logs carry counts and file names only, never
addresses or message content.

Why not aiosmtpd (Debian's python3-aiosmtpd): the same handler and storage
on its server (on this loop, reads of 64 KiB, its log kept to errors) took
1.7 to 1.9 times the processor time a message, measured back to back with
this one: 0.72 ms a referral against 0.38 to 0.42 (make bench's processor
share, twice each) and 0.50 to 0.55 ms an e-mail against 0.29 to 0.32
(tests/load/mail_bench.py 1000, the service's e-mails, twice each). It
reads a message's data a line at a time through a coroutine and parses
each MAIL and RCPT address with the e-mail package's header parser."""

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import sys
import time

SIZE_LIMIT = 32 * 1024 * 1024
LINE_LIMIT = 4096
# A message's text lines, without their CRLF, as SMTP carries them (RFC 5321
# 4.5.3.1.6): a longer one is refused, as mail servers do.
TEXT_LINE_LIMIT = 998
RECEIVE_SIZE = 65536
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
    """The directory: the messages and the journal, written in batches,
    each synced once before its messages are answered."""

    def __init__(self, directory, loop):
        self.directory = directory
        self.loop = loop
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        self.spool = os.open(os.path.join(directory, SPOOL), flags, 0o600)
        self.journal = os.open(os.path.join(directory, JOURNAL), flags, 0o600)
        self.end = os.fstat(self.spool).st_size
        self.pending = []           # (stored bytes, journal line, the session to answer)
        self.scheduled = False

    def refusal(self):
        """The reply of a "refuse" file in the directory, or None."""
        try:
            with open(os.path.join(self.directory, "refuse"), encoding="utf-8") as f:
                reply = f.readline().strip()
        except OSError:
            return None
        return reply if len(reply) > 4 and reply[:3].isdigit() and reply[0] in "45" else "451 4.3.0 Refused"

    def accept(self, session, mail_from, rcpt_tos, content):
        """Store a message; session.reply is called with the outcome once
        it and its journal line are on disk."""
        now = time.time()
        trace = "Return-Path: <%s>\r\n" % mail_from + "".join("Delivered-To: %s\r\n" % r for r in rcpt_tos)
        separator = ("From %s %s\r\n" % (mail_from or "MAILER-DAEMON", time.asctime(time.gmtime(now)))).encode()
        stored = trace.encode("utf-8", "replace") + content
        offset = self.end + len(separator)
        self.end = offset + len(stored) + 2
        line = json.dumps({"at": now, "file": SPOOL, "offset": offset, "size": len(stored),
                           "message_id": message_id(content), "bytes": len(content)})
        self.pending.append((separator + stored + b"\r\n", line, session))
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)

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
        for _, _, session in batch:
            session.reply(reply)


class Session(asyncio.BufferedProtocol):
    """One SMTP connection: commands line by line, then a message's data up
    to its "." line. Commands are taken one at a time: while a reply is
    awaited (a message's journal, a TLS handshake) what follows waits.
    The socket is read into a buffer of the session's own (a protocol
    given bytes has each read allocate 256 KiB)."""

    def __init__(self, store, tls_context, hostname):
        self.store = store
        self.tls_context = tls_context
        self.hostname = hostname
        self.transport = None
        self.buffer = bytearray()
        self.received = memoryview(bytearray(RECEIVE_SIZE))
        self.in_data = False
        self.waiting = False
        self.tls = False
        self.greeted = False
        self.mail_from, self.rcpt_tos = None, []

    def connection_made(self, transport):
        self.transport = transport
        self.send("220 %s ESMTP smtp_sink" % self.hostname)

    def send(self, line):
        if not self.transport.is_closing():
            self.transport.write(line.encode("utf-8") + b"\r\n")

    def reply(self, line):
        """The awaited reply: send it and go on with what came meanwhile."""
        self.send(line)
        self.waiting = False
        self.work()

    def get_buffer(self, sizehint):
        return self.received

    def buffer_updated(self, nbytes):
        self.buffer += self.received[:nbytes]
        self.work()

    def work(self):
        while not self.waiting and not self.transport.is_closing():
            if self.in_data:
                if not self.take_data():
                    return
                continue
            end = self.buffer.find(b"\n")
            if end < 0:
                if len(self.buffer) > LINE_LIMIT:
                    self.buffer.clear()
                    self.send("500 Error: line too long")
                return
            line = bytes(self.buffer[:end]).rstrip(b"\r").decode("utf-8", "replace")
            del self.buffer[:end + 1]
            self.command(line)

    def take_data(self):
        """The message's data when its end has come (True), else False."""
        if self.buffer.startswith(b".\r\n"):
            end, skip = 0, 3
        else:
            end = self.buffer.find(b"\r\n.\r\n")
            if end < 0:
                if len(self.buffer) > SIZE_LIMIT + LINE_LIMIT:
                    self.send("552 Error: Too much mail data")
                    self.transport.close()
                return False
            end, skip = end + 2, 3
        content = bytes(self.buffer[:end])
        del self.buffer[:end + skip]
        self.in_data = False
        if content.startswith(b".."):
            content = content[1:]
        content = content.replace(b"\r\n..", b"\r\n.")
        mail_from, rcpt_tos = self.mail_from, self.rcpt_tos
        self.mail_from, self.rcpt_tos = None, []
        if len(content) > SIZE_LIMIT:
            self.send("552 Error: Too much mail data")
            return True
        if any(len(line) > TEXT_LINE_LIMIT for line in content.split(b"\r\n")):
            self.send("500 5.5.6 Line too long (at most %d octets a line)" % TEXT_LINE_LIMIT)
            return True
        refusal = self.store.refusal()
        if refusal:
            log("refused a message (%s)" % refusal[:3])
            self.send(refusal)
            return True
        self.waiting = True
        self.store.accept(self, mail_from, rcpt_tos, content)
        return True

    def command(self, line):
        verb, _, arg = line.partition(" ")
        verb, arg = verb.upper(), arg.strip()
        if verb in ("EHLO", "HELO"):
            self.greeted = True
            self.mail_from, self.rcpt_tos = None, []
            if verb == "HELO":
                self.send("250 %s" % self.hostname)
                return
            lines = [self.hostname, "SIZE %d" % SIZE_LIMIT, "8BITMIME", "SMTPUTF8"]
            if self.tls_context and not self.tls:
                lines.append("STARTTLS")
            lines.append("HELP")
            self.send("\r\n".join("250-" + x for x in lines[:-1]) + "\r\n250 " + lines[-1])
        elif verb == "NOOP":
            self.send("250 OK")
        elif verb == "QUIT":
            self.send("221 Bye")
            self.transport.close()
        elif verb == "RSET":
            self.mail_from, self.rcpt_tos = None, []
            self.send("250 OK")
        elif verb == "STARTTLS" and self.tls_context and not self.tls:
            self.send("220 Ready to start TLS")
            self.waiting = True
            self.buffer.clear()
            asyncio.ensure_future(self.start_tls())
        elif self.tls_context and not self.tls:
            self.send("530 Must issue a STARTTLS command first")
        elif not self.greeted and verb in ("MAIL", "RCPT", "DATA"):
            self.send("503 Error: send HELO first")
        elif verb == "MAIL":
            if self.mail_from is not None:
                self.send("503 Error: nested MAIL command")
            elif not arg.upper().startswith("FROM:"):
                self.send("501 Syntax: MAIL FROM: <address>")
            else:
                self.mail_from = self.address(arg[5:])
                self.send("250 OK")
        elif verb == "RCPT":
            if self.mail_from is None:
                self.send("503 Error: need MAIL command")
            elif not arg.upper().startswith("TO:"):
                self.send("501 Syntax: RCPT TO: <address>")
            else:
                self.rcpt_tos.append(self.address(arg[3:]))
                self.send("250 OK")
        elif verb == "DATA":
            if not self.rcpt_tos:
                self.send("503 Error: need RCPT command")
            else:
                self.in_data = True
                self.send("354 End data with <CR><LF>.<CR><LF>")
        elif verb == "VRFY":
            self.send("252 Cannot VRFY user, but will accept message and attempt delivery")
        else:
            self.send('500 Error: command "%s" not recognized' % verb[:16])

    @staticmethod
    def address(arg):
        """The address of a MAIL or RCPT argument: <address> [parameters]."""
        arg = arg.strip()
        if arg.startswith("<"):
            return arg[1:arg.find(">")] if ">" in arg else arg[1:]
        return arg.split(" ", 1)[0]

    async def start_tls(self):
        try:
            self.transport = await asyncio.get_running_loop().start_tls(
                self.transport, self, self.tls_context, server_side=True)
        except Exception as e:          # a failed handshake ends that connection only
            log("TLS handshake failed: %s" % type(e).__name__)
            self.transport.close()
            return
        self.tls, self.greeted = True, False
        self.mail_from, self.rcpt_tos = None, []
        self.waiting = False
        self.work()


async def serve(args):
    loop = asyncio.get_running_loop()
    tls_context = None
    if args.tls_cert:
        import ssl
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
    store = Store(args.dir, loop)
    hostname = socket.gethostname()
    try:
        server = await loop.create_server(lambda: Session(store, tls_context, hostname), args.host, args.port,
                                          reuse_address=True)
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
    return asyncio.run(serve(args))


if __name__ == "__main__":
    sys.exit(main())
