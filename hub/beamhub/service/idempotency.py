"""Replaying answers to retried POSTs that carry an ``Idempotency-Key`` header.

A client that lost the answer to ``POST /selections`` (a timeout, a dropped
connection) retries with the same key and gets the first answer again, instead of a
second selection. Answers are kept in memory for a day, per user and route; keys are
not shared between users.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_KEY_LENGTH = 200


class IdempotencyCache:
    def __init__(self, max_entries: int = 100_000, max_age: float = 86_400):
        self.max_entries = max_entries
        self.max_age = max_age
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
                return None
            return status, body

    def put(self, key: tuple, status: int, body: bytes) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), status, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
