"""The local stack (deploy/local/stack.sh, what `make run` runs) stops on
SIGINT and on SIGTERM, sent to its own process or to its whole process group,
even when the script that started it ignores SIGINT (as a background job of a
script, or after `trap '' INT`): it exits 0, every program it ran is gone and
logged that it stopped, PostgreSQL is stopped, and no program is restarted
during the stop. Runs a stack of its own next to the test stack: its own
directory, ports and ipc:// endpoints; the cluster is made once and reused."""

import glob
import json
import os
import signal
import subprocess
from kwtest import ok, done, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VAR = os.path.join(os.path.dirname(os.environ["KW_VAR_DIR"].rstrip("/")), "signals-var")
PROGRAMS = ["bus", "gateway", "referral", "eligibility", "assignment", "scheduling", "notification", "smtp"]
OFF = int(os.environ.get("KW_TEST_PORT_OFFSET", "0"))


def stack_env():
    env = dict(os.environ)
    for name in ("KW_SMTP_URL", "KW_JWT_SECRET", "KW_DB_URL"):
        env.pop(name, None)
    env.update({
        "KW_VAR_DIR": VAR,
        "KW_JWT_SECRET_FILE": os.path.join(VAR, "jwt_secret"),
        "KW_PG_PORT": str(55469 + OFF),
        "KW_HTTP_ADDR": "127.0.0.1:%d" % (18119 + OFF),
        "KW_SMTP_PORT": str(2569 + OFF),
        "KW_BUS_PUB": "ipc://%s/run/bus-pub" % VAR,
        "KW_BUS_SUB": "ipc://%s/run/bus-sub" % VAR,
    })
    for s in ("referral", "eligibility", "assignment", "scheduling", "notification"):
        env["KW_%s_RPC" % s.upper()] = "ipc://%s/run/%s-rpc" % (VAR, s)
    return env


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is gone for our purpose: its exit status is all that is left.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def last_event(name):
    try:
        with open(os.path.join(VAR, "log", name + ".log")) as f:
            lines = [line for line in f if line.startswith("{")]
        return json.loads(lines[-1]).get("event") if lines else None
    except (OSError, ValueError):
        return None


def run_once(signum, to_group):
    """Start the stack from a shell that ignores SIGINT, in a session of its
    own, send signum to the stack or its group, and check the stop."""
    what = "%s to the %s" % (signal.Signals(signum).name, "process group" if to_group else "stack's process")
    out_path = os.path.join(VAR, "stack-%s-%s.out" % (signum, "group" if to_group else "pid"))
    # What a failed case may have left must not pass for this run's.
    for stale in glob.glob(os.path.join(VAR, "run", "*")):
        os.remove(stale)
    with open(out_path, "w") as out:
        proc = subprocess.Popen(["bash", "-c", "trap '' INT; exec deploy/local/stack.sh run"],
                                cwd=ROOT, env=stack_env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    ready = wait_until(lambda: os.path.exists(os.path.join(VAR, "run", "ready")) or proc.poll() is not None,
                       180, 0.2) and proc.poll() is None
    pids = {}
    for name in PROGRAMS:
        try:
            with open(os.path.join(VAR, "run", name + ".pid")) as f:
                pids[name] = int(f.read())
        except (OSError, ValueError):
            pass
    if not ok(ready and len(pids) == len(PROGRAMS), "%s: the stack started its %d programs" % (what, len(PROGRAMS)),
              open(out_path).read()[-2000:]):
        kill_all(proc, pids)
        return
    if to_group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        rc = None
    with open(out_path) as f:
        output = f.read()
    ok(rc == 0, "%s: the stack stopped and exited 0" % what, "exit status %s\n%s" % (rc, output[-2000:]))
    left = [name for name, pid in pids.items() if alive(pid)]
    ok(not left, "%s: every program is gone" % what, "still running: %s" % left)
    restarted = [line for line in output.splitlines() if '"event":"restarting"' in line]
    ok(not restarted, "%s: no program was restarted" % what, "\n".join(restarted))
    unclean = [name for name in PROGRAMS if name != "smtp" and last_event(name) != "stopped"]
    ok(not unclean, "%s: every program logged that it stopped" % what,
       "; ".join("%s: %s" % (n, last_event(n)) for n in unclean))
    ok('"event":"stopped"' in output and not os.path.exists(os.path.join(VAR, "pg", "data", "postmaster.pid")),
       "%s: PostgreSQL is stopped and the stack logged that it stopped" % what, output[-1000:])
    if rc is None or left:
        kill_all(proc, pids)


def stop_cluster():
    """Leave no cluster of this test running, whatever happened."""
    data = os.path.join(VAR, "pg", "data")
    if not os.path.exists(os.path.join(data, "postmaster.pid")):
        return
    pgbin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    cmd = [pgbin + "/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def kill_all(proc, pids):
    """After a failed stop: kill what is left (the group, the programs and
    any program restarted since), so that the next case starts clean."""
    for pidfile in glob.glob(os.path.join(VAR, "run", "*.pid")):
        try:
            with open(pidfile) as f:
                pids[pidfile] = int(f.read())
        except (OSError, ValueError):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in pids.values():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    stop_cluster()


subprocess.run(["rm", "-rf", VAR], check=True)
os.makedirs(VAR)
try:
    for signum, to_group in ((signal.SIGINT, True), (signal.SIGINT, False),
                             (signal.SIGTERM, False), (signal.SIGTERM, True)):
        run_once(signum, to_group)
finally:
    stop_cluster()
done()
