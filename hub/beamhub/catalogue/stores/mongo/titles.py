"""The MongoDB store's proposal titles held in memory, for matching query words against
them (``text``'s "Proposal titles").

**Why.** A search with words matches them against the titles of the proposals the caller
may see. Reading those titles from the database at each search cost staff of a beamline
at a million datasets (a thousand of ten thousand proposals) about 13 ms of a 27 ms p95 on
DocumentDB. A store instead holds one :class:`~beamhub.catalogue.text.TitleIndex` of every
proposal's title words, with each proposal's access fields (``ownerGroup``,
``accessGroups``, ``beamline``), so a search looks up its few words and keeps the
proposals the caller may see, decided from the identity at each request by the rule
``MongoStore._proposal_filter`` states as a query (:func:`may_see`).

**Kept current with writes that bypass beamhub.** SciCat writes its ``Proposal``
collection on its own and stamps every write with ``updatedAt`` (mongoose
``timestamps``): a new proposal, a new title, changed ``ownerGroup``/``accessGroups``/
``beamline``. beamhub's own proposal writes (``upsert_proposals``, outside SciCat's
database) stamp it too. So:

- *Before each search with words*, one query asks for the proposals stamped since the
  newest stamp seen, or within ``columns.OVERLAP`` of now (writes stamped before,
  committed after a newer one): usually none. It needs the ``Proposal`` index
  ``updated`` (``{updatedAt: 1}``, ``mongo.server``); without it DocumentDB reads every
  proposal for it. A title or access change stamped before a search is therefore seen
  by that search, as the search columns' sync sees a dataset's change (an access change
  at the very next search). Only the changed proposals are read; the index of words is
  built again only when a title changed or a proposal came or went, from the titles
  held, not the database.
- *Deletions* leave no stamp. The number of proposals the database holds
  (``count_documents``) is compared with the number held: every second by the search
  columns' background thread (:meth:`ProposalTitles.follow`, while it runs:
  ``MongoColumns.following``), otherwise at each search with words; a difference reads
  every proposal's fields again (a deletion and a stamped insert between two counts
  leave the database's count as it was, not the held one: the insert was read).
- *At a service start* every title is read in a thread beside the search columns'
  load or restore (:meth:`ProposalTitles.read_ahead`), not by the first search with words.
- *Writes that leave* ``updatedAt`` *alone* (an operator's shell) are found by reading
  every proposal's fields again every :data:`REREAD_SECONDS`, by that thread or else by
  the first search with words after it.

Measured on DocumentDB at ten thousand proposals (the bench catalogue of a million
datasets, 2 cores, load 6-7), p50/p95: the stamp query 0.5/3.3 ms (``explain``: IXSCAN
``updated``), the count 2.1/6.6 ms (so a thread makes it, not searches), a full read of
the fields 124 ms and the word index built from them about 100 ms more; the titled
proposals of staff of a beamline for ``lysozyme`` 0.9/3.7 ms held, 7.6/22 ms read as
before (``lys``: 1.0/3.6 against 12.6/38.5 ms).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from pymongo.errors import PyMongoError

from ...identity import Identity
from ...text import TextQuery, TitleIndex
from .columns import _since  # one rule for what a stamp query reads again

log = logging.getLogger(__name__)

FIELDS = {"title": 1, "ownerGroup": 1, "accessGroups": 1, "beamline": 1, "updatedAt": 1}
"""What a proposal is held by (a projection)."""
REREAD_SECONDS = 300.0
"""Seconds between two reads of every proposal's fields (writes that left ``updatedAt``
as it was): by the search columns' thread, or else by the first search with words after."""


def _strings(value) -> frozenset[str]:
    """The strings a field's ``$in`` matches: the value itself, or an array's elements."""
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


@dataclass(frozen=True)
class Access:
    """What decides who may see a proposal: its groups (``ownerGroup`` and
    ``accessGroups``) and its beamline(s)."""

    groups: frozenset[str]
    beamlines: frozenset[str]

    @classmethod
    def of(cls, doc: dict) -> "Access":
        return cls(_strings(doc.get("ownerGroup")) | _strings(doc.get("accessGroups")), _strings(doc.get("beamline")))


def may_see(identity: Identity, access: Access) -> bool:
    """Whether ``identity`` may see a proposal: an operator, a member of one of its
    groups, or staff of its beamline (``MongoStore._proposal_filter``'s ``$or`` of
    ``$in``, for one document)."""
    return (identity.operator or not identity.groups.isdisjoint(access.groups)
            or not identity.staff_of.isdisjoint(access.beamlines))


