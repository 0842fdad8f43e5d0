"""Asking JupyterHub about a user other than the caller (for the spawner's route).

Uses the service's own token (``JUPYTERHUB_API_TOKEN``), whose role must hold
``read:users:groups`` (and ``read:users:name``). Answers are kept for
``hub_auth_cache_seconds`` (a few seconds), so a group removal narrows what the hub's
spawner may mount for that user no later than it narrows the user's own searches.
"""

from __future__ import annotations

import hashlib
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


class TokenAnswers:
    """The hub's answer about each token in use (its user model, and the catalogue
    identity built from it), kept for ``cache_seconds``: within that time a request
    costs no hub round trip, no scope check and no identity building; after it, the
    hub is asked again (so a revoked token or a group change takes effect within
    ``hub_auth_cache_seconds``, as before). Keys are hashes of the tokens; per process,
    bounded in entries."""

    def __init__(self, cache_seconds: float, max_entries: int = 100_000):
        self.cache_seconds = cache_seconds
        self.max_entries = max_entries
        self._answers: dict[str, tuple[float, dict, object]] = {}

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode(errors="surrogateescape")).hexdigest()

    def get(self, token: str) -> tuple[dict, object] | None:
        found = self._answers.get(self._key(token))
        if found is None or time.monotonic() >= found[0]:
            return None
        return found[1], found[2]

    def put(self, token: str, model: dict, identity) -> None:
        if len(self._answers) >= self.max_entries:
            now = time.monotonic()
            self._answers = {k: v for k, v in self._answers.items() if v[0] > now}
            if len(self._answers) >= self.max_entries:
                self._answers.clear()
        self._answers[self._key(token)] = (time.monotonic() + self.cache_seconds, model, identity)
