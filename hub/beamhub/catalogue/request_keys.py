"""Idempotency keys of write requests, kept in the store (shared by every service
process and kept across restarts).

The catalogue service claims a key before it acts on a request that carries one,
completes it with the answer, and releases it when the request failed (so a retry acts
again). :func:`beamhub.catalogue.stores.request_keys_for` gives a store's implementation
(``stores/sqlite/idempotency.py``, ``stores/mongo/idempotency.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Claim:
    """``new``: the caller acts (and then completes or releases the key); ``done``: the
    request was answered before, with ``status`` and ``body``; ``busy``: a request with
    this key is still in progress elsewhere. ``resumed`` (with ``new``): an earlier
    request with this key was abandoned mid-way (its process died after claiming it and
    its lease ran out), so its write may have happened without its answer being kept
    (MongoDB, or a job submission on either store): the caller finishes the operation
    and answers as the first would have, instead of refusing a repeat it caused itself."""

    state: Literal["new", "done", "busy"]
    status: int = 0
    body: bytes = b""
    resumed: bool = False


class RequestKeys(Protocol):
    def claim(self, key: str, lease_seconds: float) -> Claim: ...

    def complete(self, key: str, status: int, body: bytes, keep_seconds: float) -> None: ...

    def release(self, key: str) -> None: ...

    def act_once(self, key: str, act: Callable[[], T], answer: Callable[[T], tuple[int, bytes]],
                 keep_seconds: float) -> T:
        """Run the write ``act`` and complete the claimed ``key`` with ``answer(result)``
        (when a 2xx), so that a process dying anywhere in between cannot have written
        without the key's answer kept (a retry would act again) nor kept an answer for
        a write that did not happen. SQLite: one transaction. MongoDB: the write first,
        then the answer; the writes so keyed are made safe to repeat by their own
        documents (see ``stores/mongo/idempotency.py``)."""
        ...
