"""Per-document locks for servers whose single-document updates are not atomic.

FerretDB v1 (SQLite handler) carries out ``$inc``, ``$set`` and findAndModify by reading
the document, changing it in its own memory and writing it back, with no lock between
the two: measured here, 60 threads each adding 1 twenty times to one counter left it at
about 30 instead of 1,200. Inserting a document whose ``_id`` exists, however, fails
atomically (SQLite's unique index). So on such servers every write to a dataset (votes,
upserts, reindexing, recounts) and to a selection holds a lock document
``{_id: "<kind>:<key>"}`` in ``beamhub_locks``: inserted to take the lock, deleted to
release it. Threads of one process first queue on a local lock, so only processes
contend on the database.

A holder that dies leaves its lock behind until ``expiresAt`` (:data:`LOCK_TTL`); the
next writer then removes it. On MongoDB, whose updates are atomic, :meth:`hold` does
nothing.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from pymongo.errors import DuplicateKeyError

from ...errors import StoreUnavailable

LOCK_TTL = timedelta(seconds=10)
"""How long a lock outlives a holder that died (a live holder keeps it for milliseconds)."""
LOCK_WAIT = 20.0
"""Seconds to wait for a busy lock before giving up with ``StoreUnavailable``."""

_LOCAL = [threading.Lock() for _ in range(64)]


class DocumentLocks:
    """Locks on documents of one database, kept in ``collection``; no-ops if not ``needed``."""

    def __init__(self, collection, needed: bool):
        self.collection = collection
        self.needed = needed

    @contextmanager
    def hold(self, kind: str, key: str):
        if not self.needed:
            yield
            return
        lock_id = f"{kind}:{key}"
        local = _LOCAL[hash((self.collection.database.name, lock_id)) % len(_LOCAL)]
        if not local.acquire(timeout=LOCK_WAIT):
            raise StoreUnavailable(f"the catalogue is too busy to change {key} now; retry")
        try:
            token = self._acquire(lock_id)
            try:
                yield
            finally:
                self.collection.delete_one({"_id": lock_id, "token": token})
        finally:
            local.release()

    def _acquire(self, lock_id: str) -> str:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + LOCK_WAIT
        delay = 0.001
        while True:
            now = datetime.now(timezone.utc)
            try:
                self.collection.insert_one({"_id": lock_id, "token": token, "expiresAt": now + LOCK_TTL})
                return token
            except DuplicateKeyError:
                pass
            held = self.collection.find_one({"_id": lock_id})
            if held and held.get("expiresAt") and held["expiresAt"] < now:
                self.collection.delete_one({"_id": lock_id, "token": held.get("token")})
                continue
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"the catalogue is too busy to change {lock_id.split(':', 1)[1]} now; retry")
            time.sleep(random.uniform(0, delay))
            delay = min(delay * 2, 0.02)
