"""Where the spawner learns which proposals a user may mount.

- :class:`CatalogueServiceProposals`: the catalogue service's hub-only route
  ``GET /users/{name}/proposals`` (a token with the ``custom:beamhub:proposals`` scope).
  The production choice: the service alone holds the store's credentials.
- :class:`StoreProposals`: a store opened directly (tests, and sites running without
  the service); the user's hub groups make the catalogue identity.
- :class:`NoProposals`: no catalogue (the demo without data): nothing can be mounted.
"""

from __future__ import annotations

import abc
import asyncio
import json
from collections.abc import Iterable
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from beamhub.catalogue.model import Proposal

from .errors import SpawnFailed


class ProposalsUnavailable(SpawnFailed):
    """The catalogue could not be asked; nothing can be mounted right now."""


class ProposalSource(abc.ABC):
    """Answers: which proposals may ``user`` (with hub ``groups``) mount?"""

    @abc.abstractmethod
    async def mountable(self, user: str, groups: Iterable[str]) -> list[Proposal]:
        """The proposals, ordered by id; :class:`ProposalsUnavailable` if the catalogue
        cannot be reached."""

    async def close(self) -> None:
        """Release connections (default: nothing to release)."""


class NoProposals(ProposalSource):
    async def mountable(self, user, groups):
        return []


class CatalogueServiceProposals(ProposalSource):
    """The catalogue service's ``/users/{name}/proposals`` over HTTP."""

    def __init__(self, api_url: str, token: str, timeout: float = 10.0):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    async def mountable(self, user, groups):
        url = f"{self.api_url}/users/{quote(user, safe='')}/proposals"
        request = HTTPRequest(url, headers={"Authorization": f"token {self.token}", "Accept": "application/json"},
                              request_timeout=self.timeout, connect_timeout=self.timeout)
        try:
            response = await AsyncHTTPClient().fetch(request)
        except HTTPClientError as exc:
            detail = ""
            if exc.response is not None and exc.response.body:
                try:
                    detail = json.loads(exc.response.body).get("message", "")
                except (ValueError, AttributeError):
                    detail = exc.response.body[:200].decode(errors="replace")
            raise ProposalsUnavailable(
                f"The catalogue did not list your proposals (HTTP {exc.code}{': ' + detail if detail else ''}).")
        except (OSError, asyncio.TimeoutError) as exc:
            raise ProposalsUnavailable(f"The catalogue is not reachable ({exc}); no data can be mounted right now.")
        try:
            documents = json.loads(response.body)
            return sorted((Proposal.model_validate(doc) for doc in documents), key=lambda p: p.proposalId)
        except (ValueError, TypeError) as exc:
            raise ProposalsUnavailable(f"The catalogue's answer could not be read ({exc}).")


class StoreProposals(ProposalSource):
    """A catalogue store opened directly (``sqlite:///...`` or ``mongodb://...``)."""

    def __init__(self, store_url: str, staff_rule=None):
        self.store_url = store_url
        self.staff_rule = staff_rule
        self._store = None

    def _open(self):
        if self._store is None:
            from beamhub.catalogue.stores import open_store

            self._store = open_store(self.store_url)
        return self._store

    async def mountable(self, user, groups):
        from beamhub.catalogue.errors import CatalogueError
        from beamhub.catalogue.identity import NAME_PATTERN, Identity

        usable = frozenset(g for g in groups if NAME_PATTERN.match(g))
        staff_of = frozenset(self.staff_rule.beamlines(usable)) if self.staff_rule else frozenset()
        identity = Identity(user=user, groups=usable, staff_of=staff_of)
        try:
            return await asyncio.to_thread(lambda: self._open().list_proposals(identity))
        except CatalogueError as exc:
            raise ProposalsUnavailable(f"The catalogue could not list your proposals ({exc.message}).")

    async def close(self):
        if self._store is not None:
            self._store.close()
            self._store = None
