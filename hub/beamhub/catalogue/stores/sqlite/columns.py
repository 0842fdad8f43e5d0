"""Words and metadata fields of the SQLite store held in memory as columns (the
engine's store-independent core is ``catalogue.columns``).

Counting matches for exact facet counts touches every matching dataset, including
those only a facet filter excludes (disjunctive counts). Read from SQLite that costs
about a microsecond per row: staff of a beamline holding a hundred thousand datasets
wait tens of milliseconds for a prefix or a word combined with a condition. Read from
numpy arrays it costs nanoseconds.

A column is one word's postings or one metadata field's values (numbers as float64,
text values as str), as arrays sorted by cell (a field's also by value within a cell):
``cells``, ``ids``, each dataset's creation time ``ctimes`` and ``values``. Three uses:

- a search with one word or one condition counts per cell with binary searches
  (:meth:`Column.count_in`) and walks the column in time order for its first page
  (:func:`first_by_time_alone`);
- any mix of words, prefixes and numeric conditions lists its matches in the cells
  the caller can use, the rarest predicate first and the others tested per match
  (:func:`evaluate`); counts are a ``bincount`` and the first page by time a
  partition (:meth:`Matches.first_by_time`);
- anything else (keywords, date ranges, the caller's vote) stays in SQL.

Columns are loaded on first use and kept, within a memory budget, least recently used
first out. A column is keyed by its row's ``version`` (``vocabulary.version``,
``metadata_fields.version``: the write transaction that last changed its rows), read in
the searching transaction, so a search never uses a copy older or newer than what its
own transaction sees. SQL orders every page exactly (ties by pid) and applies cursors.
A stale copy held is brought to the new version by the datasets ``column_log`` names
since its version (their rows replaced, :func:`_apply_changes`), whichever process
wrote them, keeping the arrays derived from it (value ranks, time order) with the new
rows put in; only a copy older than the log, or one whose changes exceed
:data:`APPLY_AT_MOST` of its rows, is read again whole. In a long-running process a
:class:`ColumnWarmer` loads columns ahead of searches, and a search wanting a long
column not held at its version answers from SQL while the warmer loads it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ...columns import (  # noqa: F401 - the shared core, re-exported for this store's modules
    COMPARE,
    EXACT_FLOAT,
    STARTS_FROM,
    Column,
    Matches,
    _lookup,
    bounds,
    compare,
    within,
)

log = logging.getLogger(__name__)

DEFAULT_BUDGET_BYTES = 512 << 20
"""Memory for columns per store: a word used by a tenth of a million datasets takes
about 2 MB, a field present in all of them 24 MB and up to 56 MB with the arrays
derived on demand (ranks, time order, values by id). The benchmark's 200 searches over
1M datasets held 50 columns in 295 MB."""


class ColumnCache:
    """The columns of one store, shared by its threads."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES):
        self.budget_bytes = budget_bytes
        self._lock = threading.Lock()
        self._columns: OrderedDict[tuple, Column | None] = OrderedDict()
        self._loading: dict[tuple, threading.Event] = {}
        self._used: dict[tuple, float] = {}  # (kind, id) -> when a search last asked for it
        self.last_search = 0.0
        self._bytes = 0
        self.loads = {"whole": 0, "applied": 0}
        """Columns read whole, and stale copies brought up to date from ``column_log``."""
        self.deferred = 0
        """Columns searches wanted and left to the warmer, answering from SQL meanwhile."""
        self.defer = None
        """Set by a running :class:`ColumnWarmer`: ``defer(kind, id)`` asks it to load a
        column a search wants but does not hold (see :meth:`_get`)."""

    def stats(self) -> dict[str, int]:
        """Columns held and their bytes."""
        with self._lock:
            return {"columns": sum(1 for c in self._columns.values() if c is not None), "bytes": self._bytes}

    def term(self, conn, term: int, version: int, touch: bool = True, rows: int | None = None) -> Column | None:
        """None: left to SQL while the warmer loads it (``rows``: the word's datasets)."""
        return self._get(("term", term, version), lambda: self._load(conn, "term", term, version), touch,
                         rows if rows is not None else DEFER_ROWS)

    def field(self, conn, field_id: int, version: int, touch: bool = True) -> Column | None:
        """None when the field holds a number float64 cannot represent exactly, or while
        the warmer loads it."""
        return self._get(("field", field_id, version), lambda: self._load(conn, "field", field_id, version), touch,
                         DEFER_ROWS)

    def _load(self, conn, kind: str, ident: int, version: int) -> Column | None:
        """The column at ``version``: an older copy held with the changes since applied,
        else read whole."""
        with self._lock:
            older = [(v, c) for (k, i, v), c in self._columns.items()
                     if k == kind and i == ident and v < version and c is not None]
        if older:
            since, stale = max(older, key=lambda item: item[0])
            column = _apply_changes(conn, kind, ident, stale, since)
            if column is not None:
                self.loads["applied"] += 1
                return column
        self.loads["whole"] += 1
        return _load_term(conn, ident) if kind == "term" else _load_field(conn, ident)

    def _get(self, key: tuple, load, touch: bool = True, rows: int = 0) -> Column | None:
        """The column of ``key``, loaded if need be; ``touch``: a search asks for it
        (the warmer's loads are not uses). With a warmer running, a search does not
        load a column of :data:`DEFER_ROWS` rows or more (read it whole, or bring an
        older copy up to date), nor wait for one being loaded: it gets None (SQL answers
        it, in milliseconds where reading the column takes seconds at a million datasets
        and applying a 1% ingest to it 0.1 s) and the warmer loads it next."""
        with self._lock:
            if touch:
                self._used[key[:2]] = self.last_search = time.monotonic()
            if key in self._columns:
                self._columns.move_to_end(key)
                return self._columns[key]
            loading = self._loading.get(key)
            defer = self.defer
            if touch and defer is not None and rows >= DEFER_ROWS:
                self.deferred += 1
                defer(key[0], key[1])
                return None
            if loading is None:  # this thread loads it; others wanting it meanwhile wait for it
                loading = self._loading[key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            loading.wait()
            with self._lock:
                if key in self._columns:
                    return self._columns[key]
            return self._get(key, load, touch)  # the loader failed: try ourselves
        try:
            column = load()  # outside the lock: other searches go on meanwhile
            with self._lock:
                if key not in self._columns:
                    self._columns[key] = column
                    self._bytes += _size(column)
                    self._evict(keep=key)
                return self._columns[key]
        finally:
            with self._lock:
                self._loading.pop(key, None)
            loading.set()

    def held(self) -> list[tuple]:
        """The keys of the columns held, ``(kind, id, version)``."""
        with self._lock:
            return list(self._columns)

    def last_used(self, kind: str, ident: int) -> float:
        """When a search (or the warmer) last asked for this word's or field's column."""
        with self._lock:
            return self._used.get((kind, ident), 0.0)

    def discard(self, key: tuple) -> None:
        with self._lock:
            if key in self._columns:
                self._bytes -= _size(self._columns.pop(key))

    def derive(self, column: Column, make):
        """``make()``, which may build arrays of ``column`` on demand (its dense form,
        ranks, time order), with their memory counted against the budget."""
        before = column.nbytes
        result = make()
        if column.nbytes != before:
            with self._lock:
                self._bytes += column.nbytes - before
                self._evict()
        return result

    def _evict(self, keep: tuple | None = None) -> None:
        while self._bytes > self.budget_bytes and len(self._columns) > 1:
            key = next(iter(self._columns))
            if key == keep:
                break
            self._bytes -= _size(self._columns.pop(key))


DEFER_ROWS = 20_000
"""Columns at least this long are read by the warmer, not by a search (when a warmer
runs): reading costs about 3 microseconds a row."""


def _size(column: Column | None) -> int:
    return column.nbytes if column is not None else 0


def _ints(text: str | None, dtype=np.int32) -> np.ndarray:
    return np.fromstring(text, dtype=dtype, sep=",") if text else np.zeros(0, dtype=dtype)


LOAD_CHUNK = 50_000
"""Rows read per step of a whole column's load: each of its calls into numpy and the
sqlite module holds the interpreter's lock (other threads' searches wait) for
milliseconds, where one call over a million rows held it for 0.05-2 s."""


def _load_term(conn, term: int) -> Column:
    """A word's column, read :data:`LOAD_CHUNK` rows at a time in (cell, id) order (in
    the caller's read transaction throughout)."""
    parts, after = [], (-1, -1)
    while True:
        cells, ids, ctimes = conn.execute(  # one string per column: no row objects
            "SELECT group_concat(x.cell), group_concat(x.id), group_concat(d.ctime) FROM "
            "(SELECT cell, id FROM postings WHERE term = ? AND (cell, id) > (?, ?) ORDER BY cell, id LIMIT ?) AS x "
            "CROSS JOIN datasets AS d ON d.id = x.id", (term, *after, LOAD_CHUNK)).fetchone()
        part = (_ints(cells), _ints(ids), _ints(ctimes, np.int64))
        parts.append(part)
        if len(part[0]) < LOAD_CHUNK:
            break
        after = (int(part[0][-1]), int(part[1][-1]))
    cells, ids, ctimes = (np.concatenate([p[i] for p in parts]) if len(parts) > 1 else parts[0][i] for i in range(3))
    return Column(cells=cells, ids=ids, ctimes=ctimes)


def _load_field(conn, field_id: int) -> Column | None:
    """A field's rows; values float64 for numbers, str for text values (``s:``/``b:``
    keys, which order alike in SQLite and numpy: UTF-8 bytes follow code points).
    None for numbers float64 cannot hold exactly. Read :data:`LOAD_CHUNK` rows at a
    time in (cell, value, id) order: cells, ids and times as strings, the values one
    row at a time. At 1M datasets (load 7-8) a field every dataset has loaded in 3.1-3.3 s
    instead of 5.5-6.5 s, and another thread (a search) waited at most 38-48 ms for the
    interpreter's lock meanwhile instead of 1.8-1.9 s: with its million rows fetched at
    once as 4-tuples, the garbage collector went through them holding the lock."""
    parts, after = [], None
    while True:
        keyset = "" if after is None else "AND (m.cell, m.v, m.id) > (?, ?, ?) "
        rows = (f"FROM metadata AS m INDEXED BY metadata_by_value WHERE m.field = ? {keyset}"
                "ORDER BY m.cell, m.v, m.id LIMIT ?")
        params = (field_id, *(after or ()), LOAD_CHUNK)
        cells, ids, ctimes = conn.execute(
            "SELECT group_concat(x.cell), group_concat(x.id), group_concat(d.ctime) FROM "
            f"(SELECT m.cell, m.id {rows}) AS x CROSS JOIN datasets AS d ON d.id = x.id", params).fetchone()
        values = [row[0] for row in conn.execute(f"SELECT m.v {rows}", params)]  # the same rows, same order
        cells, ids = _ints(cells), _ints(ids)
        if len(cells) != len(values):  # not the same rows (cannot happen in one transaction): SQL answers
            return None
        if len(values) or not parts:
            part = _field_values(cells, ids, _ints(ctimes, np.int64), values,
                                 parts[0].values.dtype.kind if parts else None)
            if part is None:
                return None
            parts.append(part)
        if len(values) < LOAD_CHUNK:
            break
        after = (int(cells[-1]), values[-1], int(ids[-1]))
    column = parts[0] if len(parts) == 1 else Column(
        cells=np.concatenate([p.cells for p in parts]), ids=np.concatenate([p.ids for p in parts]),
        ctimes=np.concatenate([p.ctimes for p in parts]), values=np.concatenate([p.values for p in parts]))
    if column.values.dtype.kind == "U" and len(column.values):
        # text values ranked step by step (``Column._ranked``'s result): sorting a million
        # strings at once took 1.8-4 s at load 9 and held the interpreter's lock up to 0.3-0.4 s
        distinct = np.unique(np.concatenate([np.unique(p.values) for p in parts]))
        ranks = np.concatenate([np.searchsorted(distinct, p.values) for p in parts])
        column._ranks = (distinct, column.cells.astype(np.int64) * len(distinct) + ranks)
    return column


def _field_column(rows: list[tuple], kind: str | None = None) -> Column | None:
    """``(cell, id, ctime, value)`` rows as a column (see :func:`_field_values`)."""
    if not rows:
        return _field_values(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64), [], kind)
    cells, ids, ctimes, values = zip(*rows)
    return _field_values(np.asarray(cells, dtype=np.int32), np.asarray(ids, dtype=np.int32),
                         np.asarray(ctimes, dtype=np.int64), values, kind)


