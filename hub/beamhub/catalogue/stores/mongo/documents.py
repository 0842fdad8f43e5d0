"""Documents of the MongoDB store: SciCat's shapes plus beamhub's derived search fields.

Datasets live in SciCat's ``Dataset`` collection (``_id`` = pid) and proposals in
``Proposal`` (``_id`` = proposalId), so a facility's SciCat database is readable as is.
beamhub's own collections are prefixed ``beamhub_``.

Searching needs a few values SciCat does not store. They are kept beside SciCat's
fields as top-level fields prefixed ``beamhub_`` (top-level: one index path each, and
plain ``$group`` keys), all computed by
:func:`search_fields` from SciCat's own fields, so ``MongoStore.reindex`` can backfill
them on documents SciCat wrote:

=======================  ==========================================================
``beamhub_words``        distinct words of the searchable text (:func:`~beamhub.catalogue.text.dataset_words`)
``beamhub_nameWords``    distinct words of ``datasetName`` (relevance)
``beamhub_sortName``     ``datasetName`` in lower case (sorting by name)
``beamhub_year``         year of ``creationTime`` (UTC; the year facet)
``beamhub_techniques``   distinct technique names (technique filter and facet)
``beamhub_metadata``     ``{key: {v, w, d, r, x, s, b}}`` per scientific-metadata entry, in
                         every SciCat form (:func:`~beamhub.catalogue.scientific_metadata.index`;
                         nested and URL-encoded names by their dotted path): low and high
                         value in base units (equal but for ranges) and their dimension,
                         low and high raw number, lower-case string, boolean
``beamhub_proposals``    ``proposalId`` and ``proposalIds`` (proposal facet and filter)
``beamhub_unreadable``   on a document beamhub cannot read: why (searches leave it out)
``beamhub_indexVersion`` :data:`INDEX_VERSION` the fields were computed with
=======================  ==========================================================

MongoDB keeps datetimes to the millisecond: datetimes are truncated to it on the way in
so that what is stored is exactly what was written.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import bson
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from ... import scientific_metadata
from ...model import Dataset, Proposal, UnreadableDocument
from ...text import dataset_words, words

log = logging.getLogger(__name__)

DATASETS = "Dataset"
PROPOSALS = "Proposal"
VOTES = "beamhub_votes"
SELECTIONS = "beamhub_selections"

ACCESS = "beamhub_access"
"""Former derived access keys: no longer written nor read (visibility reads SciCat's own
fields at query time, ``mongo.queries.visibility_filter``); hidden where still present."""
WORDS = "beamhub_words"
NAME_WORDS = "beamhub_nameWords"
SORT_NAME = "beamhub_sortName"
YEAR = "beamhub_year"
TECHNIQUES = "beamhub_techniques"
METADATA = "beamhub_metadata"
PROPOSAL_IDS = "beamhub_proposals"
UNREADABLE = "beamhub_unreadable"
"""On a dataset beamhub cannot read: why (set by ``reindex``; searches leave it out)."""
INDEX_VERSION_FIELD = "beamhub_indexVersion"

INDEX_VERSION = 2
"""Bump when :func:`search_fields` changes; ``reindex`` then recomputes every dataset."""

DERIVED_FIELDS = (ACCESS, WORDS, NAME_WORDS, SORT_NAME, YEAR, TECHNIQUES, METADATA, PROPOSAL_IDS, UNREADABLE,
                  INDEX_VERSION_FIELD)

MANAGED_FIELDS = ("likes", "dislikes", "createdAt", "updatedAt")
"""Dataset fields the store keeps itself: an upsert never overwrites them."""

VISIBILITY_FIELDS = {"ownerGroup": 1, "accessGroups": 1, "isPublished": 1, "creationLocation": 1}
"""The fields :meth:`Identity.can_see` reads (a projection)."""

LIKES = "beamhub_likes"
DISLIKES = "beamhub_dislikes"
"""A dataset's vote counters (shown as ``likes``/``dislikes``): beamhub's fields, never SciCat's."""

