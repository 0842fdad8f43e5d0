"""The production store: a facility's MongoDB (SciCat's database) through pymongo.

``MongoStore("mongodb://HOST:PORT/DBNAME")`` (database ``beamhub`` when the URL names
none). Datasets and proposals are SciCat's ``Dataset`` and ``Proposal`` collections,
read as they are; beamhub adds derived search fields and its vote counters, all prefixed
``beamhub_``, to dataset documents (``mongo.documents``) and keeps votes and selections
in ``beamhub_votes`` and ``beamhub_selections``; it never changes a field SciCat owns,
and in SciCat's own database writes only derived datasets, as SciCat stores them
(``mongo.scicat``). Who may see a dataset is read from SciCat's own fields at each
request (``mongo.queries.visibility_filter``); the derived fields follow SciCat's
writes within seconds (``mongo.follow``). Indexes, one per query shape, are listed in
``mongo.server``.

Votes stay exact without multi-document transactions. A vote is one document per
(pid, user): the truth. The dataset document records, per voter, the value its counters
reflect (``beamhub_counted.<hash of the user>``) beside the counters (``beamhub_likes``,
``beamhub_dislikes``, shown as ``likes``/``dislikes``), and moves both in one single-document
update guarded by that record (compare-and-set): so each change of a voter's
contribution is counted exactly once. If the database goes away between writing the
vote and counting it, the request fails (503) and the next vote by that user on that
dataset, the retry, counts what is missing; nothing is counted twice.
``recount_votes`` rebuilds counters and records from the votes.

The server is identified at connect time (``mongo.server.detect``): MongoDB 6+ or
DocumentDB (the PostgreSQL extension under FerretDB 2.x and Azure's MongoDB vCore; the
tests' engine). Both take the same path: each search is a page query (keyset filter,
sort and limit served by an index) plus one aggregation computing the total and every
facet count (``$facet`` over the branches of ``mongo.queries.facet_branches``); votes and
selection edits are atomic single-document updates (findAndModify, ``$inc``, a
compare-and-set filter); batches are read with ``$in``; stats are one ``$group``. That is the
direct path; the catalogue service first asks its search columns (``mongo.columns``,
loaded by :meth:`MongoStore.keep_columns_warm`), which count and choose the page in
memory and read just the page's documents, falling back to the direct path whenever they
cannot answer exactly (``?columns=off``: always direct). What
DocumentDB does differently is named in ``mongo.server.ServerKind`` and tested there.
Not used, because their meaning differs from the contract's: text indexes and ``$text``
(stemming, any word, no prefixes; the word lists serve both), collations
(``beamhub_sortName`` holds the lower-cased name), multi-document transactions.
FerretDB v1 (a translation layer without atomic updates or ``$facet``) is refused.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pymongo
import pymongo.errors
from pymongo import ReturnDocument

from ...errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ...identity import Identity, check_name
from ...model import Dataset, Proposal, Vote, VoteState, check_pid, check_vote
from ...query import FacetCount, SearchQuery, SearchResult, decode_cursor, encode_cursor
from ...store import Store, UpsertSummary
from ..urls import redact_url
from . import queries as q
from .documents import (
    CHANGED,
    COUNTED,
    DELETED,
    DATASETS,
    DISLIKES,
    LIKES,
    LISTING_PROJECTION,
    PROPOSALS,
    SELECTIONS,
    SORT_NAME,
    SOURCE_UPDATED,
    VISIBILITY_FIELDS,
    VOTES,
    counted_field,
    dataset_fields,
    dataset_from_document,
    proposal_fields,
    proposal_from_document,
    raw_codec,
    read_datasets,
    readable_datasets,
    readable_proposals,
    UNREADABLE,
    unchanged,
    truncate_to_millis,
    vote_id,
)
from .columns import RESTORE_WAIT, Declined, MongoColumns, facets_of
from .follow import Follower
from .scicat import CREATED_BY, owned_by_scicat, refuse, scicat_derived_document
from .selections import SelectionMethods
from .labels import MongoLabelMethods
from .templates import MongoTemplateMethods
from .titles import Access, ProposalTitles, may_see
from .server import ServerKind, detect, ensure_indexes
from .support import UNREACHABLE, batched, guarded, now, parse_input, require_operator

log = logging.getLogger(__name__)

BATCH = 500
"""Documents written or fetched per round trip."""

CLIENT_DEFAULTS = {
    "serverSelectionTimeoutMS": 3000,
    "connectTimeoutMS": 3000,
    "socketTimeoutMS": 60000,
}
"""Timeouts unless the URL sets them: an unreachable server is reported within about
3 s (``StoreUnavailable``); one query may run for up to a minute."""

PAGE_PROJECTION = {k: v for k, v in LISTING_PROJECTION.items() if k != SORT_NAME}
"""Page items keep ``beamhub_sortName``: it is the cursor key of the name sorts."""
CHECKED_PAGE_PROJECTION = {k: v for k, v in PAGE_PROJECTION.items() if k != UNREADABLE}
"""A page read by ``_id`` (search columns) keeps ``beamhub_unreadable`` to be checked."""

class MongoStore(SelectionMethods, MongoTemplateMethods, MongoLabelMethods, Store):
    """A catalogue store on MongoDB 6+ or DocumentDB (see the module docstring)."""

    def __init__(self, url: str):
        self.url = url
        self.safe_url = redact_url(url)
        url, columns = _columns_option(url)
        options = {k.lower() for k, _ in parse_qsl(urlsplit(url).query)}
        settings = {k: v for k, v in CLIENT_DEFAULTS.items() if k.lower() not in options}
        try:
            self._client = pymongo.MongoClient(url, tz_aware=True, tzinfo=timezone.utc,
                                               appname="beamhub-catalogue", **settings)
        except (pymongo.errors.ConfigurationError, pymongo.errors.InvalidURI, ValueError) as exc:
            raise InvalidInput(f"invalid MongoDB URL {self.safe_url!r}: {exc}") from None
        self.db = self._client.get_default_database("beamhub")
        self.datasets = self.db[DATASETS]
        self._raw_datasets = self.datasets.with_options(codec_options=raw_codec(self.datasets.codec_options))
        """Datasets read undecoded, for callers (``documents.read_datasets``: validated
        once per process per stored version)."""
        self.proposals = self.db[PROPOSALS]
        self._raw_proposals = self.proposals.with_options(codec_options=raw_codec(self.proposals.codec_options))
        self.votes = self.db[VOTES]
        self.selections = self.db[SELECTIONS]
        self.server: ServerKind | None = None
        self.scicat = False
        """Whether this is SciCat's database (``mongo.scicat``): then beamhub writes only its
        own fields and collections, and derived datasets as SciCat stores them."""
        self._connect_lock = threading.Lock()
        self._follower = Follower(self)
        self._titles = ProposalTitles(self)
        self.columns = MongoColumns(self) if columns else None
        """The search columns (``mongo.columns``), used once :meth:`keep_columns_warm` loaded
        them (the catalogue service); None with ``?columns=off`` in the URL."""
        try:
            self._connect()
        except UNREACHABLE:
            log.warning("%s is not reachable yet; the store connects on first use", self.safe_url)

    def _connect(self) -> None:
        """Identify the server and create the indexes, once (retried while unreachable)."""
        if self.server is not None:
            return
        with self._connect_lock:
            if self.server is not None:
                return
            kind = detect(self._client.admin.command("buildInfo"), self._client.admin.command("hello"))
            self.scicat = owned_by_scicat(self.db, now())
            ensure_indexes(self.db, kind)
            self.server = kind

    # -- lifecycle ------------------------------------------------------------------

    def keep_columns_warm(self, interval: float = 1.0, snapshot_dir: str | None = None):
        """Load the search columns in a background thread and keep them current
        (``mongo.columns``): for a long-running process, the catalogue service. Returns
        them (their ``warmed`` event is set once loaded); None with ``columns=off``.
        ``snapshot_dir``: where the rows are kept between starts (read back at start).
        The proposals' titles are read at once too, beside them (``mongo.titles``)."""
        self._titles.read_ahead()
        if self.columns is not None:
            if snapshot_dir:
                self.columns.snapshot_dir = Path(snapshot_dir)
            self.columns.start()
        return self.columns

    def close(self) -> None:
        if self.columns is not None:
            self.columns.stop()
        self._client.close()

    @guarded
    def ping(self) -> None:
        self._client.admin.command("ping")

    @guarded
    def drop_database(self) -> None:
        """Delete this store's whole database (tests and demo resets)."""
        self._client.drop_database(self.db.name)

    # -- helpers --------------------------------------------------------------------

    def _by_ids(self, collection, ids: Sequence[str], projection: dict | None = None) -> dict[str, dict]:
        """``{_id: document}`` for the ids that exist."""
        found: dict[str, dict] = {}
        ids = list(dict.fromkeys(ids))
        for batch in batched(ids, BATCH):
            for doc in collection.find({"_id": {"$in": batch}}, projection):
                found[doc["_id"]] = doc
        return found

    def _visible(self, identity: Identity, pid: str, projection: dict | None = None) -> dict:
        """The stored dataset if the identity may see it; ``NotFound`` otherwise."""
        check_pid(pid)
        doc = self.datasets.find_one({"_id": pid}, projection)
        if doc is None or not identity.can_see(doc):
            raise NotFound(f"no dataset {pid}")
        return doc

    def _read(self, filter: dict, projection: dict, sort: list | None = None, limit: int = 0) -> list[dict]:
        """Dataset documents for callers, each a ``documents.Read`` (validated once per
        process per stored version)."""
        cursor = self._raw_datasets.find(filter, projection, sort=sort, limit=limit)
        return read_datasets(cursor, self.datasets.codec_options)

    def _my_votes_on(self, identity: Identity, pids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The caller's (vote, comment) on each of ``pids`` it voted on."""
        docs = self._by_ids(self.votes, [vote_id(pid, identity.user) for pid in pids])
        return {doc["pid"]: (doc["value"], doc.get("comment") or "") for doc in docs.values()}

    def _with_votes(self, identity: Identity, docs: list[dict]) -> list[Dataset]:
        mine = self._my_votes_on(identity, [doc["_id"] for doc in docs])
        return readable_datasets(docs, mine)  # an unreadable document is left out and logged

    # -- datasets and proposals: writes ---------------------------------------------

    @guarded
    def check_ingest(self, identity: Identity) -> None:
        if self.scicat:
            raise refuse(self.safe_url)

    @guarded
    def upsert_datasets(self, identity: Identity, datasets: Iterable[Dataset | dict]) -> UpsertSummary:
        require_operator(identity, "write datasets")
        summary = UpsertSummary()
        for batch in batched(datasets, BATCH):
            parsed = [parse_input(Dataset, item) for item in batch]
            if self.scicat:
                summary += self._upsert_into_scicat(identity, parsed)
            else:
                summary += self._upsert_dataset_batch({d.pid: (d, dataset_fields(d)) for d in parsed})
        return summary

    def _upsert_into_scicat(self, identity: Identity, datasets: list[Dataset]) -> UpsertSummary:
        """Derived datasets into SciCat's database, as SciCat stores them; nothing else.

        Everything is checked before anything is written: a raw dataset, or a pid SciCat
        already holds, refuses the whole batch. A dataset beamhub created before (a job's
        retry) is rewritten only if it would change, keeping its creation and votes.
        """
        raw = [d.pid for d in datasets if d.type != "derived"]
        if raw:
            raise refuse(self.safe_url, f"{len(raw)} {datasets[0].type if len(raw) == 1 else 'non-derived'} "
                                        f"dataset(s) ({raw[0]}...)")
        stored = self._by_ids(self.datasets, [d.pid for d in datasets])
        theirs = [pid for pid, doc in stored.items() if CREATED_BY not in doc]
        if theirs:
            raise refuse(self.safe_url, f"{theirs[0]} is SciCat's dataset and stays as SciCat wrote it")
        inputs = self._by_ids(self.datasets, [pid for d in datasets for pid in d.inputDatasets])
        written = now()
        summary = UpsertSummary()
        for dataset in datasets:
            doc = truncate_to_millis(scicat_derived_document(
                dataset, dataset_fields(dataset), [inputs[p] for p in dataset.inputDatasets if p in inputs],
                written, identity.user))
            before = stored.get(dataset.pid)
            if before is None:
                self.datasets.insert_one(doc)
                summary += UpsertSummary(inserted=1)
                continue
            kept = ("_id", "createdBy", "createdAt", "updatedAt", "updatedBy", SOURCE_UPDATED, LIKES, DISLIKES)
            changes = {k: v for k, v in doc.items() if k not in kept}
            if unchanged(before, changes):
                summary += UpsertSummary(unchanged=1)
                continue
            self.datasets.update_one({"_id": dataset.pid}, {"$set": {
                **changes, "updatedAt": written, "updatedBy": identity.user, SOURCE_UPDATED: written,
                CHANGED: written}})
            summary += UpsertSummary(updated=1)
        return summary

    def _upsert_dataset_batch(self, batch: dict[str, tuple[Dataset, dict]]) -> UpsertSummary:
        """Insert first (one round trip for a new catalogue); compare and update the pids
        that already existed."""
        written = now()
        inserts = [{**fields, LIKES: 0, DISLIKES: 0, "createdAt": dataset.createdAt or written,
                    "updatedAt": written, SOURCE_UPDATED: written, CHANGED: written}
                   for dataset, fields in batch.values()]
        existing: list[str] = []
        try:
            inserted = len(self.datasets.insert_many(inserts, ordered=False).inserted_ids)
        except pymongo.errors.BulkWriteError as exc:
            errors = exc.details["writeErrors"]
            if any(error.get("code") != 11000 for error in errors):
                raise
            inserted = exc.details["nInserted"]
            existing = [inserts[error["index"]]["_id"] for error in errors]
        stored = self._by_ids(self.datasets, existing)
        changed = [batch[pid][1] for pid in existing if pid not in stored or not unchanged(stored[pid], batch[pid][1])]
        self._update_datasets(changed, written)
        return UpsertSummary(inserted=inserted, updated=len(changed), unchanged=len(existing) - len(changed))

    def _update_datasets(self, changed: list[dict], written: datetime) -> None:
        if not changed:
            return
        self.datasets.bulk_write([
            pymongo.UpdateOne({"_id": fields["_id"]},
                              {"$set": {**fields, "updatedAt": written, SOURCE_UPDATED: written, CHANGED: written}})
            for fields in changed
        ], ordered=False)

    @guarded
    def delete_datasets(self, identity: Identity, pids: Iterable[str]) -> int:
        require_operator(identity, "delete datasets")
        pids = [check_pid(pid) for pid in pids]
        if self.scicat:
            stored = self._by_ids(self.datasets, pids, {CREATED_BY: 1})
            theirs = [pid for pid, doc in stored.items() if CREATED_BY not in doc]
            if theirs:
                raise refuse(self.safe_url, f"{theirs[0]} is SciCat's dataset; delete it in SciCat")
        deleted = 0
        for batch in batched(dict.fromkeys(pids), BATCH):
            deleted += self.datasets.delete_many({"_id": {"$in": batch}}).deleted_count
            self.votes.delete_many({"pid": {"$in": batch}})
            # every worker's search columns drop them at their next sync (mongo.columns)
            self.db[DELETED].bulk_write([pymongo.UpdateOne({"_id": pid}, {"$set": {"at": now()}}, upsert=True)
                                         for pid in batch], ordered=False)
            if self.columns is not None:
                self.columns.forget(batch)
        return deleted

    @guarded
    def upsert_proposals(self, identity: Identity, proposals: Iterable[Proposal | dict]) -> UpsertSummary:
        require_operator(identity, "write proposals")
        if self.scicat:
            raise refuse(self.safe_url, "proposals")
        summary = UpsertSummary()
        for batch in batched(proposals, BATCH):
            fields = {p.proposalId: proposal_fields(p) for p in (parse_input(Proposal, item) for item in batch)}
            stored = self._by_ids(self.proposals, list(fields))
            written = now()  # stamped as SciCat stamps its writes: every worker's titles follow it (mongo.titles)
            writes = [pymongo.UpdateOne({"_id": key}, {"$set": {**doc, "updatedAt": written}}, upsert=True)
                      for key, doc in fields.items() if key not in stored or not unchanged(stored[key], doc)]
            if writes:
                self.proposals.bulk_write(writes, ordered=False)
            inserted = sum(1 for key in fields if key not in stored)
            summary += UpsertSummary(inserted, len(writes) - inserted, len(fields) - len(writes))
        return summary

    # -- datasets and proposals: reads ----------------------------------------------

    @guarded
    def search(self, identity: Identity, query: SearchQuery) -> SearchResult:
        if self.columns is None or not self.columns.following:  # else the columns' thread does it
            self._follower.before_search()  # SciCat's new content (access is read live anyway)
        voted = self._voted_pids(identity, query.my_vote) if query.my_vote else None
        titled = self._titled(identity, query)
        common = q.common_filters(identity, query, voted, titled)
        after = decode_cursor(query, time_key=datetime)
        if self.columns is not None and self.columns.answers(query):
            found = self._search_columns(identity, query, common, after, titled)
            if found is not None:
                self.columns.paths["columns"] += 1
                return found
        if self.columns is not None:
            self.columns.paths["direct"] += 1
        if query.sort == "relevance":
            docs, next_key = self._relevance_page(common, query, after)
        else:
            docs, next_key = self._sorted_page(common, query, after)
        total, facets = self._counts(common, query)
        return SearchResult(
            items=self._with_votes(identity, docs),
            total=total,
            facets=facets,
            next_cursor=encode_cursor(query, *next_key) if next_key else None,
        )

    def _search_columns(self, identity: Identity, query: SearchQuery, common: list[dict],
                        after, titled: dict | None = None) -> SearchResult | None:
        """The search counted and paged by the columns, the page's documents read by
        ``_id`` under the live query; None when the columns cannot answer exactly (the
        caller goes direct). ``titled``: as ``queries.text_filter``'s.

        During a restart's catch-up (``MongoColumns._catch_up``) the columns answer for
        every dataset but those changed since their snapshot and not applied yet, which
        the database answers (the direct path's queries with ``_id $in`` those): the two
        totals and facet counts (uncapped on both sides) are added, and the two pages
        merged by the sort's key, ties by pid. A search the columns decline then waits
        for the rows (the direct path takes seconds at 1M datasets)."""
        try:
            with self.columns.first():
                pids, total, facets, behind = self.columns.plan(identity, query, after, titled)
        except Declined as exc:
            log.debug("search columns declined: %s", exc)
            if not self.columns.catching_up or not self.columns.ready.wait(RESTORE_WAIT):
                return None
            try:
                pids, total, facets, behind = self.columns.plan(identity, query, after, titled)
            except Declined as exc:
                log.debug("search columns declined: %s", exc)
                return None
        with self.columns.first():
            return self._page_of_columns(identity, query, common, after, pids, total, facets, behind)

    def _page_of_columns(self, identity: Identity, query: SearchQuery, common: list[dict], after, pids: list[str],
                         total: int, facets: dict, behind: list[str] | None) -> SearchResult | None:
        """The page the columns planned (``MongoColumns.plan``), its documents read and
        checked, merged with the datasets ``behind`` during a catch-up."""
        docs = self._checked_page(identity, pids)
        if docs is None:  # changed since the columns saw it: the database answers
            return None
        if behind is not None:
            try:
                merged = self._merge_behind(identity, query, common, after, behind, docs, total, facets)
            except TypeError:  # a facet value the rows could not hold either (a list as a beamline)
                log.debug("search columns: the datasets behind not merged", exc_info=True)
                return None
            if merged is None:
                return None
            docs, total, facets = merged
        next_key = None
        if len(docs) > query.limit:
            field, _ = q.SORT_FIELDS[query.sort]
            docs = docs[:query.limit]
            next_key = (docs[-1].get(field), docs[-1]["_id"])
        return SearchResult(items=self._with_votes(identity, docs), total=total,
                            facets=facets if query.facets else {},
                            next_cursor=encode_cursor(query, *next_key) if next_key else None)

    def _checked_page(self, identity: Identity, pids: list[str]) -> list[dict] | None:
        """The page's documents in ``pids``' order, read by ``_id`` alone (an index the
        planner cannot pass over for a visibility one) and checked against SciCat's fields
        as they are now (``Identity.can_see`` is the rule ``visibility_filter`` states;
        content changes were stamped, and synced just before); None when any is gone, no
        longer visible or unreadable (the database then answers the whole search)."""
        found = {}
        for doc in (self._read({"_id": {"$in": pids}}, CHECKED_PAGE_PROJECTION) if pids else ()):
            if identity.can_see(doc) and doc.pop(UNREADABLE, None) is None:
                found[doc["_id"]] = doc
        if len(found) != len(pids):
            log.debug("search columns behind the database for %d dataset(s)", len(pids) - len(found))
            return None
        return [found[pid] for pid in pids]

    def _merge_behind(self, identity: Identity, query: SearchQuery, common: list[dict], after, behind: list[str],
                      docs: list[dict], total: int, facets: dict) -> tuple[list[dict], int, dict] | None:
        """The columns' answer (``docs``: their page's first ``limit + 1``, ``total``,
        uncapped ``facets``) with the datasets ``behind`` (the rows leave them out) as the
        database holds them now: page, total and facets merged.

        The database is asked once: the documents matching the search but its facets
        among those stamped since the snapshot (the catch-up's listing query, an index
        range: every dataset behind is in it), with just the fields counted and sorted
        on; those behind are counted, filtered by facet and paged here. (At 1M datasets
        with 10,000 behind, ``_id $in`` them took 0.35-0.5 s per query on DocumentDB,
        and the ``$facet`` aggregation over the range 0.7-0.8 s; this read 0.2 s for the
        staff identity's 1,249.) None when a document of the merged page is gone or no
        longer visible when read (the database then answers the whole search)."""
        if behind:
            behind = set(behind)
            field, direction = q.SORT_FIELDS[query.sort]
            projection = {"_id": 1, field: 1, **{name: 1 for name in q.FACET_FIELDS.values()}}
            found = [doc for doc in self.datasets.find(q.and_(common + [self.columns.behind_filter]), projection)
                     if doc["_id"] in behind]
            wanted = {facet: set(values) for facet in q.FACET_FIELDS if (values := getattr(query, facet))}
            passes = {facet: [_has(doc.get(q.FACET_FIELDS[facet]), values) for doc in found]
                      for facet, values in wanted.items()}
            every = [all(passes[facet][i] for facet in wanted) for i in range(len(found))]
            total += sum(every)
            if query.facets:
                for facet, name in q.FACET_FIELDS.items():
                    counts = facets[facet]
                    for i, doc in enumerate(found):
                        if all(passes[other][i] for other in wanted if other != facet):
                            value = doc.get(name)
                            listed = facet in q.LIST_FACETS and isinstance(value, list)
                            for one in (value if listed else (value,)):  # as $unwind, then $group
                                counts[one] = counts.get(one, 0) + 1
            page = [doc for i, doc in enumerate(found) if every[i]]
            if after is not None:
                key, pid = _sort_key(after[0]), after[1]
                page = [doc for doc in page if _sort_key(doc.get(field)) == key and doc["_id"] > pid
                        or (_sort_key(doc.get(field)) > key if direction > 0 else _sort_key(doc.get(field)) < key)]
            page.sort(key=lambda doc: doc["_id"])
            page.sort(key=lambda doc: _sort_key(doc.get(field)), reverse=direction < 0)  # stable: ties by pid
            pids = [doc["_id"] for doc in page[:query.limit + 1]]
            if pids:
                read = self._checked_page(identity, pids)  # as the rows' page: access may change meanwhile
                if read is None:
                    return None
                docs = sorted(docs + read, key=lambda doc: doc["_id"])
                docs.sort(key=lambda doc: _sort_key(doc.get(field)), reverse=direction < 0)
                docs = docs[:query.limit + 1]
        return docs, total, facets_of(facets) if query.facets else {}

    def _voted_pids(self, identity: Identity, my_vote: str) -> list[str]:
        wanted: dict[str, Any] = {"user": identity.user}
        if my_vote in ("like", "dislike"):
            wanted["value"] = my_vote
        return [doc["pid"] for doc in self.votes.find(wanted, {"pid": 1})]

    def _sorted_page(self, common: list[dict], query: SearchQuery, after) -> tuple[list[dict], tuple | None]:
        field, direction = q.SORT_FIELDS[query.sort]
        parts = common + list(q.facet_filters(query).values())
        if after is not None:
            parts.append(q.keyset_filter(field, direction, after[0], after[1]))
        docs = self._page(parts, field, direction, query.limit + 1)
        if len(docs) <= query.limit:
            return docs, None
        last = docs[query.limit - 1]
        return docs[:query.limit], (last.get(field), last["_id"])

    def _page_cursor(self, parts: list[dict], field: str, direction: int, limit: int):
        return self.datasets.find(q.and_(parts), PAGE_PROJECTION).sort([(field, direction), ("_id", 1)]).limit(limit)

    def _page(self, parts: list[dict], field: str, direction: int, limit: int) -> list[dict]:
        """What :meth:`_page_cursor` finds, read for callers (:meth:`_read`)."""
        return self._read(q.and_(parts), PAGE_PROJECTION, [(field, direction), ("_id", 1)], limit)

    def _relevance_page(self, common: list[dict], query: SearchQuery, after) -> tuple[list[dict], tuple | None]:
        text = query.text_query
        parts = common + list(q.facet_filters(query).values())
        start_tier, key = (1, None) if after is None else (q.parse_relevance_key(after[0])[0], after)
        docs: list[dict] = []
        for tier in q.RELEVANCE_TIERS:
            if tier > start_tier:
                continue
            tier_parts = parts + [q.relevance_tier_filter(text, tier)]
            if key is not None and tier == start_tier:
                created = q.parse_relevance_key(key[0])[1]
                tier_parts.append(q.keyset_filter("creationTime", -1, created, key[1]))
            wanted = query.limit + 1 - len(docs)
            for doc in self._page(tier_parts, "creationTime", -1, wanted):
                doc["_tier"] = tier  # a Read of this search's own
                docs.append(doc)
            if len(docs) > query.limit:
                break
        if len(docs) <= query.limit:
            return [_without_tier(d) for d in docs], None
        last = docs[query.limit - 1]
        next_key = (q.relevance_key(last["_tier"], last.get("creationTime")), last["_id"])
        return [_without_tier(d) for d in docs[:query.limit]], next_key

    def _counts(self, common: list[dict], query: SearchQuery) -> tuple[int, dict[str, list[FacetCount]]]:
        branches = q.facet_branches(query)
        if not query.facets:
            filters, _ = branches["total"]
            return self.datasets.count_documents(q.and_(common + filters)), {}
        rows = next(self.datasets.aggregate(_counts_pipeline(common, branches)))
        total = rows["total"][0]["n"] if rows["total"] else 0
        facets = {name: [FacetCount(**c) for c in q.facet_counts(rows[name])] for name in q.FACET_FIELDS}
        return total, facets

    @guarded
    def explain_search(self, identity: Identity, query: SearchQuery) -> dict[str, dict]:
        """The server's plans (``explain``) for the queries of a search's first page:
        ``page`` (relevance: its first tier) and ``counts`` (the ``$facet`` aggregation, or
        the count without facets). For benchmarks and operators checking that indexes
        serve every query shape (``mongo.server.plan_summary``)."""
        voted = self._voted_pids(identity, query.my_vote) if query.my_vote else None
        common = q.common_filters(identity, query, voted, self._titled(identity, query))
        parts = common + list(q.facet_filters(query).values())
        if query.sort == "relevance":
            parts, (field, direction) = parts + [q.relevance_tier_filter(query.text_query, 1)], ("creationTime", -1)
        else:
            field, direction = q.SORT_FIELDS[query.sort]
        branches = q.facet_branches(query)
        if query.facets:
            counts = {"aggregate": DATASETS, "pipeline": _counts_pipeline(common, branches), "cursor": {}}
        else:
            counts = {"count": DATASETS, "query": q.and_(common + branches["total"][0])}
        return {"page": self._page_cursor(parts, field, direction, query.limit + 1).explain(),
                "counts": self.db.command("explain", counts)}

    @guarded
    def get_dataset(self, identity: Identity, pid: str) -> Dataset:
        check_pid(pid)
        docs = self._read({"_id": pid}, LISTING_PROJECTION)
        if not docs or not identity.can_see(docs[0]):
            raise NotFound(f"no dataset {pid}")
        found = self._with_votes(identity, docs)
        if not found:
            raise NotFound(f"dataset {pid} cannot be read: {docs[0].reason}")
        return found[0]

    @guarded
    def get_datasets(self, identity: Identity, pids: Sequence[str]) -> list[Dataset]:
        pids = [check_pid(pid) for pid in pids]
        found = {doc["_id"]: doc for batch in batched(list(dict.fromkeys(pids)), BATCH)
                 for doc in self._read({"_id": {"$in": batch}}, LISTING_PROJECTION)}
        docs = [found[pid] for pid in dict.fromkeys(pids) if pid in found and identity.can_see(found[pid])]
        return self._with_votes(identity, docs)

    @guarded
    def derived_from(self, identity: Identity, pid: str) -> list[Dataset]:
        check_pid(pid)
        docs = self._read(q.and_([q.visibility_filter(identity), {"inputDatasets": pid}]), LISTING_PROJECTION,
                          [("creationTime", 1), ("_id", 1)])
        return self._with_votes(identity, docs)

    def _proposal_filter(self, identity: Identity) -> dict:
        if identity.operator:
            return {}
        groups = sorted(identity.groups)
        return {"$or": [{"ownerGroup": {"$in": groups}}, {"accessGroups": {"$in": groups}},
                        {"beamline": {"$in": sorted(identity.staff_of)}}]}

    def _titled(self, identity: Identity, query: SearchQuery) -> dict[str, tuple[str, ...]]:
        """The caller's proposals titled with the query's words (``text.titled_proposals``),
        from the titles held (``mongo.titles``), brought up to the database first: a
        title's change re-indexes no dataset. The count of proposals (SciCat's deletions)
        is compared here unless the search columns' thread does it every second."""
        following = self.columns is not None and self.columns.following
        return self._titles.titled(identity, query.text_query, followed=following)

    def _may_see_proposal(self, identity: Identity, doc: dict) -> bool:
        return may_see(identity, Access.of(doc))

    @guarded
    def list_proposals(self, identity: Identity) -> list[Proposal]:
        docs = self._raw_proposals.find(self._proposal_filter(identity)).sort([("_id", 1)])
        return readable_proposals(docs, self.proposals.codec_options)  # an unreadable one is left out and logged

    @guarded
    def get_proposal(self, identity: Identity, proposal_id: str) -> Proposal:
        check_name(proposal_id, "proposal id")
        doc = self.proposals.find_one({"_id": proposal_id})
        if doc is None or not self._may_see_proposal(identity, doc):
            raise NotFound(f"no proposal {proposal_id}")
        found = readable_proposals([doc])
        if not found:
            raise NotFound(f"proposal {proposal_id} cannot be read (see the catalogue's log)")
        return found[0]

    @guarded
    def stats(self, identity: Identity) -> dict[str, Any]:
        visible = q.and_([q.visibility_filter(identity), q.READABLE])
        by_beamline: dict[str, list[int]] = {}
        rows = self.datasets.aggregate([{"$match": visible}, {"$group": {
            "_id": "$creationLocation", "n": {"$sum": 1}, "size": {"$sum": "$size"},
            "likes": {"$sum": "$" + LIKES}, "dislikes": {"$sum": "$" + DISLIKES}}}])
        for row in rows:
            by_beamline[row["_id"]] = [row["n"], row["size"], row["likes"] + row["dislikes"]]
        selections = {} if identity.operator else {"owner": identity.user}
        return {
            "datasets": sum(t[0] for t in by_beamline.values()),
            "proposals": self.proposals.count_documents(self._proposal_filter(identity)),
            "votes": sum(t[2] for t in by_beamline.values()),
            "selections": self.selections.count_documents(selections),
            "size": sum(t[1] for t in by_beamline.values()),
            "by_beamline": {k: t[0] for k, t in sorted(by_beamline.items(), key=lambda kv: (-kv[1][0], str(kv[0])))
                            if k is not None},
            **({"unreadable": self.datasets.count_documents({UNREADABLE: {"$exists": True}})}
               if identity.operator else {}),
        }

    # -- votes ----------------------------------------------------------------------

    @guarded
    def set_vote(self, identity: Identity, pid: str, value: str | None, comment: str = "") -> VoteState:
        check_vote(value)
        self._visible(identity, pid, VISIBILITY_FIELDS)
        written = now()
        if value is not None:  # validate before writing anything
            Vote.parse({"pid": pid, "user": identity.user, "value": value, "comment": comment,
                        "createdAt": written, "updatedAt": written})
        key = vote_id(pid, identity.user)
        self._write_vote(key, pid, identity.user, value, comment, written)
        doc = self._count_vote(pid, identity.user)
        if doc is None:  # deleted meanwhile: take the vote back
            self.votes.delete_one({"_id": key})
            raise NotFound(f"no dataset {pid}")
        return VoteState(pid=pid, likes=doc.get(LIKES) or 0, dislikes=doc.get(DISLIKES) or 0, myVote=value,
                         myComment=comment if value is not None else "")

    def _count_vote(self, pid: str, user: str) -> dict | None:
        """Bring the dataset's counters to the user's stored vote, exactly once.

        Returns the dataset's counters afterwards (None if the dataset is gone).
        """
        field = counted_field(user)
        for _ in range(20):
            vote = self.votes.find_one({"_id": vote_id(pid, user)}, {"value": 1})
            wanted = vote["value"] if vote else None
            doc = self.datasets.find_one({"_id": pid}, {LIKES: 1, DISLIKES: 1, COUNTED: 1})
            if doc is None:
                return None
            counted = (doc.get(COUNTED) or {}).get(field.split(".", 1)[1])
            if counted == wanted:
                return doc
            delta = {k: v for k, v in {LIKES: (wanted == "like") - (counted == "like"),
                                        DISLIKES: (wanted == "dislike") - (counted == "dislike")}.items() if v}
            guard = {"_id": pid, field: counted if counted else {"$exists": False}}
            change = {"$inc": delta, "$set": {CHANGED: now(), **({field: wanted} if wanted else {})},
                      **({} if wanted else {"$unset": {field: ""}})}
            updated = self.datasets.find_one_and_update(guard, change, {LIKES: 1, DISLIKES: 1},
                                                        return_document=ReturnDocument.AFTER)
            if updated is not None:
                return updated
        raise Conflict(f"the votes on {pid} keep changing; try again")

    def _write_vote(self, key: str, pid: str, user: str, value: str | None, comment: str,
                    written: datetime) -> str | None:
        """Set or clear one vote atomically; return the value it had before."""
        if value is None:
            previous = self.votes.find_one_and_delete({"_id": key})
            return previous["value"] if previous else None
        for attempt in range(3):
            try:
                previous = self.votes.find_one_and_update(
                    {"_id": key},
                    {"$set": {"pid": pid, "user": user, "value": value, "comment": comment, "updatedAt": written},
                     "$setOnInsert": {"createdAt": written}},
                    upsert=True, return_document=ReturnDocument.BEFORE)
                return previous["value"] if previous else None
            except pymongo.errors.DuplicateKeyError:  # a concurrent first vote won the insert
                if attempt == 2:
                    raise
        raise AssertionError("not reached")

    @guarded
    def my_votes(self, identity: Identity, limit: int = 1000) -> list[Vote]:
        out: list[Vote] = []
        cursor = self.votes.find({"user": identity.user}).sort([("updatedAt", -1), ("_id", -1)])
        for batch in batched(cursor, BATCH):
            seen = self._by_ids(self.datasets, [v["pid"] for v in batch],
                                VISIBILITY_FIELDS)
            for vote in batch:
                if vote["pid"] in seen and identity.can_see(seen[vote["pid"]]):
                    out.append(Vote.from_document(vote))
                    if len(out) >= limit:
                        return out
        return out

    @guarded
    def votes_for_dataset(self, identity: Identity, pid: str) -> list[Vote]:
        doc = self._visible(identity, pid, VISIBILITY_FIELDS)
        if not identity.keeps(doc.get("creationLocation")):
            raise PermissionDenied("only the beamline's staff see every vote on its datasets")
        return [Vote.from_document(v) for v in self.votes.find({"pid": pid}).sort([("user", 1)])]

    # -- operator maintenance -------------------------------------------------------

    @guarded
    def recount_votes(self, identity: Identity) -> int:
        """Set every dataset's vote counters (``beamhub_likes``/``beamhub_dislikes``) to the
        number of its votes (also after upgrading from counters kept as ``likes``/``dislikes``).

        For repair after a crash between a vote's two writes. Operator only. Run it while
        no votes arrive: a vote racing with it may be counted twice or not at all. Returns
        how many datasets were corrected.
        """
        require_operator(identity, "recount votes")
        votes: dict[str, dict[str, str]] = {}
        for vote in self.votes.find({}, {"pid": 1, "user": 1, "value": 1}):
            votes.setdefault(vote["pid"], {})[counted_field(vote["user"]).split(".", 1)[1]] = vote["value"]
        counted = self.datasets.find({"$or": [{LIKES: {"$gt": 0}}, {DISLIKES: {"$gt": 0}},
                                              {COUNTED: {"$exists": True}}]}, {"_id": 1})
        pids = set(votes) | {doc["_id"] for doc in counted}
        corrected = 0
        for pid in sorted(pids):
            records = votes.get(pid, {})
            right = {LIKES: sum(v == "like" for v in records.values()),
                     DISLIKES: sum(v == "dislike" for v in records.values())}
            doc = self.datasets.find_one({"_id": pid}, {LIKES: 1, DISLIKES: 1, COUNTED: 1})
            if doc is None or ((doc.get(LIKES) or 0, doc.get(DISLIKES) or 0, doc.get(COUNTED) or {})
                               == (right[LIKES], right[DISLIKES], records)):
                continue
            self.datasets.update_one({"_id": pid}, {"$set": {**right, COUNTED: records}})
            corrected += 1
        return corrected

    @guarded
    def reindex(self, identity: Identity, everything: bool = False) -> int:
        """Compute the derived ``beamhub_*`` fields of every dataset whose ``updatedAt``
        changed since they were computed, or that lacks them or has an older version.
        Searches follow SciCat's writes on their own (``mongo.follow``); this compares
        every document at once rather than from the watermark. ``everything`` recomputes
        all, for writes that bypassed SciCat and left ``updatedAt`` as it was.
        Unreadable documents are skipped and logged. Operator only. Returns how many
        datasets were rewritten."""
        require_operator(identity, "reindex the catalogue")
        return self._follower.catch_up(everything=everything, since_watermark=False).rewritten


def _columns_option(url: str) -> tuple[str, bool]:
    """The URL without beamhub's ``columns=on|off`` option, and whether it is on (default)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    value = next((v for k, v in pairs if k.lower() == "columns"), "on").lower()
    if value not in ("on", "off"):
        raise InvalidInput(f"columns={value!r} in the MongoDB URL: write columns=on or columns=off")
    query = urlencode([(k, v) for k, v in pairs if k.lower() != "columns"])
    return urlunsplit(parts._replace(query=query)), value == "on"


def _counts_pipeline(common: list[dict], branches: dict) -> list[dict]:
    """One aggregation computing the total and every facet count (``q.facet_branches``)."""
    return [{"$match": q.and_(common)}, {"$facet": {
        name: ([{"$match": q.and_(filters)}] if filters else []) + stages
        for name, (filters, stages) in branches.items()
    }}]


def _has(value, wanted: set) -> bool:
    """Whether a document's facet field holds one of ``wanted`` (``$in``: an array, any
    element)."""
    try:
        if isinstance(value, list):
            return any(one in wanted for one in value if one is not None)
        return value is not None and value in wanted
    except TypeError:  # a value no facet filter names (a dict)
        return False


def _sort_key(value) -> tuple:
    """A sort field's value as the database orders it (null lowest, numbers before
    strings before dates), for merging two pages (``MongoStore._merge_behind``)."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, value)


def _without_tier(doc: dict) -> dict:
    doc.pop("_tier", None)
    return doc
