"""Asking JupyterHub about a user other than the caller (for the spawner's route).

Uses the service's own token (``JUPYTERHUB_API_TOKEN``), whose role must hold
``read:users:groups`` (and ``read:users:name``). Answers are kept for
``hub_auth_cache_seconds`` (a few seconds), so a group removal narrows what the hub's
spawner may mount for that user no later than it narrows the user's own searches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import sqlite3
import time
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from beamhub.catalogue.errors import NotFound

from .errors import HubUnavailable

log = logging.getLogger("beamhub.service")


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
    bounded in entries.

    With ``shared`` (an SQLite file the workers of one service share), an answer one
    worker got from the hub serves the others until the same moment it expires for the
    worker that asked: the hub is asked about each token once per period, not once per
    worker (each check costs the hub 1-2 ms of CPU). A failing shared file only means
    the hub is asked."""

    def __init__(self, cache_seconds: float, max_entries: int = 100_000, shared: str | None = None):
        self.cache_seconds = cache_seconds
        self.max_entries = max_entries
        self._answers: dict[str, tuple[float, dict, object]] = {}
        self.shared = shared
        self._db = None

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode(errors="surrogateescape")).hexdigest()

    def get(self, token: str) -> tuple[dict, object] | None:
        """``(model, identity)`` as kept, ``(model, None)`` from another worker (the
        caller builds the identity), or None: ask the hub."""
        key = self._key(token)
        found = self._answers.get(key)
        if found is not None and time.monotonic() < found[0]:
            return found[1], found[2]
        shared = self._shared_get(key)
        if shared is not None:
            expires, model = shared
            self._keep(key, expires, model, None)
            return model, None
        return None

    def put(self, token: str, model: dict, identity, *, from_hub: bool = True) -> None:
        key = self._key(token)
        found = self._answers.get(key)
        if not from_hub and found is not None and found[1] is model:  # an identity built for another worker's answer
            self._answers[key] = (found[0], model, identity)
            return
        expires = time.monotonic() + self.cache_seconds
        self._keep(key, expires, model, identity)
        self._shared_put(key, expires, model)

    def _keep(self, key: str, expires: float, model: dict, identity) -> None:
        if len(self._answers) >= self.max_entries:
            now = time.monotonic()
            self._answers = {k: v for k, v in self._answers.items() if v[0] > now}
            if len(self._answers) >= self.max_entries:
                self._answers.clear()
        self._answers[key] = (expires, model, identity)

    # -- the file the workers share (CLOCK_MONOTONIC is one clock for the whole host) --
    def _connection(self):
        if self._db is None and self.shared:
            db = sqlite3.connect(self.shared, timeout=0.5, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, expires REAL NOT NULL, "
                       "model TEXT NOT NULL) WITHOUT ROWID")
            self._db = db
        return self._db

    def _shared_get(self, key: str) -> tuple[float, dict] | None:
        try:
            db = self._connection()
            row = db.execute("SELECT expires, model FROM answers WHERE key = ? AND expires > ?",
                             (key, time.monotonic())).fetchone() if db is not None else None
        except sqlite3.Error as exc:
            log.debug("shared token answers unreadable (%s): asking the hub", exc)
            return None
        return (row[0], json.loads(row[1])) if row else None

    def _shared_put(self, key: str, expires: float, model: dict) -> None:
        try:
            db = self._connection()
            if db is None:
                return
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (key, expires, json.dumps(model)))
            if random.random() < 0.001:  # now and then: expired answers go
                db.execute("DELETE FROM answers WHERE expires < ?", (time.monotonic(),))
        except sqlite3.Error as exc:
            log.debug("shared token answers not written (%s)", exc)
