#!/usr/bin/python3
"""smtp_sink: a local SMTP server that accepts every message and stores it
as one .eml file in a directory, for the local stack and the tests. Each file
is written under a temporary name and renamed into place, so a reader never
sees half a message. Every accepted transaction is also one line of
transactions.log in the same directory, written before the server's reply:
{"at": seconds since the epoch, "file": the .eml name, "message_id": the
Message-ID header or "", "bytes": the size}. A message sent twice is two
lines and two files, whatever its Message-ID. Runs until SIGTERM or SIGINT.

While a file named "refuse" is in the directory, every message is answered
with the SMTP reply it holds (its first line, such as "451 4.3.0 Try again
later" or "550 5.1.1 No such user"), stored nowhere and not journalled: a
test's way to make the server refuse, temporarily or for good.

    smtp_sink.py [--host 127.0.0.1] [--port 2525] --dir DIR [--tls-cert PEM --tls-key PEM]

With --tls-cert and --tls-key it offers STARTTLS and requires it: a client
that does not start TLS has every command after EHLO refused.

Needs Debian's python3-aiosmtpd. Logs carry counts and file names only, never
addresses or message content."""

import argparse
import email.parser
import itertools
import json
import os
import signal
import sys
import threading
import time

try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.exit("smtp_sink: aiosmtpd is missing: apt-get install -y python3-aiosmtpd")


class Store:
    """aiosmtpd handler: writes each accepted message to the directory."""

    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.journal = open(os.path.join(directory, "transactions.log"), "a", encoding="utf-8")

    def _name(self):
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
        with self.lock:
            n = next(self.counter)
        return "%s.%06dZ-%d-%06d.eml" % (stamp, int(now % 1 * 1e6), os.getpid(), n)

    def _write(self, name, data):
        final = os.path.join(self.directory, name)
        tmp = os.path.join(self.directory, ".tmp-" + name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, final)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def _record(self, name, content):
        """Append the transaction to the journal (flushed and synced)."""
        headers = email.parser.BytesHeaderParser().parsebytes(content)
        line = json.dumps({"at": time.time(), "file": name,
                           "message_id": str(headers.get("Message-ID", "")).strip(),
                           "bytes": len(content)})
        with self.lock:
            self.journal.write(line + "\n")
            self.journal.flush()
            os.fsync(self.journal.fileno())

    def _refusal(self):
        """The reply of a "refuse" file in the directory, or None."""
        try:
            with open(os.path.join(self.directory, "refuse"), encoding="utf-8") as f:
                reply = f.readline().strip()
        except OSError:
            return None
        return reply if len(reply) > 4 and reply[:3].isdigit() and reply[0] in "45" else "451 4.3.0 Refused"

    async def handle_DATA(self, server, session, envelope):
        refusal = self._refusal()
        if refusal:
            print("smtp_sink: refused a message (%s)" % refusal[:3], file=sys.stderr, flush=True)
            return refusal
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        # The envelope as trace headers, as a delivering MTA would add them.
        trace = "Return-Path: <%s>\r\n" % (envelope.mail_from or "")
        for rcpt in envelope.rcpt_tos:
            trace += "Delivered-To: %s\r\n" % rcpt
        name = self._name()
        try:
            self._write(name, trace.encode("utf-8", "replace") + content)
            self._record(name, content)
        except OSError as e:
            print("smtp_sink: store failed: %s" % e.strerror, file=sys.stderr, flush=True)
            return "451 Requested action aborted: local error in processing"
        print("smtp_sink: stored %s (%d bytes, %d recipients)"
              % (name, len(content), len(envelope.rcpt_tos)), file=sys.stderr, flush=True)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description="Local SMTP sink storing messages as .eml files.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")
    parser.add_argument("--dir", required=True, help="directory the .eml files are written to")
    parser.add_argument("--tls-cert", help="certificate (PEM): offer and require STARTTLS")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    # Temporary files of an earlier run that died mid-write.
    for name in os.listdir(args.dir):
        if name.startswith(".tmp-"):
            try:
                os.unlink(os.path.join(args.dir, name))
            except OSError:
                pass

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    tls = {}
    if args.tls_cert:
        import ssl
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        tls = {"tls_context": context, "require_starttls": True}
    controller = Controller(Store(args.dir), hostname=args.host, port=args.port, **tls)
    try:
        controller.start()
    except Exception as e:
        print("smtp_sink: cannot listen on %s:%d: %s" % (args.host, args.port, e),
              file=sys.stderr, flush=True)
        return 1
    print("smtp_sink: listening on %s:%d, storing in %s" % (args.host, args.port, args.dir),
          file=sys.stderr, flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        controller.stop()
    print("smtp_sink: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
