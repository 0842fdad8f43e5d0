"""Idempotency keys of the service's write requests, kept in the SQLite catalogue.

One row per key (the service hashes the user, route and the client's key into it): a
request that carries a key first *claims* it (a ``pending`` row with a short lease),
acts, then *completes* it with its answer (status and body), kept until ``expires``.
A retry of a completed request gets that answer again, whichever service process or
service start it reaches; a retry while the first is still in progress is told so;
a pending row whose lease ran out (its process died mid-request) may be claimed anew.
The table lives in the catalogue file beside the data it protects (created on first
use; expired rows are purged as new keys arrive).
"""

from __future__ import annotations

import sqlite3
import time

from ...request_keys import Claim

TABLE = """CREATE TABLE IF NOT EXISTS request_keys (
    key TEXT PRIMARY KEY,
    status INTEGER,          -- NULL while the request is in progress
    body BLOB,
    expires REAL NOT NULL    -- unix time: end of the lease (pending) or of the answer's keeping
) WITHOUT ROWID"""

PURGE_EVERY = 200
"""Claims between two purges of expired rows."""


class SQLiteRequestKeys:
    def __init__(self, store):
        self.store = store
        self._ready = False
        self._claims = 0

    def _ensure(self, conn: sqlite3.Connection) -> None:
        if not self._ready:
            conn.execute(TABLE)
            conn.execute("CREATE INDEX IF NOT EXISTS request_keys_expires ON request_keys (expires)")
            self._ready = True

    def claim(self, key: str, lease_seconds: float) -> Claim:
        now = time.time()
        with self.store._transaction(write=True) as conn:
            self._ensure(conn)
            self._claims += 1
            if self._claims % PURGE_EVERY == 0:
                conn.execute("DELETE FROM request_keys WHERE expires < ?", (now,))
            row = conn.execute("SELECT status, body, expires FROM request_keys WHERE key = ?", (key,)).fetchone()
            if row is not None and row[2] >= now:
                return Claim("busy") if row[0] is None else Claim("done", row[0], bytes(row[1] or b""))
            conn.execute("INSERT OR REPLACE INTO request_keys (key, status, body, expires) VALUES (?, NULL, NULL, ?)",
                         (key, now + lease_seconds))
        return Claim("new", resumed=row is not None and row[0] is None)

    def complete(self, key: str, status: int, body: bytes, keep_seconds: float) -> None:
        with self.store._transaction(write=True) as conn:
            self._ensure(conn)
            conn.execute("INSERT OR REPLACE INTO request_keys (key, status, body, expires) VALUES (?, ?, ?, ?)",
                         (key, status, body, time.time() + keep_seconds))

    def act_once(self, key, act, answer, keep_seconds: float):
        """The write and its key's answer in one transaction (the store's calls inside
        ``act`` become savepoints of it)."""
        with self.store.atomic():
            result = act()
            status, body = answer(result)
            if 200 <= status < 300:
                self.complete(key, status, body, keep_seconds)
        return result

    def release(self, key: str) -> None:
        with self.store._transaction(write=True) as conn:
            self._ensure(conn)
            conn.execute("DELETE FROM request_keys WHERE key = ? AND status IS NULL", (key,))
