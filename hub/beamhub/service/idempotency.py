"""Replaying answers to retried writes that carry an ``Idempotency-Key`` header.

A client that lost the answer to ``POST /selections`` (a timeout, a dropped
connection, a service process that died) retries with the same key and gets the first
answer again instead of a second selection; a retried ``DELETE`` of a selection gets
the first ``204`` instead of ``404``. Keys are kept in the store
(:mod:`beamhub.catalogue.request_keys`), so every worker process sees them and they
outlive a restart; answers are kept for :data:`KEEP_SECONDS`. Keys are not shared
between users or routes (the stored key is a hash of the user, the route, the path and
the client's key). While the first request is in progress, a retry gets 409
``conflict`` (retry shortly); if the process handling it died, the key may be claimed
again after :data:`LEASE_SECONDS`, and the retry answers as the first would have even
when the first had acted (a DELETE 204, a submit 202 with the submitted selection; see
:attr:`PendingKey.resumed`). Only successful answers are kept: a request that
failed releases its key, and a retry acts again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable

from beamhub.catalogue.errors import Conflict
from beamhub.catalogue.request_keys import Claim, RequestKeys

log = logging.getLogger("beamhub.service")

MAX_KEY_LENGTH = 200
KEEP_SECONDS = 86_400.0
"""How long a completed request's answer is replayed to retries, by default (the setting
``idempotency_keep_seconds``)."""
LEASE_SECONDS = 30.0
"""How long a claimed key counts as in progress if its request never completes (the
process handling it died): writes take milliseconds, a job submission a few seconds."""


def stored_key(user: str, operation: str, path: str, value: str) -> str:
    return hashlib.sha256(json.dumps([user, operation, path, value]).encode()).hexdigest()


def keyed_selection_id(key: str) -> str:
    """The id of the selection a keyed ``POST /selections`` creates: the same for every
    retry, so one that acts again (its process died after the write, before the answer
    was kept: possible on MongoDB, which takes the two apart) finds the selection made
    instead of making a second."""
    return "sel-" + hashlib.sha256(("selection:" + key).encode()).hexdigest()[:32]


@dataclass
class PendingKey:
    """A claimed key whose answer is to be kept with the write itself: the handler sets
    it (:data:`PENDING`) before calling the logic, whose keyed writes run through
    :meth:`act` (one transaction on SQLite); ``answered`` tells the handler it is kept."""

    key: str
    keys: RequestKeys
    answer: Callable[[Any], tuple[int, bytes]]
    resumed: bool = False
    """An earlier request with this key died mid-way (:attr:`Claim.resumed`): the logic
    treats "already done" (a deleted selection gone, a submitted one not a draft) as the
    first request's success and answers as it would have."""
    answered: bool = field(default=False)
    keep_seconds: float = KEEP_SECONDS

    def act(self, function: Callable[[], Any]) -> Any:
        """In a store thread: the write and the key's answer, together."""
        result = self.keys.act_once(self.key, function, self.answer, self.keep_seconds)
        self.answered = True
        return result


PENDING: ContextVar[PendingKey | None] = ContextVar("beamhub_pending_key", default=None)
"""The request's claimed key, for the logic's keyed writes (set per request task)."""


class IdempotencyKeys:
    """The handlers' side: claim before acting, complete with the answer, or release."""

    def __init__(self, keys: RequestKeys, run, keep_seconds: float = KEEP_SECONDS):
        self.keys = keys
        self.run = run  # runs a blocking store call off the event loop
        self.keep_seconds = keep_seconds  # the setting idempotency_keep_seconds

    async def claim(self, key: str) -> Claim:
        claim = await self.run(self.keys.claim, key, LEASE_SECONDS)
        if claim.state == "busy":
            raise Conflict("a request with this Idempotency-Key is still in progress; retry shortly")
        return claim

    def pending(self, key: str, answer: Callable[[Any], tuple[int, bytes]], resumed: bool = False) -> PendingKey:
        """Mark ``key`` as this request's (in :data:`PENDING`) for the logic's keyed writes."""
        pending = PendingKey(key, self.keys, answer, resumed, keep_seconds=self.keep_seconds)
        PENDING.set(pending)
        return pending

    async def complete(self, key: str, status: int, body: bytes) -> None:
        await self.run(self.keys.complete, key, status, body, self.keep_seconds)

    async def release_quietly(self, key: str) -> None:
        """Release the key of a request that failed (its own error is what the caller
        sees; if the store cannot release it, the lease runs out)."""
        try:
            await self.run(self.keys.release, key)
        except Exception as exc:  # noqa: BLE001
            log.warning("idempotency key not released (its lease will run out): %s", exc)
