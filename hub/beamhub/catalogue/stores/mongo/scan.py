"""Facet counts, sorting and keyset paging done in the client, over one scan (FerretDB v1).

FerretDB v1's SQLite handler reads and decodes every document of a collection for every
query that is not ``{_id: value}`` (measured here: about half a millisecond per dataset
document), so each aggregation costs a full scan. On it a search therefore makes one
query, the common filters (visibility, text, keywords, dates, own vote, metadata
conditions) with a projection of the few fields below, and counts facets, sorts and
pages here with the same meaning as the server pipelines of ``mongo.queries`` (null
lowest; ties by pid ascending; relevance tiers). ``tests/catalogue/test_mongo_store.py``
checks that both ways give the same answers.
"""

from __future__ import annotations

from collections import Counter
from functools import total_ordering
from typing import Any

from ...query import MAX_FACET_VALUES, SearchQuery
from ...text import TextQuery
from .queries import FACET_FIELDS, SORT_FIELDS, parse_relevance_key, relevance_key
from .documents import NAME_WORDS

SCAN_PROJECTION = {field: 1 for field in {*FACET_FIELDS.values(), *(f for f, _ in SORT_FIELDS.values()), NAME_WORDS}}


@total_ordering
class _Descending:
    """Wraps a value so that sorting ascending orders it descending."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return self.value == other.value

    def __lt__(self, other):
        return other.value < self.value


def _rank(value: Any) -> tuple:
    """Null and missing sort lowest, as in MongoDB."""
    return (value is not None, value if value is not None else 0)


def _facet_values(row: dict, facet: str) -> set:
    value = row.get(FACET_FIELDS[facet])
    if isinstance(value, list):
        return set(value)
    return set() if value is None else {value}


def _matches(row: dict, filters: dict[str, set]) -> bool:
    return all(not _facet_values(row, facet).isdisjoint(values) for facet, values in filters.items())


def count(rows: list[dict], query: SearchQuery, with_facets: bool) -> tuple[int, dict[str, list[dict]]]:
    """The total and (disjunctive) facet counts of ``rows``, as ``FacetCount`` dicts."""
    filters = {facet: set(getattr(query, facet)) for facet in FACET_FIELDS if getattr(query, facet)}
    total = sum(1 for row in rows if _matches(row, filters))
    if not with_facets:
        return total, {}
    facets = {}
    for facet in FACET_FIELDS:
        others = {name: values for name, values in filters.items() if name != facet}
        counter: Counter = Counter()
        for row in rows:
            if _matches(row, others):
                counter.update(_facet_values(row, facet))
        ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        facets[facet] = [{"value": v, "count": c} for v, c in ordered[:MAX_FACET_VALUES]]
    return total, facets


def _relevance_tier(row: dict, text: TextQuery) -> int:
    name_words = row.get(NAME_WORDS) or []
    if not set(text.whole) <= set(name_words):
        return 0
    if text.prefix and not any(word.startswith(text.prefix) for word in name_words):
        return 0
    return 1


def _sort_key(row: dict, query: SearchQuery) -> tuple:
    if query.sort == "relevance":
        return (-row["_tier"], _Descending(_rank(row.get("creationTime"))), row["_id"])
    field, direction = SORT_FIELDS[query.sort]
    rank = _rank(row.get(field))
    return (rank if direction > 0 else _Descending(rank), row["_id"])


def _cursor_key(query: SearchQuery, key: Any, pid: str) -> tuple:
    if query.sort == "relevance":
        tier, created = parse_relevance_key(key)
        return (-tier, _Descending(_rank(created)), pid)
    direction = SORT_FIELDS[query.sort][1]
    return (_rank(key) if direction > 0 else _Descending(_rank(key)), pid)


def page(rows: list[dict], query: SearchQuery, after: tuple | None) -> tuple[list[str], tuple | None]:
    """The pids of one page of ``rows`` in the query's order after the cursor position,
    and the (key, pid) of the next cursor (None on the last page)."""
    filters = {facet: set(getattr(query, facet)) for facet in FACET_FIELDS if getattr(query, facet)}
    matching = [row for row in rows if _matches(row, filters)]
    if query.sort == "relevance":
        text = query.text_query
        for row in matching:
            row["_tier"] = _relevance_tier(row, text)
    keyed = [(_sort_key(row, query), row) for row in matching]
    if after is not None:
        start = _cursor_key(query, *after)
        keyed = [(key, row) for key, row in keyed if key > start]
    keyed.sort(key=lambda pair: pair[0])
    chosen = [row for _, row in keyed[:query.limit + 1]]
    if len(chosen) <= query.limit:
        return [row["_id"] for row in chosen], None
    last = chosen[query.limit - 1]
    if query.sort == "relevance":
        next_key = (relevance_key(last["_tier"], last.get("creationTime")), last["_id"])
    else:
        next_key = (last.get(SORT_FIELDS[query.sort][0]), last["_id"])
    return [row["_id"] for row in chosen[:query.limit]], next_key