def _field_values(cells: np.ndarray, ids: np.ndarray, ctimes: np.ndarray, values, kind: str | None) -> Column | None:
    """A field's rows as a column; ``kind``: the array kind the values must have (``f``
    or ``U``, to join an existing column), None to decide. None when the values are
    numbers float64 cannot hold exactly, both kinds, or not of ``kind``."""
    if not len(values):
        return Column(cells=cells, ids=ids, ctimes=ctimes, values=np.zeros(0))
    texts = sum(1 for v in values if isinstance(v, str))
    if texts == 0 and kind in (None, "f"):
        if any(isinstance(v, int) and abs(v) > EXACT_FLOAT for v in values):
            return None
        array = np.asarray(values, dtype=np.float64)
    elif texts == len(values) and kind in (None, "U") and not any(v.endswith("\0") for v in values):
        array = np.asarray(values, dtype=str)  # (numpy drops trailing NULs)
    else:
        return None
    return Column(cells=cells.astype(np.int32, copy=False), ids=ids.astype(np.int32, copy=False),
                  ctimes=ctimes, values=array)


APPLY_AT_MOST = 0.25
"""A stale column whose changed datasets exceed this share of its rows (and 1,000) is
read again whole: replacing that many rows costs about as much."""


def _apply_changes(conn, kind: str, ident: int, stale: Column, since: int) -> Column | None:
    """The column of ``stale`` (held at version ``since``) as the connection's
    transaction sees it: the rows of the datasets ``column_log`` lists after ``since``
    dropped and read again, the result sorted as a whole load is. None when the log does
    not reach back to ``since``, the changes are too many, or a new value does not fit
    the column's kind (the caller reads it whole)."""
    start = conn.execute("SELECT value FROM counters WHERE name = 'column_log_from'").fetchone()
    if start is None or since < start[0]:
        return None
    changed = np.fromiter((row[0] for row in conn.execute(
        "SELECT DISTINCT id FROM column_log WHERE version > ?", (since,))), dtype=np.int64)
    if len(changed) > max(1000, APPLY_AT_MOST * len(stale.ids)):
        return None
    listed = json.dumps(changed.tolist())
    if kind == "term":
        rows = conn.execute(
            "SELECT d.cell, d.id, d.ctime FROM json_each(?) AS j CROSS JOIN datasets AS d ON d.id = j.value "
            "CROSS JOIN postings AS p ON p.term = ? AND p.cell = d.cell AND p.id = d.id", (listed, ident)).fetchall()
        fresh = Column(cells=np.asarray([r[0] for r in rows], dtype=np.int32),
                       ids=np.asarray([r[1] for r in rows], dtype=np.int32),
                       ctimes=np.asarray([r[2] for r in rows], dtype=np.int64))
    else:
        rows = conn.execute(
            "SELECT m.cell, m.id, d.ctime, m.v FROM json_each(?) AS j CROSS JOIN metadata AS m "
            "ON m.id = j.value AND m.field = ? CROSS JOIN datasets AS d ON d.id = m.id", (listed, ident)).fetchall()
        fresh = _field_column(rows, stale.values.dtype.kind) if rows else None
        if fresh is None and rows:
            return None
    if not rows:
        fresh = Column(cells=np.zeros(0, np.int32), ids=np.zeros(0, np.int32), ctimes=np.zeros(0, np.int64),
                       values=stale.values[:0] if stale.values is not None else None)
    top = max(int(stale.ids.max()) if len(stale.ids) else 0, int(changed.max()) if len(changed) else 0)
    dropped = np.zeros(top + 1, dtype=bool)
    dropped[changed] = True
    return _merged(stale, ~dropped[stale.ids], fresh)


