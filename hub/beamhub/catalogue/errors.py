"""The catalogue's errors: each has a stable machine-readable ``code``.

The catalogue service maps them to HTTP statuses (``http_status``); the command line
prints their message. Nothing the caller sent is ever partially written when one of
these is raised.
"""

from __future__ import annotations


class CatalogueError(Exception):
    """Base class. ``code`` is stable and documented; ``message`` is for people."""

    code = "catalogue_error"
    http_status = 500

    def __init__(self, message: str, *, details: object = None):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class InvalidInput(CatalogueError):
    """The request is malformed: unknown fields, wrong types, bad pids, bad cursors."""

    code = "invalid_input"
    http_status = 400


class LimitExceeded(InvalidInput):
    """A documented limit was exceeded (page size, query length, selection size...)."""

    code = "limit_exceeded"
    http_status = 413


class NotFound(CatalogueError):
    """No such object, or the caller may not see it (the two are indistinguishable)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(CatalogueError):
    """The caller may see the object but not do this to it."""

    code = "permission_denied"
    http_status = 403


class Conflict(CatalogueError):
    """The object's state does not allow this (for example an illegal status change)."""

    code = "conflict"
    http_status = 409


class IllegalTransition(Conflict):
    """A selection's status cannot move from its current status to the one asked for."""

    code = "illegal_transition"


class StoreUnavailable(CatalogueError):
    """The database cannot be reached; nothing was written. Retry later."""

    code = "store_unavailable"
    http_status = 503