SOURCE_UPDATED = "beamhub_sourceUpdatedAt"
"""The ``updatedAt`` of the document the derived fields were computed from (``mongo.follow``)."""

DELETED = "beamhub_deleted"
"""Datasets beamhub deleted (``{_id: pid, at}``), so every worker's search columns drop
them (``mongo.columns``); kept a day."""
CHANGED = "beamhub_changedAt"
"""When beamhub last wrote a dataset's derived fields or vote counters (its own clock;
SciCat's ``updatedAt`` stays SciCat's): the search columns of every worker follow both
(``mongo.columns``)."""

COUNTED = "beamhub_counted"
"""On a dataset: the vote each voter's contribution to ``likes``/``dislikes`` reflects,
keyed by :func:`counted_field`'s hash (user names may hold ``.``, which a key may not)."""

LISTING_PROJECTION = {field: 0 for field in (*DERIVED_FIELDS, COUNTED, CHANGED)}
"""Leaves the derived fields out of documents read for callers."""


def truncate_to_millis(value: Any) -> Any:
    """``value`` with every datetime cut to milliseconds (what BSON stores)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {k: truncate_to_millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [truncate_to_millis(v) for v in value]
    return value


def search_fields(doc: dict, check: bool = True) -> dict:
    """The derived ``beamhub_*`` fields of a SciCat-shaped dataset document.

    Raises :class:`~beamhub.catalogue.model.UnreadableDocument` for a document beamhub
    cannot read (:func:`unreadable_reason`; ``check`` False for a dataset just validated),
    so that whoever indexes skips it, marks it :data:`UNREADABLE` and goes on.
    """
    if check:
        reason = unreadable_reason(doc)
        if reason is not None:
            raise UnreadableDocument(doc.get("_id", "(no _id)"), reason)
    metadata = scientific_metadata.index(doc.get("scientificMetadata"))
    techniques = [t.get("name") if isinstance(t, dict) else t for t in doc.get("techniques") or ()]
    created = doc.get("creationTime")
    name = doc.get("datasetName") or ""
    return {
        WORDS: dataset_words(doc),
        NAME_WORDS: list(dict.fromkeys(words(name))),
        SORT_NAME: name.lower(),
        YEAR: created.year if isinstance(created, datetime) else None,
        TECHNIQUES: list(dict.fromkeys(t for t in techniques if isinstance(t, str) and t)),
        METADATA: metadata,
        PROPOSAL_IDS: proposal_ids(doc),
        INDEX_VERSION_FIELD: INDEX_VERSION,
    }


def proposal_ids(doc: dict) -> list[str]:
    """A dataset's proposals: SciCat v3's ``proposalId`` and v4's ``proposalIds``."""
    ids = [doc.get("proposalId"), *(doc.get("proposalIds") if isinstance(doc.get("proposalIds"), list) else ())]
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))


def unreadable_reason(doc: dict) -> str | None:
    """Why beamhub cannot read a stored dataset document, or None if it can."""
    try:
        dataset_from_document(doc)
    except UnreadableDocument as exc:
        return exc.reason[:500]
    except Exception as exc:  # anything else a malformed document trips: still a reason
        return f"{type(exc).__name__}: {exc}"[:500]
    return None


def index_update(doc: dict) -> tuple[dict, str | None]:
    """The update that (re)indexes one stored dataset, and why it is unreadable (or None).

    A readable document gets its derived fields (:func:`search_fields`) and loses any
    :data:`UNREADABLE` mark; an unreadable one gets the mark, with the reason, and no
    derived fields, so that searches leave it out until SciCat corrects it.
    """
    try:
        update: dict = {"$set": search_fields(doc)}
    except UnreadableDocument as exc:
        derived = [f for f in DERIVED_FIELDS if f not in (INDEX_VERSION_FIELD, UNREADABLE) and f in doc]
        update = {"$set": {UNREADABLE: exc.reason, INDEX_VERSION_FIELD: INDEX_VERSION}}
        if derived:
            update["$unset"] = {f: "" for f in derived}
        return update, exc.reason
    if UNREADABLE in doc:
        update["$unset"] = {UNREADABLE: ""}
    return update, None


