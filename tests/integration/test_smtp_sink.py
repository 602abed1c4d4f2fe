"""The stack's SMTP sink holds messages to SMTP's line limit, as mail
servers do (RFC 5321 4.5.3.1.6: 998 octets a line without its CRLF): a
message with a longer line is refused and stored nowhere; one at the limit
is stored whole. So a message the notification service composes with an
over-long line would fail the tests that send it, not a real server later."""

import os
import random
import smtplib
from kwtest import ok, done, sink_messages

PORT = int(os.environ["KW_SMTP_PORT"])
rng = random.Random()
tag = "sink-%d" % rng.randrange(10 ** 9)


def send(line):
    message = ("From: <a@example.org>\r\nTo: <b@example.org>\r\nSubject: %s\r\nMessage-ID: <%s@example.org>\r\n\r\n"
               "%s\r\n" % (tag, tag + str(len(line)), line)).encode()
    with smtplib.SMTP("127.0.0.1", PORT, timeout=30) as smtp:
        try:
            smtp.sendmail("a@example.org", ["b@example.org"], message)
            return 250, message
        except smtplib.SMTPDataError as e:
            return e.smtp_code, message


before = len(sink_messages())
code, _ = send("x" * 999)
ok(code == 500, "a message with a 999-octet line is refused (500)", code)
code, message = send("y" * 998)
ok(code == 250, "a message with a 998-octet line is taken", code)
stored = sink_messages(skip=before)
ok(len(stored) == 1 and stored[0][1].endswith(message), "only the second is stored, whole",
   [t for t, _ in stored])
done()
