"""Forwarding to the catalogue service: the one place that talks to it.

:class:`BeamhubCatalogue` takes a request the browser made to this single-user server
and sends the same request to the catalogue service, authenticated with the server's
own hub token (``JUPYTERHUB_API_TOKEN``), so the service sees the user's identity and
nothing more. It holds no store credentials and widens nothing: only the paths of the
catalogue's user API are forwarded (the spawner-only ``/users/...`` is not), and the
browser's own cookies and authorization never leave this server.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets import Float, Int, Unicode, default
from traitlets.config import LoggingConfigurable

from .urls import catalogue_url, redact

FORWARDED_ROUTES = (
    "datasets", "datasets/{pid}", "datasets/{pid}/derived", "datasets/{pid}/preview.png", "datasets/{pid}/vote",
    "datasets/{pid}/votes", "fields", "me", "me/proposals", "me/votes", "processing", "selections", "selections/{id}",
    "selections/{id}/submit", "health", "version", "openapi.json",
    "templates", "templates/{beamline}/{template}", "templates/{beamline}/{template}/versions",
    "templates/{beamline}/{template}/diff", "templates/{beamline}/{template}/rollback",
    "templates/{beamline}/{template}/retire", "templates/{beamline}/{template}/opened", "labels",
    "beamlines/{beamline}/overview",
    "suggestions", "suggestions/parameters", "datasets/{pid}/suggestion", "datasets/{pid}/similar",
)
"""The catalogue's user API: the paths (below /api/v1/) of the service's route table
(``beamhub.service.routes.ROUTES``) other than the hub-only ones. This package does not
depend on beamhub, so the list is written here; tests/extension/test_urls.py holds it
equal to the route table."""


def _path_pattern(templates) -> re.Pattern:
    """One regular expression for path templates; a ``{parameter}`` is one path segment
    (a pid still percent-encoded)."""
    alternatives = (re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) for template in templates)
    return re.compile("^(?:" + "|".join(alternatives) + ")$")


FORWARDED_PATHS = _path_pattern(FORWARDED_ROUTES)
"""The paths forwarded to the catalogue service."""

METHODS = frozenset({"GET", "PUT", "POST", "PATCH", "DELETE"})
REQUEST_HEADERS = ("Accept", "Content-Type", "If-None-Match", "If-Modified-Since")
RESPONSE_HEADERS = ("Content-Type", "ETag", "Cache-Control", "Last-Modified", "Retry-After")
MAX_QUERY_CHARS = 8192


class ProxyError(Exception):
    """A request this server answers itself, in the catalogue's error format."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> str:
        return json.dumps({"code": self.code, "message": self.message})


@dataclass
class Upstream:
    """The catalogue service's answer, as it is passed on to the browser."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class BeamhubCatalogue(LoggingConfigurable):
    """Forwards the front end's catalogue requests with the server's hub token."""

    url = Unicode(
        None, allow_none=True, config=True,
        help="Base URL of the catalogue service's API, for example "
             "http://127.0.0.1:8000/services/catalogue/api/v1. Default: $BEAMHUB_CATALOGUE_URL, "
             "else derived from $JUPYTERHUB_PUBLIC_URL or $JUPYTERHUB_API_URL and $JUPYTERHUB_BASE_URL.",
    )
    token = Unicode(
        "", config=False,
        help="The single-user server's own hub API token ($JUPYTERHUB_API_TOKEN), sent as "
             "'Authorization: token ...'. It needs the scope access:services!service=catalogue. "
             "Never configurable: the extension acts as the user and nobody else.",
    )
    request_timeout = Float(
        30.0, config=True,
        help="Seconds to wait for the catalogue service before answering 504.",
    )
    max_body_bytes = Int(
        1024 * 1024, config=True,
        help="Largest request body forwarded (bytes); larger ones get 413 without reaching the service.",
    )

    @default("url")
    def _default_url(self):
        return catalogue_url(os.environ)

    @default("token")
    def _default_token(self):
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def describe(self) -> str:
        return redact(self.url)

    def target(self, path: str, query: str) -> str:
        """The upstream URL for ``path`` (below /api/v1/, percent-encoded) and ``query``.

        Raises :class:`ProxyError` for anything outside the user API.
        """
        if not self.url:
            raise ProxyError(503, "catalogue_not_configured",
                             "this server does not know where the catalogue service is "
                             "(set BEAMHUB_CATALOGUE_URL in the spawner's environment)")
        if ".." in unquote(path) or not FORWARDED_PATHS.match(path):
            raise ProxyError(404, "not_found", f"no catalogue API at {path!r}")
        if len(query) > MAX_QUERY_CHARS:
            raise ProxyError(413, "limit_exceeded", f"the query string is longer than {MAX_QUERY_CHARS} characters")
        return f"{self.url}/{path}" + (f"?{query}" if query else "")

    async def forward(self, method: str, path: str, query: str = "", body: bytes | None = None,
                      headers: dict | None = None) -> Upstream:
        """Send one request to the catalogue service as this server's user."""
        if method not in METHODS:
            raise ProxyError(405, "method_not_allowed", f"{method} is not forwarded")
        url = self.target(path, query)
        if body is not None and len(body) > self.max_body_bytes:
            raise ProxyError(413, "limit_exceeded", f"the request body is larger than {self.max_body_bytes} bytes")
        if not self.token:
            raise ProxyError(503, "catalogue_not_configured",
                             "this server has no hub token (JUPYTERHUB_API_TOKEN), so it cannot act for its user")
        sent = {name: headers[name] for name in REQUEST_HEADERS if headers and name in headers}
        sent["Authorization"] = f"token {self.token}"
        if method in ("PUT", "POST", "PATCH") and body is None:
            body = b""
        request = HTTPRequest(
            url, method=method, headers=sent, body=body, follow_redirects=False,
            request_timeout=self.request_timeout, connect_timeout=min(10.0, self.request_timeout),
            allow_nonstandard_methods=True,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except HTTPClientError as exc:  # raised for timeouts by some clients
            raise self._unreachable(exc) from None
        except OSError as exc:
            raise ProxyError(503, "catalogue_unavailable", f"the catalogue service cannot be reached: {exc}") from None
        if response.code == 599:
            raise self._unreachable(response.error)
        kept = [(name, response.headers[name]) for name in RESPONSE_HEADERS if name in response.headers]
        return Upstream(status=response.code, headers=kept, body=response.body or b"")

    def _unreachable(self, error) -> ProxyError:
        text = str(error or "no answer")
        if "timeout" in text.lower() or "timed out" in text.lower():
            return ProxyError(504, "catalogue_timeout",
                              f"the catalogue service did not answer within {self.request_timeout:g} s")
        self.log.warning("catalogue service unreachable at %s: %s", self.describe(), text)
        return ProxyError(503, "catalogue_unavailable", f"the catalogue service cannot be reached ({text})")