def dataset_fields(dataset: Dataset) -> dict:
    """What an upsert writes: SciCat's and beamhub's fields, derived fields, ``_id``.

    Leaves out the fields the store manages (:data:`MANAGED_FIELDS`).
    """
    doc = truncate_to_millis(dataset.to_stored())
    for field in MANAGED_FIELDS:
        doc.pop(field, None)
    doc.update(search_fields(doc, check=False))
    doc["_id"] = dataset.pid
    return doc


def unchanged(stored: dict, fields: dict) -> bool:
    """Whether writing ``fields`` (from :func:`dataset_fields` or :func:`proposal_fields`)
    would change nothing in the ``stored`` document. Fields it does not name (SciCat's
    others, the managed ones) are left alone by an upsert and so not compared."""
    return all(k in stored and stored[k] == v for k, v in fields.items())


def dataset_from_document(doc: dict, my_vote: tuple[str, str] | None = None) -> Dataset:
    """A :class:`Dataset` from a stored document (SciCat's own included), with the
    caller's ``(vote, comment)`` when it voted."""
    if "pid" not in doc:
        doc = {**doc, "pid": doc["_id"]}
    doc = {**doc, "likes": doc.get(LIKES) or 0, "dislikes": doc.get(DISLIKES) or 0}
    if "beamhub_files" in doc or "beamhub_signal" in doc:  # a derived dataset beamhub wrote into SciCat's
        doc.update(files=doc.get("beamhub_files") or [], signal=doc.get("beamhub_signal"))
    dataset = Dataset.from_document(doc)
    if my_vote is not None:
        dataset.myVote, dataset.myComment = my_vote
    return dataset


_reported: dict[str, str] = {}
"""Unreadable documents already logged by this process (pid -> reason), bounded."""


def report_unreadable(collection: str, key: Any, reason: str) -> None:
    """Log an unreadable document once per process (per reason)."""
    name = f"{collection}:{key}"
    if _reported.get(name) == reason:
        return
    if len(_reported) > 10_000:
        _reported.clear()
    _reported[name] = reason
    log.warning("%s document %s cannot be read and is left out: %s", collection, key, reason)


READ_FIELDS = ("_id", *VISIBILITY_FIELDS, "creationTime", SORT_NAME, "size", LIKES, UNREADABLE)
"""The fields of a dataset document the store's own code looks at after reading it for a
caller (identity, visibility, the sort and cursor keys, the unreadable mark): a
:class:`Read` holds these, the rest is in its validated :class:`Dataset`."""

READ_CACHE_ENTRIES = 10_000
"""Dataset documents kept validated per process (:func:`read_datasets`): about 10 KiB
each with its key (measured with bench_service's synthetic datasets, 0.9 KB stored), so
up to about 100 MB per worker; beyond it the oldest quarter goes."""


class Read(dict):
    """A dataset document as read for callers: its :data:`READ_FIELDS` (a fresh dict per
    read, which the store's code may change) and ``dataset``, the validated
    :class:`Dataset` shared by every read of the same stored bytes (None when beamhub
    cannot read it, and ``reason`` why)."""

    __slots__ = ("dataset", "reason")


_read: dict[bytes, tuple[dict, Dataset | None, str | None]] = {}


def raw_codec(codec_options: CodecOptions) -> CodecOptions:
    """A collection's codec options, reading documents as undecoded bytes (for
    :func:`read_datasets`)."""
    return codec_options.with_options(document_class=RawBSONDocument)


