"""The session status's server side: this server's time left, warnings and announcements,
and extending its walltime, asked of the hub (``beamhub.lifecycle``) with the server's own
hub token (scope ``custom:beamhub:session!user``). The hub decides everything; this class
only relays, for the owner only."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets import Unicode
from traitlets.config import LoggingConfigurable


class SessionError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message

    def to_json(self) -> str:
        return json.dumps({"code": "session", "message": self.message})


class BeamhubSession(LoggingConfigurable):
    """Relays the owner's session requests to the hub."""

    api_url = Unicode(help="The hub's API URL (default: $JUPYTERHUB_API_URL).").tag(config=True)

    @property
    def owner(self) -> str:
        return os.environ.get("JUPYTERHUB_USER", "")

    async def _hub(self, method: str, body: dict | None = None) -> dict:
        base = (self.api_url or os.environ.get("JUPYTERHUB_API_URL", "")).rstrip("/")
        if not base or not self.owner:
            raise SessionError(404, "this server does not run under JupyterHub: it has no session limits")
        request = HTTPRequest(f"{base}/beamhub/session/{quote(self.owner, safe='')}", method=method,
                              headers={"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}",
                                       "Content-Type": "application/json"},
                              body=json.dumps(body) if body is not None else None, request_timeout=60)
        try:
            response = await AsyncHTTPClient().fetch(request)
        except HTTPClientError as exc:
            message = f"the hub answered {exc.code}"
            if exc.response is not None and exc.response.body:
                try:
                    message = json.loads(exc.response.body).get("message") or message
                except ValueError:
                    pass
            raise SessionError(exc.code if 400 <= exc.code < 500 or exc.code == 503 else 502, message) from None
        except OSError as exc:
            raise SessionError(502, f"the hub cannot be reached: {exc}") from None
        return json.loads(response.body)

    async def status(self) -> dict:
        return await self._hub("GET")

    async def extend(self, body) -> dict:
        if not isinstance(body, dict) or "minutes" not in body:
            raise SessionError(400, 'send {"minutes": N}: the minutes to add to the walltime')
        return await self._hub("POST", {"minutes": body["minutes"]})
