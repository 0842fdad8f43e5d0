"""Asking JupyterHub about a user other than the caller (for the spawner's route).

Uses the service's own token (``JUPYTERHUB_API_TOKEN``), whose role must hold
``read:users:groups`` (and ``read:users:name``). Answers are kept for
``hub_auth_cache_seconds`` (a few seconds), so a group removal narrows what the hub's
spawner may mount for that user no later than it narrows the user's own searches.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from beamhub.catalogue.errors import NotFound

from .errors import HubUnavailable


class HubUsers:
    def __init__(self, api_url: str, token: str, cache_seconds: float = 5):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dict]] = {}

    async def user_model(self, name: str) -> dict:
        cached = self._cache.get(name)
        if cached and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        try:
            response = await AsyncHTTPClient().fetch(
                f"{self.api_url}/users/{quote(name, safe='')}",
                headers={"Authorization": f"token {self.token}"}, request_timeout=20)
        except HTTPClientError as exc:
            if exc.code == 404:
                raise NotFound(f"no hub user {name!r}") from None
            raise HubUnavailable(f"JupyterHub did not answer about {name!r} ({exc.code})") from None
        except OSError as exc:
            raise HubUnavailable(f"JupyterHub cannot be reached: {exc}") from None
        model = json.loads(response.body)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[name] = (time.monotonic(), model)
        return model
