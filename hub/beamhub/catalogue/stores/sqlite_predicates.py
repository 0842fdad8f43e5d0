"""What a search asks of each dataset beyond its cell: free text, keywords, metadata
conditions, a date range, the caller's vote. Pure SQL builders, no database access.

Each predicate can *drive* a search (list the ``(cell, id)`` of the datasets it
matches within a set of cells, through an index keyed by cell) or *check* one dataset
(a correlated ``EXISTS`` on its id). Some can also count matches per cell from the
aggregate tables when they are the only predicate.

Cells are passed as a JSON array bound to one parameter (``json_each``), so the SQL
text, and with it SQLite's prepared statement, stays the same whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .sqlite_rows import TEXT_VALUE

CELLS_IN = "IN (SELECT value FROM json_each(?))"

SEEK_COST = 1.0
"""Relative cost of one index seek (per cell) against reading one index entry (0.15)."""
ENTRY_COST = 0.15


def in_cells(column: str, cells: str | None, seek: bool = True) -> tuple[str, list]:
    """``column IN cells``: seek the index once per cell, or (``seek=False``) test
    each row read in another order. ``cells=None`` means every cell."""
    if cells is None:
        return "1", []
    return f"{'' if seek else '+'}{column} {CELLS_IN}", [cells]


def seek_cells(cell_count: int, entries: float) -> bool:
    """Whether seeking each of ``cell_count`` cells beats reading ``entries`` rows."""
    return cell_count * SEEK_COST < entries * ENTRY_COST


@dataclass
class Predicate:
    estimate: float
    """Datasets matching in the whole catalogue (rough): the smallest drives."""

    def driver(self, cells: str | None, cell_count: int) -> tuple[str, list]:
        raise NotImplementedError

    def check(self, alias: str, on_datasets: bool) -> tuple[str, list]:
        raise NotImplementedError

    def cell_counts(self, cells: str | None, cell_count: int) -> tuple[str, list] | None:
        return None

    @property
    def drives(self) -> bool:
        return True


@dataclass
class TextGroup(Predicate):
    """One query word: a whole word (one term) or the final prefix (its expansions)."""

    terms: list[int] = field(default_factory=list)
    prefix: str | None = None

    EXPANSIONS_CHECKED_BY_INDEX = 16

    def _terms(self) -> tuple[str, list]:
        if len(self.terms) == 1:
            return "term = ?", [self.terms[0]]
        return "term IN (SELECT value FROM json_each(?))", [_json_ints(self.terms)]

    def driver(self, cells, cell_count):
        terms, params = self._terms()
        column, cell_params = in_cells("cell", cells, seek_cells(cell_count * len(self.terms), self.estimate))
        distinct = "DISTINCT " if len(self.terms) > 1 else ""
        return (f"SELECT {distinct}cell, id FROM postings WHERE {terms} AND {column}", params + cell_params)

    def check(self, alias, on_datasets):
        if len(self.terms) <= self.EXPANSIONS_CHECKED_BY_INDEX:
            terms, params = self._terms()
            return (f"EXISTS (SELECT 1 FROM postings WHERE {terms} AND cell = {alias}.cell AND id = {alias}.id)", params)
        words = f"{alias}.words" if on_datasets else f"(SELECT words FROM datasets WHERE id = {alias}.id)"
        return f"instr({words}, ?) > 0", [" " + (self.prefix or "")]

    def cell_counts(self, cells, cell_count):
        if len(self.terms) != 1:
            return None  # a dataset may hold several expansions: count it once
        column, cell_params = in_cells("cell", cells, seek_cells(cell_count, self.estimate))
        return (f"SELECT cell, n FROM term_cells WHERE term = ? AND {column}", [self.terms[0]] + cell_params)

    def in_name(self, alias: str) -> tuple[str, list]:
        """Whether the word (or a word with the prefix) is one of ``datasetName``'s."""
        terms, params = self._terms()
        return (f"EXISTS (SELECT 1 FROM postings WHERE {terms} AND cell = {alias}.cell AND id = {alias}.id "
                "AND w = 2)", params)


