"""The session status's server side: this server's time left, warnings and announcements,
and extending its walltime, asked of the hub (``beamhub.lifecycle``) with the server's own
hub token (scope ``custom:beamhub:session!user``). The hub decides everything; this class
only relays, for the owner only."""

from __future__ import annotations

import os
from urllib.parse import quote

from traitlets import Unicode
from traitlets.config import LoggingConfigurable

from .hubrelay import HubRelayError, hub_api_url, hub_request


class SessionError(HubRelayError):
    code = "session"


class BeamhubSession(LoggingConfigurable):
    """Relays the owner's session requests to the hub."""

    api_url = Unicode(help="The hub's API URL (default: $JUPYTERHUB_API_URL).").tag(config=True)

    @property
    def owner(self) -> str:
        return os.environ.get("JUPYTERHUB_USER", "")

    async def _hub(self, method: str, body: dict | None = None) -> dict:
        base = hub_api_url(self.api_url)
        if not base or not self.owner:
            raise SessionError(404, "this server does not run under JupyterHub: it has no session limits")
        return await hub_request(method, f"{base}/beamhub/session/{quote(self.owner, safe='')}", body,
                                 error=SessionError)

    async def status(self) -> dict:
        return await self._hub("GET")

    async def extend(self, body) -> dict:
        if not isinstance(body, dict) or "minutes" not in body:
            raise SessionError(400, 'send {"minutes": N}: the minutes to add to the walltime')
        return await self._hub("POST", {"minutes": body["minutes"]})
