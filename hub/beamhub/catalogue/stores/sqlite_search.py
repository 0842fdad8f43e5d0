"""Searching the SQLite store: counts per cell, facets, and one page of results.

A search runs in three steps inside one read transaction:

1. The cells the caller sees (their signatures share an access key with the caller),
   with their dataset counts; facet filters are applied to them in memory.
2. Matches per cell: the cell counts themselves when the query filters on facets
   only; the aggregate tables for one word or one metadata condition; otherwise the
   most selective predicate lists its matches within the candidate cells and the
   others check each one. Facet counts and the total are sums over cells.
3. One page: either walk the sort's index from the cursor, testing each entry's cell
   and predicates, or gather every match and sort them. The exact number of matches
   from step 2 says which of the two reads fewer rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInput
from ..identity import Identity
from ..model import Dataset
from ..query import SearchQuery, SearchResult, decode_cursor, encode_cursor
from .sqlite_cells import CellIndex, CellSelection, FacetFilters
from .sqlite_predicates import (
    CELLS_IN,
    Condition,
    DateRange,
    Keywords,
    MyVote,
    Predicate,
    TextGroup,
    in_cells,
)
from .sqlite_rows import condition_row, millis, year_start
from .sqlite_schema import SORT_INDEXES

PREDICATE_CHECK_COST = 1.5
ROW_COST = 1.0
INDEX_ENTRY_COST = 0.15


class NoMatch(Exception):
    """The query names a word or metadata entry the catalogue does not have."""


def visible_keys(identity: Identity) -> str:
    return json.dumps(sorted(identity.access_keys()))


def visible_cells(conn, identity: Identity) -> np.ndarray:
    """``[[cell id, datasets], ...]`` for the cells the identity may see."""
    if identity.operator:
        rows = conn.execute("SELECT id, n FROM cells").fetchall()
    else:
        rows = conn.execute(
            "SELECT id, n FROM cells INDEXED BY cells_by_signature WHERE signature IN "
            "(SELECT signature FROM signature_keys WHERE key IN (SELECT value FROM json_each(?)))",
            (visible_keys(identity),),
        ).fetchall()
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def visibility_clause(identity: Identity, alias: str = "d") -> tuple[str, list]:
    """SQL restricting datasets ``alias`` to what the identity may see."""
    if identity.operator:
        return "1", []
    return (f"{alias}.signature IN (SELECT signature FROM signature_keys WHERE key {CELLS_IN})",
            [visible_keys(identity)])


# --- predicates from a query -------------------------------------------------------


def build_predicates(conn, identity: Identity, query: SearchQuery, size: int) -> list[Predicate]:
    """The query's non-facet filters; raises :class:`NoMatch` if one cannot match."""
    predicates: list[Predicate] = []
    text = query.text_query
    for word in text.whole:
        row = conn.execute("SELECT id, n FROM vocabulary WHERE term = ?", (word,)).fetchone()
        if not row or not row[1]:
            raise NoMatch(word)
        predicates.append(TextGroup(estimate=row[1], terms=[row[0]]))
    if text.prefix:
        rows = conn.execute(
            "SELECT id, n FROM vocabulary WHERE term >= ? AND term < ? AND n > 0",
            (text.prefix, text.prefix + "{"),  # '{' follows every word character
        ).fetchall()
        if not rows:
            raise NoMatch(text.prefix)
        predicates.append(TextGroup(estimate=sum(r[1] for r in rows), terms=[r[0] for r in rows], prefix=text.prefix))
    if query.keyword:
        predicates.append(Keywords(estimate=size / 20, values=list(dict.fromkeys(query.keyword))))
    for condition in query.conditions:
        row = conn.execute("SELECT id FROM metadata_names WHERE name = ?", (condition.name,)).fetchone()
        if not row:
            raise NoMatch(condition.name)
        kind, dim, value = condition_row(condition)
        selectivity = 10 if condition.op == "=" else 3
        predicates.append(Condition(estimate=size / selectivity, name=row[0], kind=kind, dim=dim,
                                    op=condition.op, value=value))
    if query.created_after or query.created_before:
        predicates.append(DateRange(
            estimate=size / 4,
            low=millis(query.created_after) if query.created_after else None,
            high=millis(query.created_before) if query.created_before else None,
        ))
    if query.my_vote:
        estimate = conn.execute("SELECT count(*) FROM votes INDEXED BY votes_by_user WHERE user = ?",
                                (identity.user,)).fetchone()[0]
        predicates.append(MyVote(estimate=estimate if query.my_vote != "none" else size,
                                 user=identity.user, mode=query.my_vote))
    return predicates


def choose_driver(predicates: list[Predicate]) -> Predicate | None:
    drivers = [p for p in predicates if p.drives]
    return min(drivers, key=lambda p: p.estimate) if drivers else None


# --- step 2: matches per cell ------------------------------------------------------


