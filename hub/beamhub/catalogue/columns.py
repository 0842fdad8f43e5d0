"""The column engine's store-independent core: columns of rows sorted by cell, the
matches of a search, and comparisons on arrays.

Each store feeds it from its own database: the SQLite store loads one word's postings or
one metadata field's values per column (``stores.sqlite.columns``, which also keeps them
in a memory budget and evaluates its predicates on them); the MongoDB store holds every
dataset as rows (``stores.mongo.columns``) and uses the same matches, time-ordered
first pages and comparisons. Nothing here reads a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STARTS_FROM = 4096
"""Columns this long keep where each cell's rows start (binary searches miss the
CPU's caches on long columns)."""

EXACT_FLOAT = 2**53
"""Integers beyond this lose precision as float64: such fields stay in SQL."""


def bounds(sorted_cells: np.ndarray, cells: np.ndarray,
           starts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where the rows of each of ``cells`` start and end in ``sorted_cells``;
    ``starts``: each cell id's first position, if at hand."""
    if starts is not None:
        last = len(starts) - 1  # cells newer than the column: an empty run at its end
        return starts[np.minimum(cells, last)], starts[np.minimum(cells + 1, last)]
    cells = cells.astype(sorted_cells.dtype, copy=False)  # else numpy converts the whole column per call
    return np.searchsorted(sorted_cells, cells, "left"), np.searchsorted(sorted_cells, cells, "right")


def within(sorted_cells: np.ndarray, cells: np.ndarray, starts: np.ndarray | None = None) -> np.ndarray:
    """Positions in ``sorted_cells`` of the entries whose cell is one of ``cells``
    (ascending, distinct)."""
    low, high = bounds(sorted_cells, cells, starts)
    lengths = high - low
    keep = lengths > 0
    low, lengths = low[keep], lengths[keep]
    if len(low) == 0:
        return np.zeros(0, dtype=np.int64)
    # each run's start, shifted so that adding 0, 1, 2... walks the runs in turn
    ends = np.cumsum(lengths)
    starts = np.repeat(low - (ends - lengths), lengths)
    starts += np.arange(len(starts))
    return starts


@dataclass
class Column:
    """Rows of one word or one field, sorted by cell, with each dataset's creation
    time (a dataset whose time changes has its rows rewritten, so the copy is current)."""

    cells: np.ndarray
    ids: np.ndarray
    ctimes: np.ndarray
    values: np.ndarray | None = None  # fields only
    _dense: np.ndarray | None = field(default=None, repr=False)
    _ranks: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _by_time: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    starts: np.ndarray | None = field(default=None, repr=False)
    """each cell id's first position (ids past the last cell: the end), for long columns"""

    def __post_init__(self):
        if len(self.cells) >= STARTS_FROM:
            top = int(self.cells[-1]) + 2
            self.starts = np.searchsorted(self.cells, np.arange(top, dtype=self.cells.dtype)).astype(np.int64)

    def rows_in(self, cells: np.ndarray) -> np.ndarray:
        return within(self.cells, cells, self.starts)

    @property
    def numeric(self) -> bool:
        return self.values is not None and self.values.dtype.kind == "f"

    def count_in(self, cells: np.ndarray, op: str | None = None, value=0.0,
                 within: tuple[str, str] | None = None) -> np.ndarray:
        """Rows per cell of ``cells``: all of them (a word), or those whose value
        satisfies ``op value`` (a field; ``within``: only values in that key range
        count for ``!=``), without looking at the rows: within a cell the values are
        sorted, so two binary searches per cell count them."""
        low, high = bounds(self.cells, cells, self.starts)
        if op is None:
            return high - low
        distinct, keys = self._ranked()
        n = len(distinct)
        base = cells.astype(np.int64) * n

        def below(rank: int) -> np.ndarray:  # rows of each cell whose value ranks below ``rank``
            return np.searchsorted(keys, base + rank, "left") - low

        less, upto = int(np.searchsorted(distinct, value, "left")), int(np.searchsorted(distinct, value, "right"))
        total = high - low
        if within is not None:  # rows of the value's own kind only
            total = below(int(np.searchsorted(distinct, within[1], "left"))) - below(
                int(np.searchsorted(distinct, within[0], "left")))
        return {"<": lambda: below(less), "<=": lambda: below(upto), ">": lambda: total - below(upto),
                ">=": lambda: total - below(less), "=": lambda: below(upto) - below(less),
                "!=": lambda: total - (below(upto) - below(less))}[op]()

    def by_time(self) -> tuple[np.ndarray, np.ndarray]:
        """Row positions in creation-time order, and the times in that order."""
        if self._by_time is None:
            order = np.argsort(self.ctimes, kind="stable")
            self._by_time = (order, self.ctimes[order])
        return self._by_time

    def test(self, positions: np.ndarray, op: str | None, value, within: tuple[str, str] | None) -> np.ndarray:
        """Which rows satisfy ``op value`` (every row of a word)."""
        if op is None:
            return np.ones(len(positions), dtype=bool)
        values = self.values[positions]
        ok = compare(values, op, value) if self.numeric else COMPARE[op](values, value)
        if within is not None:
            ok &= (values >= within[0]) & (values < within[1])
        return ok

    def _ranked(self) -> tuple[np.ndarray, np.ndarray]:
        """A field's distinct values, sorted, and each row's ``cell * len(distinct) + rank``
        (ascending, as the rows are sorted by cell and value)."""
        if self._ranks is None:
            distinct, ranks = np.unique(self.values, return_inverse=True)
            self._ranks = (distinct, self.cells.astype(np.int64) * len(distinct) + ranks)
        return self._ranks

    @property
    def nbytes(self) -> int:
        parts = [self.cells, self.ids, self.ctimes, self.values, self._dense, self.starts,
                 *(self._ranks or ()), *(self._by_time or ())]
        return sum(p.nbytes for p in parts if p is not None)

    def dense(self) -> np.ndarray:
        """By dataset id: True for a word's datasets; a field's value (NaN: none)."""
        found = self._dense
        if found is None:
            top = int(self.ids.max()) + 1 if len(self.ids) else 1
            if self.values is None:
                found = np.zeros(top, dtype=bool)
                found[self.ids] = True
            else:
                found = np.full(top, np.nan)
                found[self.ids] = self.values
            self._dense = found
        return found


@dataclass
class Matches:
    """Datasets matching a search, with the cell each one is in and its creation time."""

    ids: np.ndarray
    cells: np.ndarray
    ctimes: np.ndarray

    def keep(self, mask: np.ndarray) -> "Matches":
        return Matches(self.ids[mask], self.cells[mask], self.ctimes[mask])

    def first_by_time(self, count: int, descending: bool, after: int | None) -> np.ndarray:
        """Ids of a superset of the first ``count`` matches in creation-time order
        beyond the cursor's time ``after``: every match at ``after`` itself and the
        ``count`` first beyond it, with all ties of the last. SQL then orders them
        exactly (ties by pid) and applies the cursor."""
        times = -self.ctimes if descending else self.ctimes
        if after is None:
            if len(times) <= count:
                return self.ids
            last = np.partition(times, count - 1)[count - 1]
            return self.ids[times <= last]
        after = -after if descending else after
        beyond = np.flatnonzero(times > after)
        if len(beyond) > count:
            last = np.partition(times[beyond], count - 1)[count - 1]
            beyond = beyond[times[beyond] <= last]
        return np.concatenate([self.ids[times == after], self.ids[beyond]])


def _lookup(dense: np.ndarray, ids: np.ndarray, missing):
    inside = ids < len(dense)
    out = np.full(len(ids), missing, dtype=dense.dtype)
    out[inside] = dense[ids[inside]]
    return out


COMPARE = {
    "<": np.less, "<=": np.less_equal, "=": np.equal, ">=": np.greater_equal, ">": np.greater,
    "!=": np.not_equal,
}


def compare(values: np.ndarray, op: str, value: float) -> np.ndarray:
    """``values op value``, False where there is no value (NaN), ``!=`` included."""
    result = COMPARE[op](values, value)
    if op == "!=":
        result &= ~np.isnan(values)
    return result
