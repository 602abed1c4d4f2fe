"""Every program's --health against the running stack: 0 while it serves,
1 within the timeout when it does not answer (stopped with SIGSTOP), and
for a service without its database 1 for --health but 0 for --health=live,
which is what an orchestrator's readiness and liveness probes need."""

import os
import signal
import subprocess
import time
from kwtest import ok, done, BIN, pid_of, pg_ctl, pg_start, wait_until

SERVICES = ["referral", "eligibility", "assignment", "scheduling", "notification"]


def health(program, mode=None):
    """(exit status, printed line, seconds taken) of PROGRAM --health[=MODE]."""
    flag = "--health" + ("=" + mode if mode else "")
    t0 = time.monotonic()
    run = subprocess.run([os.path.join(BIN, program), flag], capture_output=True, text=True, timeout=30)
    return run.returncode, (run.stdout + run.stderr).strip(), time.monotonic() - t0


for program in ["bus", "gateway"] + SERVICES:
    rc, said, took = health(program)
    ok(rc == 0 and ("ok" in said or "200" in said), "%s --health is 0 while it serves (%s, %.2f s)"
       % (program, said, took))

# A program that does not answer fails its check within the timeout.
for program in ["bus", "scheduling"]:
    pid = pid_of(program)
    os.kill(pid, signal.SIGSTOP)
    try:
        rc, said, took = health(program)
        ok(rc == 1 and took < 5, "%s --health is 1 when it does not answer (%s, %.2f s)" % (program, said, took))
        rc, said, took = health(program, "live")
        ok(rc == 1, "%s --health=live is 1 too when it does not answer" % program, said)
        if program == "scheduling":
            rc, said, _ = health("gateway")
            ok(rc == 1 and "503" in said, "gateway --health is 1 while a service does not answer", said)
            rc, said, _ = health("gateway", "live")
            ok(rc == 0 and "503" in said, "gateway --health=live is 0: the gateway itself answers", said)
    finally:
        os.kill(pid, signal.SIGCONT)
    ok(wait_until(lambda: health(program)[0] == 0, 15), "%s --health is 0 again once it resumes" % program)

# Without its database a service answers "degraded": not ready, but alive.
pg_ctl("-m", "fast", "-w", "stop")
try:
    degraded = wait_until(lambda: health("referral")[0] == 1, 15)
    rc, said, _ = health("referral")
    ok(degraded and rc == 1 and "degraded" in said, "referral --health is 1 without its database", said)
    rc, said, _ = health("referral", "live")
    ok(rc == 0 and "degraded" in said, "referral --health=live is 0 without its database", said)
finally:
    pg_start()
ok(wait_until(lambda: all(health(p)[0] == 0 for p in SERVICES + ["gateway"]), 60),
   "every service and the gateway are healthy again once the database is back")
done()
