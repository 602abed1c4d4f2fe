"""Concurrent bookings never double-book a required participant, also
across two instances of the scheduling service on one database (each
instance answers its calls one at a time, so only a second instance makes
two bookings' transactions truly concurrent). In each of six rounds, four
coordinators fix the same time for the same key worker on two cases at
once, two through the gateway (the first instance) and two straight to a
second instance's RPC endpoint: exactly one booking succeeds and the others
are 409 double_booked. Then eight searches for the same key worker run at
once in a narrow window: each gets its own slot or no_common_slot, and no
two of the key worker's scheduled meetings overlap (with the region's
15-minute buffer)."""

import datetime
import os
import subprocess
import threading
import time
import zmq
from kwtest import ok, done, sql, wait_until, BIN, VAR, PG_PORT
from kwsched import worker, open_case, dates, book
from kwzmq import socket, connect, message, call

TWIN_RPC = "ipc://%s/run/scheduling-rpc-race" % VAR
env = dict(os.environ, KW_DB_URL="host=%s port=%s dbname=kw" % (os.path.join(VAR, "pg", "run"), PG_PORT),
           KW_SCHEDULING_RPC=TWIN_RPC)
twin_log = os.path.join(VAR, "log", "scheduling-race.log")
with open(twin_log, "w") as log:
    twin = subprocess.Popen([os.path.join(BIN, "scheduling")], env=env, stdout=log, stderr=subprocess.STDOUT)
ok(wait_until(lambda: '"event":"ready"' in open(twin_log).read(), 30), "a second scheduling instance runs")


def twin_book(case_id, start):
    """meeting.book on the second instance as a coordinator: 0 OK, 3 CONFLICT."""
    s = socket(zmq.DEALER, "scheduling", "gateway")
    connect(s, TWIN_RPC)
    caller = message((1, "race-coordinator"), (2, "coordinator"), (4, "norfolk"))
    book_msg = message((1, case_id), (2, "review"), (9, start))
    req = message((1, "meeting.book"), (2, caller), (3, book_msg), (5, int(time.time() * 1000) + 20000))
    status = call(s, req, 20.0)
    s.close()
    return status

kw = worker("racer")
cases = [open_case(kw), open_case(kw)]
first = datetime.date.fromisoformat(dates(9, 9)[0])
weekdays = [d.isoformat() for d in (first + datetime.timedelta(days=i) for i in range(14)) if d.weekday() < 5]


def run_all(calls):
    results = [None] * len(calls)

    def one(i):
        results[i] = calls[i]()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


won = 0
for day in weekdays[:6]:
    start = "%sT10:00:00Z" % day
    fixed = run_all([lambda i=i: book(cases[i % 2], start=start, type="review")[0] for i in range(2)]
                    + [lambda i=i: {0: 201, 3: 409}.get(twin_book(cases[i % 2]["id"], start)) for i in range(2)])
    ok(sorted(fixed) == [201, 409, 409, 409],
       "at %s one of four concurrent bookings on two instances wins, three are refused" % start, fixed)
    won += fixed.count(201)
twin.terminate()
twin.wait(10)

day = weekdays[6]
searched = run_all([lambda i=i: book(cases[i % 2], earliest=day, latest=day, type="tac") for i in range(8)])
statuses = sorted(r[0] for r in searched)
ok(all(s in (201, 409) for s in statuses) and statuses.count(201) >= 4,
   "concurrent searches each book a slot or find none", statuses)
overlaps = sql("SELECT count(*) FROM scheduling.meetings a JOIN scheduling.participants pa ON pa.meeting_id = a.id,"
               " scheduling.meetings b JOIN scheduling.participants pb ON pb.meeting_id = b.id"
               " WHERE pa.person_id = :'p1' AND pb.person_id = :'p1' AND a.id < b.id"
               " AND a.status = 'scheduled' AND b.status = 'scheduled'"
               " AND a.starts_at < b.ends_at + interval '15 minutes' AND b.starts_at < a.ends_at + interval '15 minutes'",
               kw["id"])
ok(overlaps == [["0"]], "no two of the key worker's meetings overlap, buffer included", overlaps)
booked = sql("SELECT count(*) FROM scheduling.meetings m JOIN scheduling.participants p ON p.meeting_id = m.id"
             " WHERE p.person_id = :'p1' AND m.status = 'scheduled'", kw["id"])
ok(int(booked[0][0]) == won + statuses.count(201), "every booking that succeeded is a meeting", booked)
done()
