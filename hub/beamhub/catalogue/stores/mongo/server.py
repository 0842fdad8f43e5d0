"""What the MongoDB-protocol server behind a store can do, and the indexes it gets.

:func:`detect` reads ``buildInfo`` once at connect time. FerretDB identifies itself
there (``ferretdbVersion``; v1 also lists its aggregation stages in
``ferretdbFeatures``); anything else is taken for MongoDB.

Indexes (MongoDB 6+), one per query shape; ``ensure_indexes`` creates them, idempotently:

=============================  ===========================================================
collection / index             query shape it serves
=============================  ===========================================================
Dataset ``pub_<sort>``,        a caller's visible datasets in each sort order, decided
``own_<sort>``, ``acc_<sort>``  on SciCat's own fields at query time: one index per
and ``loc_<sort>``             branch of the visibility ``$or`` (``isPublished``,
                               ``ownerGroup``, ``accessGroups`` (multikey),
                               ``creationLocation``), each
                               ``{<branch field>: 1, <sort field>: ±1, _id: 1}`` for
                               ``-creationTime creationTime datasetName -datasetName size
                               -size -likes``: each branch (an ``$in`` explodes into one
                               scan per group) is read in sort order and the branches
                               merged (SORT_MERGE); facet, keyword, date and metadata
                               filters are applied along it. Not on FerretDB v1, which
                               scans for every search (``scan_once``): there these 28
                               would only double the cost of every insert
Dataset ``all_<sort>``         the same for operators (no visibility filter):
                               ``{<sort field>: ±1, _id: 1}``
Dataset ``words``              free text: ``{beamhub_words: 1}`` (multikey; ``$all`` on
                               whole words, an anchored ``^prefix`` regex is a range)
Dataset ``metadata``           metadata conditions: wildcard ``{beamhub_metadata.$**: 1}``
                               (one path per entry, ``beamhub_metadata.<name>.v`` etc.)
Dataset ``lineage``            ``derived_from``: ``{inputDatasets: 1}`` (multikey)
Dataset ``updated``            following SciCat's writes (``mongo.follow``):
                               ``{updatedAt: 1}`` for ``updatedAt > watermark`` and
Dataset ``index_version``      ``{beamhub_indexVersion: 1}`` for documents never (or
                               formerly) derived, the two branches of the catch-up ``$or``
beamhub_votes ``pid_user``     one vote per (pid, user): unique ``{pid: 1, user: 1}``;
                               also a dataset's votes (``votes_for_dataset``)
beamhub_votes ``user_recent``  a user's votes, newest first (``my_votes``, the my-vote
                               filter): ``{user: 1, updatedAt: -1, _id: -1}``
beamhub_selections ``owner``   a user's selections, newest first:
                               ``{owner: 1, createdAt: -1, _id: -1}``
Proposal ``owner_group``, ``access_groups``, ``beamline``: the three branches of the
                               ``list_proposals`` ``$or``
=============================  ===========================================================

Single documents are always read by ``_id`` (pid, ``pid|user`` for votes, selection id,
proposalId), served by the default ``_id`` index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pymongo
import pymongo.errors

from .documents import (
    DATASETS,
    INDEX_VERSION_FIELD,
    LIKES,
    METADATA,
    PROPOSALS,
    SELECTIONS,
    SORT_NAME,
    VOTES,
    WORDS,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerKind:
    """The server's identity and the features the store chooses by."""

    name: str
    """``"mongodb"`` or ``"ferretdb"``."""
    version: str
    facet_stage: bool
    """``$facet`` works: all facet counts in one aggregation."""
    atomic_updates: bool
    """findAndModify and update operators apply atomically per document (MongoDB).
    FerretDB v1 reads, changes and writes the document back without a lock, so two
    concurrent ``$inc`` lose one another: the store then serialises writes to a dataset
    through a lock document (``mongo.locks``)."""
    sum_of_fields: bool
    """``$group`` ``$sum`` over field paths is reliable (FerretDB v1 returns 0 for some)."""
    wildcard_indexes: bool
    scan_once: bool
    """Every filtered query costs a full scan (FerretDB v1): a search makes one, and counts
    facets, sorts and pages in the client (``mongo.scan``) rather than in six aggregations."""
    id_lookups_only: bool
    """Only ``{_id: value}`` filters avoid a full scan (FerretDB v1's SQLite handler), so
    documents are fetched one ``_id`` at a time rather than with ``$in``."""

    @property
    def is_ferretdb(self) -> bool:
        return self.name == "ferretdb"