CARRY_DERIVED = True
"""Whether an updated column takes over its stale copy's value ranks and time order (a
switch for the benchmark's side-by-side run)."""


def _carried_ranks(stale: Column, keep: np.ndarray, fresh: Column):
    """``(distinct values, ranks of the kept rows, ranks of fresh's rows)`` of the
    updated column, from the stale copy's ranks (``Column._ranked``) with the fresh rows'
    new values inserted (those after them move up), or None when the stale copy has none.
    Ranking a million values from scratch sorts them all (0.1-0.5 s); this costs a pass
    over the rows and a binary search per new value."""
    if stale._ranks is None or stale.values is None or not CARRY_DERIVED:
        return None
    distinct, keys = stale._ranks
    ranks = keys[keep] - stale.cells[keep].astype(np.int64) * len(distinct)
    new = np.unique(fresh.values)
    distinct = distinct.astype(np.result_type(distinct, new), copy=False)  # a longer text: widen first
    at = np.searchsorted(distinct, new)
    known = at < len(distinct)
    known[known] = distinct[at[known]] == new[known]
    if not known.all():
        places = at[~known]
        ranks = ranks + np.cumsum(np.bincount(places, minlength=len(distinct) + 1))[ranks]
        distinct = np.insert(distinct, places, new[~known])
    return distinct, ranks, np.searchsorted(distinct, fresh.values).astype(np.int64)


