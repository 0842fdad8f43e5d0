"""What the MongoDB-protocol server behind a store can do, and the indexes it gets.

:func:`detect` reads ``buildInfo`` and ``hello`` once at connect time. DocumentDB's
gateway answers ``hello`` with its own ``internal`` topology field (and calls itself
``isdbgrid``); FerretDB names itself in ``buildInfo`` (``ferretdbVersion``): 2.x runs on
DocumentDB and is treated as DocumentDB, 1.x is refused (:class:`UnsupportedServer`).
Anything else is taken for MongoDB.

Indexes (MongoDB 6+ and DocumentDB alike), one per query shape; ``ensure_indexes``
creates them, idempotently:

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
                               filters are applied along it
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
Proposal ``updated``           the held titles' query before each search with words
                               (``mongo.titles``): ``{updatedAt: 1}``
=============================  ===========================================================

Single documents are always read by ``_id`` (pid, ``pid|user`` for votes, selection id,
proposalId), served by the default ``_id`` index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pymongo
import pymongo.errors

from ...errors import StoreUnavailable

from .documents import (
    CHANGED,
    DATASETS,
    DELETED,
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


class UnsupportedServer(StoreUnavailable):
    """The server speaks the MongoDB protocol but lacks what the store relies on
    (raised when the store connects, so a service refuses to start on it)."""


@dataclass(frozen=True)
class ServerKind:
    """The server's identity and what it does differently from MongoDB.

    Every server gets the same queries and updates (``mongo.store``); the fields below
    are the differences found on DocumentDB (``tests/catalogue/test_mongo_store.py``
    checks each against the running engine)."""

    name: str
    """``"mongodb"`` or ``"documentdb"`` (FerretDB 2.x included: it runs on DocumentDB)."""
    version: str
    index_builds_in_background: bool = False
    """DocumentDB builds an index on a collection that holds documents in a background
    job the gateway waits for (its scheduler runs every 2 s): each ``createIndexes``
    costs ~2 s there. So the store creates all of a collection's indexes in one
    ``createIndexes`` command (one wait per collection) and only the missing ones."""

    @property
    def is_documentdb(self) -> bool:
        return self.name == "documentdb"


def detect(build_info: dict, hello: dict | None = None) -> ServerKind:
    """The :class:`ServerKind` for the ``buildInfo`` and ``hello`` replies."""
    version = str(build_info.get("version", "unknown"))
    if "ferretdbVersion" in build_info:
        ferret = str(build_info["ferretdbVersion"]).lstrip("v")
        if ferret.split(".")[0] in ("0", "1"):
            raise UnsupportedServer(
                f"FerretDB {ferret} is not supported: it updates documents without atomicity and has no "
                "$facet; use MongoDB 6+, DocumentDB or FerretDB 2")
        return ServerKind(name="documentdb", version=f"FerretDB {ferret}", index_builds_in_background=True)
    if hello is not None and "internal" in hello:
        return ServerKind(name="documentdb", version=version, index_builds_in_background=True)
    major = (build_info.get("versionArray") or [0])[0]
    if isinstance(major, int) and major < 6:
        log.warning("MongoDB %s is older than 6, the oldest version beamhub supports", version)
    return ServerKind(name="mongodb", version=version)


def plan_summary(explained: dict) -> tuple[list[str], list[str]]:
    """The stages and the index names anywhere in an ``explain`` reply (MongoDB's
    ``queryPlanner.winningPlan`` and DocumentDB's MongoDB-style answer alike, ``$facet``
    sub-plans included). A ``COLLSCAN`` among the stages is a query no index serves."""
    stages: list[str] = []
    indexes: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("stage"), str):
                stages.append(node["stage"])
            if isinstance(node.get("indexName"), str):
                indexes.append(node["indexName"])
            for key, value in node.items():
                if key not in ("rejectedPlans", "command"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(explained)
    return stages, list(dict.fromkeys(indexes))


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
        for prefix, branch in VISIBILITY_INDEXES.items():
            datasets.append(pymongo.IndexModel([(branch, 1), (field, direction), ("_id", 1)], name=f"{prefix}_{name}"))
        datasets.append(pymongo.IndexModel([(field, direction), ("_id", 1)], name=f"all_{name}"))
    datasets.append(pymongo.IndexModel([(WORDS, 1)], name="words"))
    datasets.append(pymongo.IndexModel([(METADATA + ".$**", 1)], name="metadata"))
    datasets.append(pymongo.IndexModel([("inputDatasets", 1)], name="lineage"))
    datasets.append(pymongo.IndexModel([("updatedAt", 1)], name="updated"))
    datasets.append(pymongo.IndexModel([(INDEX_VERSION_FIELD, 1)], name="index_version"))
    datasets.append(pymongo.IndexModel([(CHANGED, 1)], name="changed"))  # mongo.columns' sync
    return {
        DATASETS: datasets,
        VOTES: [
            pymongo.IndexModel([("pid", 1), ("user", 1)], name="pid_user", unique=True),
            pymongo.IndexModel([("user", 1), ("updatedAt", -1), ("_id", -1)], name="user_recent"),
        ],
        SELECTIONS: [pymongo.IndexModel([("owner", 1), ("createdAt", -1), ("_id", -1)], name="owner")],
        DELETED: [pymongo.IndexModel([("at", 1)], name="at")],  # no TTL on DocumentDB: mongo.columns prunes
        PROPOSALS: [
            pymongo.IndexModel([("ownerGroup", 1)], name="owner_group"),
            pymongo.IndexModel([("accessGroups", 1)], name="access_groups"),
            pymongo.IndexModel([("beamline", 1)], name="beamline"),
            pymongo.IndexModel([("updatedAt", 1)], name="updated"),  # mongo.titles' stamp query
        ],
    }


def ensure_indexes(db, kind: ServerKind) -> None:
    """Create the indexes of :func:`index_plan` that are missing, one ``createIndexes``
    per collection (existing ones are left as they are).

    An index SciCat (or an operator) already made on the same keys under another name
    serves as well: the conflict is logged, not raised.
    """
    for collection, models in index_plan(kind).items():
        present = set(db[collection].index_information())
        for name in present & OBSOLETE_INDEXES if collection == DATASETS else ():
            db[collection].drop_index(name)
        missing = [model for model in models if model.document["name"] not in present]
        if not missing:
            continue
        try:
            db[collection].create_indexes(missing)
            continue
        except pymongo.errors.OperationFailure as exc:
            if exc.code not in INDEX_CONFLICTS:
                raise
        for model in missing:  # one of them conflicts: make the others one by one
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
