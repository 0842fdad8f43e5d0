"""Following SciCat's writes: beamhub's derived search fields kept up with SciCat's documents.

SciCat writes its ``Dataset`` collection on its own (new datasets, edited descriptions,
changed access). Who may see a dataset never depends on what is here: searches filter
on SciCat's own ``ownerGroup``/``accessGroups``/``isPublished``/``creationLocation``
at request time (``mongo.queries.visibility_filter``), so a revocation holds at the
very next request. What follows SciCat here is *content*: the derived ``beamhub_*``
fields that text, metadata, technique and year searches and the name sort use.

**How.** SciCat stamps every write with ``updatedAt`` (mongoose ``timestamps``). Each
derivation records the ``updatedAt`` it was computed from (``beamhub_sourceUpdatedAt``).
A catch-up asks for the documents whose ``updatedAt`` is newer than the watermark (the
newest ``updatedAt`` seen on a document SciCat wrote, less :data:`OVERLAP` for writes
that commit out of order; index ``updated``) or whose ``beamhub_indexVersion`` is
missing or old (index ``index_version``), re-derives those that changed, and moves the
watermark (kept in ``beamhub_meta`` so a restart does not start over). Only SciCat's
clock is compared with SciCat's clock: the derived datasets beamhub writes there
(``beamhub_createdBy``), stamped by beamhub's clock, never move the watermark.

**When, and the bound.** A search first catches up when the last catch-up is older
than :data:`FOLLOW_INTERVAL` (other searches meanwhile do not wait for it), and a
catch-up works for at most :data:`CATCH_UP_BUDGET` before leaving the rest to the next.
Where the search columns run (the catalogue service), their background thread asks for
the catch-ups every second instead, and searches never wait for one (at 1M datasets
the one search in two seconds that caught up was each benchmark phase's slowest, 1.7 s).
So a dataset SciCat adds or changes is found by its new content in every search that
starts :data:`FOLLOW_BOUND` seconds after the write (interval + one catch-up + one
running catch-up), as long as SciCat's writes arrive slower than a catch-up absorbs
them (about a thousand documents a second on MongoDB); a bulk of many thousands of
new documents is worked off over several searches. No server has to run anything
else, and no operator acts. MongoDB's change streams would push the same changes
(replica sets only); DocumentDB has none, and the ``updatedAt`` catch-up serves both.

Writes that bypass SciCat and leave ``updatedAt`` as it was are not seen (run
``beamhub catalogue reindex --everything``): access still holds, as it never reads
derived fields.

A document the derivation cannot read is skipped, logged once and counted
(:attr:`Follower.unreadable`), stamped so that it is retried only when SciCat changes
it again, and never stops the others. The derived fields are ``$set`` alone, guarded by
the ``updatedAt`` they were computed from, so a SciCat write landing meanwhile is never
lost: its document waits for the next catch-up.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pymongo
import pymongo.errors

from .documents import (
    CHANGED,
    DATASETS,
    INDEX_VERSION,
    INDEX_VERSION_FIELD,
    SOURCE_UPDATED,
    UNREADABLE,
    index_update,
    report_unreadable,
)
from .scicat import CREATED_BY, META
from .support import UNREACHABLE, batched, now

log = logging.getLogger(__name__)

FOLLOW_INTERVAL = 2.0
"""Seconds between two catch-ups (the first search after it does one)."""
CATCH_UP_BUDGET = 1.0
"""Seconds of re-deriving one catch-up does at most; the rest is left to the next."""
FOLLOW_BOUND = 5.0
"""Seconds after which a search finds SciCat's new or changed content (module docstring)."""
OVERLAP = timedelta(seconds=30)
"""How far behind the watermark each catch-up looks again, for SciCat writes stamped
before but committed after a newer one."""

STATE_ID = "follow"

_CANDIDATE_FIELDS = {"updatedAt": 1, SOURCE_UPDATED: 1, INDEX_VERSION_FIELD: 1, CREATED_BY: 1}


@dataclass
class CatchUp:
    """What one catch-up did."""

    rewritten: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)
    remaining: int = 0
    """Stale documents left for the next catch-up (the budget ran out)."""


def _since(watermark: datetime) -> dict:
    """``updatedAt`` stamps a catch-up reads: newer than the watermark, less
    :data:`OVERLAP` while the watermark is that recent. An older watermark is exceeded by
    whatever SciCat writes now (stamped now), so the catalogue's last bulk write, every
    document under one stamp, is not read again at every catch-up (measured: 0.8 s per
    catch-up at 10k datasets, 2 s apart)."""
    recent = datetime.now(timezone.utc) - OVERLAP
    return {"$gt": watermark - OVERLAP} if watermark >= recent else {"$gt": watermark}


def stale(doc: dict) -> bool:
    """Whether a document's derived fields are missing, old, or not of its current content."""
    return doc.get(INDEX_VERSION_FIELD) != INDEX_VERSION or doc.get(SOURCE_UPDATED) != doc.get("updatedAt")


