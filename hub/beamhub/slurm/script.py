"""The batch script of a Slurm job: a pure function of :class:`BatchJob`.

One builder for both kinds of job beamhub submits: a single-user server
(:mod:`beamhub.spawner.slurm`) and a fog-filter step (:mod:`beamhub.jobs.runners.slurm`).
Slurm keeps batch scripts (``scontrol write batch_script``), so nothing secret goes in:
what a job needs from the submitting environment reaches it through sbatch's own
environment, restricted by ``--export`` to the names listed (``NONE`` when none).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class BatchJob:
    command: Sequence[str]
    """The command the job runs (for a server, the container-wrapped one)."""
    job_name: str = "jupyterhub-singleuser"
    log_path: str = ""
    """Slurm's ``--output`` (``%j`` is the job id)."""
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
    memory: str = ""
    """``--mem`` in Slurm's syntax (``4G``, ``8192M``); '' = the partition's default."""
    gpus: int = 0
    time_limit: str = ""
    """``--time`` in Slurm's syntax (``01:30:00``, ``2-00:00:00``); '' = the partition's default."""
    options: Sequence[str] = ()
    """Further ``#SBATCH`` options, verbatim (site configuration, e.g. ``--constraint=x``)."""
    announce: str = ""
    """What the job starts, in words; the log's first line then says it with the job id,
    host and time."""
    setup: Sequence[str] = ()
    """Shell lines run before the command (runtime set-up such as XDG_RUNTIME_DIR)."""
    cleanup: Sequence[str] = ()
    """Shell lines run when the script exits, however it ends short of SIGKILL (e.g.
    removing the runtime's per-job state)."""
    prologue: str = ""
    epilogue: str = ""
    stop_command: Sequence[str] = ()
    """If set, the command runs in the background and this runs when Slurm tells the job to
    stop (SIGTERM: scancel, walltime, preemption), e.g. removing its container."""
    replace_shell: bool = False
    """``exec`` the command (it then gets Slurm's signals itself); only when nothing is
    to run after it (no clean-up, stop command or epilogue)."""


def _directive(option: str, value: str | int) -> str:
    """One ``#SBATCH`` line holding one option: sbatch splits a value at white space."""
    text = str(value)
    if not text or any(c in text for c in "\n\r\x00 \t"):
        raise ValueError(f"#SBATCH {option}: invalid value {text!r} (empty, or a space or line break in it)")
    return f"#SBATCH {option}={text}"


def batch_script(job: BatchJob) -> str:
    """The complete script, ready for ``sbatch`` (on its standard input or as a file)."""
    for name in [*job.export, *job.environment]:
        if not ENV_NAME.match(name):
            raise ValueError(f"invalid environment variable name {name!r}")
    if job.replace_shell and (job.cleanup or job.stop_command or job.epilogue):
        raise ValueError("a job that cleans up, stops a container or has an epilogue cannot exec its command")
    lines = ["#!/bin/bash", _directive("--job-name", job.job_name)]
    if job.log_path:
        lines.append(_directive("--output", job.log_path))
    if job.workdir:
        lines.append(_directive("--chdir", job.workdir))
    lines.append(_directive("--export", ",".join(job.export) if job.export else "NONE"))
    lines.append(_directive("--nodes", 1))
    lines.append(_directive("--ntasks", 1))
    lines.append(_directive("--cpus-per-task", job.cpus))
    if job.memory:
        lines.append(_directive("--mem", job.memory))
    if job.gpus:
        lines.append(_directive("--gres", f"gpu:{job.gpus}"))
    if job.time_limit:
        lines.append(_directive("--time", job.time_limit))
    for option, value in (("--partition", job.partition), ("--account", job.account), ("--qos", job.qos)):
        if value:
            lines.append(_directive(option, value))
    for option in job.options:
        if any(c in option for c in "\n\r\x00"):
            raise ValueError("an #SBATCH option contains a line break")
        lines.append(f"#SBATCH {option}")
    lines += ["", "set -euo pipefail", "umask 0022"]
    for name, value in job.environment.items():
        lines.append(f"export {name}={shlex.quote(value)}")
    if job.announce:
        if any(c in job.announce for c in '"$`\\\n'):
            raise ValueError(f"the announcement {job.announce!r} holds a shell character")
        lines.append(f'echo "beamhub: job ${{SLURM_JOB_ID:-?}} {job.announce} on $(hostname) at $(date -Is)"')
    if job.prologue:
        lines.append(job.prologue)
    lines += list(job.setup)
    if job.cleanup:
        lines.append(f"trap {shlex.quote('; '.join(job.cleanup))} EXIT")
    if job.stop_command:
        lines.append(f"trap {shlex.quote(shlex.join(job.stop_command) + ' >/dev/null 2>&1 || true')} TERM INT")
        lines.append(shlex.join(job.command) + " &")
        lines.append('wait "$!"')
    elif job.replace_shell:
        lines.append("exec " + shlex.join(job.command))
    else:
        lines.append(shlex.join(job.command))
    if job.epilogue:
        lines.append(job.epilogue)
    return "\n".join(lines) + "\n"