def count_matches(conn, predicates, selection: CellSelection, size: int) -> dict[int, int]:
    """Matches per candidate cell (a dict; cells left out have none)."""
    candidates = selection.ids[selection.candidate_mask]
    if len(candidates) == 0:
        return {}
    cells = _cells_json(candidates)
    count = len(candidates)
    if len(predicates) == 1 and (aggregate := predicates[0].cell_counts(cells, count)):
        return dict(conn.execute(*aggregate).fetchall())
    if len(predicates) == 1 and isinstance(predicates[0], MyVote) and predicates[0].mode == "none":
        voted = _count_rows(conn, predicates[0].voted(), [], cells, count)
        return {int(c): int(n) - voted.get(int(c), 0) for c, n in zip(selection.ids, selection.n)}
    driver = choose_driver(predicates)
    if driver is None:  # nothing can list rows by itself: walk the cells
        driver = DateRange(estimate=size)
    return _count_rows(conn, driver, [p for p in predicates if p is not driver], cells, count)


def _count_rows(conn, driver, checks, cells, count) -> dict[int, int]:
    source, params = driver.driver(cells, count)
    where, check_params = _checks(checks, "x", on_datasets=False)
    sql = f"SELECT x.cell, count(*) FROM ({source}) AS x WHERE {where} GROUP BY x.cell"
    return dict(conn.execute(sql, params + check_params).fetchall())


def _checks(predicates, alias, on_datasets) -> tuple[str, list]:
    parts, params = ["1"], []
    for predicate in predicates:
        sql, more = predicate.check(alias, on_datasets)
        if sql:
            parts.append(sql)
            params.extend(more)
    return " AND ".join(parts), params


def _cells_json(ids) -> str:
    return "[" + ",".join(map(str, ids.tolist())) + "]"


# --- step 3: one page ----------------------------------------------------------------


@dataclass
class PagePlan:
    sort: str
    limit: int
    after: tuple | None  # (key, pid) from the cursor
    low: int | None  # creationTime range known from year filters and dates
    high: int | None


def page_plan(query: SearchQuery) -> PagePlan:
    after = decode_cursor(query)
    if after is not None:
        key, pid = after
        expected = (str,) if query.sort == "relevance" or "datasetName" in query.sort else (int,)
        if isinstance(key, bool) or not isinstance(key, expected):
            raise InvalidInput("the cursor is not one this catalogue gave out")
    low = high = None
    if query.year:
        low, high = year_start(min(query.year)), year_start(max(query.year) + 1)
    if query.created_after:
        low = max(low or -(2**62), millis(query.created_after))
    if query.created_before:
        high = min(high if high is not None else 2**62, millis(query.created_before))
    return PagePlan(query.sort, query.limit, after, low, high)


def page(conn, plan: PagePlan, predicates, passing: np.ndarray, rows_in_cells: int,
         matches: int, size: int, all_cells: bool) -> list[tuple[int, object, str]]:
    """``[(dataset id, sort key, pid), ...]``: up to ``limit + 1`` in order."""
    if matches == 0:
        return []
    cells = None if all_cells else _cells_json(passing)
    if plan.sort == "relevance":
        return _relevance_page(conn, plan, predicates, cells, len(passing))
    index, column, descending = SORT_INDEXES[plan.sort]
    wanted = plan.limit + 1
    check_cost = PREDICATE_CHECK_COST * len(predicates)
    scan = wanted * size / matches * INDEX_ENTRY_COST + wanted * rows_in_cells / matches * check_cost
    if predicates:
        gather = matches * (ROW_COST + check_cost) * (2 if len(predicates) > 1 else 1)
    else:
        gather = rows_in_cells * ROW_COST
    order = f"d.{column}{' DESC' if descending else ''}, d.pid"
    keyset, keyset_params = _keyset(plan, column, descending)
    range_sql, range_params = _ctime_range(plan) if column == "ctime" else ("1", [])
    if scan <= gather:
        cell_sql, cell_params = in_cells("d.cell", cells, seek=False)
        where, params = _checks(predicates, "d", on_datasets=True)
        sql = (f"SELECT d.id, d.{column}, d.pid FROM datasets AS d INDEXED BY {index} "
               f"WHERE {cell_sql} AND {keyset} AND {range_sql} AND {where} ORDER BY {order} LIMIT ?")
        return conn.execute(sql, cell_params + keyset_params + range_params + params + [wanted]).fetchall()
    if not predicates:
        cell_sql, cell_params = in_cells("d.cell", cells)
        sql = (f"SELECT d.id, d.{column}, d.pid FROM datasets AS d INDEXED BY datasets_by_cell "
               f"WHERE {cell_sql} AND {keyset} AND {range_sql} ORDER BY {order} LIMIT ?")
        return conn.execute(sql, cell_params + keyset_params + range_params + [wanted]).fetchall()
    driver = choose_driver(predicates) or DateRange(estimate=size)
    source, source_params = driver.driver(cells, len(passing))
    where, params = _checks([p for p in predicates if p is not driver], "x", on_datasets=False)
    sql = (f"SELECT d.id, d.{column}, d.pid FROM ({source}) AS x CROSS JOIN datasets AS d ON d.id = x.id "
           f"WHERE {where} AND {keyset} AND {range_sql} ORDER BY {order} LIMIT ?")
    return conn.execute(sql, source_params + params + keyset_params + range_params + [wanted]).fetchall()


