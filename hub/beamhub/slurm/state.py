"""Slurm's view of a job (``scontrol show job -o``), and what to tell the user about it.

The one table of Slurm's job states beamhub uses, for single-user servers and fog-filter
jobs alike.

``scontrol show job`` answers for pending, running and recently finished jobs (for
``MinJobAge`` seconds after the end), without accounting; its one-line form is
``Key=Value`` pairs separated by spaces. Only values without spaces are used here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# Slurm's job states and the state flags scontrol shows in their place
# (https://slurm.schedmd.com/job_state_codes.html), as "not started yet" and "started, not
# ended". Any other state (COMPLETED, FAILED, CANCELLED, TIMEOUT...) means the job ended.
PENDING_STATES = frozenset({
    "PENDING",        # queued, waiting for initiation (with a reason)
    "CONFIGURING",    # allocated nodes, waiting for them to boot: the command has not started
    "REQUEUED",       # being put back in the queue
    "REQUEUE_HOLD",   # put back in the queue and held until released
    "REQUEUE_FED",    # requeued because of its sibling in a federation
    "RESV_DEL_HOLD",  # held because its reservation was deleted: still queued, not ended
})
RUNNING_STATES = frozenset({
    "RUNNING",        # allocated resources and executing
    "SUSPENDED",      # allocated resources, execution suspended (preemption, scontrol suspend):
                      # the command has started and resumes in place; it is not back in the queue
    "STOPPED",        # received SIGSTOP, keeps its resources
    "RESIZING",       # the size of an allocated job is changing: only a job that has
                      # resources can be resized, so it has started
    "SIGNALING",      # a signal to the running job is pending
    "COMPLETING",     # finishing: its processes are ending, its epilog runs
    "STAGE_OUT",      # staging out data after the command
})

CONTROLLER_DOWN = re.compile(
    r"Unable to contact slurm controller|Socket timed out on send/recv|Connection refused|"
    r"Transport endpoint is not connected|Zero Bytes were transmitted|slurmctld.*not responding", re.IGNORECASE)
UNKNOWN_JOB = re.compile(r"Invalid job id specified", re.IGNORECASE)

# Pending reasons people can act on, in words (Slurm's own code is always shown too).
PENDING_REASONS = {
    "Resources": "waiting for free resources on the cluster",
    "Priority": "other jobs have priority",
    "PartitionDown": "the partition is down (maintenance?)",
    "PartitionInactive": "the partition is inactive",
    "PartitionNodeLimit": "the job asks for more nodes than the partition allows",
    "PartitionTimeLimit": "the walltime exceeds the partition's limit",
    "ReqNodeNotAvail": "the requested nodes are not available (maintenance or reservation)",
    "NodeDown": "a node the job needs is down",
    "BeginTime": "the job is not allowed to start yet",
    "JobHeldUser": "the job is held",
    "JobHeldAdmin": "the job is held by an administrator",
    "Dependency": "waiting for another job",
    "QOSMaxJobsPerUserLimit": "you already have the most jobs your QoS allows",
    "AssocGrpCpuLimit": "your group's CPU allocation is in use",
    "AssocMaxJobsLimit": "you already have the most jobs your account allows",
    "Reservation": "waiting for a reservation",
    "Licenses": "waiting for licences",
}

# How a job can end, in words.
END_STATES = {
    "CANCELLED": "was cancelled",
    "COMPLETED": "ended: the server exited",
    "FAILED": "failed",
    "TIMEOUT": "reached its walltime limit",
    "PREEMPTED": "was preempted by a higher-priority job",
    "NODE_FAIL": "was stopped because its node failed",
    "OUT_OF_MEMORY": "ran out of memory",
    "BOOT_FAIL": "could not start: its node failed to boot",
    "DEADLINE": "reached its deadline",
    "REVOKED": "was revoked",
    "SPECIAL_EXIT": "ended with a special exit state",
}


@dataclass(frozen=True)
class JobInfo:
    """The fields of ``scontrol show job -o`` the spawner uses."""

    job_id: str
    state: str
    reason: str = ""
    batch_host: str = ""
    start_time: str = ""
    time_limit: str = ""
    run_time: str = ""
    exit_code: str = ""
    std_out: str = ""
    partition: str = ""
    raw: str = ""

    @property
    def pending(self) -> bool:
        return self.state in PENDING_STATES

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def finished(self) -> bool:
        return not (self.pending or self.running)

    @property
    def expected_start(self) -> datetime | None:
        """Slurm's estimate of the start time of a pending job, if it has one."""
        if not self.pending or self.start_time in ("", "Unknown", "None", "N/A"):
            return None
        try:
            return datetime.fromisoformat(self.start_time)
        except ValueError:
            return None


def parse_job(text: str) -> JobInfo | None:
    """The first job in ``scontrol show job -o`` output; None if there is none."""
    line = next((line for line in text.splitlines() if line.startswith("JobId=")), None)
    if line is None:
        return None
    fields = {}
    for token in line.split():
        key, sep, value = token.partition("=")
        if sep and key not in fields:
            fields[key] = value
    state = fields.get("JobState", "UNKNOWN").split("+")[0]
    reason = fields.get("Reason", "")
    return JobInfo(
        job_id=fields.get("JobId", ""), state=state, reason="" if reason in ("None", "(null)") else reason,
        batch_host="" if fields.get("BatchHost", "(null)") in ("(null)", "") else fields["BatchHost"],
        start_time=fields.get("StartTime", ""), time_limit=fields.get("TimeLimit", ""),
        run_time=fields.get("RunTime", ""), exit_code=fields.get("ExitCode", ""),
        std_out=fields.get("StdOut", ""), partition=fields.get("Partition", ""), raw=line)


def controller_unreachable(text: str) -> bool:
    return bool(CONTROLLER_DOWN.search(text or ""))


def job_unknown(text: str) -> bool:
    return bool(UNKNOWN_JOB.search(text or ""))


def pending_message(info: JobInfo, now: datetime | None = None) -> str:
    """``Job 12 is waiting in the queue (Resources: waiting for free resources...); expected
    to start at 14:05``."""
    message = f"Job {info.job_id} is waiting in the queue"
    if info.reason:
        words = PENDING_REASONS.get(info.reason)
        message += f" ({info.reason}: {words})" if words else f" ({info.reason})"
    start = info.expected_start
    if start is not None:
        now = now or datetime.now()
        if start.date() == now.date():
            message += f"; expected to start at {start:%H:%M}"
        else:
            message += f"; expected to start on {start:%Y-%m-%d at %H:%M}"
    return message


def end_message(info: JobInfo | None, job_id: str = "") -> str:
    """Why a job is no longer running, in one sentence, with Slurm's own codes."""
    if info is None:
        return (f"Job {job_id} is no longer known to the cluster: it ended more than a few minutes ago, "
                "or was removed.")
    words = END_STATES.get(info.state, f"ended ({info.state})")
    message = f"Job {info.job_id} {words}"
    details = []
    if info.state == "TIMEOUT" and info.time_limit:
        details.append(f"limit {info.time_limit}")
    if info.state in ("FAILED", "COMPLETED", "OUT_OF_MEMORY") and info.exit_code and info.exit_code != "0:0":
        code, _, signal = info.exit_code.partition(":")
        details.append(f"exit code {code}" + (f", signal {signal}" if signal not in ("", "0") else ""))
    if info.reason and info.reason not in ("NonZeroExitCode",):
        details.append(f"reason {info.reason}")
    if info.run_time and info.run_time != "00:00:00":
        details.append(f"after {info.run_time}")
    return message + (f" ({'; '.join(details)})" if details else "") + "."