class Follower:
    """Keeps one store's derived fields up with SciCat's writes (see the module docstring)."""

    def __init__(self, store):
        self.store = store
        self.meta = store.db[META]
        self.unreadable: dict[str, str] = {}
        """pid -> why, for every document found unreadable by this process."""
        self._watermark: datetime | None = None
        self._loaded = False
        self._due = 0.0
        self._lock = threading.Lock()
        self._log_all = False

    def before_search(self) -> None:
        """Catch up if the last catch-up is older than :data:`FOLLOW_INTERVAL`."""
        if time.monotonic() < self._due or not self._lock.acquire(blocking=False):
            return
        try:
            if time.monotonic() >= self._due:
                try:
                    self.catch_up(budget=CATCH_UP_BUDGET)
                except UNREACHABLE:
                    raise  # the search cannot be answered either
                except Exception:  # following must never break a search: logged, retried later
                    log.exception("following SciCat's writes failed; the next catch-up retries")
                self._due = time.monotonic() + FOLLOW_INTERVAL
        finally:
            self._lock.release()

    def catch_up(self, *, budget: float | None = None, everything: bool = False,
                 since_watermark: bool = True) -> CatchUp:
        """Re-derive the stale documents (all of them with ``everything``).

        ``since_watermark`` False compares every document and logs every unreadable one
        it meets (``reindex``: an operator's run reports them all); searches' catch-ups
        log each once per process.
        """
        self._log_all = not since_watermark
        started = time.monotonic()
        datasets = self.store.datasets
        if not self._loaded:
            state = self.meta.find_one({"_id": STATE_ID})
            self._watermark = state.get("watermark") if state else None
            self._loaded = True
        if everything or not since_watermark or self._watermark is None:
            wanted: dict = {}
        else:
            wanted = {"$or": [{"updatedAt": _since(self._watermark)}, {INDEX_VERSION_FIELD: {"$ne": INDEX_VERSION}}]}
        newest = self._watermark
        todo = []
        for doc in datasets.find(wanted, _CANDIDATE_FIELDS):
            updated = doc.get("updatedAt")
            # SciCat's clock only: the derived datasets beamhub wrote there carry its own
            if isinstance(updated, datetime) and CREATED_BY not in doc and (newest is None or updated > newest):
                newest = updated
            if everything or stale(doc):
                todo.append(doc["_id"])
        report = CatchUp()
        todo.sort(key=str)  # rows locked in pid order, as other bulk writers' sorted ones: no deadlock
        for batch in batched(todo, 100):
            if budget is not None and time.monotonic() - started > budget:
                report.remaining = len(todo) - report.rewritten - len(report.unreadable)
                break
            self._rederive(batch, report)
        if not report.remaining and newest is not None and newest != self._watermark:
            self._watermark = newest
            self.meta.update_one({"_id": STATE_ID}, {"$set": {"watermark": newest}}, upsert=True)
        if report.rewritten or report.unreadable or report.remaining:
            log.info("followed SciCat's writes: %d dataset(s) re-derived, %d unreadable, %d left for the next "
                     "catch-up (%.0f ms)", report.rewritten, len(report.unreadable), report.remaining,
                     1000 * (time.monotonic() - started))
        return report

    def _rederive(self, pids: list, report: CatchUp) -> None:
        store = self.store
        docs = list(store._by_ids(store.datasets, pids).values())
        writes = [pymongo.UpdateOne({"_id": doc["_id"], "updatedAt": doc.get("updatedAt")}, self._update(doc, report))
                  for doc in docs]
        if not writes:
            return
        try:  # guarded by updatedAt: a document SciCat changed meanwhile waits for the next catch-up
            store.datasets.bulk_write(writes, ordered=False)
        except pymongo.errors.BulkWriteError as exc:
            for error in exc.details.get("writeErrors", ()):
                self._not_storable(docs[error["index"]], error.get("errmsg", "write refused"), report)

    def _not_storable(self, doc: dict, error, report: CatchUp) -> None:
        """A document whose derived fields the server refused: marked unreadable, not retried."""
        report.rewritten -= 1  # counted when its update was made
        reason = f"its search fields cannot be stored: {error}"[:500]
        report.unreadable[str(doc["_id"])] = self.unreadable[str(doc["_id"])] = reason
        report_unreadable(DATASETS, doc["_id"], reason)
        self.store.datasets.update_one({"_id": doc["_id"]}, {"$set": {
            SOURCE_UPDATED: doc.get("updatedAt"), INDEX_VERSION_FIELD: INDEX_VERSION, UNREADABLE: reason,
            CHANGED: now()}})

    def _update(self, doc: dict, report: CatchUp) -> dict:
        """The update of a document's derived fields (``mongo.documents.index_update``: only
        ``beamhub_*`` fields), stamped with the ``updatedAt`` they were derived from."""
        try:
            update, reason = index_update(doc)
        except Exception as exc:  # anything else a malformed document trips: unreadable too
            reason = f"{type(exc).__name__}: {exc}"[:500]
            update = {"$set": {UNREADABLE: reason, INDEX_VERSION_FIELD: INDEX_VERSION}}
        update["$set"][SOURCE_UPDATED] = doc.get("updatedAt")
        update["$set"][CHANGED] = now()  # the search columns of every worker read it again
        key = str(doc["_id"])
        if reason is None:
            report.rewritten += 1
            self.unreadable.pop(key, None)
        else:
            report.unreadable[key] = self.unreadable[key] = reason
            if self._log_all:
                log.warning("dataset %s cannot be read and is left out of searches: %s", doc["_id"], reason)
            else:
                report_unreadable(DATASETS, doc["_id"], reason)
        return update
