"""The catalogue service's logic: one class the HTTP handlers stay thin over.

:class:`CatalogueLogic` takes an :class:`~beamhub.catalogue.Identity` (built by the
handlers from the hub's user model, never from the request) and validated inputs, and
returns the catalogue's models. Store calls block, so they run in a bounded pool of
worker threads; the event loop stays free to answer other users (and health checks)
while the database is slow or down. Reading a search (its conditions and text) runs
there too, and reads are answered within :data:`READ_SECONDS` (503 ``timeout``
otherwise; the thread cannot be stopped, but its slot in the bounded pool keeps the
work one request can cause bounded too).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from beamhub import __version__
from beamhub.catalogue.errors import (IllegalTransition, InvalidInput, LimitExceeded, NotFound, PermissionDenied,
                                     StoreUnavailable)
from beamhub.catalogue.identity import Identity
from beamhub.catalogue.model import Dataset, Proposal, Selection, Vote, VoteState
from beamhub.catalogue.hints import explain, field_entries, matching_proposals, summarise_entries
from beamhub.catalogue.query import FieldList, MetadataCondition, SearchQuery, SearchResult
from beamhub.catalogue.store import SelectionChanges, Store
from beamhub.jobs.manager import JobManager
from beamhub.jobs.steps import get_step

from beamhub.labels.service import LabelOperations
from beamhub.templates.service import TemplateOperations

from .openapi import build_openapi
from .api_models import (Health, Me, ParameterParams, PreviewParams, ProcessingStep, SearchParams, SelectionCreate,
                         SelectionPatch, Version, VoteBody,
                         SimilarityGroup, SuggestedParameters, SuggestionItem, SuggestionPage, SuggestParams)
from .errors import Timeout
from .idempotency import PENDING, keyed_selection_id
from .workers import name_thread
from .settings import ServiceSettings

log = logging.getLogger(__name__)

FIELD_SCAN = 2000
"""The metadata-field list (GET /fields, and the hints of an empty search) reads at most
this many of the caller's newest datasets."""
FIELD_SECONDS = 60.0
"""How long a caller's field list is reused before it is read again."""
FIELD_LISTS = 4_000
"""Callers' field lists kept (one per set of access keys, so per caller unless callers
share all their groups); beyond it the oldest quarter goes. (Clearing all at 1,000 made
every caller of a 1,000-user busy hour summarise again.)"""

READ_SECONDS = 30.0
"""The longest a read (search, dataset, votes, preview) may take before the caller gets
503 ``timeout``. Writes are not cut short: an answer must not hide a write that happened."""


