"""Pure builders of MongoDB filters and pipelines for catalogue searches.

Nothing here talks to the database. User strings only ever become plain equality or
comparison values, or anchored prefix regular expressions built with :func:`re.escape`;
every value has been validated by the pydantic models first (``SearchQuery``,
``MetadataCondition``), and cursor keys are plain JSON scalars (``decode_cursor``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...identity import Identity
from ...query import MAX_FACET_VALUES, MetadataCondition, SearchQuery
from ...text import TextQuery
from ...units import normalize
from ...scientific_metadata import index_key
from .documents import (LIKES, METADATA, NAME_WORDS, PROPOSAL_IDS, SORT_NAME, TECHNIQUES, UNREADABLE, WORDS,
                              YEAR)

SORT_FIELDS: dict[str, tuple[str, int]] = {
    "-creationTime": ("creationTime", -1),
    "creationTime": ("creationTime", 1),
    "datasetName": (SORT_NAME, 1),
    "-datasetName": (SORT_NAME, -1),
    "size": ("size", 1),
    "-size": ("size", -1),
    "-likes": (LIKES, -1),
}
"""Each sort as (stored field, direction); ties are always broken by pid ascending."""

FACET_FIELDS = {
    "beamline": "creationLocation",
    "proposal": PROPOSAL_IDS,
    "technique": TECHNIQUES,
    "type": "type",
    "year": YEAR,
}
"""The stored field each facet counts and filters on (techniques: the distinct names;
proposals: ``proposalId`` and SciCat v4's ``proposalIds``)."""

LIST_FACETS = ("technique", "proposal")
"""Facets over a list field: a dataset counts once for each of its values."""

_COMPARISONS = {"<": "$lt", "<=": "$lte", "=": "$eq", ">=": "$gte", ">": "$gt", "!=": "$ne"}


def and_(parts: list[dict]) -> dict:
    """One filter requiring every part ({} when there is none)."""
    parts = [p for p in parts if p]
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


def visibility_filter(identity: Identity) -> dict:
    """Datasets the identity may see, on SciCat's own fields as they are now ({} for
    operators): published, or owned by or shared with one of its groups, or from a
    beamline it is staff of. The same rule as :meth:`Identity.can_see`.

    Never a field beamhub derived: SciCat changes ``accessGroups`` or ``isPublished``
    without beamhub knowing, and the next request must already see the change.
    """
    if identity.operator:
        return {}
    groups = sorted(identity.groups)
    branches: list[dict] = [{"isPublished": True}]
    if groups:
        branches += [{"ownerGroup": {"$in": groups}}, {"accessGroups": {"$in": groups}}]
    if identity.staff_of:
        branches.append({"creationLocation": {"$in": sorted(identity.staff_of)}})
    return {"$or": branches}


def text_filter(text: TextQuery, field: str = WORDS, titled: dict[str, tuple[str, ...]] | None = None) -> dict:
    """Every whole word among the words in ``field``, and one word starting with the
    prefix; a word in ``titled`` (``text.titled_proposals``) also matches the datasets of
    the proposals whose title holds it (their proposals as the proposal facet counts)."""
    if text.unmatchable:  # a term with no word in it: nothing can match it
        return {"_id": {"$in": []}}
    titled = titled or {}

    def or_titled(term: str, own: dict) -> dict:
        return {"$or": [own, {PROPOSAL_IDS: {"$in": list(titled[term])}}]} if titled.get(term) else own

    parts: list[dict] = []
    plain = [w for w in text.whole if not titled.get(w)]
    if plain:
        parts.append({field: {"$all": plain}})
    parts += [or_titled(w, {field: w}) for w in text.whole if titled.get(w)]
    if text.prefix:
        parts.append(or_titled(text.prefix, {field: {"$regex": "^" + re.escape(text.prefix)}}))
    return and_(parts)


def condition_filter(condition: MetadataCondition) -> dict:
    """One scientific-metadata condition over ``beamhub_metadata.<key>`` (the name's
    :func:`~beamhub.catalogue.scientific_metadata.index_key`).

    Numbers with a unit compare in base units within the same dimension; numbers without
    a unit compare the raw stored numbers whatever their unit; strings (lower-cased) and
    booleans allow = and !=. ``!=`` needs the entry to exist with a value of that kind.
    A number is stored as its low (``v``, raw ``r``) and high (``w``, raw ``x``) ends,
    equal but for SciCat's ``quantity_range``: a range matches when some value in it
    meets the condition (``>``: its high end; ``<``: its low end; ``=``: it holds the
    value; ``!=``: it is not exactly the value).
    """
    base = f"{METADATA}.{index_key(condition.name)}"
    op = _COMPARISONS[condition.op]
    value = condition.value
    if isinstance(value, bool):
        field, wanted = f"{base}.b", value
    elif isinstance(value, str):
        field, wanted = f"{base}.s", value.lower()
    else:
        if condition.unit.strip():
            wanted, dimension = normalize(value, condition.unit)
            low, high, kind = f"{base}.v", f"{base}.w", {f"{base}.d": dimension}
        else:
            wanted, low, high, kind = value, f"{base}.r", f"{base}.x", {}
        if op in ("$lt", "$lte"):
            return {**kind, low: {op: wanted}}
        if op in ("$gt", "$gte"):
            return {**kind, high: {op: wanted}}
        if op == "$eq":
            return {**kind, low: {"$lte": wanted}, high: {"$gte": wanted}}
        return {**kind, low: {"$exists": True}, "$or": [{low: {"$ne": wanted}}, {high: {"$ne": wanted}}]}
    if op == "$ne":
        return {field: {"$exists": True, "$ne": wanted}}
    return {field: {op: wanted}}


def facet_filters(query: SearchQuery) -> dict[str, dict]:
    """The filter of each facet the query restricts (any of its values)."""
    out = {}
    for facet, field in FACET_FIELDS.items():
        values = getattr(query, facet)
        if values:
            out[facet] = {field: {"$in": list(values)}}
    return out


READABLE = {UNREADABLE: {"$exists": False}}
"""Leaves out the documents found unreadable (``mongo.documents.UNREADABLE``)."""


def common_filters(identity: Identity, query: SearchQuery, voted: list[str] | None,
                   titled: dict[str, tuple[str, ...]] | None = None) -> list[dict]:
    """Every restriction but the facets': visibility, text, keywords, dates, own vote,
    metadata conditions. ``voted`` is the pids the caller's ``my_vote`` refers to;
    ``titled`` the proposals titled with query words (see :func:`text_filter`)."""
    parts = [visibility_filter(identity), text_filter(query.text_query, titled=titled), READABLE]
    if query.keyword:
        parts.append({"keywords": {"$in": list(query.keyword)}})
    created: dict[str, Any] = {}
    if query.created_after:
        created["$gte"] = query.created_after
    if query.created_before:
        created["$lt"] = query.created_before
    if created:
        parts.append({"creationTime": created})
    if query.my_vote is not None:
        parts.append({"_id": {"$nin" if query.my_vote == "none" else "$in": list(voted or ())}})
    parts.extend(condition_filter(c) for c in query.conditions)
    return [p for p in parts if p]


def facet_branches(query: SearchQuery) -> dict[str, tuple[list[dict], list[dict]]]:
    """The counting branches of a search: ``{name: (filters, stages)}``.

    ``total`` counts with every facet filter; each facet counts with every facet filter
    but its own (disjunctive facets). The branches run after the common filters: inside
    one ``$facet`` stage.
    """
    filters = facet_filters(query)
    branches = {"total": (list(filters.values()), [{"$count": "n"}])}
    for facet, field in FACET_FIELDS.items():
        stages: list[dict] = [{"$unwind": "$" + field}] if facet in LIST_FACETS else []
        stages += [
            {"$group": {"_id": "$" + field, "count": {"$sum": 1}}},
            {"$sort": {"count": -1, "_id": 1}},
            {"$limit": MAX_FACET_VALUES + 1},  # one more, for the null group dropped later
        ]
        branches[facet] = ([f for name, f in filters.items() if name != facet], stages)
    return branches


def facet_counts(rows: list[dict]) -> list[dict]:
    """Facet rows (``{_id, count}``, most frequent first) as ``FacetCount`` dicts."""
    counts = [{"value": row["_id"], "count": row["count"]} for row in rows if row["_id"] is not None]
    return counts[:MAX_FACET_VALUES]


def keyset_filter(field: str, direction: int, key: Any, pid: str) -> dict:
    """Documents after (key, pid) in the order ``field`` ``direction``, then pid ascending.

    A missing or null value sorts lowest (MongoDB's order): last when descending.
    """
    if key is None:
        if direction < 0:
            return {field: None, "_id": {"$gt": pid}}
        return {"$or": [{field: None, "_id": {"$gt": pid}}, {field: {"$ne": None}}]}
    branches: list[dict] = [
        {field: {"$lt" if direction < 0 else "$gt": key}},
        {field: key, "_id": {"$gt": pid}},
    ]
    if direction < 0:
        branches.append({field: None})
    return {"$or": branches}


# --- relevance ---------------------------------------------------------------------
#
# Relevance ranks the datasets whose *name* holds every query word (tier 1) before
# those matching only elsewhere (tier 0), newest first within a tier. Each tier is an
# indexable filter, so relevance pages are keyset-paginated like every other sort.

RELEVANCE_TIERS = (1, 0)


def relevance_tier_filter(text: TextQuery, tier: int) -> dict:
    in_name = text_filter(text, NAME_WORDS)
    return in_name if tier == 1 else {"$nor": [in_name]}


def relevance_key(tier: int, created: datetime | None) -> str:
    return f"{tier}|{created.isoformat() if created else ''}"


def parse_relevance_key(key: Any) -> tuple[int, datetime | None]:
    from ...errors import InvalidInput

    try:
        tier, _, created = str(key).partition("|")
        return int(tier), (datetime.fromisoformat(created) if created else None)
    except ValueError:
        raise InvalidInput("the cursor is not one this catalogue gave out") from None
