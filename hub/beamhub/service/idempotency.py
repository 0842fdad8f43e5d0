"""Replaying answers to retried POSTs that carry an ``Idempotency-Key`` header.

A client that lost the answer to ``POST /selections`` (a timeout, a dropped
connection) retries with the same key and gets the first answer again, instead of a
second selection. Answers are kept in memory for a day, per user and route; keys are
not shared between users. The cache is bounded in entries and in bytes (a user who
creates and deletes large selections with new keys cannot grow it without end); the
oldest answers go first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_KEY_LENGTH = 200


class IdempotencyCache:
    def __init__(self, max_entries: int = 100_000, max_age: float = 86_400, max_bytes: int = 64 * 2**20):
        self.max_entries = max_entries
        self.max_age = max_age
        self.max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[tuple, tuple[float, int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[int, bytes] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored, status, body = entry
            if time.monotonic() - stored > self.max_age:
                del self._entries[key]
                self._bytes -= len(body)
                return None
            return status, body

    def put(self, key: tuple, status: int, body: bytes) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._entries[key] = (time.monotonic(), status, body)
            self._bytes += len(body)
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                self._bytes -= len(self._entries.popitem(last=False)[1][2])
