"""Settings of the fog-filter jobs (the ``jobs:`` section of the site configuration)."""

from __future__ import annotations

import sys
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from beamhub.slurm.commands import upgrade_placeholder


class SlurmSettings(BaseModel):
    """How jobs are given to Slurm."""

    model_config = ConfigDict(extra="forbid")

    sbatch: str = Field("sbatch", description="The sbatch command (absolute path if not on the service's PATH).")
    scontrol: str = Field("scontrol", description="The scontrol command, used to follow jobs.")
    scancel: str = Field("scancel", description="The scancel command.")
    run_as: list[str] = Field(
        ["sudo", "-n", "-u", "{username}"], description="Command prefix that runs sbatch/scancel as the "
        "selection's owner ('{username}' is replaced; the older '{user}' is read with a warning); [] submits as "
        "the service's own Unix user.")
    command_environment: dict[str, str] = Field(
        {}, description="Environment for sbatch, scontrol and scancel, e.g. {'SLURM_CONF': '/etc/slurm/x.conf'} "
        "(passed through 'env' after run_as, since sudo clears the environment).")
    partition: str | None = Field(None, description="Slurm partition (--partition); default: the cluster's.")
    account: str | None = Field(None, description="Slurm account (--account), if the site needs one.")
    time_limit: str = Field("01:00:00", description="Wall-clock limit of a job (--time).")
    cpus: Annotated[int, Field(ge=1, le=1024)] = Field(1, description="CPUs per job (--cpus-per-task).")
    memory: str = Field("2G", description="Memory per job (--mem).")
    extra_options: list[str] = Field([], description="Further '#SBATCH' options, e.g. ['--qos=short'].")
    setup: list[str] = Field([], description="Shell lines run before the step, e.g. ['module load hdf5'].")

    @field_validator("run_as")
    @classmethod
    def _username_placeholder(cls, value: list[str]) -> list[str]:
        return upgrade_placeholder(value, "jobs.slurm.run_as")


class JobsSettings(BaseModel):
    """Fog-filter jobs: where they run and where they write."""

    model_config = ConfigDict(extra="forbid")

    runner: Literal["local", "slurm", "none"] = Field(
        "local", description="'local': a subprocess of the catalogue service, as its Unix user (the demo; "
        "no isolation); 'slurm': sbatch as the selection's owner; 'none': submitting is refused.")
    work_root: str = Field(
        "", description="Directory holding one folder per job (inputs list, log, outputs); it must be "
        "readable by the service and, for Slurm, on storage the compute nodes share. "
        "Default: 'beamhub-jobs' beside the SQLite catalogue or in the service's working directory.")
    python: str = Field(
        sys.executable, description="The Python that runs a step (needs beamhub, h5py and numpy).")
    environment: dict[str, str] = Field(
        {}, description="Extra environment variables for jobs (e.g. PYTHONPATH).")
    poll_seconds: Annotated[float, Field(gt=0, le=600)] = Field(
        2.0, description="How often running jobs are checked.")
    derived_pid_prefix: str = Field(
        "beamhub.derived", description="Prefix of derived datasets' pids (prefix/<selection>-<n>).")
    max_running_per_user: Annotated[int, Field(ge=1, le=10_000)] = Field(
        5, description="Submitted or running selections one user may have; more get 413 limit_exceeded.")
    slurm: SlurmSettings = Field(SlurmSettings(), description="Slurm runner settings.")
