"""The runner interface: start a job in a prepared folder, tell its state, cancel it."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..settings import JobsSettings


@dataclass(frozen=True)
class SubmittedJob:
    job_id: str
    log_path: str


@dataclass(frozen=True)
class JobState:
    """``pending`` and ``running`` are in progress; ``finished`` means the job ended (the
    manifest then says whether it succeeded); ``unknown``: the scheduler could not be
    asked (nothing changes; asked again later). ``message`` explains."""

    state: Literal["pending", "running", "finished", "unknown"]
    message: str = ""


class Runner(abc.ABC):
    name: str

    def __init__(self, settings: JobsSettings):
        self.settings = settings

    @abc.abstractmethod
    def submit(self, job_dir: Path, owner: str) -> SubmittedJob:
        """Start ``python -m beamhub.jobs.run job_dir`` as ``owner``; raise
        ``JobSubmissionFailed`` if the job could not be started."""

    @abc.abstractmethod
    def state(self, job_id: str, job_dir: Path) -> JobState:
        """Where the job is now (blocking; called from a worker thread)."""

    @abc.abstractmethod
    def cancel(self, job_id: str, owner: str) -> None:
        """Stop the job if it still runs; never raises for a finished job."""

    def job_environment(self) -> dict[str, str]:
        return dict(self.settings.environment)
