"""Fault injection for the stack of docker-compose.yml (make compose-test),
with the methods of stack_faults.LocalStack; the ledger loads it with
KW_FAULTS_INJECTOR=compose_faults:ComposeStack and the project name in
COMPOSE_PROJECT_NAME. A program's container is killed in one of two ways,
in turn: SIGKILL from the host to its processes, a crash that the restart
policy answers by starting the container again; or `docker kill`, after
which Docker restarts nothing (a container killed by hand counts as stopped
by hand), so it is started again with `docker start`, as an operator or an
orchestrator would. PostgreSQL's container is restarted with `docker
restart -t 0`: no time to stop, a crash recovery at start. The first fault
of a run is always that restart and the second a `docker kill` of a
service, whatever the ledger drew (Fault.victim says what was hit), so that
even a short run has both; the rest follow the draw. Needs root (the kill
from the host)."""

import itertools
import os
import subprocess
import time

from kwtest import MAIL_DIR, wait_until
from stack_faults import Fault

PROGRAMS = ["bus", "gateway", "referral", "eligibility", "assignment", "scheduling", "notification"]


def _docker(*args):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True, check=False)


class ComposeStack:
    victims = PROGRAMS + ["postgres"]

    def __init__(self):
        self.project = os.environ["COMPOSE_PROJECT_NAME"]
        self.turn = itertools.cycle(["docker kill", "crash"])
        self.count = 0

    def container(self, name):
        return "%s_%s_1" % (self.project, name)

    def _state(self, name):
        """(running, pid, start time) of the named container."""
        out = _docker("inspect", "-f", "{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}",
                      self.container(name)).stdout.split()
        return (out[0] == "true", int(out[1]), out[2]) if len(out) == 3 else (False, 0, "")

    def inject(self, name):
        self.count += 1
        if self.count == 1:
            name = "postgres"
        elif self.count == 2 and name in ("postgres", "bus", "gateway"):
            name = "assignment"
        fault = Fault(name)
        running, pid, started = self._state(name)
        if not running:
            fault.detail = "the container was not running"
            return fault
        fault.at = time.time()
        if name == "postgres":
            how = "docker restart -t 0"
            done = _docker("restart", "-t", "0", self.container(name))
        elif next(self.turn) == "crash":
            how = "SIGKILL of pid %d from the host" % pid
            try:
                os.kill(pid, 9)
                done = subprocess.CompletedProcess([], 0)
            except OSError as e:
                done = subprocess.CompletedProcess([], 1, "", e.strerror)
        else:
            how = "docker kill, docker start"
            done = _docker("kill", self.container(name))
            if done.returncode == 0:
                done = _docker("start", self.container(name))
        if done.returncode != 0:
            fault.detail = "%s failed: %s" % (how, (done.stderr or "").strip()[:200])
            return fault

        def restarted():
            now = self._state(name)
            return now if now[0] and now[2] != started and now[1] != pid else None
        after = wait_until(restarted, 60, 0.1)
        fault.verified = bool(after)
        fault.detail = "%s: started %s -> %s" % (how, started, after[2] if after else "not again within 60 s")
        return fault

    def bus_reachable(self):
        """A frame crosses the bus (its own --health, inside its container)."""
        return _docker("exec", self.container("bus"), "bus", "--health").returncode == 0

    def sink_journal(self):
        return os.path.join(MAIL_DIR, "transactions.log")