def _carried_by_time(by_time: tuple[np.ndarray, np.ndarray], keep: np.ndarray, places: np.ndarray,
                     fresh_times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stale copy's time order (``Column.by_time``) for the merged rows: the kept
    rows' positions moved past the rows inserted before them (``places``, ascending,
    into the kept rows), and the inserted rows (their times ``fresh_times``, in the
    order of ``places``) put in by time; instead of sorting every time again."""
    order, times = by_time
    kept_at = np.cumsum(keep) - 1  # old position -> position among the kept rows
    in_time = keep[order]
    kept = kept_at[order[in_time]]
    positions = kept + np.cumsum(np.bincount(places, minlength=len(kept) + 1))[kept]  # rows inserted at or before
    kept_times = times[in_time]
    inserted = places + np.arange(len(places))
    by = np.argsort(fresh_times, kind="stable")
    at = np.searchsorted(kept_times, fresh_times[by], "right")
    return np.insert(positions, at, inserted[by]), np.insert(kept_times, at, fresh_times[by])


MERGE_AT_MOST = 20_000
"""New rows placed into the sorted rows kept by binary search; more are sorted in with
them (at 1M rows a sort takes 0.2-0.3 s, placing 10,000 rows a few ms)."""


def _merged(stale: Column, keep: np.ndarray, fresh: Column) -> Column:
    """The rows of ``stale`` that ``keep`` says, with ``fresh``'s rows put in their
    places, sorted as a whole load is (by cell, then id for a word or value for a
    field); the stale copy's value ranks and time order carried over where it has them."""
    cells, ids, ctimes = stale.cells[keep], stale.ids[keep], stale.ctimes[keep]
    values = stale.values[keep] if stale.values is not None else None
    fresh_values = fresh.values
    if values is not None:  # a longer text than the column's width: widen it (insert would cut it)
        values = values.astype(np.result_type(values, fresh_values), copy=False)
    carried = _carried_ranks(stale, keep, fresh)
    if len(fresh.ids) > MERGE_AT_MOST:
        cells, ids, ctimes = (np.concatenate([a, b]) for a, b in ((cells, fresh.cells), (ids, fresh.ids),
                                                                  (ctimes, fresh.ctimes)))
        values = np.concatenate([values, fresh_values]) if values is not None else None
        order = np.lexsort((ids if values is None else values, cells))
        column = Column(cells=cells[order], ids=ids[order], ctimes=ctimes[order],
                        values=values[order] if values is not None else None)
        if carried is not None:
            ranks = np.concatenate(carried[1:])[order]
            column._ranks = (carried[0], column.cells.astype(np.int64) * len(carried[0]) + ranks)
        return column
    # one ascending int64 key per row: (cell, id) of a word, (cell, value rank) of a field
    keys = fresh_keys = None
    if values is None:
        keys = (cells.astype(np.int64) << 32) | ids
        fresh_keys = (fresh.cells.astype(np.int64) << 32) | fresh.ids
    elif carried is not None:
        distinct, kept_ranks, fresh_ranks = carried
        keys = cells.astype(np.int64) * len(distinct) + kept_ranks
        fresh_keys = fresh.cells.astype(np.int64) * len(distinct) + fresh_ranks
    if keys is not None:
        order = np.argsort(fresh_keys, kind="stable")
        places = np.searchsorted(keys, fresh_keys[order])
    else:  # a field without ranks: by cell, then each value among its cell's
        order = np.lexsort((fresh_values, fresh.cells))
        low, high = bounds(cells, fresh.cells[order])
        places = np.empty(len(order), dtype=np.int64)
        for j, (begin, end, value) in enumerate(zip(low.tolist(), high.tolist(), fresh_values[order])):
            places[j] = begin + np.searchsorted(values[begin:end], value)
    column = Column(cells=np.insert(cells, places, fresh.cells[order]), ids=np.insert(ids, places, fresh.ids[order]),
                    ctimes=np.insert(ctimes, places, fresh.ctimes[order]),
                    values=np.insert(values, places, fresh_values[order]) if values is not None else None)
    if carried is not None:  # as Column._ranked computes them, without sorting every value again
        column._ranks = (carried[0], np.insert(keys, places, fresh_keys[order]))
    if stale._by_time is not None and CARRY_DERIVED:
        column._by_time = _carried_by_time(stale._by_time, keep, places, fresh.ctimes[order])
    return column


