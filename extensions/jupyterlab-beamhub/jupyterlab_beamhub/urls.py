"""Where the catalogue service is, worked out from the single-user server's environment.

Pure functions, so every case is testable without a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

SERVICE_PATH = "services/catalogue/api/v1"
"""The catalogue API below the hub's base URL (see the API contract)."""


def catalogue_url(environ: Mapping[str, str]) -> str | None:
    """The catalogue API's base URL (no trailing slash), or None if nothing says.

    In order: ``BEAMHUB_CATALOGUE_URL`` as given; the hub's public URL
    (``JUPYTERHUB_PUBLIC_URL``); else the host of ``JUPYTERHUB_API_URL`` with the hub's
    base URL (``JUPYTERHUB_BASE_URL``, default ``/``), which is right when the hub API
    is reached through the proxy (the hub's own port does not route ``/services/``).
    """
    explicit = environ.get("BEAMHUB_CATALOGUE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    public = environ.get("JUPYTERHUB_PUBLIC_URL", "").strip()
    if public:
        return public.rstrip("/") + "/" + SERVICE_PATH
    api = environ.get("JUPYTERHUB_API_URL", "").strip()
    if api:
        parts = urlsplit(api)
        base = "/" + environ.get("JUPYTERHUB_BASE_URL", "/").strip("/")
        path = (base.rstrip("/") + "/" + SERVICE_PATH)
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return None


def redact(url: str | None) -> str:
    """The URL without any user:password part, for logs."""
    if not url:
        return "(not configured)"
    parts = urlsplit(url)
    if parts.password or parts.username:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return url
