"""The facet values of every cell, cached in memory, and facet counts rolled up from them.

A cell's facet values never change (a dataset whose values change moves to another
cell, and cell ids are never reused), so every process keeps them in arrays indexed by
cell id and only loads cells newer than the ones it has. A search then needs only the
*counts* per cell from the database; filtering cells by facet and summing counts per
facet value are array operations.
"""

from __future__ import annotations

import heapq
import json
import threading
from dataclasses import dataclass

import numpy as np

from ..query import MAX_FACET_VALUES, FacetCount

FACET_COLUMNS = ("beamline", "proposal", "technique", "type", "year")


class _Codes:
    """Values of one facet numbered in order of appearance."""

    def __init__(self):
        self.values: list = []
        self.index: dict = {}

    def code(self, value) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found


@dataclass(frozen=True)
class _Arrays:
    size: int  # cells loaded: ids 1..size-1
    beamline: np.ndarray
    proposal: np.ndarray
    tset: np.ndarray
    type: np.ndarray
    year: np.ndarray


@dataclass
class FacetFilters:
    """A search's facet filters (empty = no filter on that facet)."""

    beamline: list[str]
    proposal: list[str]
    technique: list[str]
    type: list[str]
    year: list[int]

    @classmethod
    def of(cls, query) -> "FacetFilters":
        return cls(query.beamline, query.proposal, query.technique, query.type, query.year)


@dataclass
class CellSelection:
    """Cells an identity sees, with which facet filters each one fails.

    ``candidates`` (failing at most one filter) are what disjunctive facet counts need;
    ``passing`` (failing none) hold the results.
    """

    ids: np.ndarray
    n: np.ndarray
    passes: dict[str, np.ndarray]
    fails: np.ndarray

    @property
    def candidate_mask(self) -> np.ndarray:
        return self.fails <= 1

    @property
    def passing_mask(self) -> np.ndarray:
        return self.fails == 0


class CellIndex:
    """Facet values by cell id for one store (shared by its threads)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._beamlines, self._proposals, self._types = _Codes(), _Codes(), _Codes()
        self._tsets, self._techniques = _Codes(), _Codes()
        self._tset_techniques: list[list[int]] = []
        self._lists = {name: [0] for name in ("beamline", "proposal", "tset", "type", "year")}
        self._arrays = self._freeze()

    def _freeze(self) -> _Arrays:
        return _Arrays(
            size=len(self._lists["year"]),
            **{name: np.asarray(values, dtype=np.int64) for name, values in self._lists.items()},
        )

    def ensure(self, conn, max_id: int) -> _Arrays:
        """The arrays, loading cells up to ``max_id`` first if they are new."""
        arrays = self._arrays
        if max_id < arrays.size:
            return arrays
        with self._lock:
            if max_id >= self._arrays.size:
                self._load(conn)
            return self._arrays

    def _load(self, conn) -> None:
        rows = conn.execute(
            "SELECT id, beamline, proposal, techniques, type, year FROM cells WHERE id >= ? ORDER BY id",
            (self._arrays.size,),
        ).fetchall()
        lists = self._lists
        for cell_id, beamline, proposal, techniques, type_, year in rows:
            while len(lists["year"]) < cell_id:  # a gap (rolled-back insert): never used
                for values in lists.values():
                    values.append(0)
            tset = tuple(json.loads(techniques))
            if tset not in self._tsets.index:
                self._tset_techniques.append([self._techniques.code(t) for t in tset])
            lists["beamline"].append(self._beamlines.code(beamline))
            lists["proposal"].append(self._proposals.code(proposal))
            lists["tset"].append(self._tsets.code(tset))
            lists["type"].append(self._types.code(type_))
            lists["year"].append(year)
        self._arrays = self._freeze()

    # -- per search --------------------------------------------------------------
    def select(self, arrays: _Arrays, ids: np.ndarray, n: np.ndarray, filters: FacetFilters) -> CellSelection:
        passes: dict[str, np.ndarray] = {}
        fails = np.zeros(len(ids), dtype=np.int64)
        for facet in FACET_COLUMNS:
            wanted = getattr(filters, facet)
            if not wanted:
                continue
            if facet == "technique":
                codes = {self._techniques.index[t] for t in wanted if t in self._techniques.index}
                tset_ok = np.array([not codes.isdisjoint(techs) for techs in self._tset_techniques] or [False])
                ok = tset_ok[arrays.tset[ids]] if len(self._tset_techniques) else np.zeros(len(ids), bool)
            elif facet == "year":
                ok = np.isin(arrays.year[ids], np.asarray(wanted, dtype=np.int64))
            else:
                codes_of = self._facet_codes(facet)
                codes = [codes_of.index[v] for v in wanted if v in codes_of.index]
                ok = np.isin(getattr(arrays, facet)[ids], np.asarray(codes, dtype=np.int64))
            passes[facet] = ok
            fails += (~ok).astype(np.int64)
        return CellSelection(ids=ids, n=n, passes=passes, fails=fails)

    def _facet_codes(self, facet: str) -> _Codes:
        return {"beamline": self._beamlines, "proposal": self._proposals, "type": self._types}[facet]

    def facets(self, arrays: _Arrays, selection: CellSelection, counts: np.ndarray) -> dict[str, list[FacetCount]]:
        """Disjunctive facet counts: each facet counted with every filter but its own.

        ``counts`` are the matching datasets per selected cell (aligned with its ids).
        """
        out = {}
        for facet in FACET_COLUMNS:
            own = selection.passes.get(facet)
            keep = selection.fails == (0 if own is None else (~own).astype(np.int64))
            ids, weights = selection.ids[keep], counts[keep]
            if facet == "year":
                years, where = np.unique(arrays.year[ids], return_inverse=True)
                sums = np.bincount(where, weights=weights, minlength=len(years))
                out[facet] = _ranked((int(y), int(t)) for y, t in zip(years.tolist(), sums.tolist()) if t)
                continue
            column = "tset" if facet == "technique" else facet
            codes = getattr(arrays, column)[ids]
            sums = np.bincount(codes, weights=weights, minlength=1) if len(codes) else np.zeros(0)
            if facet == "technique":
                out[facet] = self._technique_counts(sums)
            else:
                values = self._facet_codes(facet).values
                codes = np.flatnonzero(sums)
                out[facet] = _ranked(
                    (values[code], int(total)) for code, total in zip(codes.tolist(), sums[codes].tolist())
                    if values[code] != ""
                )
        return out

    def _technique_counts(self, tset_sums: np.ndarray) -> list[FacetCount]:
        totals: dict[int, int] = {}
        codes = np.flatnonzero(tset_sums)
        for tset, total in zip(codes.tolist(), tset_sums[codes].tolist()):
            for technique in self._tset_techniques[tset]:
                totals[technique] = totals.get(technique, 0) + int(total)
        values = self._techniques.values
        return _ranked((values[code], total) for code, total in totals.items())


def _ranked(pairs) -> list[FacetCount]:
    """Most frequent first, ties by value; at most ``MAX_FACET_VALUES``."""
    ordered = heapq.nsmallest(MAX_FACET_VALUES, pairs, key=lambda pair: (-pair[1], pair[0]))
    return [FacetCount(value=value, count=count) for value, count in ordered]
