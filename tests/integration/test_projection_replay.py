"""Events applied again: eligibility's, scheduling's and notification's
offsets are moved back over referrals they have applied, and the services
are restarted. The events are read again and must change nothing:
eligibility's first decision of a referral, kept and announced in one
statement sent with the batch's COMMIT, fails for a referral decided
before and the event is decided again the way that reads the newest
decision first (recording nothing); scheduling's people of a case, written
by one statement an event, stay as they were; notification's deliveries of
an event, inserted with the batch's COMMIT as new rows, fail the batch and
are inserted again reading which rows were new (none)."""

import os
import random
import signal
from kwtest import ok, done, token, kill, wait_restarted, post_referrals, caught_up, sql, scalar, workforce, VAR

rng = random.Random()
tok = token()
workforce(tok, count=40, prefix="replay")


def last_seq(producer):
    return int(scalar("SELECT coalesce ((SELECT last_seq FROM bus.producers WHERE producer = :'p1'), 0)", producer))


before = {p: last_seq(p) for p in ("referral", "assignment")}
ids, eligible_ids, failures = post_referrals(12, rng, tok, eligible_share=0.75)
ok(len(ids) == 12 and not failures, "12 referrals accepted", failures[:3])
ok(caught_up(60), "every event applied")
id_list = "{" + ",".join(ids) + "}"


def state():
    return {
        "decisions": sql("SELECT referral_id, sequence, outcome, decided_at FROM eligibility.decisions"
                         " WHERE referral_id::text = ANY (:'p1'::text[]) ORDER BY 1, 2", id_list),
        "decided": sql("SELECT correlation_id, count(*) FROM bus.outbox WHERE producer = 'eligibility'"
                       " AND type = 'decided' AND correlation_id = ANY (:'p1'::text[]) GROUP BY 1 ORDER BY 1",
                       id_list),
        "kept": sql("SELECT referral_id, revision, md5 (body) FROM eligibility.referrals"
                    " WHERE referral_id::text = ANY (:'p1'::text[]) ORDER BY 1", id_list),
        "people": sql("SELECT p.case_id, p.role, p.person_id, p.professional_id, p.name, p.email, p.phone"
                      " FROM scheduling.case_people p JOIN scheduling.cases c ON c.case_id = p.case_id"
                      " WHERE c.referral_id::text = ANY (:'p1'::text[]) ORDER BY 1, 2, 3", id_list),
        "cases": sql("SELECT case_id, status FROM scheduling.cases WHERE referral_id::text = ANY (:'p1'::text[])"
                     " ORDER BY 1", id_list),
        "deliveries": sql("SELECT id, event_id, recipient_id, channel FROM notification.deliveries"
                          " WHERE case_id::text IN (SELECT case_id::text FROM scheduling.cases"
                          "  WHERE referral_id::text = ANY (:'p1'::text[])) ORDER BY 1", id_list),
    }


first = state()
ok(len(first["decisions"]) == 12 and len(first["decided"]) == 12 and len(first["kept"]) == 12,
   "each referral decided, announced and kept once", (len(first["decisions"]), len(first["decided"])))
ok(len(first["cases"]) == len(eligible_ids) and first["people"],
   "scheduling holds the eligible referrals' cases and their people", (len(first["cases"]), len(eligible_ids)))
ok(len(first["deliveries"]) >= len(eligible_ids), "notification holds the offers' deliveries",
   (len(first["deliveries"]), len(eligible_ids)))


def failures_logged(service, event):
    """A statement sent with the batch's next one or its COMMIT: its failure
    is seen when its event comes again."""
    with open(os.path.join(VAR, "log", service + ".log")) as f:
        return sum(1 for line in f if '"event":"%s"' % event in line)


failed_before = failures_logged("eligibility", "first_decision_not_committed")
deliveries_before = failures_logged("notification", "deliveries_not_committed")
# Each consumer is stopped before its offsets move (a running one keeps
# them in memory), then killed: the supervisor starts it again from them.
for service, producers in (("eligibility", ("referral",)), ("scheduling", ("referral", "assignment")),
                          ("notification", ("assignment",))):
    pid = kill(service, signal.SIGSTOP)
    for producer in producers:
        sql("UPDATE bus.offsets SET last_seq = :'p1'::bigint WHERE consumer = :'p2' AND producer = :'p3'",
            before[producer], service, producer)
    os.kill(pid, signal.SIGKILL)
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass                    # already gone: a stopped process dies of SIGKILL too
    ok(wait_restarted(service, pid), "%s restarted from its moved offsets" % service)
ok(caught_up(60), "the events were applied again up to their producers' last seq")
again = state()
for part in ("decisions", "decided", "kept", "people", "cases", "deliveries"):
    ok(again[part] == first[part], "applied again, %s unchanged" % part,
       [r for r in again[part] if r not in first[part]][:3])
ok(failures_logged("eligibility", "first_decision_not_committed") > failed_before,
   "a first decision of a referral decided before failed (then the event was decided the other way)",
   failures_logged("eligibility", "first_decision_not_committed"))
ok(failures_logged("notification", "deliveries_not_committed") > deliveries_before,
   "an event's deliveries inserted before failed as new rows (then they were found there)",
   failures_logged("notification", "deliveries_not_committed"))
done()
