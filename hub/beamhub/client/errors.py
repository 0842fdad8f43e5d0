"""The client's exceptions: one per error code of the catalogue API.

Each is also the catalogue's own exception for that code (``NotFound`` is a
:class:`beamhub.catalogue.errors.NotFound`), so code written against the catalogue
handles both. ``status`` is the HTTP status, ``code`` the API's stable code,
``message`` its explanation, ``details`` the per-field problems when there are any.
"""

from __future__ import annotations

from beamhub.catalogue import errors as catalogue
from beamhub.service import errors as service


class ApiError(catalogue.CatalogueError):
    """An error answer from the catalogue service."""

    def __init__(self, message: str, *, code: str = "catalogue_error", status: int = 0, details: object = None):
        super().__init__(message, details=details)
        self.code = code
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} ({self.code}, HTTP {self.status})" if self.status else self.message


class InvalidInput(ApiError, catalogue.InvalidInput):
    """The request was malformed (400): see ``details`` for each bad field."""


class LimitExceeded(ApiError, catalogue.LimitExceeded):
    """A documented limit was exceeded (413)."""


class Unauthorized(ApiError, service.Unauthorized):
    """No valid token (401): is ``JUPYTERHUB_API_TOKEN`` set, or the token expired?"""


class PermissionDenied(ApiError, catalogue.PermissionDenied):
    """Not allowed (403), e.g. the votes of a beamline you are not staff of."""


class NotFound(ApiError, catalogue.NotFound):
    """No such dataset or selection, or not one you may see (404)."""


class Conflict(ApiError, catalogue.Conflict):
    """The object's state does not allow this (409), e.g. editing a submitted selection."""


class TooManyRequests(ApiError, service.TooManyRequests):
    """You have too many requests in progress (429)."""


class Unavailable(ApiError, catalogue.StoreUnavailable, catalogue.Unavailable):
    """The catalogue (or its database, the hub or the scheduler) is unreachable right now (503);
    retry later."""


class PreviewUnavailable(ApiError, catalogue.PreviewError):
    """The dataset has no preview: its file is missing, unreadable or has nothing to plot (422)."""


def _client_class(server_class: type) -> type[ApiError]:
    """The client's exception for a server error class: the client class made for it or
    for the nearest of its bases (``illegal_transition`` is a :class:`Conflict`)."""
    for base in server_class.__mro__:
        for cls in CLIENT_CLASSES:
            if base in cls.__bases__:
                return cls
    return ApiError


CLIENT_CLASSES = (InvalidInput, LimitExceeded, Unauthorized, PermissionDenied, NotFound, Conflict,
                  TooManyRequests, Unavailable, PreviewUnavailable)

BY_CODE = {cls.code: _client_class(cls) for cls in catalogue.error_classes()}
"""The client's exception for each error code of the API (derived from the error classes)."""


def error_from_response(status: int, body: object) -> ApiError:
    """The exception for an error answer (a JSON ``{code, message, details}`` body)."""
    if isinstance(body, dict) and "code" in body:
        code, message, details = str(body["code"]), str(body.get("message", "")), body.get("details")
    else:
        code, message, details = service.STATUS_CODES.get(status, "catalogue_error"), \
            f"HTTP {status}: {str(body)[:200]}", None
    # a code this client does not know (a newer service, or an error class in a module the
    # client never imports) is still the kind of error its status says: a 503 is retryable
    kind = BY_CODE.get(code) or BY_CODE.get(service.STATUS_CODES.get(status, ""), ApiError)
    return kind(message, code=code, status=status, details=details)