class CatalogueLogic(TemplateOperations, LabelOperations):
    """Everything the REST API does, callable without HTTP (templates: :mod:`beamhub.templates.service`)."""

    def __init__(self, store: Store, settings: ServiceSettings, *, work_root: Path, api_base: str = ""):
        self.store = store
        self.api_base = api_base
        self.preview_cache = Path(settings.preview_cache_dir) if settings.preview_cache_dir else None
        self.settings = settings
        self.staff_rule = settings.staff_rule()
        self.operator = Identity.for_operator(settings.operator_name)
        self.pool = ThreadPoolExecutor(settings.store_threads, thread_name_prefix="store",
                                       initializer=name_thread, initargs=("beamhub-store",))
        self.jobs = JobManager(store, settings.jobs, self.operator, work_root)
        self._follow_lock = asyncio.Lock()
        self.read_seconds = READ_SECONDS
        self.suggester = make_suggester(store, settings, work_root)
        self._refresh_lock = asyncio.Lock()
        self._field_cache: dict[frozenset[str] | str, tuple[float, FieldList]] = {}  # by access keys
        self._field_parts: dict[str, tuple[float, list[tuple], bool]] = {}  # by one access key

    async def _run(self, function: Callable, *args, **kwargs) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, functools.partial(function, *args, **kwargs))

    async def _write_once(self, function: Callable, *args) -> Any:
        """``_run`` for a write that an ``Idempotency-Key`` may carry: with one, the write
        and the key's answer are kept together (:meth:`RequestKeys.act_once`), so a
        process dying between them cannot make a retry act twice."""
        pending = PENDING.get()
        if pending is None:
            return await self._run(function, *args)
        return await self._run(pending.act, functools.partial(function, *args))

    async def _read(self, function: Callable, *args, **kwargs) -> Any:
        """``_run`` for a read, answered within :data:`READ_SECONDS`."""
        try:
            return await asyncio.wait_for(self._run(function, *args, **kwargs), self.read_seconds)
        except asyncio.TimeoutError:
            log.warning("%s took longer than %s s", getattr(function, "__name__", function), self.read_seconds)
            raise Timeout(f"the catalogue did not answer within {self.read_seconds:g} s; "
                          "narrow the request or retry later") from None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.suggester.cache.close()
        self.store.close()

    # -- datasets -------------------------------------------------------------------
    async def search(self, identity: Identity, params: SearchParams) -> SearchResult:
        return await self._read(self._search, identity, params)

    def _search(self, identity: Identity, params: SearchParams) -> SearchResult:
        query = search_query(params)
        result = self.store.search(identity, query)
        if query.text.strip() and not query.cursor:
            result.proposals = matching_proposals(query.text, self.store.list_proposals(identity))
        if result.total == 0 and not query.cursor and (query.text.strip() or query.conditions):
            def count_text(text: str) -> int:
                return self.store.search(identity, SearchQuery.parse({"text": text, "limit": 1, "facets": False})).total
            # The field list (a scan of up to FIELD_SCAN datasets) only matters for the
            # conditions' hints: a text that found nothing is explained without it.
            fields = self._fields(identity) if query.conditions else FieldList(fields=[], scanned=0, complete=True)
            result.hints = explain(query, fields, count_text)
        return result

    async def fields(self, identity: Identity) -> FieldList:
        return await self._read(self._fields, identity)

    def _fields(self, identity: Identity) -> FieldList:
        """The metadata fields of the newest :data:`FIELD_SCAN` datasets the caller may see,
        kept :data:`FIELD_SECONDS`. Read per access key (one proposal's group, one
        beamline's staff), each kept :data:`FIELD_SECONDS` for everyone holding it, and
        merged: a caller's newest :data:`FIELD_SCAN` are among the newest
        :data:`FIELD_SCAN` of its keys, and the members of a proposal share its scan
        instead of each reading it again."""
        now = time.monotonic()
        keys = "@operator" if identity.operator else identity.access_keys()
        cached = self._field_cache.get(keys)
        if cached and now - cached[0] < FIELD_SECONDS:
            return cached[1]
        if identity.operator:
            readers = {"@operator": identity}
        else:
            readers = {f"group:{g}": Identity(user=identity.user, groups=frozenset({g})) for g in identity.groups}
            readers |= {f"staff:{b}": Identity(user=identity.user, staff_of=frozenset({b})) for b in identity.staff_of}
            readers = readers or {"public": Identity(user=identity.user)}  # public datasets only
        merged: dict[str, tuple[Any, tuple]] = {}
        complete = True
        for key, reader in readers.items():
            entries, done = self._field_part(key, reader, now)
            complete &= done
            for when, pid, fields in entries:
                merged[pid] = (when, fields)
        newest = sorted(merged.items(), key=lambda item: (item[1][0], item[0]), reverse=True)
        fields = summarise_entries((f for _, (_, f) in newest[:FIELD_SCAN]),
                                   complete=complete and len(newest) <= FIELD_SCAN)
        if len(self._field_cache) >= FIELD_LISTS:
            for old in list(itertools.islice(self._field_cache, FIELD_LISTS // 4)):
                self._field_cache.pop(old, None)  # other store threads may be at it too
        self._field_cache[keys] = (now, fields)
        return fields

    def _field_part(self, key: str, reader: Identity, now: float) -> tuple[list[tuple], bool]:
        """``([(creationTime, pid, field entries)], complete)`` of the newest
        :data:`FIELD_SCAN` datasets ``reader`` (one access key) may see."""
        cached = self._field_parts.get(key)
        if cached and now - cached[0] < FIELD_SECONDS:
            return cached[1], cached[2]
        entries: list[tuple] = []
        cursor = None
        while len(entries) < FIELD_SCAN:
            page = self.store.search(reader, SearchQuery.parse({"limit": 200, "facets": False, "cursor": cursor}))
            entries += [(d.creationTime, d.pid, field_entries(d)) for d in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        if len(self._field_parts) >= 5000:
            self._field_parts.clear()
        self._field_parts[key] = (now, entries, cursor is None)
        return entries, cursor is None

    async def get_dataset(self, identity: Identity, pid: str) -> Dataset:
        return await self._read(self.store.get_dataset, identity, pid)

    async def derived_from(self, identity: Identity, pid: str) -> list[Dataset]:
        await self._read(self.store.get_dataset, identity, pid)  # NotFound when invisible
        return await self._read(self.store.derived_from, identity, pid)

    async def preview(self, identity: Identity, pid: str, params: PreviewParams, *,
                      if_none_match: str | None = None) -> tuple[bytes | None, str]:
        """``(PNG, ETag)`` of a visible dataset's default plot; the PNG is None (not
        rendered) when ``if_none_match`` already names the current ETag."""
        dataset = await self.get_dataset(identity, pid)
        etag = preview_etag(dataset, params.size if params.frame is None else f"{params.size}|{params.frame}")
        if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
            return None, etag
        png = await self._read(render_preview, dataset, PREVIEW_PIXELS[params.size], self.preview_cache,
                               params.frame)
        return png, etag

    # -- votes ----------------------------------------------------------------------
    async def set_vote(self, identity: Identity, pid: str, body: VoteBody) -> VoteState:
        return await self._run(self.store.set_vote, identity, pid, body.value, body.comment)

    async def clear_vote(self, identity: Identity, pid: str) -> VoteState:
        return await self._run(self.store.set_vote, identity, pid, None)

    async def dataset_votes(self, identity: Identity, pid: str) -> list[Vote]:
        return await self._read(self.store.votes_for_dataset, identity, pid)

    async def my_votes(self, identity: Identity) -> list[Vote]:
        return await self._read(self.store.my_votes, identity)

    # -- who am I -------------------------------------------------------------------
    async def me(self, identity: Identity) -> Me:
        return Me(name=identity.user, groups=sorted(identity.groups), staff_of=sorted(identity.staff_of))

    async def my_proposals(self, identity: Identity) -> list[Proposal]:
        return await self._read(self.store.list_proposals, identity)

    async def user_proposals(self, identity: Identity) -> list[Proposal]:
        """Proposals another user may mount (for the hub's spawner; the handler builds
        ``identity`` from the hub's record of that user)."""
        return await self._read(self.store.list_proposals, identity)

    # -- processing and selections -------------------------------------------------
    async def processing(self, identity: Identity) -> list[ProcessingStep]:
        return [ProcessingStep(name=s.name, title=s.title, description=s.description,
                               techniques=list(s.techniques), dimensions=list(s.dimensions), accepts=s.accepts(),
                               parameters_schema=s.parameters_schema())
                for s in self.jobs.steps.values()]

    async def list_selections(self, identity: Identity) -> list[Selection]:
        return await self._read(self.store.list_selections, identity)

    async def create_selection(self, identity: Identity, body: SelectionCreate) -> Selection:
        if body.processing:
            get_step(body.processing).check_parameters(body.parameters)
        pending = PENDING.get()  # with an Idempotency-Key, the new selection's id is the key's
        return await self._write_once(self._create_selection, identity, body,
                                      keyed_selection_id(pending.key) if pending else None)

    def _create_selection(self, identity: Identity, body: SelectionCreate, selection_id: str | None = None) -> Selection:
        limit = self.settings.limits.max_selections_per_user
        if len(self.store.list_selections(identity)) >= limit:
            raise LimitExceeded(f"you have {limit} selections, the most allowed; delete some first")
        return self.store.create_selection(identity, body.name, body.datasets, body.processing, body.parameters,
                                           selection_id=selection_id)

    async def get_selection(self, identity: Identity, selection_id: str) -> Selection:
        return await self._read(self.store.get_selection, identity, selection_id)

    async def update_selection(self, identity: Identity, selection_id: str, body: SelectionPatch) -> Selection:
        return await self._run(self._update_selection, identity, selection_id, body)

    def _update_selection(self, identity: Identity, selection_id: str, body: SelectionPatch) -> Selection:
        if body.processing or body.parameters is not None:
            current = self.store.get_selection(identity, selection_id)
            processing = body.processing if body.processing is not None else current.processing
            parameters = body.parameters if body.parameters is not None else current.parameters
            if processing:
                get_step(processing).check_parameters(parameters)
        changes = SelectionChanges(name=body.name, add=body.add, remove=body.remove, processing=body.processing,
                                   parameters=body.parameters, expected_version=body.expected_version)
        return self.store.update_selection(identity, selection_id, changes)

    @staticmethod
    def _resumed() -> bool:
        """Whether this request retries a keyed one that died mid-way (``PendingKey.resumed``)."""
        pending = PENDING.get()
        return bool(pending and pending.resumed)

    async def delete_selection(self, identity: Identity, selection_id: str) -> None:
        await self._write_once(self._delete_selection, identity, selection_id, self._resumed())

    def _delete_selection(self, identity: Identity, selection_id: str, resumed: bool) -> None:
        try:
            self.store.delete_selection(identity, selection_id)
        except NotFound:
            if not resumed:
                raise
            # the retry of a keyed DELETE whose first try died after deleting (MongoDB
            # keeps the write and the key's answer apart): it answers 204 as that one would
            # have; get_selection still says 404 to anyone who asks, so nothing is hidden

    async def submit_selection(self, identity: Identity, selection_id: str) -> Selection:
        return await self._run(self._submit_selection, identity, selection_id, self._resumed())

    def _submit_selection(self, identity: Identity, selection_id: str, resumed: bool) -> Selection:
        try:
            return self.jobs.submit(identity, selection_id)
        except IllegalTransition:
            if not resumed:
                raise
            # the retry of a keyed submit whose first try died after the job started and
            # before its answer was kept: that job is the answer, not a 409
            selection = self.store.get_selection(identity, selection_id)
            if selection.jobId is None:
                raise
            return selection

    async def follow_jobs(self) -> None:
        """One round of the job status follower (skipped if the last one still runs)."""
        if self._follow_lock.locked():
            return
        async with self._follow_lock:
            await self._run(self.jobs.follow)

    # -- suggestions (beamhub.suggest holds the access rules) ---------------------------
    async def suggestions(self, identity: Identity, params: SuggestParams) -> SuggestionPage:
        return await self._read(self._suggestions, identity, params)

    def _suggestions(self, identity: Identity, params: SuggestParams) -> SuggestionPage:
        search = SearchParams.model_validate(params.model_dump(exclude={"limit", "offset", "min_score"}))
        ranked = self.suggester.for_search(identity, search_query(search), explain=False)
        if params.min_score is not None:
            ranked = [s for s in ranked if s.score is not None and s.score >= params.min_score]
        page = [suggestion_item(s.explained()) for s in ranked[params.offset:params.offset + params.limit]]
        return SuggestionPage(items=page, total=len(ranked), scored=sum(s.score is not None for s in ranked),
                              offset=params.offset)

    async def suggestion(self, identity: Identity, pid: str) -> SuggestionItem:
        suggestion = await self._read(self.suggester.explain, identity, pid)
        return suggestion_item(suggestion)

    async def similarity_group(self, identity: Identity, pid: str) -> SimilarityGroup:
        return SimilarityGroup(**await self._read(self.suggester.similarity_group, identity, pid))

    async def suggested_parameters(self, identity: Identity, params: ParameterParams) -> SuggestedParameters:
        found = await self._read(self.suggester.parameters_for, identity, params.pid, params.processing)
        return SuggestedParameters(**found)

    async def refresh_features(self) -> None:
        """One round of the background job computing missing features (skipped if the
        last one still runs)."""
        if self._refresh_lock.locked():
            return
        async with self._refresh_lock:
            try:
                await self._run(self.suggester.refresh, self.settings.suggest.refresh_batch)
            except StoreUnavailable as exc:
                log.warning("suggestion features not refreshed: %s", exc.message)

    # -- operations -----------------------------------------------------------------
    async def health(self) -> Health:
        try:
            await self._read(self.store.ping)
        except (StoreUnavailable, Timeout) as exc:
            return Health(status="degraded", store="unavailable", message=exc.message)
        return Health(status="ok", store="ok")

    async def version(self) -> Version:
        return Version(version=__version__)

    async def openapi(self) -> dict:
        return build_openapi(self.api_base)


def search_query(params: SearchParams) -> SearchQuery:
    """The store query for the API's query parameters (conditions parsed from text)."""
    body = params.model_dump(exclude={"condition"}, exclude_none=True)
    body["conditions"] = [MetadataCondition.from_text(text) for text in params.condition]
    return SearchQuery.parse(body)


def make_suggester(store: Store, settings: ServiceSettings, work_root: Path):
    from beamhub.suggest import FeatureCache, Suggester

    path = settings.suggest.features_file or work_root.parent / "beamhub-suggest" / "features.sqlite"
    return Suggester(store, FeatureCache(path), compute=settings.suggest.compute_per_request)


def suggestion_item(suggestion) -> SuggestionItem:
    return SuggestionItem(pid=suggestion.pid, technique=suggestion.technique, score=suggestion.score,
                          reason=suggestion.reason, neighbours=suggestion.explanation.get("neighbours", []),
                          features=suggestion.explanation.get("features", []), dataset=suggestion.dataset)


def preview_etag(dataset: Dataset, size: str) -> str:
    """Changes whenever the dataset's record (and so its files' list) changes."""
    basis = f"{dataset.pid}|{dataset.updatedAt}|{dataset.signal}|{size}"
    return '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'


PREVIEW_PIXELS = {"thumb": 256, "large": 1024}
"""Longest side of each preview size."""

def render_preview(dataset: Dataset, pixels: int, cache_dir: Path | None, frame: int | None = None) -> bytes:
    from beamhub.catalogue.preview import render_preview as render

    return render(dataset, size=pixels, cache_dir=cache_dir, frame=frame)


__all__ = ["CatalogueLogic", "InvalidInput", "PermissionDenied", "search_query"]
