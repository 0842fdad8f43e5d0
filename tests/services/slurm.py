"""A one-node Slurm cluster on localhost for tests (Debian's slurm-wlm 22.05 and munge).

The cluster lives in a fresh directory: its ``slurm.conf`` (free ports, its own state,
spool, pid and log files), so it never touches ``/etc/slurm`` nor another cluster. Every
Slurm command must see ``SLURM_CONF``: use :attr:`Slurm.env` (or :meth:`Slurm.run`).

    from tests.services.slurm import shared_cluster
    slurm = shared_cluster()          # started once per test process, stopped at exit
    slurm.conf                        # Path of slurm.conf (what SLURM_CONF points at)
    slurm.run("sbatch", "--wrap", "true")
    slurm.stop_controller(); slurm.start_controller()   # outage tests

Partitions: ``main`` (default, up) and ``maint`` (down: jobs sent there stay PENDING with
reason ``PartitionDown``, for tests of pending jobs). The node has the machine's CPUs
(at most 4) and 8000 MB of memory; ``KillWait`` is 5 s so cancelled jobs end quickly.

Gotchas handled here (see RECIPES.md): munge is started only if it is not running and
is left running; slurmd and slurmctld get their own pid files (a second slurmd with the
default pid file kills the first); on stop, running jobs are cancelled first and any
``slurmstepd`` of *this* cluster (recognised by its SLURM_CONF) that outlives slurmd is
killed.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .ports import free_port
from .processes import terminate
from .require import missing

SLURM_CONF_TEMPLATE = """\
# written by tests/services/slurm.py
ClusterName=beamhub-test
SlurmctldHost=localhost
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
ReturnToService=2
MpiDefault=none
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/state/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MinJobAge=300
KillWait=5
InactiveLimit=0
MessageTimeout=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=maint Nodes=localhost MaxTime=INFINITE State=DOWN
"""


def _require_binaries() -> None:
    for binary in ("slurmctld", "slurmd", "sbatch", "scontrol", "munged"):
        if not shutil.which(binary) and not Path(f"/usr/sbin/{binary}").exists():
            missing("Slurm", f"{binary} not found (apt-get install slurm-wlm slurmctld slurmd slurm-client munge)")
    if os.geteuid() != 0:
        missing("Slurm", "the test cluster's slurmd must run as root to start jobs as other users")


def ensure_munge() -> None:
    """Start munged unless a working one answers already (it is left running)."""
    probe = subprocess.run("munge -n | unmunge", shell=True, capture_output=True)
    if probe.returncode == 0:
        return
    Path("/run/munge").mkdir(parents=True, exist_ok=True)
    shutil.chown("/run/munge", "munge", "munge")
    subprocess.run(["runuser", "-u", "munge", "--", "/usr/sbin/munged"], check=True, capture_output=True)
    deadline = time.monotonic() + 10
    while subprocess.run("munge -n | unmunge", shell=True, capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("munged did not answer within 10 s")
        time.sleep(0.1)


class Slurm:
    """One cluster: ``start()``, ``stop()``, and controller outages in between."""

    def __init__(self, cpus: int | None = None, memory_mb: int = 8000):
        self._tmp = tempfile.TemporaryDirectory(prefix="beamhub-slurm-")
        self.root = Path(self._tmp.name)
        os.chmod(self.root, 0o755)
        self.conf = self.root / "slurm.conf"
        self.cpus = cpus or max(1, min(4, os.cpu_count() or 1))
        self.memory_mb = memory_mb
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.slurmctld: subprocess.Popen | None = None
        self.slurmd: subprocess.Popen | None = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self, timeout: float = 60) -> "Slurm":
        _require_binaries()
        ensure_munge()
        for sub in ("state", "spool"):
            (self.root / sub).mkdir(exist_ok=True)
        shutil.chown(self.root / "state", "slurm", "slurm")
        self.conf.write_text(SLURM_CONF_TEMPLATE.format(
            ctld_port=free_port(), slurmd_port=free_port(), root=self.root, cpus=self.cpus,
            memory=self.memory_mb))
        self.conf.chmod(0o644)
        for log in ("slurmctld.log", "slurmd.log"):
            path = self.root / log
            path.touch()
            shutil.chown(path, "slurm", "slurm")
        self.start_controller(wait=False)
        self.slurmd = self._daemon(["/usr/sbin/slurmd", "-D", "-N", "localhost"], "slurmd.out")
        self.wait_idle(timeout)
        return self

    def _daemon(self, command: list[str], out: str) -> subprocess.Popen:
        log = open(self.root / out, "ab")
        return subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_controller(self, wait: bool = True, timeout: float = 30) -> None:
        """Start slurmctld (again, after :meth:`stop_controller`); its state is kept."""
        if self.slurmctld and self.slurmctld.poll() is None:
            return
        self.slurmctld = self._daemon(["/usr/sbin/slurmctld", "-D"], "slurmctld.out")
        if wait:
            deadline = time.monotonic() + timeout
            while (ping := self.run("scontrol", "ping", check=False)).returncode != 0 or "UP" not in ping.stdout:
                if self.slurmctld.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"slurmctld did not come back:\n{self.log_tail('slurmctld.log')}")
                time.sleep(0.1)

    def stop_controller(self) -> None:
        """Stop slurmctld only: running jobs keep running on slurmd."""
        terminate(self.slurmctld)
        self.slurmctld = None

    def wait_idle(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            for daemon, name in ((self.slurmctld, "slurmctld"), (self.slurmd, "slurmd")):
                if daemon is not None and daemon.poll() is not None:
                    raise RuntimeError(f"{name} exited ({daemon.returncode}):\n{self.log_tail(name + '.log')}"
                                       f"\n{self.log_tail(name + '.out')}")
            result = self.run("sinfo", "-h", "-n", "localhost", "-p", "main", "-o", "%T", check=False)
            state = result.stdout.strip()
            if state == "idle":
                return
            time.sleep(0.2)
        raise TimeoutError(f"the node is {state or 'unknown'} after {timeout:.0f} s, not idle:\n"
                           f"{self.log_tail('slurmctld.log')}\n{self.log_tail('slurmd.log')}")

    def stop(self) -> None:
        """Cancel every job and wait for them to end, stop both daemons, then kill any
        ``slurmstepd`` of this cluster that outlived slurmd."""
        if self.slurmctld and self.slurmctld.poll() is None:
            jobs = self.run("squeue", "-h", "-o", "%i", check=False).stdout.split()
            if jobs:
                self.run("scancel", *jobs, check=False)
            deadline = time.monotonic() + 30  # KillWait (5 s) and a margin
            while time.monotonic() < deadline and self.run(
                    "squeue", "-h", "-o", "%i", check=False).stdout.strip():
                time.sleep(0.2)
        terminate(self.slurmd)
        terminate(self.slurmctld)
        self.slurmd = self.slurmctld = None
        for pid in self._stray_stepds():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        self.stop()
        self._tmp.cleanup()

    def __enter__(self) -> "Slurm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _stray_stepds(self) -> list[int]:
        ours = f"SLURM_CONF={self.conf}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if (entry / "comm").read_text().strip() != "slurmstepd":
                    continue
                if ours in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    # -- using it ----------------------------------------------------------------
    def run(self, *command: str, check: bool = True, user: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        """Run a Slurm command against this cluster (as ``user`` through sudo if given)."""
        argv = list(command)
        if user:
            argv = ["sudo", "-E", "-u", user, *argv]
        result = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def job(self, job_id: str) -> dict[str, str]:
        """``scontrol show job`` as a dict (empty if Slurm no longer knows the job)."""
        result = self.run("scontrol", "show", "job", "-o", str(job_id), check=False)
        if result.returncode != 0:
            return {}
        fields = {}
        for token in result.stdout.split():
            key, sep, value = token.partition("=")
            if sep:
                fields[key] = value
        return fields

    def log_tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join((self.root / name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return f"({name}: no log)"


_shared: Slurm | None = None
_shared_lock = threading.Lock()


def shared_cluster() -> Slurm:
    """The test process's one cluster, started on first use and stopped at exit.

    Test tiers share it (the spawner's and the jobs' tests), so fixtures just return it;
    an outage test must call ``start_controller()`` again before it ends.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            cluster = Slurm()
            try:
                cluster.start()
            except BaseException:
                cluster.close()
                raise
            _shared = cluster
            atexit.register(cluster.close)
        elif _shared.slurmctld is None or _shared.slurmctld.poll() is not None:
            _shared.start_controller()
        return _shared
