"""Errors of job submission, with stable codes like the catalogue's."""

from beamhub.catalogue.errors import Unavailable


class JobSubmissionFailed(Unavailable):
    """The runner could not start the job (e.g. sbatch refused it); nothing was changed."""

    code = "job_submission_failed"