def read_datasets(raws: Iterable[RawBSONDocument], codec_options: CodecOptions) -> list[Read]:
    """Dataset documents read undecoded (a collection with :func:`raw_codec`), each as a
    :class:`Read` with its validated Dataset.

    Validating a document is most of a read's cost (about 0.1 ms a dataset, more than
    the database's own work for a page), so each process keeps the validated dataset by
    the document's stored bytes under the read's projection (counters included): the
    same bytes are the same dataset, whoever wrote them (another worker, SciCat, a
    direct update without a stamp), so any change is simply a new key and every read is
    exact. Callers get their own vote and comment on a copy (:func:`readable_datasets`).
    ``codec_options``: the store's own (decoded documents), for a document not kept yet.
    """
    out = []
    for raw in raws:
        data = raw.raw
        entry = _read.get(data)
        if entry is None:
            doc = bson.decode(data, codec_options)
            try:
                dataset, reason = dataset_from_document(doc), None
            except UnreadableDocument as exc:
                dataset, reason = None, exc.reason
            entry = ({k: doc[k] for k in READ_FIELDS if k in doc}, dataset, reason)
            if len(_read) >= READ_CACHE_ENTRIES:  # other store threads may be at it too: pop, not del
                for old in list(itertools.islice(_read, READ_CACHE_ENTRIES // 4)):
                    _read.pop(old, None)
            _read[data] = entry
        read = Read(entry[0])
        read.dataset, read.reason = entry[1], entry[2]
        out.append(read)
    return out


def readable_datasets(docs: list[dict], my_votes: dict[str, tuple[str, str]]) -> list[Dataset]:
    """The :class:`Dataset` of each document beamhub can read, with the caller's vote and
    comment (on a copy of a :class:`Read`'s shared dataset); unreadable ones are left out
    and logged (:func:`report_unreadable`)."""
    out = []
    for doc in docs:
        if isinstance(doc, Read):
            if doc.dataset is None:
                report_unreadable(DATASETS, doc.get("_id"), doc.reason or "")
                continue
            vote, comment = my_votes.get(doc["_id"]) or (None, "")
            out.append(doc.dataset.model_copy(update={"myVote": vote, "myComment": comment}))
            continue
        try:
            out.append(dataset_from_document(doc, my_votes.get(doc["_id"])))
        except UnreadableDocument as exc:
            report_unreadable(DATASETS, doc.get("_id"), exc.reason)
    return out


_read_proposals: dict[bytes, tuple[Proposal | None, str | None]] = {}


def readable_proposals(docs, codec_options: CodecOptions | None = None) -> list[Proposal]:
    """The :class:`Proposal` of each document beamhub can read; the others logged.

    Documents read undecoded (:func:`raw_codec`; ``codec_options``, the store's own,
    decode them) are validated once per process per stored version, as datasets are
    (:func:`read_datasets`: a staff member's text search reads every proposal of their
    beamlines); each caller gets a copy."""
    out = []
    for doc in docs:
        if isinstance(doc, RawBSONDocument) and codec_options is not None:
            entry = _read_proposals.get(doc.raw)
            if entry is None:
                try:
                    entry = (proposal_from_document(bson.decode(doc.raw, codec_options)), None)
                except UnreadableDocument as exc:
                    entry = (None, exc.reason)
                if len(_read_proposals) >= READ_CACHE_ENTRIES:
                    for old in list(itertools.islice(_read_proposals, READ_CACHE_ENTRIES // 4)):
                        _read_proposals.pop(old, None)
                _read_proposals[doc.raw] = entry
            if entry[0] is None:
                report_unreadable(PROPOSALS, doc.get("_id"), entry[1] or "")
            else:
                out.append(entry[0].model_copy())
            continue
        try:
            out.append(proposal_from_document(doc))
        except UnreadableDocument as exc:
            report_unreadable(PROPOSALS, doc.get("_id"), exc.reason)
    return out


def proposal_from_document(doc: dict) -> Proposal:
    if "proposalId" not in doc:
        doc = {**doc, "proposalId": doc["_id"]}
    return Proposal.from_document(doc)


def proposal_fields(proposal: Proposal) -> dict:
    doc = truncate_to_millis(proposal.to_document())
    doc["_id"] = proposal.proposalId
    return doc


def counted_field(user: str) -> str:
    """The dotted path of a user's entry under :data:`COUNTED`."""
    return f"{COUNTED}.u{hashlib.sha256(user.encode()).hexdigest()[:20]}"


def vote_id(pid: str, user: str) -> str:
    """The ``_id`` of a user's vote on a dataset: one vote per (pid, user) by construction.

    ``|`` can appear in neither a pid nor a user name.
    """
    return f"{pid}|{user}"
