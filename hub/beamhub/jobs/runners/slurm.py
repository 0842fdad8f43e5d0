"""Jobs through Slurm: ``sbatch`` as the selection's owner, followed with ``scontrol``.

The batch script is rendered by :func:`render_batch_script` (pure, tested without
Slurm). It runs with ``--export=NONE`` so nothing of the submitting process's
environment (the service's credentials in particular) reaches the job; the variables
a job needs are written into the script. ``sbatch`` is run through
``SlurmSettings.run_as`` (default ``sudo -n -u USER``), so the job belongs to the user:
the service needs a sudoers rule allowing it to run sbatch and scancel as users.

The job folder must be on storage the compute nodes see. The service creates it; when
the service runs as root it hands the folder to the user, otherwise the folder's
parent must already be writable by the user (e.g. a per-user directory).
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from ..errors import JobSubmissionFailed
from ..settings import JobsSettings
from ..spec import LOG_FILE
from .base import JobState, Runner, SubmittedJob

SCRIPT_FILE = "job.sbatch"
PENDING = {"PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SUSPENDED", "RESV_DEL_HOLD"}
RUNNING = {"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING"}
_STATE = re.compile(r"\bJobState=(\S+)")
_REASON = re.compile(r"\bReason=(\S+)")
_EXIT = re.compile(r"\bExitCode=(\d+):(\d+)")


def render_batch_script(job_dir: Path, job_name: str, settings: JobsSettings) -> str:
    """The batch script that runs the step in ``job_dir`` (pure)."""
    slurm = settings.slurm
    q = shlex.quote
    lines = [
        "#!/bin/bash",
        f"#SBATCH --job-name={_option(job_name)}",
        f"#SBATCH --output={_option(str(job_dir / LOG_FILE))}",
        f"#SBATCH --chdir={_option(str(job_dir))}",
        f"#SBATCH --time={_option(slurm.time_limit)}",
        f"#SBATCH --cpus-per-task={slurm.cpus}",
        f"#SBATCH --mem={_option(slurm.memory)}",
        "#SBATCH --export=NONE",
    ]
    if slurm.partition:
        lines.append(f"#SBATCH --partition={_option(slurm.partition)}")
    if slurm.account:
        lines.append(f"#SBATCH --account={_option(slurm.account)}")
    lines += [f"#SBATCH {_option(option)}" for option in slurm.extra_options]
    lines += ["", "set -eu", "export PYTHONUNBUFFERED=1"]
    lines += [f"export {name}={q(value)}" for name, value in sorted(settings.environment.items())
              if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)]
    lines += list(slurm.setup)
    lines.append(f"exec {q(settings.python)} -m beamhub.jobs.run {q(str(job_dir))}")
    return "\n".join(lines) + "\n"


def _option(value: str) -> str:
    # One #SBATCH line holds one option: no line breaks, no spaces that would split it.
    if not value or any(c in value for c in "\n\r\x00") or " " in value:
        raise ValueError(f"invalid Slurm option value {value!r}")
    return value


def parse_job_state(scontrol_output: str) -> JobState:
    """``scontrol show job -o ID`` output -> :class:`JobState` (pure)."""
    match = _STATE.search(scontrol_output)
    if not match:
        return JobState("finished", "Slurm no longer knows the job")
    state = match.group(1)
    if state in PENDING:
        reason = _REASON.search(scontrol_output)
        return JobState("pending", f"pending ({reason.group(1)})" if reason else "pending")
    if state in RUNNING:
        return JobState("running")
    exit_code = _EXIT.search(scontrol_output)
    detail = f", exit code {exit_code.group(1)}" if exit_code and exit_code.group(1) != "0" else ""
    return JobState("finished", "" if state == "COMPLETED" else f"Slurm job ended {state}{detail}")


def parse_job_id(sbatch_output: str) -> str:
    """The job id from ``sbatch --parsable`` output (``ID`` or ``ID;CLUSTER``)."""
    first = sbatch_output.strip().splitlines()[0] if sbatch_output.strip() else ""
    job_id = first.split(";")[0]
    if not job_id.isdigit():
        raise JobSubmissionFailed(f"sbatch gave no job id: {sbatch_output.strip()[:500]!r}")
    return job_id


class SlurmRunner(Runner):
    name = "slurm"

    def _as(self, owner: str) -> list[str]:
        return [part.replace("{user}", owner) for part in self.settings.slurm.run_as] + self._env()

    def _env(self) -> list[str]:
        env = self.settings.slurm.command_environment
        return ["env", *(f"{k}={v}" for k, v in sorted(env.items()))] if env else []

    def submit(self, job_dir: Path, owner: str) -> SubmittedJob:
        script = job_dir / SCRIPT_FILE
        script.write_text(render_batch_script(job_dir, f"beamhub-{job_dir.name}", self.settings))
        script.chmod(0o644)
        command = self._as(owner) + [self.settings.slurm.sbatch, "--parsable", str(script)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=job_dir)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise JobSubmissionFailed(f"could not run sbatch: {exc}") from None
        if done.returncode != 0:
            raise JobSubmissionFailed(f"sbatch refused the job: {(done.stderr or done.stdout).strip()[:1000]}")
        return SubmittedJob(job_id=parse_job_id(done.stdout), log_path=str(job_dir / LOG_FILE))

    def state(self, job_id: str, job_dir: Path) -> JobState:
        try:
            done = subprocess.run(self._env() + [self.settings.slurm.scontrol, "show", "job", "-o", job_id],
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return JobState("unknown", f"cannot ask Slurm ({exc})")
        if done.returncode != 0:
            if "Invalid job id" in done.stderr:
                return JobState("finished", "")
            return JobState("unknown", f"scontrol failed: {done.stderr.strip()[:200]}")
        return parse_job_state(done.stdout)

    def cancel(self, job_id: str, owner: str) -> None:
        subprocess.run(self._as(owner) + [self.settings.slurm.scancel, job_id], capture_output=True, timeout=30)
