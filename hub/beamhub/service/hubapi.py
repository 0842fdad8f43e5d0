"""Asking JupyterHub about a user other than the caller (for the spawner's route).

Uses the service's own token (``JUPYTERHUB_API_TOKEN``), whose role must hold
``read:users:groups`` (and ``read:users:name``). Answers are kept for
``hub_auth_cache_seconds`` (a few seconds), so a group removal narrows what the hub's
spawner may mount for that user no later than it narrows the user's own searches.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import sqlite3
import time
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import aiohttp
from jupyterhub.httpclient import fetch

from beamhub.catalogue.errors import NotFound

from .errors import HubUnavailable

log = logging.getLogger("beamhub.service")

HUB_SECONDS = 30.0
"""The longest a request waits for the hub's answer about a token or a user; then it is
answered 503 ``hub_unavailable`` with Retry-After (the question itself goes on, and its
answer serves the next request). JupyterHub's own client would wait five minutes. (10 s
was too short for 1,000 users' fresh tokens at once with the hub on a loaded 2-core
machine: 38 of them were refused so.)"""


async def within(awaitable: Awaitable[Any], what: str, seconds: float = HUB_SECONDS) -> Any:
    """``awaitable``'s result, or 503 ``hub_unavailable`` (:class:`HubUnavailable`) once
    ``seconds`` have passed without the hub's answer about ``what``."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise HubUnavailable(f"JupyterHub did not answer about {what} within {seconds:g} s; retry shortly") from None


class OneQuestion:
    """One question to the hub in flight per key (a token's hash, a user's name), its
    answer (or error) shared by every request that needs it meanwhile, each waiting at
    most ``seconds``. When a browser's answers expire together, or many requests of one
    token arrive while the hub is slow, the hub is asked once, not once per request."""

    def __init__(self, seconds: float = HUB_SECONDS):
        self.seconds = seconds
        self._asking: dict[str, asyncio.Future] = {}

    @property
    def in_flight(self) -> int:
        return len(self._asking)

    async def ask(self, key: str, question: Callable[[], Awaitable[Any]], what: str) -> Any:
        task = self._asking.get(key)
        if task is None:
            task = asyncio.ensure_future(question())
            self._asking[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        return await within(asyncio.shield(task), what, self.seconds)

    def _settled(self, key: str, task: asyncio.Future) -> None:
        if self._asking.get(key) is task:
            del self._asking[key]
        if not task.cancelled():
            task.exception()  # retrieved: an answer nobody waited for any more is not an error to log


class HubUsers:
    """The hub's user models by name (for the spawner's route), kept ``cache_seconds``;
    asked through JupyterHub's own HTTP client (one connection pool, no queue timeouts:
    tornado's AsyncHTTPClient runs 10 requests at once and fails those queued longer
    than their timeout), one question per name at a time."""

    def __init__(self, api_url: str, token: str, cache_seconds: float = 5):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dict]] = {}
        self.questions = OneQuestion()

    async def user_model(self, name: str) -> dict:
        cached = self._cache.get(name)
        if cached and time.monotonic() - cached[0] < self.cache_seconds:
            return cached[1]
        return await self.questions.ask(name, lambda: self._ask(name), f"user {name!r}")

    async def _ask(self, name: str) -> dict:
        try:
            response = await fetch(f"{self.api_url}/users/{quote(name, safe='')}", method="GET",
                                   raise_for_status=False, headers={"Authorization": f"token {self.token}"})
            body = await response.read()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise HubUnavailable(f"JupyterHub cannot be reached: {exc}") from None
        if response.status == 404:
            raise NotFound(f"no hub user {name!r}")
        if response.status != 200:
            raise HubUnavailable(f"JupyterHub did not answer about {name!r} ({response.status})")
        model = json.loads(body)
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
        self.questions = OneQuestion()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode(errors="surrogateescape")).hexdigest()

    async def ask(self, token: str, question: Callable[[], Awaitable[tuple[dict, object]]]) -> tuple[dict, object]:
        """``question()``'s answer (it asks the hub and keeps the answer with :meth:`put`), asked
        once for all the requests with this token that arrive while it is in flight."""
        return await self.questions.ask(self._key(token), question, "your token")

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
