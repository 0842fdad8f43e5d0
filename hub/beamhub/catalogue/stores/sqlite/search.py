"""Searching the SQLite store: counts per cell, facets, and one page of results.

A search runs in three steps inside one read transaction:

1. The cells the caller sees (the union of the cells its access keys open, from the
   in-memory cell index) with their dataset counts; facet filters applied to them.
2. Matches per cell: the cell counts themselves when the query filters on facets
   only; the in-memory columns (``sqlite.columns``) when they hold every predicate;
   else the aggregate tables for one word or one metadata condition; otherwise the
   most selective predicate lists its matches within the cells its aggregate says
   hold some, and the others check each one. Facet counts and the total are sums
   over cells.
3. One page, looking only into the cells that hold matches: either walk the sort's
   index from the cursor, testing each entry's cell and predicates, or gather every
   match and sort them. The exact number of matches from step 2 says which of the
   two reads fewer rows. Sorted by time, the columns name the few candidates and
   SQL orders just those.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import numpy as np

from ...errors import InvalidInput
from ...identity import Identity
from ...model import Dataset
from ...query import SearchQuery, SearchResult, decode_cursor, encode_cursor
from .cells import CellIndex, CellSelection, FacetFilters, Snapshot
from .columns import EXACT_FLOAT, ColumnCache, Matches, count_alone, evaluate, first_by_time_alone
from .predicates import (
    KEYS_IN,
    Condition,
    DateRange,
    Keywords,
    MyVote,
    Not,
    Predicate,
    TextGroup,
    Titled,
    from_cells,
)
from .rows import TEXT_VALUE, condition_row, millis, text_kind_range, year_start
from .schema import SORT_INDEXES
from .titles import ProposalTitles

PREDICATE_CHECK_COST = 1.5
ROW_COST = 1.0
INDEX_ENTRY_COST = 0.15


class NoMatch(Exception):
    """The query names a word or metadata entry the catalogue does not have."""


def visible_keys(identity: Identity) -> str:
    return json.dumps(sorted(identity.access_keys()))


def visibility_clause(identity: Identity, alias: str = "d") -> tuple[str, list]:
    """SQL restricting datasets ``alias`` to what the identity may see."""
    if identity.operator:
        return "1", []
    return (f"{alias}.signature IN (SELECT signature FROM signature_keys WHERE key {KEYS_IN})",
            [visible_keys(identity)])


def proposal_clause(identity: Identity) -> tuple[str, list]:
    """SQL restricting ``proposals`` to those ``list_proposals`` shows the identity."""
    if identity.operator:
        return "1", []
    return ("(proposal_id IN (SELECT proposal_id FROM proposal_groups WHERE grp IN (SELECT value FROM json_each(?)))"
            " OR beamline IN (SELECT value FROM json_each(?)))",
            [json.dumps(sorted(identity.groups)), json.dumps(sorted(identity.staff_of))])


def visible_ids(conn, identity: Identity, pids: list[str]) -> dict[str, int]:
    """``{pid: row id}`` of those of ``pids`` the identity may see."""
    where, params = visibility_clause(identity)
    return dict(conn.execute(
        f"SELECT d.pid, d.id FROM datasets AS d WHERE d.pid IN (SELECT value FROM json_each(?)) AND {where}",
        [json.dumps(pids)] + params).fetchall())


# --- predicates from a query -------------------------------------------------------


def build_predicates(conn, identity: Identity, query: SearchQuery, size: int,
                     titled: dict[str, np.ndarray] | None = None) -> list[Predicate]:
    """The query's non-facet filters; raises :class:`NoMatch` if one cannot match.
    ``titled``: for query words some proposal title holds, the cells of those proposals
    (``{word: (cell ids, datasets in them)}``): the word matches their datasets too."""
    predicates: list[Predicate] = []
    text = query.text_query
    titled = titled or {}
    if text.unmatchable:  # a term with no word in it: nothing can match it
        raise NoMatch(text.unmatchable[0])

    def word_or_title(term: str, group: TextGroup | None) -> Predicate:
        cells, n = titled.get(term, (None, 0))
        if cells is None or not len(cells):
            if group is None:
                raise NoMatch(term)
            return group
        return Titled(estimate=(group.estimate if group else 0) + n, inner=group, cells=_cells_json(cells))

    for word in text.whole:
        row = conn.execute("SELECT id, n, version FROM vocabulary WHERE term = ?", (word,)).fetchone()
        group = TextGroup(estimate=row[1], terms=[row[0]], sizes=[row[1]], versions=[row[2]]) \
            if row and row[1] else None
        predicates.append(word_or_title(word, group))
    if text.prefix:
        rows = conn.execute(
            "SELECT id, n, version FROM vocabulary WHERE term >= ? AND term < ? AND n > 0",
            (text.prefix, text.prefix[:-1] + chr(ord(text.prefix[-1]) + 1)),  # every word it begins
        ).fetchall()
        group = TextGroup(estimate=sum(r[1] for r in rows), terms=[r[0] for r in rows], sizes=[r[1] for r in rows],
                          prefix=text.prefix, versions=[r[2] for r in rows]) if rows else None
        predicates.append(word_or_title(text.prefix, group))
    if query.keyword:
        predicates.append(Keywords(estimate=size / 20, values=list(dict.fromkeys(query.keyword))))
    for condition in query.conditions:
        kind, dim, value = condition_row(condition)
        row = conn.execute("SELECT id, version FROM metadata_fields WHERE name = ? AND k = ? AND dim = ?",
                           (condition.name, kind, dim)).fetchone()
        if not row:
            raise NoMatch(condition.name)
        selectivity = 10 if condition.op == "=" else 3
        within = text_kind_range(value) if kind == TEXT_VALUE and condition.op == "!=" else None
        numeric = (kind != TEXT_VALUE and isinstance(value, (int, float)) and not isinstance(value, bool)
                   and abs(value) <= EXACT_FLOAT)
        predicates.append(Condition(estimate=size / selectivity, field=row[0], op=condition.op, value=value,
                                    within=within, version=row[1], numeric=numeric))
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


def aggregate(conn, predicate: Predicate, keys: str | None, size: int) -> np.ndarray | None:
    """``predicate.counts`` as an array indexed by cell id (None: no aggregate).

    A cell is listed once per access key of the caller that opens it, with the same
    rows each time: the counts are summed per key and the largest sum kept."""
    sql = predicate.counts(keys)
    if sql is None:
        return None
    keys_of, cells, counts = (_ints(column) for column in conn.execute(
        f"SELECT group_concat(x.key), group_concat(x.cell), group_concat(x.n) FROM ({sql[0]}) AS x",  # one string
        sql[1]).fetchone())                                                          # per column: no row objects
    out = np.zeros(size, dtype=np.int64)
    keys_seen = np.unique(keys_of)
    for key in keys_seen:
        part = slice(None) if len(keys_seen) == 1 else keys_of == key
        np.maximum(out, np.bincount(cells[part], weights=counts[part], minlength=size).astype(np.int64), out=out)
    return out


def _ints(text: str | None) -> np.ndarray:
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)


def count_matches(conn, snapshot: Snapshot, predicates, selection: CellSelection, keys: str | None,
                  size: int, columns: ColumnCache | None = None) -> tuple[np.ndarray, Matches | None]:
    """Matches per visible cell (aligned with ``selection.ids``; exact for the
    candidate cells, which are all facet counts and the total need), and the matching
    datasets themselves when they were found in memory."""
    candidates = selection.ids[selection.candidate_mask]
    counts = np.zeros(len(selection.ids), dtype=np.int64)
    if len(candidates) == 0:
        return counts, None
    if columns is not None and len(predicates) == 1:
        alone = count_alone(columns, conn, predicates[0], candidates)
        if alone is not None:
            counts = np.zeros(snapshot.size, dtype=np.int64)
            counts[candidates] = alone
            return counts[selection.ids], None
    if columns is not None:
        found = evaluate(columns, conn, predicates, candidates)
        if found is not None:
            return np.bincount(found.cells, minlength=snapshot.size)[selection.ids], found
    if len(predicates) == 1 and predicates[0].exact:
        return aggregate(conn, predicates[0], keys, snapshot.size)[selection.ids], None
    if len(predicates) == 1 and isinstance(predicates[0], MyVote) and predicates[0].mode == "none":
        voted = _count_rows(conn, predicates[0].voted(), [], _cells_json(candidates), len(candidates))
        return selection.n - _dense(voted, snapshot.size)[selection.ids], None
    if len(predicates) == 1 and isinstance(predicates[0], TextGroup) and len(predicates[0].terms) <= UNION_TERMS:
        return _union_counts(conn, predicates[0], keys, snapshot.size, candidates)[selection.ids], None
    driver = choose_driver(predicates) or DateRange(estimate=size)
    upper = aggregate(conn, driver, keys, snapshot.size)
    if upper is not None:  # seek only into the cells where the driver matches at all
        candidates = candidates[upper[candidates] > 0]
    matches = _count_rows(conn, driver, [p for p in predicates if p is not driver], _cells_json(candidates),
                          len(candidates))
    return _dense(matches, snapshot.size)[selection.ids], None


UNION_TERMS = 8
"""A prefix with at most this many expansions is counted term by term (below)."""


def _union_counts(conn, group: TextGroup, keys: str | None, size: int, candidates: np.ndarray) -> np.ndarray:
    """Datasets per cell holding any of a prefix's expansions: those of the most
    frequent one from the aggregate, plus, for each next one, its datasets holding
    none of the previous ones. Prefixes mostly expand to one common word and a few
    rare ones, so few datasets are looked at (where a union would sort them all)."""
    terms = group.split()
    counts = aggregate(conn, terms[0], keys, size)
    for index, term in enumerate(terms[1:], start=1):
        holding = candidates[aggregate(conn, term, keys, size)[candidates] > 0]
        earlier = TextGroup(estimate=0, terms=[t.terms[0] for t in terms[:index]])
        extra = _count_rows(conn, term, [Not(estimate=0, inner=earlier)], _cells_json(holding), len(holding))
        counts += _dense(extra, size)
    return counts


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


def page(conn, plan: PagePlan, predicates, cells_with_matches: np.ndarray, rows_in_cells: int,
         matches: int, size: int, all_cells: bool, listed: np.ndarray | None = None) -> list[tuple[int, object, str]]:
    """``[(dataset id, sort key, pid), ...]``: up to ``limit + 1`` in order, from the
    cells holding matches (``all_cells``: no need to test cells, for operators).
    ``listed``: ids of matches holding the page, when the columns found them (every
    match, or for a sort by time just the first ones)."""
    if matches == 0:
        return []
    passing = cells_with_matches
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
    if listed is not None and (column == "ctime" or len(listed) * ROW_COST <= scan):  # SQL orders just those
        sql = (f"SELECT d.id, d.{column}, d.pid FROM json_each(?) AS j CROSS JOIN datasets AS d ON d.id = j.value "
               f"WHERE {keyset} AND {range_sql} ORDER BY {order} LIMIT ?")
        return conn.execute(sql, [_cells_json(listed)] + keyset_params + range_params + [wanted]).fetchall()
    if scan <= gather:  # walk the sort's index, testing each entry
        source = from_cells("datasets", "d", cells, seek=False, index=index)
        where, params = _checks(predicates, "d", on_datasets=True)
        sql = (f"SELECT d.id, d.{column}, d.pid FROM {source.tables} "
               f"WHERE {source.where} AND {keyset} AND {range_sql} AND {where} ORDER BY {order} LIMIT ?")
        return conn.execute(sql, source.params + keyset_params + range_params + params + [wanted]).fetchall()
    if not predicates:  # every dataset of the cells, sorted
        source = from_cells("datasets", "d", cells, index="datasets_by_cell")
        sql = (f"SELECT d.id, d.{column}, d.pid FROM {source.tables} "
               f"WHERE {source.where} AND {keyset} AND {range_sql} ORDER BY {order} LIMIT ?")
        return conn.execute(sql, source.params + keyset_params + range_params + [wanted]).fetchall()
    driver = choose_driver(predicates) or DateRange(estimate=size)
    source, source_params = driver.driver(cells, len(passing))
    where, params = _checks([p for p in predicates if p is not driver], "x", on_datasets=False)
    sql = (f"SELECT d.id, d.{column}, d.pid FROM ({source}) AS x CROSS JOIN datasets AS d ON d.id = x.id "
           f"WHERE {where} AND {keyset} AND {range_sql} ORDER BY {order} LIMIT ?")
    return conn.execute(sql, source_params + params + keyset_params + range_params + [wanted]).fetchall()


def listed_matches(columns: ColumnCache, conn, plan: PagePlan, predicates, found: Matches | None, cell_count: int,
                   passing: np.ndarray, filtered: bool, total: int) -> np.ndarray | None:
    """Ids of the matches in the ``passing`` cells that hold the page, from the
    columns: all of them, or for a sort by time a superset of the first ones (see
    ``page``); None where the columns do not know them."""
    by_time = plan.sort in ("-creationTime", "creationTime")
    after = plan.after[0] if plan.after else None
    if found is None and not (by_time and len(predicates) == 1):
        return None
    mask = np.zeros(cell_count, dtype=bool)
    mask[passing] = True
    if found is None:  # one word or condition: counted, not listed
        return first_by_time_alone(columns, conn, predicates[0], mask, total, plan.limit + 1,
                                   plan.sort == "-creationTime", after)
    if filtered:  # facet filters: only the matches of the passing cells
        found = found.keep(mask[found.cells])
    if by_time:
        return found.first_by_time(plan.limit + 1, plan.sort == "-creationTime", after)
    return found.ids


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
        if isinstance(predicate, (TextGroup, Titled)):
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


READ_CACHE_ENTRIES = 10_000
"""Stored documents kept validated per process (see :func:`fetch_datasets`): about 10 KiB
each with its key, so up to about 100 MB per worker; beyond it the oldest quarter goes.
Under the bench_service mix (10k datasets, 3,000 searches of 1,000 users) 80% of the
datasets read are found here."""

_read: dict[str, Dataset] = {}


def fetch_datasets(conn, ids: list[int], user: str) -> dict[int, Dataset]:
    """Datasets by id, with counts, times and the user's own vote and comment filled in.

    Validating a stored document is most of a page's cost (about 60 us a dataset against
    8 for its SQL), so each process keeps the validated dataset by its stored text (the
    document with its times): the same text is the same dataset, whichever database or
    process wrote it, so a changed document is simply a new key. The counts and the
    caller's vote and comment are set on a copy per read."""
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT d.id, json_set(d.doc, '$.createdAt', d.created_at, '$.updatedAt', d.updated_at), "
        "d.likes, d.dislikes, v.value, COALESCE(v.comment, '') "
        "FROM datasets AS d LEFT JOIN votes AS v ON v.dataset = d.id AND v.user = ? "
        "WHERE d.id IN (SELECT value FROM json_each(?))",
        (user, json.dumps(ids)),
    ).fetchall()
    found = {}
    for i, doc, likes, dislikes, vote, comment in rows:
        dataset = _read.get(doc)
        if dataset is None:
            dataset = Dataset.model_validate_json(doc)
            if len(_read) >= READ_CACHE_ENTRIES:  # other store threads may be at it too: pop, not del
                for old in list(itertools.islice(_read, READ_CACHE_ENTRIES // 4)):
                    _read.pop(old, None)
            _read[doc] = dataset
        found[i] = dataset.model_copy(update={"likes": likes, "dislikes": dislikes, "myVote": vote,
                                              "myComment": comment})
    return found


# --- the whole search ------------------------------------------------------------------


def titled_cells(conn, cells: CellIndex, snapshot: Snapshot, identity: Identity,
                 query: SearchQuery, titles: ProposalTitles) -> dict[str, tuple[np.ndarray, int]]:
    """For each query word some title of the caller's proposals holds, the cells of
    those proposals and how many datasets they hold (``text.titled_proposals``, from
    the titles ``titles`` holds)."""
    out = {}
    for term, proposals in titles.titled(conn, query.text_query, identity).items():
        ids = cells.proposal_cells(snapshot, proposals)
        out[term] = (ids, int(snapshot.n[ids].sum()))
    return out


def search(conn, cells: CellIndex, identity: Identity, query: SearchQuery,
           columns: ColumnCache | None = None, titles: ProposalTitles | None = None) -> SearchResult:
    """Run ``query`` for ``identity`` (the caller holds a read transaction); ``columns``
    holds words and fields in memory (None: everything from SQL), ``titles`` the
    proposals' title words (None: read for this search)."""
    plan = page_plan(query)
    size = conn.execute("SELECT max(id) FROM datasets").fetchone()[0] or 0
    snapshot = cells.snapshot(conn)
    selection = cells.select(snapshot, cells.visible(snapshot, identity), FacetFilters.of(query))
    try:
        titled = titled_cells(conn, cells, snapshot, identity, query, titles or ProposalTitles())
        predicates = build_predicates(conn, identity, query, size, titled)
    except NoMatch:
        predicates = None
    keys = None if identity.operator else visible_keys(identity)
    found = None
    if predicates is None:
        counts = np.zeros(len(selection.ids), dtype=np.int64)
    elif not predicates:
        counts = selection.n
    else:
        counts, found = count_matches(conn, snapshot, predicates, selection, keys, size, columns)
    found_in = selection.passing_mask & (counts > 0)
    total = int(counts[found_in].sum())
    facets = cells.facets(snapshot, selection, counts) if query.facets else {}
    listed = None
    if columns is not None and predicates and plan.sort != "relevance":
        listed = listed_matches(columns, conn, plan, predicates, found, snapshot.size, selection.ids[found_in],
                                filtered=bool(selection.passes), total=total)
    rows = page(conn, plan, predicates or [], selection.ids[found_in], int(selection.n[found_in].sum()), total,
                max(size, 1), all_cells=identity.operator and not selection.passes and not predicates, listed=listed)
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