# --- keeping columns loaded ahead of searches --------------------------------------

WARM_SHARE = 0.5
"""The part of the budget the warmer fills at start (the rest is for what searches ask)."""

RELOAD_RECENT = 60.0
"""After a write, the warmer reloads the changed columns searches used within this many
seconds (most recent first); older ones are dropped and load when next searched."""

IDLE_SECONDS = 2.0
"""The warmer reloads changed columns only after this long without a search: measured
at 100k datasets, reloading while searches ran made them wait longer (p99 4-7 s after
an ingest) than loading on demand (2.5 s); reloading is for the quiet time after an
ingest, so the next user's first search finds the columns loaded."""

WARM_MIN_DATASETS = 1000
"""Words used by fewer datasets load in milliseconds when first searched: not warmed."""


class ColumnWarmer:
    """Loads columns before searches need them, in one background thread.

    At start: the metadata fields with the most rows and the most used words, up to
    :data:`WARM_SHARE` of the budget, a field with its value ranks (which any count of
    a condition needs: 0.1-0.5 s to derive at a million rows), since at a million
    datasets a field every dataset has takes seconds to read and the first search using
    it would wait that long. Searches that want a long column not held meanwhile answer
    from SQL (:meth:`ColumnCache._get`): the warmer loads those first. Then every
    ``interval`` seconds: the columns held whose word or field changed since (another
    process's ingest, a vote does not count) and that searches used within
    :data:`RELOAD_RECENT` are loaded again at their new version, most recently used
    first, while no search has run for :data:`IDLE_SECONDS`, and the old copies dropped, so the first search after a large ingest finds
    the new column loaded or being loaded (it waits for that load rather than starting
    its own). ``transaction`` is the store's read transaction (a context manager giving a
    connection)."""

    def __init__(self, cache: "ColumnCache", transaction, interval: float = 1.0, prepare=None):
        self.cache = cache
        self.transaction = transaction
        self.interval = interval
        self.prepare = prepare
        """``prepare(conn)``: what else every search reads first (the store's cells and
        proposal titles: 0.4 s at a million datasets), read before the columns."""
        self.warmed = threading.Event()
        self._stop = threading.Event()
        self._wanted: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._wanted_lock = threading.Lock()
        self._woken = threading.Event()
        self._thread = threading.Thread(target=self._run, name="column-warmer", daemon=True)

    def start(self) -> "ColumnWarmer":
        self.cache.defer = self.want
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.cache.defer == self.want:
            self.cache.defer = None
        self._stop.set()
        self._woken.set()

    def stop_and_wait(self, interrupt, seconds: float) -> threading.Thread | None:
        """Stop, calling ``interrupt(thread)`` (which aborts the statement the thread
        runs) until the thread has ended, for at most ``seconds``; the thread if it is
        still running then, else None."""
        self.stop()
        deadline = time.monotonic() + seconds
        while self._thread.is_alive() and time.monotonic() < deadline:
            interrupt(self._thread)  # again: a statement started since is aborted too
            self._thread.join(0.05)
        return self._thread if self._thread.is_alive() else None

    def want(self, kind: str, ident: int) -> None:
        """A search wants this column and does not hold it: load it next (searches
        meanwhile answer from SQL)."""
        with self._wanted_lock:
            self._wanted[(kind, ident)] = None
        self._woken.set()

    def _run(self) -> None:
        try:
            self.warm()
        except Exception:  # noqa: BLE001 - a store outage: searches load what they need
            if not self._stop.is_set():  # (stopping interrupts its statement)
                log.warning("search columns not loaded ahead", exc_info=True)
        finally:
            self.warmed.set()
        while not self._stop.is_set():
            self._woken.wait(self.interval)
            self._woken.clear()
            try:
                self.serve()
                self.refresh()
            except Exception:  # noqa: BLE001
                log.debug("search columns not refreshed", exc_info=True)
        self.cache.defer = None

    def serve(self) -> None:
        """Load the columns searches wanted (see :meth:`ColumnCache._get`), in the order asked."""
        while not self._stop.is_set():
            with self._wanted_lock:
                if not self._wanted:
                    return
                kind, ident = self._wanted.popitem(last=False)[0]
            self._load_current(kind, ident)

    def _load_current(self, kind: str, ident: int) -> None:
        """Load a column at its current version, with the arrays searches derive from it."""
        with self.transaction() as conn:  # each in its own snapshot: versions may have moved
            current = conn.execute(f"SELECT version FROM {'metadata_fields' if kind == 'field' else 'vocabulary'}"
                                   " WHERE id = ?", (ident,)).fetchone()
            if current is None:
                return
            column = (self.cache.field if kind == "field" else self.cache.term)(conn, ident, current[0], touch=False)
            if column is not None and column.values is not None:  # not by the first search counting by it
                self.cache.derive(column, column._ranked)

    def warm(self) -> None:
        budget = self.cache.budget_bytes * WARM_SHARE
        with self.transaction() as conn:
            if self.prepare is not None:
                self.prepare(conn)
            fields = conn.execute(
                "SELECT f.id, f.version, c.rows FROM metadata_fields AS f JOIN "
                "(SELECT field, sum(n) AS rows FROM metadata_counts GROUP BY field) AS c ON c.field = f.id "
                "ORDER BY c.rows DESC").fetchall()
            terms = conn.execute("SELECT id, version, n FROM vocabulary WHERE n >= ? ORDER BY n DESC LIMIT 1000",
                                 (WARM_MIN_DATASETS,)).fetchall()
        # a field with its value ranks (derived below)
        planned = sorted([("field", i, v, rows * 40) for i, v, rows in fields] +
                         [("term", i, v, n * 16) for i, v, n in terms], key=lambda item: -item[3])
        for kind, ident, version, size in planned:
            self.serve()  # what searches asked for meanwhile comes first
            if self._stop.is_set() or size > budget:
                continue
            budget -= size
            self._load_current(kind, ident)

    def refresh(self) -> None:
        held = self.cache.held()
        if not held:
            return
        with self.transaction() as conn:
            fields = dict(conn.execute("SELECT id, version FROM metadata_fields").fetchall())
            term_ids = sorted({ident for kind, ident, _ in held if kind == "term"})
            terms: dict[int, int] = {}
            for start in range(0, len(term_ids), 500):
                chunk = term_ids[start:start + 500]
                terms.update(conn.execute(f"SELECT id, version FROM vocabulary WHERE id IN "
                                          f"({','.join('?' * len(chunk))})", chunk).fetchall())
            keys = set(held)
            stale = [(kind, ident, version, (fields if kind == "field" else terms).get(ident))
                     for kind, ident, version in held]
            stale = [item for item in stale if item[3] is not None and item[3] != item[2]]
            # the most recently searched first; those nobody searched lately are only dropped
            # (reloading every changed column after a large ingest would keep the core busy
            # while searches wait)
            now = time.monotonic()
            stale.sort(key=lambda item: -self.cache.last_used(item[0], item[1]))
            for kind, ident, version, current in stale:
                if time.monotonic() - self.cache.last_search < IDLE_SECONDS:
                    return  # searches are running: they load what they need; the rest next round
                if now - self.cache.last_used(kind, ident) <= RELOAD_RECENT and (kind, ident, current) not in keys:
                    (self.cache.field if kind == "field" else self.cache.term)(conn, ident, current, touch=False)
                    keys.add((kind, ident, current))
                self.cache.discard((kind, ident, version))


