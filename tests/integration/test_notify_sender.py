"""The sender never makes the service's loop wait on its statements. While a
session holds notification.deliveries in EXCLUSIVE mode (reads pass, every
change waits), the sender's statement waits on the sender's own connection
(application_name notification-sender, seen waiting on the lock in
pg_stat_activity), and a delivery record is still read through the gateway
(GET /v1/notifications/{id}: the service's loop and its own connection).
Once the lock goes, a delivery made due under it is sent, once, with its
Message-ID. When the sender's backend stops answering (SIGSTOP: a server
gone without a word looks the same from the client), its statement is
abandoned with the connection after a few seconds and a delivery made due
meanwhile is sent on a fresh one, once. And KW_SMTP_IN_FLIGHT outside 1 to 64 refuses the start,
naming it."""

import os
import signal
import subprocess
import threading
import uuid
from kwtest import ok, done, http, sql, scalar, token, wait_until, mails, delivery_message_id, BIN, VAR, PG_PORT, PSQL

tok = token(role="coordinator", region="norfolk", sub="sender-test")
run = uuid.uuid4().hex[:8]


def delivery(status, label):
    """A norfolk e-mail delivery in status, due now; its id."""
    did = str(uuid.uuid4())
    sql("INSERT INTO notification.deliveries (id, event_id, event, channel, recipient_id, recipient_address,"
        " template, case_id, region, subject, body, status, audience) VALUES (:'p1', :'p2',"
        " 'assignment.offer_made', 'email', :'p2', :'p3', 'offer_made', :'p4', 'norfolk', 'Key worker offer',"
        " 'An offer.', :'p5', 'professional')",
        did, "sender-%s-%s" % (run, label), "sender.%s.%s@example.org" % (run, label), str(uuid.uuid4()), status)
    return did


def sender_waiting():
    return scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'notification-sender'"
                  " AND wait_event_type = 'Lock'") != "0"


read_id = delivery("sent", "read")
holder = subprocess.Popen(PSQL + ["-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True)
holder.stdin.write("BEGIN;\nLOCK TABLE notification.deliveries IN EXCLUSIVE MODE;\n\\echo locked\n")
holder.stdin.flush()
ok(holder.stdout.readline().strip() == "locked", "a session holds the deliveries table against changes")
answer = {}
try:
    ok(wait_until(sender_waiting, 10), "the sender's statement waits on the lock, on the sender's own connection")
    reader = threading.Thread(target=lambda: answer.update(
        zip(("status", "body", "headers"), http("GET", "/v1/notifications/%s" % read_id, tok=tok))))
    reader.start()
    reader.join(25)
    ok(answer.get("status") == 200 and sender_waiting(),
       "meanwhile a delivery record is read through the gateway: the loop is not waiting",
       "status %s" % answer.get("status"))
    holder.stdin.write("INSERT INTO notification.deliveries (id, event_id, event, channel, recipient_id,"
                       " recipient_address, template, region, subject, body, status, audience) VALUES ('%s',"
                       " 'sender-%s-due', 'assignment.offer_made', 'email', 'sender-%s-due',"
                       " 'sender.%s.due@example.org', 'offer_made', 'norfolk', 'Key worker offer', 'An offer.',"
                       " 'pending', 'professional');\n" % (uuid.uuid4(), run, run, run))
finally:
    holder.stdin.write("COMMIT;\n")
    holder.stdin.close()
    holder.wait(timeout=30)
due_id = scalar("SELECT id FROM notification.deliveries WHERE event_id = 'sender-%s-due'" % run)
ok(wait_until(lambda: scalar("SELECT status FROM notification.deliveries WHERE id = :'p1'", due_id) == "sent", 30),
   "once the lock goes, the delivery made due under it is sent")
copies = [m for m in mails() if m.get("Message-ID") == delivery_message_id(due_id)]
ok(len(copies) == 1, "once, with its Message-ID", "%d copies" % len(copies))


def sender_backend(state="idle"):
    return scalar("SELECT pid FROM pg_stat_activity WHERE application_name = 'notification-sender'"
                  " AND state = :'p1' ORDER BY backend_start DESC LIMIT 1", state)


ok(wait_until(lambda: sender_backend() not in (None, ""), 20), "the sender's connection is idle between runs")
stopped = int(sender_backend())
os.kill(stopped, signal.SIGSTOP)
try:
    late_id = delivery("pending", "late")
    ok(wait_until(lambda: scalar("SELECT status FROM notification.deliveries WHERE id = :'p1'", late_id) == "sent",
                  45),
       "with the sender's backend stopped, a delivery made due is sent on a fresh connection",
       "status %s" % scalar("SELECT status FROM notification.deliveries WHERE id = :'p1'", late_id))
    fresh = sender_backend()
    ok(fresh not in (None, "") and int(fresh) != stopped, "the sender has a new connection",
       "backend %s, stopped %d" % (fresh, stopped))
    copies = [m for m in mails() if m.get("Message-ID") == delivery_message_id(late_id)]
    ok(len(copies) == 1, "once", "%d copies" % len(copies))
finally:
    sql("SELECT pg_terminate_backend(%d)" % stopped)
    os.kill(stopped, signal.SIGCONT)

for bad in ("0", "65", "eight"):
    env = dict(os.environ, KW_DB_URL="host=%s port=%s dbname=kw" % (os.path.join(VAR, "pg", "run"), PG_PORT),
               KW_SMTP_IN_FLIGHT=bad, KW_NOTIFICATION_RPC="ipc://%s/run/notification-rpc-sender" % VAR,
               KW_NOTIFICATION_METRICS="off")
    p = subprocess.Popen([os.path.join(BIN, "notification")], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    ok(p.returncode not in (0, -9) and "KW_SMTP_IN_FLIGHT" in out,
       "KW_SMTP_IN_FLIGHT=%s refuses the start, naming it" % bad, "exit %d" % p.returncode)

done()
