"""One way for the server extension to ask the hub on the owner's behalf, with the
server's own hub token (``JUPYTERHUB_API_TOKEN``): used by the Share dialog's
(:mod:`.sharing`) and the session status's (:mod:`.lifecycle`) server sides.

The hub's answer is relayed as it is meant: its 4xx with its message (the policy's
reason, a bad request); its 503 as 503 (the hub, or what it asks, e.g. the catalogue for
the mounted proposals, is unavailable for now: the client may try again); any other
failure, or no answer at all, as 502 (the hub misbehaved or cannot be reached).
"""

from __future__ import annotations

import json
import os

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest


class HubRelayError(Exception):
    code = "hub"
    """The error body's ``code`` (each relaying feature names its own)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message

    def to_json(self) -> str:
        return json.dumps({"code": self.code, "message": self.message})


def relayed_status(status: int) -> int:
    """The status the server answers for the hub's ``status`` (see the module docstring)."""
    return status if 400 <= status < 500 or status == 503 else 502


def hub_api_url(configured: str = "") -> str:
    return (configured or os.environ.get("JUPYTERHUB_API_URL", "")).rstrip("/")


async def hub_request(method: str, url: str, body: dict | None = None, *, error=HubRelayError,
                      timeout: float = 60) -> dict:
    """``method`` ``url`` (the hub's API) with the server's token; the JSON answer, or
    ``error(status, message)`` raised."""
    request = HTTPRequest(url, method=method,
                          headers={"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}",
                                   "Content-Type": "application/json"},
                          body=json.dumps(body) if body is not None else None,
                          allow_nonstandard_methods=True, request_timeout=timeout)
    try:
        response = await AsyncHTTPClient().fetch(request)
    except HTTPClientError as exc:
        message = f"the hub answered {exc.code}"
        if exc.response is not None and exc.response.body:
            try:
                message = json.loads(exc.response.body).get("message") or message
            except (ValueError, AttributeError):
                pass
        raise error(relayed_status(exc.code), message) from None
    except OSError as exc:
        raise error(502, f"the hub cannot be reached: {exc}") from None
    return json.loads(response.body) if response.body else {}