def detect(build_info: dict) -> ServerKind:
    """The :class:`ServerKind` for a ``buildInfo`` reply."""
    if "ferretdbVersion" in build_info:
        stages = (build_info.get("ferretdbFeatures") or {}).get("aggregationStages")
        return ServerKind(
            name="ferretdb",
            version=str(build_info.get("ferretdbVersion")),
            facet_stage=stages is not None and "$facet" in stages,
            atomic_updates=False,
            sum_of_fields=False,
            wildcard_indexes=False,
            scan_once=True,
            id_lookups_only=True,
        )
    version = str(build_info.get("version", "unknown"))
    major = (build_info.get("versionArray") or [0])[0]
    if isinstance(major, int) and major < 6:
        log.warning("MongoDB %s is older than 6, the oldest version beamhub supports", version)
    return ServerKind(name="mongodb", version=version, facet_stage=True, atomic_updates=True,
                      sum_of_fields=True, wildcard_indexes=True, scan_once=False, id_lookups_only=False)


VISIBILITY_INDEXES = {"pub": "isPublished", "own": "ownerGroup", "acc": "accessGroups", "loc": "creationLocation"}
"""Index name prefix -> the visibility branch field it leads with (``mongo.queries.visibility_filter``)."""

SORT_INDEX_FIELDS = {
    "created_desc": ("creationTime", -1),
    "created_asc": ("creationTime", 1),
    "name_asc": (SORT_NAME, 1),
    "name_desc": (SORT_NAME, -1),
    "size_asc": ("size", 1),
    "size_desc": ("size", -1),
    "likes_desc": (LIKES, -1),
}


def index_plan(kind: ServerKind) -> dict[str, list[pymongo.IndexModel]]:
    """The indexes of each collection (see the module docstring)."""
    datasets = []
    for name, (field, direction) in SORT_INDEX_FIELDS.items():
        for prefix, branch in VISIBILITY_INDEXES.items() if not kind.scan_once else ():
            datasets.append(pymongo.IndexModel([(branch, 1), (field, direction), ("_id", 1)], name=f"{prefix}_{name}"))
        datasets.append(pymongo.IndexModel([(field, direction), ("_id", 1)], name=f"all_{name}"))
    datasets.append(pymongo.IndexModel([(WORDS, 1)], name="words"))
    if kind.wildcard_indexes:
        datasets.append(pymongo.IndexModel([(METADATA + ".$**", 1)], name="metadata"))
    datasets.append(pymongo.IndexModel([("inputDatasets", 1)], name="lineage"))
    datasets.append(pymongo.IndexModel([("updatedAt", 1)], name="updated"))
    datasets.append(pymongo.IndexModel([(INDEX_VERSION_FIELD, 1)], name="index_version"))
    return {
        DATASETS: datasets,
        VOTES: [
            pymongo.IndexModel([("pid", 1), ("user", 1)], name="pid_user", unique=True),
            pymongo.IndexModel([("user", 1), ("updatedAt", -1), ("_id", -1)], name="user_recent"),
        ],
        SELECTIONS: [pymongo.IndexModel([("owner", 1), ("createdAt", -1), ("_id", -1)], name="owner")],
        PROPOSALS: [
            pymongo.IndexModel([("ownerGroup", 1)], name="owner_group"),
            pymongo.IndexModel([("accessGroups", 1)], name="access_groups"),
            pymongo.IndexModel([("beamline", 1)], name="beamline"),
        ],
    }


def ensure_indexes(db, kind: ServerKind) -> None:
    """Create every index of :func:`index_plan` (existing ones are left as they are).

    An index SciCat (or an operator) already made on the same keys under another name
    serves as well: the conflict is logged, not raised.
    """
    for collection, models in index_plan(kind).items():
        present = set(db[collection].index_information()) if collection == DATASETS else set()
        for name in present & OBSOLETE_INDEXES:
            db[collection].drop_index(name)
        for model in models:
            try:
                db[collection].create_indexes([model])
            except pymongo.errors.OperationFailure as exc:
                if exc.code not in INDEX_CONFLICTS:
                    raise
                log.warning("index %s on %s not created: %s", model.document["name"], collection, exc)


OBSOLETE_INDEXES = {f"vis_{name}" for name in SORT_INDEX_FIELDS}
"""beamhub's former indexes on the derived ``beamhub_access`` (visibility now reads
SciCat's own fields), dropped where found."""

INDEX_CONFLICTS = {85, 86}
"""IndexOptionsConflict, IndexKeySpecsConflict."""