def _keyset(plan: PagePlan, column: str, descending: bool) -> tuple[str, list]:
    if plan.after is None:
        return "1", []
    key, pid = plan.after
    beyond = "<" if descending else ">"
    reach = "<=" if descending else ">="
    return (f"d.{column} {reach} ? AND (d.{column} {beyond} ? OR d.pid > ?)", [key, key, pid])


def _ctime_range(plan: PagePlan) -> tuple[str, list]:
    parts, params = ["1"], []
    if plan.low is not None:
        parts.append("d.ctime >= ?")
        params.append(plan.low)
    if plan.high is not None:
        parts.append("d.ctime < ?")
        params.append(plan.high)
    return " AND ".join(parts), params


def _relevance_page(conn, plan, predicates, cells, cell_count):
    """Relevance order: datasets whose name holds every query word first, then the
    others; newest first within each, ties by pid (the MongoDB backend's order too).

    Every match is read once to rank it (relevance needs free text, so the matches
    are those of the query's words)."""
    driver = choose_driver(predicates)
    source, source_params = driver.driver(cells, cell_count)
    where, params = _checks([p for p in predicates if p is not driver], "x", on_datasets=False)
    tiers, tier_params = ["1"], []
    for predicate in predicates:
        if isinstance(predicate, TextGroup):
            sql, more = predicate.in_name("x")
            tiers.append(sql)
            tier_params.extend(more)
    rows = conn.execute(
        f"SELECT x.id, {' AND '.join(tiers)}, d.ctime, d.pid FROM ({source}) AS x "
        f"CROSS JOIN datasets AS d ON d.id = x.id WHERE {where}",
        tier_params + source_params + params,
    ).fetchall()
    ranked = sorted((-tier, -ctime, pid, i) for i, tier, ctime, pid in rows)
    if plan.after is not None:
        key, pid = plan.after
        tier, ctime = relevance_key(key)
        ranked = [r for r in ranked if (r[0], r[1], r[2]) > (-tier, -ctime, pid)]
    return [(i, f"{-tier}|{-ctime}", pid) for tier, ctime, pid, i in ranked[: plan.limit + 1]]


def relevance_key(key: str) -> tuple[int, int]:
    try:
        tier, ctime = key.split("|")
        return int(tier), int(ctime)
    except ValueError:
        raise InvalidInput("the cursor is not one this catalogue gave out") from None


# --- materialising datasets ----------------------------------------------------------


def fetch_datasets(conn, ids: list[int], user: str) -> dict[int, Dataset]:
    """Datasets by id, with counts, times and the user's own vote filled in."""
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT d.id, json_set(d.doc, '$.likes', d.likes, '$.dislikes', d.dislikes, "
        "'$.createdAt', d.created_at, '$.updatedAt', d.updated_at, "
        "'$.myVote', (SELECT value FROM votes WHERE dataset = d.id AND user = ?)) "
        "FROM datasets AS d WHERE d.id IN (SELECT value FROM json_each(?))",
        (user, json.dumps(ids)),
    ).fetchall()
    return {i: Dataset.model_validate_json(doc) for i, doc in rows}


# --- the whole search ------------------------------------------------------------------


def search(conn, cells: CellIndex, identity: Identity, query: SearchQuery) -> SearchResult:
    """Run ``query`` for ``identity`` (the caller holds a read transaction)."""
    plan = page_plan(query)
    size = conn.execute("SELECT max(id) FROM datasets").fetchone()[0] or 0
    visible = visible_cells(conn, identity)
    ids, n = visible[:, 0], visible[:, 1]
    arrays = cells.ensure(conn, int(ids.max()) if len(ids) else 0)
    selection = cells.select(arrays, ids, n, FacetFilters.of(query))
    passing = selection.passing_mask
    try:
        predicates = build_predicates(conn, identity, query, size)
    except NoMatch:
        return SearchResult(items=[], total=0, facets=cells.facets(arrays, selection, n * 0) if query.facets else {})
    counts = n if not predicates else _dense(count_matches(conn, predicates, selection, size), arrays.size)[ids]
    total = int(counts[passing].sum())
    facets = cells.facets(arrays, selection, counts) if query.facets else {}
    rows = page(conn, plan, predicates, ids[passing], int(n[passing].sum()), total, max(size, 1),
                all_cells=identity.operator and not selection.passes)
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    found = fetch_datasets(conn, [r[0] for r in rows], identity.user)
    cursor = encode_cursor(query, rows[-1][1], rows[-1][2]) if more else None
    return SearchResult(items=[found[r[0]] for r in rows], total=total, facets=facets, next_cursor=cursor)


def _dense(matches: dict[int, int], size: int) -> np.ndarray:
    """Matches per cell as an array indexed by cell id."""
    dense = np.zeros(size, dtype=np.int64)
    if matches:
        dense[np.fromiter(matches.keys(), dtype=np.int64, count=len(matches))] = np.fromiter(
            matches.values(), dtype=np.int64, count=len(matches))
    return dense
