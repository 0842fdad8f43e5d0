"""Errors of job submission, with stable codes like the catalogue's."""

from beamhub.catalogue.errors import CatalogueError


class JobSubmissionFailed(CatalogueError):
    """The runner could not start the job (e.g. sbatch refused it); nothing was changed."""

    code = "job_submission_failed"
    http_status = 503
