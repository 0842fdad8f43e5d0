"""Where jobs run: :class:`LocalRunner` (a subprocess; the demo) or :class:`SlurmRunner`."""

from __future__ import annotations

from ..settings import JobsSettings
from .base import JobState, Runner, SubmittedJob


def make_runner(settings: JobsSettings) -> Runner | None:
    """The runner the settings ask for, or None when jobs are turned off."""
    if settings.runner == "local":
        from .local import LocalRunner

        return LocalRunner(settings)
    if settings.runner == "slurm":
        from .slurm import SlurmRunner

        return SlurmRunner(settings)
    return None


__all__ = ["JobState", "Runner", "SubmittedJob", "make_runner"]