@dataclass(frozen=True)
class _Held:
    """One version of the titles: replaced whole, so a search reads a consistent one
    without holding the lock."""

    index: TitleIndex
    access: dict[str, Access]

    def visible(self, identity: Identity):
        if identity.operator:
            return None
        access = self.access
        return lambda p: p in access and may_see(identity, access[p])


def _title(doc: dict) -> str:
    title = doc.get("title")
    return title if isinstance(title, str) else ""  # legacy data without one, or not text


class ProposalTitles:
    """One store's proposal titles, shared by its threads (see the module docstring)."""

    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._titles: dict[str, str] = {}
        self._access: dict[str, Access] = {}
        self._held: _Held | None = None
        self._mark: datetime | None = None  # the newest updatedAt seen
        self._reread = 0.0  # time.monotonic() of the last read of every proposal
        self.full_reads = 0
        """Reads of every proposal (a test checks searches make none while nothing changes)."""
        self.indexes_built = 0
        """Word indexes built (a test checks an access change builds none)."""

    def read_ahead(self) -> threading.Thread:
        """Read every proposal's title now, in a thread (a service start: beside the search
        columns' load or restore, which it does not hold up), so that the first search with
        words does not (measured during a restart at 1M datasets: 0.95 s). A search
        arriving meanwhile waits for this read (the lock) instead of making its own; a read
        that fails is left to the first search, as before."""

        def read() -> None:
            try:
                self.current(count=False)
            except PyMongoError:
                log.debug("proposal titles not read ahead; the first search with words reads them", exc_info=True)

        thread = threading.Thread(target=read, name="mongo-titles-ahead", daemon=True)
        thread.start()
        return thread

    def titled(self, identity: Identity, text: TextQuery, followed: bool) -> dict[str, tuple[str, ...]]:
        """``{query word: ids of the caller's proposals whose title holds it}``
        (``text.titled_proposals``) as the database holds them now. ``followed``: the
        search columns' thread runs :meth:`follow`; otherwise this search does its part
        (the count, and the periodic read of every proposal when due)."""
        if text.empty or text.unmatchable:
            return {}
        held = self.current(count=False) if followed else self.follow()
        return held.index.titled(text, held.visible(identity))

    def follow(self) -> _Held:
        """The stamped changes, the count, and every :data:`REREAD_SECONDS` every
        proposal: the search columns' thread's step every second (``MongoColumns``), or
        a search's where no thread runs."""
        return self.current(count=True, reread=time.monotonic() - self._reread >= REREAD_SECONDS)

    def current(self, count: bool, reread: bool = False) -> _Held:
        with self._lock:
            if self._held is None or reread:
                self._read_all()
            else:
                self._read_changed()
                if count and self.store.proposals.count_documents({}) != len(self._access):
                    self._read_all()
            return self._held

    def _read_all(self) -> None:
        started = datetime.now(timezone.utc)
        titles, access, newest = {}, {}, None
        for doc in self.store.proposals.find({}, FIELDS):
            titles[doc["_id"]], access[doc["_id"]] = _title(doc), Access.of(doc)
            newest = _newer(newest, doc.get("updatedAt"))
        self._titles, self._access = titles, access
        # the next stamp query reads again what was stamped meanwhile (columns._since)
        self._mark = min(newest, started) if newest else started
        self._reread = time.monotonic()
        self.full_reads += 1
        self._publish(titles_changed=True)

    def _read_changed(self) -> None:
        changed, newest = [], self._mark
        for doc in self.store.proposals.find(_since("updatedAt", self._mark), FIELDS):
            pid, title, access = doc["_id"], _title(doc), Access.of(doc)
            if self._titles.get(pid) != title or self._access.get(pid) != access:
                changed.append((pid, title, access))  # the overlap's documents, read again, mostly are not
            newest = _newer(newest, doc.get("updatedAt"))
        self._mark = newest
        if not changed:
            return
        retitled = any(self._titles.get(pid) != title for pid, title, _ in changed)
        for pid, title, _ in changed:
            self._titles[pid] = title  # read under the lock only
        self._access = {**self._access, **{pid: access for pid, _, access in changed}}  # searches hold the old
        self._publish(titles_changed=retitled)

    def _publish(self, titles_changed: bool) -> None:
        index = self._held.index if self._held is not None and not titles_changed else None
        if index is None:
            index = TitleIndex(self._titles.items())
            self.indexes_built += 1
        self._held = _Held(index, self._access)


def _newer(newest: datetime | None, stamp) -> datetime | None:
    if isinstance(stamp, datetime) and (newest is None or stamp > newest):
        return stamp
    return newest
