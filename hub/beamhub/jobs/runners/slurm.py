"""Jobs through Slurm: ``sbatch`` as the selection's owner, followed with ``scontrol``.

The batch script is rendered by :func:`render_batch_script` with the builder the spawner
uses too (:mod:`beamhub.slurm.script`; pure, tested without Slurm), and Slurm's answers
are read with the one state table (:mod:`beamhub.slurm.state`). It runs with
``--export=NONE`` so nothing of the submitting process's environment (the service's
credentials in particular) reaches the job; the variables a job needs are written into
the script. ``sbatch`` is run through ``SlurmSettings.run_as`` (default
``sudo -n -u {username}``), so the job belongs to the user:
the service needs a sudoers rule allowing it to run sbatch and scancel as users.

The job folder must be on storage the compute nodes see. The service creates it; when
the service runs as root it hands the folder to the user, otherwise the folder's
parent must already be writable by the user (e.g. a per-user directory).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from beamhub.slurm.commands import as_user
from beamhub.slurm.script import BatchJob, batch_script
from beamhub.slurm.state import job_unknown, parse_job

from ..errors import JobSubmissionFailed
from ..settings import JobsSettings
from ..spec import LOG_FILE
from .base import JobState, Runner, SubmittedJob

SCRIPT_FILE = "job.sbatch"


def render_batch_script(job_dir: Path, job_name: str, settings: JobsSettings) -> str:
    """The batch script that runs the step in ``job_dir`` (pure)."""
    slurm = settings.slurm
    return batch_script(BatchJob(
        command=[settings.python, "-m", "beamhub.jobs.run", str(job_dir)], job_name=job_name,
        log_path=str(job_dir / LOG_FILE), workdir=str(job_dir),
        environment={"PYTHONUNBUFFERED": "1", **dict(sorted(settings.environment.items()))},
        partition=slurm.partition or "", account=slurm.account or "", cpus=slurm.cpus, memory=slurm.memory,
        time_limit=slurm.time_limit, options=slurm.extra_options, setup=slurm.setup, replace_shell=True))


def parse_job_state(scontrol_output: str) -> JobState:
    """``scontrol show job -o ID`` output -> :class:`JobState` (pure)."""
    info = parse_job(scontrol_output)
    if info is None:
        return JobState("finished", "Slurm no longer knows the job")
    if info.pending:
        # Slurm's reason code as it stands ("None" included), so the log can be searched for it.
        shown = info.reason or ("None" if " Reason=None" in f" {info.raw}" else "")
        return JobState("pending", f"pending ({shown})" if shown else "pending")
    if info.running:
        return JobState("running", "suspended by Slurm" if info.state in ("SUSPENDED", "STOPPED") else "")
    code = info.exit_code.partition(":")[0]
    detail = f", exit code {code}" if code not in ("", "0") else ""
    return JobState("finished", "" if info.state == "COMPLETED" else f"Slurm job ended {info.state}{detail}")


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
        return as_user(self.settings.slurm.run_as, owner) + self._env()

    def _env(self) -> list[str]:
        env = self.settings.slurm.command_environment
        return ["env", *(f"{k}={v}" for k, v in sorted(env.items()))] if env else []

    def submit(self, job_dir: Path, owner: str) -> SubmittedJob:
        script = job_dir / SCRIPT_FILE
        try:
            text = render_batch_script(job_dir, f"beamhub-{job_dir.name}", self.settings)
        except ValueError as exc:  # a site setting no batch script can hold
            raise JobSubmissionFailed(f"the jobs.slurm settings make no valid batch script: {exc}") from None
        script.write_text(text)
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
            if job_unknown(done.stderr):
                return JobState("finished", "")
            return JobState("unknown", f"scontrol failed: {done.stderr.strip()[:200]}")
        return parse_job_state(done.stdout)

    def cancel(self, job_id: str, owner: str) -> None:
        subprocess.run(self._as(owner) + [self.settings.slurm.scancel, job_id], capture_output=True, timeout=30)