@dataclass
class Keywords(Predicate):
    values: list[str] = field(default_factory=list)

    def driver(self, cells, cell_count):
        column, cell_params = in_cells("cell", cells, seek_cells(cell_count * len(self.values), self.estimate))
        return (f"SELECT DISTINCT cell, id FROM keywords WHERE keyword IN (SELECT value FROM json_each(?)) AND {column}",
                [_json(self.values)] + cell_params)

    def check(self, alias, on_datasets):
        return (f"EXISTS (SELECT 1 FROM keywords WHERE keyword IN (SELECT value FROM json_each(?)) "
                f"AND cell = {alias}.cell AND id = {alias}.id)", [_json(self.values)])


@dataclass
class Condition(Predicate):
    """A scientific-metadata condition in stored form (see ``sqlite_rows``)."""

    name: int = 0
    kind: int = 0
    dim: str = ""
    op: str = "="
    value: object = None

    def _where(self) -> tuple[str, list]:
        op = "=" if self.op == "=" else self.op
        if self.kind == TEXT_VALUE and op not in ("=", "!="):
            raise ValueError(op)
        return f"name = ? AND k = ? AND dim = ? AND v {op} ?", [self.name, self.kind, self.dim, self.value]

    def driver(self, cells, cell_count):
        where, params = self._where()
        column, cell_params = in_cells("cell", cells, seek_cells(cell_count, self.estimate))
        where = where.replace("AND v", f"AND {column} AND v")
        return (f"SELECT cell, id FROM metadata INDEXED BY metadata_by_value WHERE {where}",
                params[:3] + cell_params + params[3:])

    def check(self, alias, on_datasets):
        where, params = self._where()
        return f"EXISTS (SELECT 1 FROM metadata WHERE id = {alias}.id AND {where})", params

    def cell_counts(self, cells, cell_count):
        where, params = self._where()
        column, cell_params = in_cells("cell", cells, seek_cells(cell_count, self.estimate))
        where = where.replace("AND v", f"AND {column} AND v")
        return (f"SELECT cell, sum(n) FROM metadata_counts WHERE {where} GROUP BY cell",
                params[:3] + cell_params + params[3:])


@dataclass
class DateRange(Predicate):
    """``created_after <= creationTime < created_before`` (milliseconds; None = open)."""

    low: int | None = None
    high: int | None = None

    def _where(self, column: str) -> tuple[str, list]:
        parts, params = [], []
        if self.low is not None:
            parts.append(f"{column} >= ?")
            params.append(self.low)
        if self.high is not None:
            parts.append(f"{column} < ?")
            params.append(self.high)
        return " AND ".join(parts) or "1", params

    def driver(self, cells, cell_count):
        where, params = self._where("ctime")
        column, cell_params = in_cells("cell", cells)
        return (f"SELECT cell, id FROM datasets INDEXED BY datasets_by_cell WHERE {column} AND {where}",
                cell_params + params)

    def check(self, alias, on_datasets):
        if on_datasets:
            return self._where(f"{alias}.ctime")
        where, params = self._where("ctime")
        return f"EXISTS (SELECT 1 FROM datasets WHERE id = {alias}.id AND {where})", params


@dataclass
class MyVote(Predicate):
    """The caller's own vote: ``like``, ``dislike``, ``any`` or ``none``."""

    user: str = ""
    mode: str = "any"

    def _values(self) -> list[str]:
        return ["like", "dislike"] if self.mode in ("any", "none") else [self.mode]

    @property
    def drives(self) -> bool:
        return self.mode != "none"

    def driver(self, cells, cell_count):
        column, cell_params = in_cells("d.cell", cells, seek=False)
        return ("SELECT d.cell AS cell, d.id AS id FROM votes AS v CROSS JOIN datasets AS d ON d.id = v.dataset "
                f"WHERE v.user = ? AND v.value IN (SELECT value FROM json_each(?)) AND {column}",
                [self.user, _json(self._values())] + cell_params)

    def check(self, alias, on_datasets):
        negate = "NOT " if self.mode == "none" else ""
        return (f"{negate}EXISTS (SELECT 1 FROM votes WHERE dataset = {alias}.id AND user = ? "
                "AND value IN (SELECT value FROM json_each(?)))", [self.user, _json(self._values())])

    def voted(self) -> "MyVote":
        return MyVote(estimate=self.estimate, user=self.user, mode="any")


def _json(values) -> str:
    import json

    return json.dumps(list(values))


def _json_ints(values) -> str:
    return "[" + ",".join(str(int(v)) for v in values) + "]"