# --- evaluating a search's predicates on columns -----------------------------------

MAX_TERMS = 64
"""A prefix expanding to more words than this is left to SQL."""

SMALL_COLUMN = 4096
"""Membership in a column this short is tested by sorting, not through its dense form."""


@dataclass
class _Source:
    """One predicate's columns, with the positions of its rows in the usable cells."""

    columns: list[Column]
    positions: list[np.ndarray]
    op: str | None = None  # conditions: ``values op value``
    value: float = 0.0

    @property
    def rows(self) -> int:
        return sum(len(p) for p in self.positions)

    def matches(self, cache: ColumnCache) -> Matches:
        if self.op is not None:
            column, positions = self.columns[0], self.positions[0]
            positions = positions[compare(column.values[positions], self.op, self.value)]
            return Matches(column.ids[positions], column.cells[positions], column.ctimes[positions])
        # a prefix's expansions, most rows first; each next one adds the datasets the
        # earlier ones do not hold (a dataset may hold several)
        order = sorted(range(len(self.columns)), key=lambda i: -len(self.positions[i]))
        parts, earlier = [], []
        for i in order:
            column, positions = self.columns[i], self.positions[i]
            if len(positions) == 0:
                continue
            if earlier:
                ids = column.ids[positions]
                positions = positions[~_held_by(cache, earlier, ids)]
            parts.append(Matches(column.ids[positions], column.cells[positions], column.ctimes[positions]))
            earlier.append(column)
        return _joined(parts)

    def holds(self, cache: ColumnCache, found: Matches) -> np.ndarray:
        """Which of ``found`` this predicate matches."""
        ids = found.ids
        if self.op is not None:
            column = self.columns[0]
            return compare(_lookup(cache.derive(column, column.dense), ids, np.nan), self.op, self.value)
        return _held_by(cache, self.columns, ids)


