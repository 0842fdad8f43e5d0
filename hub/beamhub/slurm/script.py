"""The sbatch script of a single-user server: a pure function of :class:`BatchJob`.

Slurm keeps batch scripts (``scontrol write batch_script``), so nothing secret goes in:
the API token and the rest of the hub's environment for the server reach the job
through sbatch's own environment, restricted by ``--export`` to the names listed.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .profiles import format_walltime

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class BatchJob:
    command: Sequence[str]
    """The (container-wrapped) command that runs the server."""
    job_name: str = "jupyterhub-singleuser"
    log_path: str = ""
    """Slurm's ``--output`` (``%j`` is the job id); the spawner shows its tail on failure."""
    workdir: str = ""
    export: Sequence[str] = ()
    """Names of the submitting environment's variables the job receives (values never
    appear in the script). Slurm adds its own ``SLURM_*`` variables."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Variables set in the script: only values that are not secret (PATH, data list...)."""
    partition: str = ""
    account: str = ""
    qos: str = ""
    cpus: int = 1
    memory_mb: int = 0
    gpus: int = 0
    walltime_minutes: int = 0
    options: Sequence[str] = ()
    """Further ``#SBATCH`` options, verbatim (site configuration, e.g. ``--constraint=x``)."""
    setup: Sequence[str] = ()
    """Shell lines run before the server (runtime set-up such as XDG_RUNTIME_DIR)."""
    cleanup: Sequence[str] = ()
    """Shell lines run when the script exits, however it ends short of SIGKILL (e.g.
    removing the runtime's per-job state)."""
    prologue: str = ""
    epilogue: str = ""
    stop_command: Sequence[str] = ()
    """If set, the server runs in the background and this runs when Slurm tells the job to
    stop (SIGTERM: scancel, walltime, preemption), e.g. removing its container."""


def _directive(option: str, value: str | int) -> str:
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"#SBATCH {option}: value contains a newline")
    return f"#SBATCH {option}={text}"


def batch_script(job: BatchJob) -> str:
    """The complete script, ready for ``sbatch`` on its standard input."""
    for name in [*job.export, *job.environment]:
        if not ENV_NAME.match(name):
            raise ValueError(f"invalid environment variable name {name!r}")
    lines = ["#!/bin/bash", _directive("--job-name", job.job_name)]
    if job.log_path:
        lines.append(_directive("--output", job.log_path))
    if job.workdir:
        lines.append(_directive("--chdir", job.workdir))
    lines.append(_directive("--export", ",".join(job.export) if job.export else "NONE"))
    lines.append(_directive("--nodes", 1))
    lines.append(_directive("--ntasks", 1))
    lines.append(_directive("--cpus-per-task", job.cpus))
    if job.memory_mb:
        lines.append(_directive("--mem", f"{job.memory_mb}M"))
    if job.gpus:
        lines.append(_directive("--gres", f"gpu:{job.gpus}"))
    if job.walltime_minutes:
        lines.append(_directive("--time", format_walltime(job.walltime_minutes)))
    for option, value in (("--partition", job.partition), ("--account", job.account), ("--qos", job.qos)):
        if value:
            lines.append(_directive(option, value))
    for option in job.options:
        if "\n" in option:
            raise ValueError("an #SBATCH option contains a newline")
        lines.append(f"#SBATCH {option}")
    lines += ["", "set -euo pipefail", "umask 0022"]
    for name, value in job.environment.items():
        lines.append(f"export {name}={shlex.quote(value)}")
    lines.append('echo "beamhub: job ${SLURM_JOB_ID:-?} starting the single-user server on $(hostname) '
                 'at $(date -Is)"')
    if job.prologue:
        lines.append(job.prologue)
    lines += list(job.setup)
    if job.cleanup:
        lines.append(f"trap {shlex.quote('; '.join(job.cleanup))} EXIT")
    if job.stop_command:
        lines.append(f"trap {shlex.quote(shlex.join(job.stop_command) + ' >/dev/null 2>&1 || true')} TERM INT")
        lines.append(shlex.join(job.command) + " &")
        lines.append('wait "$!"')
    else:
        lines.append(shlex.join(job.command))
    if job.epilogue:
        lines.append(job.epilogue)
    return "\n".join(lines) + "\n"
