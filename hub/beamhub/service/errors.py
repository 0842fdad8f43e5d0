"""Errors only the HTTP service raises (the catalogue's own are in catalogue.errors),
and the tables derived from all error classes: the one place codes are written is the
classes (``code``, ``http_status``); see :func:`beamhub.catalogue.errors.error_classes`."""

from beamhub.catalogue.errors import CatalogueError, Unavailable, error_classes
from beamhub.jobs.errors import JobSubmissionFailed  # noqa: F401  (its code is part of the API)


class Unauthorized(CatalogueError):
    """No valid hub token or OAuth cookie came with the request."""

    code = "unauthorized"
    http_status = 401


class MethodNotAllowed(CatalogueError):
    """The path exists but not with this method; the answer's ``Allow`` header lists those it has."""

    code = "method_not_allowed"
    http_status = 405


class TooManyRequests(CatalogueError):
    """The caller already has the most requests in progress that one user may have."""

    code = "too_many_requests"
    http_status = 429


class HubUnavailable(Unavailable):
    """JupyterHub could not be asked who the caller is; retry later."""

    code = "hub_unavailable"


class Busy(Unavailable):
    """This service process has the most requests in progress it takes
    (limits.max_in_flight_per_worker) and no place came free within limits.max_wait_seconds
    (or too many already wait); nothing was done. Retry after Retry-After seconds."""

    code = "busy"
    retry_after = 1


class Timeout(Unavailable):
    """A read took longer than the service waits for one (logic.READ_SECONDS)."""

    code = "timeout"


class InternalError(CatalogueError):
    """Anything unexpected; it was logged with the request's details."""

    code = "internal_error"
    http_status = 500


ERROR_CODES: dict[str, int] = {cls.code: cls.http_status for cls in error_classes()}
"""Every stable error code of the API and its HTTP status."""

STATUS_CODES: dict[int, str] = {}
"""The code of an answer tornado itself raises with only a status (the most general
error class with that status)."""
for _cls in error_classes():
    STATUS_CODES.setdefault(_cls.http_status, _cls.code)