@dataclass
class _TitledSource:
    """A query word OR'd with proposal titles (``predicates.Titled``): the datasets of
    the word's columns (``words``; None: no dataset has the word) and every dataset of
    the titled proposals' cells (``titled``, within the cells searched: a cell is one
    proposal's), which SQL lists by the cell index when this predicate is the rarest."""

    words: _Source | None
    titled: np.ndarray
    conn: object
    titled_rows: int

    @property
    def rows(self) -> int:
        return (self.words.rows if self.words is not None else 0) + self.titled_rows

    def matches(self, cache: ColumnCache) -> Matches:
        parts = []
        if self.words is not None:
            own = self.words.matches(cache)
            parts.append(own.keep(~np.isin(own.cells, self.titled)))
        if len(self.titled):
            cells, ids, ctimes = self.conn.execute(
                "SELECT group_concat(cell), group_concat(id), group_concat(ctime) FROM datasets "
                "INDEXED BY datasets_by_cell WHERE cell IN (SELECT value FROM json_each(?))",
                (json.dumps(self.titled.tolist()),)).fetchone()
            parts.append(Matches(_ints(ids), _ints(cells), _ints(ctimes, np.int64)))
        return _joined(parts)

    def holds(self, cache: ColumnCache, found: Matches) -> np.ndarray:
        out = np.isin(found.cells, self.titled)
        if self.words is not None:
            out |= self.words.holds(cache, found)
        return out


def _joined(parts: list[Matches]) -> Matches:
    """The matches of every part, one after another."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return Matches(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))
    return Matches(*(np.concatenate([getattr(m, name) for m in parts]) for name in ("ids", "cells", "ctimes")))


def _held_by(cache: ColumnCache, columns: list[Column], ids: np.ndarray) -> np.ndarray:
    """Which of ``ids`` any of the word columns holds."""
    out = np.zeros(len(ids), dtype=bool)
    for column in columns:
        if len(column.ids) <= SMALL_COLUMN:
            out |= np.isin(ids, column.ids)
        else:
            out |= _lookup(cache.derive(column, column.dense), ids, False)
    return out


def _rows(group, index: int) -> int | None:
    """The datasets having a group's ``index``-th term (None: not known)."""
    return group.sizes[index] if index < len(group.sizes) else None


