"""Fault injection for the local stack (deploy/local/stack.sh): the one place
that knows how to kill a program, how to restart PostgreSQL, how to tell that
each really happened, and where the SMTP sink keeps its journal. The ledger
loads the class named by KW_FAULTS_INJECTOR ("module:Class", default
"stack_faults:LocalStack"); another way of running the stack (containers)
provides a class with the same methods:

    victims              the names a fault can hit ("postgres" restarts the database)
    inject(name)         a Fault: when it happened, whether it was verified, why not
    bus_reachable()      the bus accepts connections on both of its endpoints
    sink_journal()       path of the SMTP sink's transactions.log"""

import glob
import os
import signal
import socket
import subprocess
import time

from kwtest import VAR, pid_of, wait_until

PGBIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
PROGRAMS = ["bus", "gateway", "referral", "eligibility", "assignment", "scheduling", "notification"]


class Fault:
    """One injected fault: victim, wall-clock time it hit, verified or not."""

    def __init__(self, victim):
        self.victim = victim
        self.at = time.time()
        self.verified = False
        self.detail = ""

    def __repr__(self):
        return "%s at %.3f %s%s" % (self.victim, self.at, "verified" if self.verified else "NOT verified",
                                    (": " + self.detail) if self.detail else "")


def _alive(pid):
    """The process exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class LocalStack:
    victims = PROGRAMS + ["postgres"]

    def __init__(self):
        self.pgdata = os.path.join(VAR, "pg", "data")
        self.pglog = os.path.join(VAR, "pg", "pg_ctl.log")

    def inject(self, name):
        return self._restart_postgres() if name == "postgres" else self._kill(name)

    def _kill(self, name):
        """SIGKILL the program; verified when that pid is gone and the
        supervisor has started a new one that is alive."""
        fault = Fault(name)
        try:
            pid = pid_of(name)
        except (OSError, ValueError) as e:
            fault.detail = "no pid file: %s" % e
            return fault
        if not _alive(pid):
            fault.detail = "pid %d was not running" % pid
            return fault
        fault.at = time.time()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as e:
            fault.detail = "kill %d: %s" % (pid, e.strerror)
            return fault

        def restarted():
            try:
                new = pid_of(name)
            except (OSError, ValueError):
                return None
            return new if new != pid and _alive(new) and not _alive(pid) else None
        new = wait_until(restarted, 30, 0.05)
        fault.verified = bool(new)
        fault.detail = "pid %d -> %s" % (pid, new if new else "no new process within 30 s")
        return fault

    def _pg_ctl(self, *args):
        cmd = [PGBIN + "/pg_ctl", "-D", self.pgdata] + list(args)
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        with open(self.pglog, "a") as log:
            log.write("# %s %s\n" % (time.strftime("%H:%M:%S"), " ".join(args)))
            log.flush()
            return subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=False).returncode

    def _postmaster(self):
        """The postmaster's pid from postmaster.pid, or None."""
        try:
            with open(os.path.join(self.pgdata, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def _restart_postgres(self):
        """Immediate stop and start; verified when both pg_ctl calls succeed,
        the old postmaster is gone, a new one is alive and the server's
        start time moved."""
        fault = Fault("postgres")
        before = self._postmaster()
        started = self._start_time()
        fault.at = time.time()
        stop = self._pg_ctl("-m", "immediate", "-w", "stop")
        start = self._pg_ctl("-l", os.path.join(VAR, "pg", "server.log"), "-o",
                             "-p " + os.environ["KW_PG_PORT"], "-w", "-t", "60", "start")
        after = self._postmaster()
        now = self._start_time()
        fault.verified = (stop == 0 and start == 0 and before is not None and after is not None
                          and after != before and not _alive(before) and _alive(after)
                          and started is not None and now is not None and now != started)
        fault.detail = "pg_ctl stop %d start %d, postmaster %s -> %s, started %s -> %s (log %s)" % (
            stop, start, before, after, started, now, self.pglog)
        return fault

    def _start_time(self):
        cmd = ["psql", "-h", os.path.join(VAR, "pg", "run"), "-p", os.environ["KW_PG_PORT"], "-U",
               "postgres", "-d", "kw", "-Atc", "SELECT pg_postmaster_start_time()"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None

    def bus_reachable(self):
        return all(_connects(os.environ[k]) for k in ("KW_BUS_PUB", "KW_BUS_SUB"))

    def sink_journal(self):
        return os.path.join(VAR, "mail", "transactions.log")


def _connects(endpoint):
    """A ZeroMQ endpoint (ipc:// or tcp://host:port) accepts a connection."""
    if endpoint.startswith("ipc://"):
        family, address = socket.AF_UNIX, endpoint[6:]
    elif endpoint.startswith("tcp://"):
        host, port = endpoint[6:].rsplit(":", 1)
        family, address = socket.AF_INET, (host, int(port))
    else:
        return False
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(address)
            return True
        except OSError:
            return False


def load():
    """The injector named by KW_FAULTS_INJECTOR, instantiated."""
    import importlib
    spec = os.environ.get("KW_FAULTS_INJECTOR", "stack_faults:LocalStack")
    module, cls = spec.split(":")
    return getattr(importlib.import_module(module), cls)()
