"""The catalogue's errors: each has a stable machine-readable ``code``.

The catalogue service maps them to HTTP statuses (``http_status``); the command line
prints their message. Nothing the caller sent is ever partially written when one of
these is raised.

The exception classes are the one place where codes and statuses are written: every
subclass of :class:`CatalogueError` that sets its own ``code`` (here, in
``beamhub.service.errors`` and ``beamhub.jobs.errors``) is an error of the API, and the
service's table of codes, its answers to tornado's own errors, the API description and
the client's exception for each code are all derived from them (:func:`error_classes`).
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


class Unavailable(CatalogueError):
    """Something beamhub needs (the database, the hub, the scheduler) cannot be reached or
    did not answer in time; nothing was changed. Retry later. (No code of its own: each
    subclass names what was unavailable.)"""

    http_status = 503


class StoreUnavailable(Unavailable):
    """The database cannot be reached; nothing was written. Retry later."""

    code = "store_unavailable"
    http_status = 503


class PreviewError(CatalogueError):
    """No preview can be drawn: the file is missing or unreadable, a link dangles, or
    there is nothing plottable. ``message`` says which."""

    code = "preview_unavailable"
    http_status = 422


def error_classes() -> list[type[CatalogueError]]:
    """Every error class that defines its own ``code``, most general first (breadth first
    from :class:`CatalogueError`, in the order they were defined). The modules defining
    them must have been imported (``beamhub.service.errors`` imports them all)."""
    found: list[type[CatalogueError]] = []
    level: list[type] = [CatalogueError]
    while level:
        below = [sub for cls in level for sub in cls.__subclasses__()]
        found += [cls for cls in below if "code" in vars(cls) and cls not in found]
        level = below
    return found