def _alone(cache: ColumnCache, conn, predicate) -> tuple[Column, str | None, object, object] | None:
    """(column, op, value, within) of a predicate columns answer alone."""
    from .predicates import Condition, TextGroup

    if isinstance(predicate, TextGroup) and len(predicate.terms) == 1 and predicate.versions:
        column = cache.term(conn, predicate.terms[0], predicate.versions[0], rows=_rows(predicate, 0))
        return (column, None, None, None) if column is not None else None
    if isinstance(predicate, Condition) and (predicate.numeric or isinstance(predicate.value, str)):
        column = cache.field(conn, predicate.field, predicate.version)
        if column is not None and column.numeric == predicate.numeric:
            value = float(predicate.value) if predicate.numeric else predicate.value
            return column, predicate.op, value, predicate.within
    return None


def count_alone(cache: ColumnCache, conn, predicate, cells: np.ndarray) -> np.ndarray | None:
    """Matches per cell of ``cells`` of a search with this one predicate (one word or
    one condition), counted without listing them; None: not from columns."""
    found = _alone(cache, conn, predicate)
    if found is None:
        return None
    column, op, value, within = found
    return cache.derive(column, lambda: column.count_in(cells, op, value, within))


WALK_STEP = 1024
"""Rows tested in the first step of a walk in time order (each next step doubles)."""


def first_by_time_alone(cache: ColumnCache, conn, predicate, passing: np.ndarray, total: int, count: int,
                        descending: bool, after: int | None) -> np.ndarray | None:
    """Ids of a superset of the first ``count`` matches by creation time (as
    :meth:`Matches.first_by_time`) of a one-predicate search, found by walking the
    column in time order and testing each row's cell (``passing``: a mask by cell id)
    and value; None when listing every match is cheaper (few matches in a long column)."""
    found = _alone(cache, conn, predicate)
    if found is None or total == 0:
        return None
    column, op, value, within = found
    if count * len(column.ids) / total > 3 * total:
        return None
    order, times = cache.derive(column, column.by_time)
    start = 0
    if after is not None:  # the first row at or beyond the cursor's time, in walking order
        start = (len(times) - int(np.searchsorted(times, after, "right")) if descending
                 else int(np.searchsorted(times, after, "left")))
    if descending:
        order, times = order[::-1], times[::-1]
    hits, step, position = [], WALK_STEP, start
    while position < len(order):
        part = order[position:position + step]
        cells = column.cells[part]
        inside = cells < len(passing)
        ok = np.zeros(len(part), dtype=bool)
        ok[inside] = passing[cells[inside]]
        ok &= column.test(part, op, value, within)
        hits.append(part[ok])
        position += step
        step *= 2
        walked = np.concatenate(hits)
        at_cursor = int((column.ctimes[walked] == after).sum()) if after is not None else 0
        if len(walked) >= count + at_cursor:  # enough, once the last one's ties are all walked
            last = column.ctimes[walked[count + at_cursor - 1]]
            if position >= len(order) or times[position] != last:
                break
    return column.ids[np.concatenate(hits)] if hits else np.zeros(0, dtype=np.int32)


def evaluate(cache: ColumnCache, conn, predicates, cells: np.ndarray) -> Matches | None:
    """The datasets of ``cells`` (ascending cell ids) matching every predicate, or None
    when one of them is not held in columns (keywords, dates, votes, text values)."""
    from .predicates import Condition, TextGroup, Titled

    def words(group: TextGroup) -> _Source | None:
        if len(group.terms) > MAX_TERMS or not group.versions:
            return None
        columns = [cache.term(conn, t, v, rows=_rows(group, i)) for i, (t, v) in enumerate(zip(group.terms,
                                                                                               group.versions))]
        if any(c is None for c in columns):  # being loaded by the warmer: SQL answers
            return None
        return _Source(columns, [c.rows_in(cells) for c in columns])

    sources = []
    for predicate in predicates:
        if isinstance(predicate, TextGroup) and (source := words(predicate)) is not None:
            sources.append(source)
        elif isinstance(predicate, Titled):
            own = words(predicate.inner) if predicate.inner is not None else None
            if predicate.inner is not None and own is None:
                return None
            titled = np.asarray(json.loads(predicate.cells), dtype=cells.dtype)
            at = np.searchsorted(cells, titled)  # those of the cells searched (both ascending)
            inside = at < len(cells)
            inside[inside] = cells[at[inside]] == titled[inside]
            titled = titled[inside]
            titled_rows = predicate.estimate - (predicate.inner.estimate if predicate.inner is not None else 0)
            sources.append(_TitledSource(own, titled, conn, int(titled_rows) if len(titled) else 0))
        elif isinstance(predicate, Condition) and predicate.numeric:
            column = cache.field(conn, predicate.field, predicate.version)
            if column is None or not column.numeric:
                return None
            sources.append(_Source([column], [column.rows_in(cells)], predicate.op, float(predicate.value)))
        else:
            return None
    if not sources:
        return None
    sources.sort(key=lambda s: s.rows)
    found = sources[0].matches(cache)
    for source in sources[1:]:
        if len(found.ids) == 0:
            break
        found = found.keep(source.holds(cache, found))
    return found
