"""Cells cached in memory: which access keys open them, their facet values, their counts.

A cell's signature and facet values never change (a dataset whose values change moves
to another cell, and cell ids are never reused), so every process keeps them in arrays
indexed by cell id and only loads cells newer than those it has. The dataset counts do
change: each write transaction that changes them increments ``counters.cells`` and
stamps the cells it changed with the new value, so a reader loads just those. Readers
use the counts of the snapshot their own transaction sees (a few recent snapshots are
kept), never newer ones.

Finding the cells an identity sees, applying facet filters to them and summing counts
per facet value are then array operations, without touching the database.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import numpy as np

from ...identity import Identity
from ...query import FACETS, MAX_FACET_VALUES

SNAPSHOTS = 4
VISIBLE_SETS = 1024
"""Identities' visible cells remembered per snapshot."""


class _Codes:
    """Values of one facet numbered in order of appearance."""

    def __init__(self):
        self.values: list = []
        self.index: dict = {}
        self._ranks: np.ndarray | None = None

    def code(self, value) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
            self._ranks = None
        return found

    def ranks(self) -> np.ndarray:
        """Each code's place in the sorted values."""
        ranks = self._ranks
        if ranks is None or len(ranks) < len(self.values):
            values = list(self.values)
            ranks = np.empty(len(values), dtype=np.int64)
            ranks[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
            self._ranks = ranks
        return ranks


@dataclass(frozen=True)
class Snapshot:
    """The cells as of one value of ``counters.cells`` (arrays indexed by cell id)."""

    version: int
    size: int  # cell ids are 1..size-1
    n: np.ndarray
    beamline: np.ndarray
    proposal: np.ndarray
    tset: np.ndarray
    type: np.ndarray
    year: np.ndarray
    by_key: dict[str, np.ndarray]
    """access key -> the ids of the cells it opens"""
    visible: dict[frozenset, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    """access keys -> the cells they open together (filled as identities search)"""


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
    """The cells of one store, shared by its threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._beamlines, self._proposals, self._types = _Codes(), _Codes(), _Codes()
        self._tsets, self._techniques = _Codes(), _Codes()
        self._tset_techniques: list[list[int]] = []
        self._columns = {name: [0] for name in ("beamline", "proposal", "tset", "type", "year", "signature")}
        self._signature_keys: dict[int, list[str]] = {}
        self._by_key: dict[str, list[int]] = {}
        self._latest_signature = 0
        self._by_key_arrays: dict[str, np.ndarray] | None = None
        self._arrays: dict[str, np.ndarray] = {}
        self._snapshots: dict[int, Snapshot] = {}

    # -- loading -------------------------------------------------------------------
    def snapshot(self, conn) -> Snapshot:
        """The cells as the caller's transaction sees them."""
        version = conn.execute("SELECT value FROM counters WHERE name = 'cells'").fetchone()[0]
        found = self._snapshots.get(version)
        if found is not None:
            return found
        with self._lock:
            found = self._snapshots.get(version)
            if found is None:
                found = self._load(conn, version)
                self._snapshots[version] = found
                for old in sorted(self._snapshots)[:-SNAPSHOTS]:
                    del self._snapshots[old]
            return found

    def _load(self, conn, version: int) -> Snapshot:
        """The cells newer than those held added, each column read as one JSON array
        (SQLite builds it; one parse each): at 24,000 cells (1M datasets) a row at a
        time took 0.3-0.7 s under load, and every search after a start waits for it."""
        signatures = conn.execute("SELECT json_group_array(id), json_group_array(json(keys)) FROM "
                                  "(SELECT id, keys FROM signatures WHERE id > ? ORDER BY id)",
                                  (self._latest_signature,)).fetchone()
        signature_ids, signature_keys = json.loads(signatures[0]), json.loads(signatures[1])
        self._signature_keys.update(zip(signature_ids, signature_keys))
        if signature_ids:
            self._latest_signature = max(self._latest_signature, signature_ids[-1])
        columns = self._columns
        known = len(columns["year"])
        ids, signature, beamline, proposal, techniques, type_, year = (json.loads(column) for column in conn.execute(
            "SELECT json_group_array(id), json_group_array(signature), json_group_array(beamline), "
            "json_group_array(proposal), json_group_array(techniques), json_group_array(type), "
            "json_group_array(year) FROM (SELECT * FROM cells WHERE id >= ? ORDER BY id)", (known,)).fetchone())
        if ids:
            tsets, tset_codes = {}, []
            for text in techniques:  # a few technique sets among many cells: each parsed once
                tset = tsets.get(text)
                if tset is None:
                    tset = tsets[text] = tuple(json.loads(text))
                    if tset not in self._tsets.index:
                        self._tset_techniques.append([self._techniques.code(t) for t in tset])
                tset_codes.append(self._tsets.code(tset))
            fill = ids[-1] + 1 - known

            def placed(values: list) -> list:  # at their ids' places; ids never committed (never used): 0
                if fill == len(values):
                    return values
                out = [0] * fill
                for cell_id, value in zip(ids, values):
                    out[cell_id - known] = value
                return out

            for name, values in (("beamline", [self._beamlines.code(v) for v in beamline]),
                                 ("proposal", [self._proposals.code(v) for v in proposal]), ("tset", tset_codes),
                                 ("type", [self._types.code(v) for v in type_]), ("year", year),
                                 ("signature", signature)):
                columns[name].extend(placed(values))
            by_key, keys_of = self._by_key, self._signature_keys
            for cell_id, cell_signature in zip(ids, signature):
                for key in keys_of.get(cell_signature, ()):
                    by_key.setdefault(key, []).append(cell_id)
        if ids or self._by_key_arrays is None:
            self._by_key_arrays = {k: np.asarray(v, dtype=np.int64) for k, v in self._by_key.items()}
            self._arrays = {name: np.asarray(values, dtype=np.int64) for name, values in columns.items()
                            if name != "signature"}
        n = self._counts(conn, version, len(columns["year"]))
        return Snapshot(version=version, size=len(columns["year"]), n=n, by_key=self._by_key_arrays, **self._arrays)

    def _counts(self, conn, version: int, size: int) -> np.ndarray:
        """Counts per cell: the nearest older snapshot's, with the cells changed since."""
        older = [s for s in self._snapshots.values() if s.version < version]
        base = max(older, key=lambda s: s.version) if older else None
        n = np.zeros(size, dtype=np.int64)
        if base is None:  # every cell: two arrays, not a row object per cell
            ids, counts = conn.execute("SELECT group_concat(id), group_concat(n) FROM cells").fetchone()
            if ids:
                n[np.fromstring(ids, dtype=np.int64, sep=",")] = np.fromstring(counts, dtype=np.int64, sep=",")
            return n
        else:
            n[: base.size] = base.n
            rows = conn.execute("SELECT id, n FROM cells INDEXED BY cells_by_version WHERE version > ?",
                                (base.version,)).fetchall()
        if rows:
            changed = np.array(rows, dtype=np.int64)
            n[changed[:, 0]] = changed[:, 1]
        return n

    # -- per search --------------------------------------------------------------
    def visible(self, snapshot: Snapshot, identity: Identity) -> np.ndarray:
        """Ids of the cells the identity may see, ascending."""
        if identity.operator:
            return np.flatnonzero(snapshot.year)  # every cell that exists (year 0: never written)
        keys = frozenset(k for k in identity.access_keys() if k in snapshot.by_key)
        found = snapshot.visible.get(keys)
        if found is None:
            parts = [snapshot.by_key[k] for k in sorted(keys)]
            if not parts:
                found = np.zeros(0, dtype=np.int64)
            else:
                found = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
            if len(snapshot.visible) >= VISIBLE_SETS:
                snapshot.visible.clear()
            snapshot.visible[keys] = found
        return found

    def select(self, snapshot: Snapshot, ids: np.ndarray, filters: FacetFilters) -> CellSelection:
        passes: dict[str, np.ndarray] = {}
        fails = np.zeros(len(ids), dtype=np.int64)
        for facet in FACETS:
            wanted = getattr(filters, facet)
            if not wanted:
                continue
            if facet == "technique":
                codes = {self._techniques.index[t] for t in wanted if t in self._techniques.index}
                tset_ok = np.array([not codes.isdisjoint(techs) for techs in self._tset_techniques] or [False])
                ok = tset_ok[snapshot.tset[ids]]
            elif facet == "year":
                ok = np.isin(snapshot.year[ids], np.asarray(wanted, dtype=np.int64))
            else:
                codes_of = self._facet_codes(facet)
                codes = [codes_of.index[v] for v in wanted if v in codes_of.index]
                ok = np.isin(getattr(snapshot, facet)[ids], np.asarray(codes, dtype=np.int64))
            passes[facet] = ok
            fails += (~ok).astype(np.int64)
        return CellSelection(ids=ids, n=snapshot.n[ids], passes=passes, fails=fails)

    def proposal_cells(self, snapshot: Snapshot, proposals) -> np.ndarray:
        """Ids of the cells (existing in ``snapshot``) of datasets of ``proposals``."""
        codes = [self._proposals.index[p] for p in proposals if p in self._proposals.index]
        if not codes:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isin(snapshot.proposal, np.asarray(codes, dtype=np.int64)) & (snapshot.year != 0))

    def _facet_codes(self, facet: str) -> _Codes:
        return {"beamline": self._beamlines, "proposal": self._proposals, "type": self._types}[facet]

    def facets(self, snapshot: Snapshot, selection: CellSelection, counts: np.ndarray) -> dict[str, list[dict]]:
        """Disjunctive facet counts: each facet counted with every filter but its own.

        ``counts`` are the matching datasets per selected cell (aligned with its ids).
        """
        out = {}
        for facet in FACETS:
            own = selection.passes.get(facet)
            keep = selection.fails == (0 if own is None else (~own).astype(np.int64))
            ids, weights = selection.ids[keep], counts[keep]
            if facet == "year":
                years, where = np.unique(snapshot.year[ids], return_inverse=True)
                sums = np.bincount(where, weights=weights, minlength=len(years))
                out[facet] = _ranked((int(y), int(t)) for y, t in zip(years.tolist(), sums.tolist()) if t)
                continue
            column = "tset" if facet == "technique" else facet
            codes = getattr(snapshot, column)[ids]
            sums = np.bincount(codes, weights=weights, minlength=1) if len(codes) else np.zeros(0)
            if facet == "technique":
                out[facet] = self._technique_counts(sums)
            else:
                out[facet] = self._top_values(self._facet_codes(facet), sums)
        return out

    def _top_values(self, codes_of: _Codes, sums: np.ndarray) -> list[dict]:
        """The most frequent values (ties by value), ranked in arrays: a proposal facet
        can have thousands of values."""
        codes = np.flatnonzero(sums)
        if len(codes) > MAX_FACET_VALUES:
            order = np.lexsort((codes_of.ranks()[codes], -sums[codes]))[:MAX_FACET_VALUES]
            codes = codes[order]
        values = codes_of.values
        return _ranked((values[code], int(total)) for code, total in zip(codes.tolist(), sums[codes].tolist())
                       if values[code] != "")

    def _technique_counts(self, tset_sums: np.ndarray) -> list[dict]:
        totals: dict[int, int] = {}
        codes = np.flatnonzero(tset_sums)
        for tset, total in zip(codes.tolist(), tset_sums[codes].tolist()):
            for technique in self._tset_techniques[tset]:
                totals[technique] = totals.get(technique, 0) + int(total)
        values = self._techniques.values
        return _ranked((values[code], total) for code, total in totals.items())


def _ranked(pairs) -> list[dict]:
    """Most frequent first, ties by value; at most ``MAX_FACET_VALUES``."""
    ordered = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:MAX_FACET_VALUES]
    return [{"value": value, "count": count} for value, count in ordered]  # SearchResult validates them
