"""Fog-filter jobs: a selection's datasets processed by one step, as the selection's owner.

- :mod:`.steps`: the processing steps; each has a pydantic parameter model (its JSON
  Schema is what ``GET /processing`` shows) and a function run inside the job.
- :mod:`.spec`: what a job is given (``job.json``) and what it leaves (``manifest.json``).
- :mod:`.run`: the job's entry point, ``python -m beamhub.jobs.run JOB_DIR``.
- :mod:`.runners`: where jobs run: a local subprocess (the demo) or Slurm (``sbatch`` as
  the owner, the batch script rendered by a pure function).
- :mod:`.register`: the job's outputs -> derived datasets (pure).
- :mod:`.manager`: submission and the status follower (submitted -> running ->
  done | failed), used by the catalogue service; it alone writes to the catalogue, so
  jobs never hold store credentials.
"""

from .errors import JobSubmissionFailed

__all__ = ["JobSubmissionFailed"]
