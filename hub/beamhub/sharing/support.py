"""Support requests: beamline staff asking to join a running server, kept by the hub
until the owner answers, the request expires, or the server stops.

Held in the hub's memory (a request lives minutes; a hub restart forgets the pending
ones, and the staff member asks again). The policy (who may ask) is
:func:`~.policy.may_ask_support`; the handlers are in :mod:`.hub`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

PENDING, DECLINED = "pending", "declined"


@dataclass
class SupportRequest:
    user: str
    owner: str
    server: str
    created_at: float
    expires_at: float
    state: str = PENDING

    def public(self) -> dict:
        return {"user": self.user, "owner": self.owner, "server": self.server, "state": self.state,
                "created_at": self.created_at, "expires_at": self.expires_at}


class SupportRequests:
    """The open requests, per server ``(owner, server_name)`` and staff member."""

    def __init__(self, lifetime: float, clock: Callable[[], float] = time.time):
        self.lifetime, self.clock = lifetime, clock
        self._by_server: dict[tuple[str, str], dict[str, SupportRequest]] = {}

    def _live(self, owner: str, server: str) -> dict[str, SupportRequest]:
        """The server's requests not yet expired (expired ones are dropped here)."""
        now = self.clock()
        requests = self._by_server.get((owner, server), {})
        for name in [n for n, r in requests.items() if r.expires_at <= now]:
            del requests[name]
        return requests

    def ask(self, owner: str, server: str, user: str) -> SupportRequest:
        """A new pending request (asking again renews it, also after a decline)."""
        now = self.clock()
        request = SupportRequest(user, owner, server, now, now + self.lifetime)
        self._by_server.setdefault((owner, server), {})[user] = request
        return request

    def pending(self, owner: str, server: str) -> list[SupportRequest]:
        return sorted((r for r in self._live(owner, server).values() if r.state == PENDING),
                      key=lambda r: r.created_at)

    def of(self, owner: str, server: str, user: str) -> SupportRequest | None:
        return self._live(owner, server).get(user)

    def answer(self, owner: str, server: str, user: str, accept: bool) -> SupportRequest | None:
        """The pending request answered (accepted: removed; declined: kept as declined
        until it expires, so the staff member sees the answer); None if none is pending."""
        request = self._live(owner, server).get(user)
        if request is None or request.state != PENDING:
            return None
        if accept:
            del self._by_server[(owner, server)][user]
        else:
            request.state = DECLINED
        return request

    def end_session(self, owner: str, server: str) -> int:
        """The server stopped: forget its requests. How many were pending."""
        return sum(1 for r in self._by_server.pop((owner, server), {}).values() if r.state == PENDING)
