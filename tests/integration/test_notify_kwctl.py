"""kwctl's notification, preferences and template commands against the
real stack: notification list with filters, get and retry (a failed
e-mail, made failed by the SMTP sink's permanent refusal, sent again with
its own Message-ID), preferences get and set (channels, quiet hours,
opt-out, each kept by the next set), template check of the repository's
table (0) and of a broken copy (1, naming the file), and the exit status
of a bad option (2)."""

import json
import os
import random
import shutil
import subprocess
import tempfile
from kwtest import (ok, done, http, nhs_number, referral, professional, case_of, sink_journal,
                    delivery_message_id, BIN, MAIL_DIR)
from notifytest import notify_region, settled

KWCTL = os.path.join(BIN, "kwctl")
rng = random.Random()
n = rng.randrange(10 ** 9)
REGION = "notify-kwctl-%d" % n
tok = notify_region(REGION, {"offer_ttl": "1h"}, ["kwctl.coordinator.%d@example.org" % n])


def kwctl(*args, tok=tok):
    e = dict(os.environ, KW_TOKEN=tok)
    e.pop("KW_API_URL", None)
    p = subprocess.run([KWCTL] + list(args), capture_output=True, text=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr


pro = professional(tok, "Kay Cli", "kay.%d@example.org" % n, localities=["NR2"])
refuse = os.path.join(MAIL_DIR, "refuse")
with open(refuse, "w") as f:
    f.write("550 5.1.1 No such user\n")
try:
    status, body, _ = http("POST", "/v1/referrals", referral(nhs_number(rng)), tok)
    case_id = case_of(tok, body.get("id"))

    def failed():
        rc, out, _ = kwctl("--json", "notification", "list", "--case", case_id, "--status", "failed")
        items = json.loads(out).get("items", []) if rc == 0 else []
        return items[0] if items else None
    dead = settled(failed, 20)
finally:
    os.unlink(refuse)
ok(dead and dead["template"] == "offer_made", "notification list --case --status failed finds the refused offer", dead)
rc, out, _ = kwctl("notification", "list", "--case", case_id, "--template", "offer_made")
ok(rc == 0 and "ATTEMPTS" in out and dead["id"] in out and "failed" in out, "as a table", out)
rc, out, _ = kwctl("notification", "get", dead["id"])
ok(rc == 0 and "last_error" in out and "550" in out and "offer_made" in out, "notification get shows the record", out)
rc, out, err = kwctl("notification", "retry", dead["id"])
ok(rc == 0 and "pending" in out, "notification retry sends it again", out + err)
ok(settled(lambda: len([t for t in sink_journal() if t["message_id"] == delivery_message_id(dead["id"])]) == 1),
   "once, with its own Message-ID")
rc, out, err = kwctl("notification", "retry", dead["id"])
ok(rc == 1 and "only a failed" in err, "a second retry is the API's refusal (exit 1)", err)
rc, out, err = kwctl("notification", "list", "--status", "lost")
ok(rc == 2 and "--status" in err, "a status that is none exits 2", err)

rc, out, err = kwctl("preferences", "set", pro["id"], "--channels", "email", "--quiet", "21:00-07:30")
ok(rc == 0 and "21:00 to 07:30" in out and "email" in out, "preferences set: channels and quiet hours", out + err)
rc, out, err = kwctl("preferences", "set", pro["id"], "--opt-out")
ok(rc == 0 and "opted out    yes" in out and "21:00 to 07:30" in out, "an opt-out keeps the quiet hours", out + err)
rc, out, err = kwctl("preferences", "set", pro["id"], "--no-quiet", "--opt-in")
ok(rc == 0 and "quiet hours  none" in out and "opted out    no" in out, "--no-quiet and --opt-in", out + err)
rc, out, err = kwctl("preferences", "set", pro["id"], "--quiet", "9pm-7am")
ok(rc == 2 and "HH:MM-HH:MM" in err, "a bad --quiet exits 2", err)
rc, out, err = kwctl("preferences", "get", pro["id"])
ok(rc == 0 and "email" in out and "none" in out, "preferences get", out)

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rc, out, err = kwctl("template", "check", "--dir", os.path.join(root, "deploy/notifications"),
                     "--regions", os.path.join(root, "deploy/regions"))
ok(rc == 0 and "every template renders" in out and "fragments" in out, "template check of the repository", err)
with tempfile.TemporaryDirectory() as tmp:
    shutil.copytree(os.path.join(root, "deploy/notifications"), os.path.join(tmp, "n"))
    with open(os.path.join(tmp, "n", "templates", "case_closed_family.subject"), "w") as f:
        f.write("Closed: ((key_worker.name))\n")
    rc, out, err = kwctl("template", "check", "--dir", os.path.join(tmp, "n"),
                         "--regions", os.path.join(root, "deploy/regions"))
    ok(rc == 1 and "case_closed_family.subject" in err and "may not be in a subject" in err,
       "a name in a subject fails the check, naming the file", err)
done()
