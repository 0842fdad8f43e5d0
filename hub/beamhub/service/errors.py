"""Errors only the HTTP service raises (the catalogue's own are in catalogue.errors)."""

from beamhub.catalogue.errors import CatalogueError


class Unauthorized(CatalogueError):
    """No valid hub token or OAuth cookie came with the request."""

    code = "unauthorized"
    http_status = 401


class TooManyRequests(CatalogueError):
    """The caller already has the most requests in progress that one user may have."""

    code = "too_many_requests"
    http_status = 429


class HubUnavailable(CatalogueError):
    """JupyterHub could not be asked who the caller is; retry later."""

    code = "hub_unavailable"
    http_status = 503


class Timeout(CatalogueError):
    """A read took longer than the service waits for one (logic.READ_SECONDS)."""

    code = "timeout"
    http_status = 503


class InternalError(CatalogueError):
    code = "internal_error"
    http_status = 500
