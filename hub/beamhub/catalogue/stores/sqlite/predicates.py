"""What a search asks of each dataset beyond its cell: free text, keywords, metadata
conditions, a date range, the caller's vote. Pure SQL builders, no database access.

Each predicate can *drive* a search (list the ``(cell, id)`` of the datasets it
matches within a set of cells, through an index keyed by cell) or *check* one dataset
(a correlated ``EXISTS`` on its id). Words and metadata conditions can also count their
matches per cell from the aggregate tables (``counts``): the answer when they are
alone, and otherwise the cells worth seeking into.

Cells and access keys are passed as a JSON array bound to one parameter
(``json_each``), so the SQL text, and with it SQLite's prepared statement, stays the
same whatever their number. Seeking an index once per listed value is written as a
join from the list (never ``column IN (list)`` followed by a range on the next
column: SQLite 3.40's "seek-scan" step then skips the range's upper bound and returns
rows beyond it; ``test_sqlite_store`` checks the answers against a plain reading).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

LIST = "(SELECT value FROM json_each(?))"
KEYS_IN = f"IN (SELECT id FROM access_keys WHERE key IN {LIST})"

SEEK_COST = 1.0
"""Relative cost of one index seek (per cell) against reading one index entry (0.15)."""
ENTRY_COST = 0.15


@dataclass
class Source:
    """``FROM`` and ``WHERE`` parts restricting ``alias`` (a table keyed by cell) to
    some cells, with their parameters in order (those of ``FROM`` first)."""

    tables: str
    where: str
    params: list


def from_cells(table: str, alias: str, cells: str | None, seek: bool = True, index: str | None = None) -> Source:
    """``table AS alias`` within ``cells``: a seek per cell (a join from the list), or,
    with ``seek=False``, a test of each row read in another order. None: every cell.
    ``index`` names the index to read."""
    named = f"{table} AS {alias}" + (f" INDEXED BY {index}" if index else "")
    if cells is None:
        return Source(named, "1", [])
    if seek:
        return Source(f"json_each(?) AS cells CROSS JOIN {named}", f"{alias}.cell = cells.value", [cells])
    return Source(named, f"+{alias}.cell IN {LIST}", [cells])


def from_keys(table: str, alias: str, keys: str) -> Source:
    """``table AS alias`` seeked once per access key of ``keys`` (key strings)."""
    return Source(f"access_keys AS a CROSS JOIN {table} AS {alias}", f"a.key IN {LIST} AND {alias}.key = a.id",
                  [keys])


def seek_cells(cell_count: int, entries: float) -> bool:
    """Whether seeking each of ``cell_count`` cells beats reading ``entries`` rows."""
    return cell_count * SEEK_COST < entries * ENTRY_COST


@dataclass
class Predicate:
    estimate: float
    """Datasets matching in the whole catalogue (rough): the smallest drives."""

    def driver(self, cells: str | None, cell_count: int) -> tuple[str, list]:
        """SQL giving the ``(cell, id)`` of the matches within ``cells``."""
        raise NotImplementedError

    def check(self, alias: str, on_datasets: bool) -> tuple[str, list]:
        """A condition on ``alias.id``/``alias.cell`` (``on_datasets``: alias is a
        ``datasets`` row)."""
        raise NotImplementedError

    def counts(self, keys: str | None) -> tuple[str, list] | None:
        """SQL giving ``(key, cell, n)`` rows: matches per cell, repeated under each of
        the access keys ``keys`` (a JSON list; None = every cell, for operators) that
        open the cell. None if this predicate has no aggregate."""
        return None

    @property
    def drives(self) -> bool:
        return True

    @property
    def exact(self) -> bool:
        """Whether :meth:`counts` counts exactly this predicate's matches."""
        return False


@dataclass
class TextGroup(Predicate):
    """One query word: a whole word (one term) or the final prefix (its expansions)."""

    terms: list[int] = field(default_factory=list)
    prefix: str | None = None
    sizes: list[int] = field(default_factory=list)
    """datasets having each term (the vocabulary's counts)"""
    versions: list[int] = field(default_factory=list)
    """each term's ``vocabulary.version`` (empty: not known, leave it to SQL)"""

    EXPANSIONS_CHECKED_BY_INDEX = 16

    def split(self) -> list["TextGroup"]:
        """One group per term, most frequent first."""
        pairs = sorted(zip(self.sizes or [1] * len(self.terms), self.terms), reverse=True)
        return [TextGroup(estimate=n, terms=[t], sizes=[n]) for n, t in pairs]

    def _terms(self, alias: str) -> tuple[str, list]:
        if len(self.terms) == 1:
            return f"{alias}.term = ?", [self.terms[0]]
        return f"{alias}.term IN {LIST}", [_json(self.terms)]

    def driver(self, cells, cell_count):
        terms, params = self._terms("p")
        source = from_cells("postings", "p", cells, seek_cells(cell_count * len(self.terms), self.estimate))
        distinct = "DISTINCT " if len(self.terms) > 1 else ""
        return (f"SELECT {distinct}p.cell AS cell, p.id AS id FROM {source.tables} WHERE {source.where} AND {terms}",
                source.params + params)

    def check(self, alias, on_datasets):
        if len(self.terms) <= self.EXPANSIONS_CHECKED_BY_INDEX:
            terms, params = self._terms("p")
            return (f"EXISTS (SELECT 1 FROM postings AS p WHERE {terms} AND p.cell = {alias}.cell "
                    f"AND p.id = {alias}.id)", params)
        words = f"{alias}.words" if on_datasets else f"(SELECT words FROM datasets WHERE id = {alias}.id)"
        return f"instr({words}, ?) > 0", [" " + (self.prefix or "")]

    def counts(self, keys):
        """Datasets per cell having the word (one of the expansions: then an upper
        bound, as a dataset may hold several; exact for one term)."""
        terms, params = self._terms("t")
        if keys is None:
            return f"SELECT 0 AS key, t.cell AS cell, t.n AS n FROM term_cells AS t WHERE {terms}", params
        return (f"SELECT t.key AS key, t.cell AS cell, t.n AS n FROM term_counts AS t WHERE {terms} AND t.key {KEYS_IN}",
                params + [keys])

    @property
    def exact(self) -> bool:
        return len(self.terms) == 1

    def in_name(self, alias: str) -> tuple[str, list]:
        """Whether the word (or a word with the prefix) is one of ``datasetName``'s."""
        terms, params = self._terms("p")
        return (f"EXISTS (SELECT 1 FROM postings AS p WHERE {terms} AND p.cell = {alias}.cell "
                f"AND p.id = {alias}.id AND p.w = 2)", params)


@dataclass
class Titled(Predicate):
    """One query word OR'd with the proposals whose title holds it (``text``'s
    "Proposal titles"): the datasets having the word (``inner``; None when no dataset
    has it) and every dataset of ``cells`` (a JSON list of the ids of those proposals'
    cells). No aggregate counts it: the cells' datasets are counted by rows."""

    inner: TextGroup | None = None
    cells: str = "[]"

    def _titled(self, cells: str | None) -> tuple[str, list]:
        within, params = ("", []) if cells is None else (f" AND d.cell IN {LIST}", [cells])
        return (f"SELECT d.cell AS cell, d.id AS id FROM datasets AS d INDEXED BY datasets_by_cell "
                f"WHERE d.cell IN {LIST}{within}", [self.cells] + params)

    def driver(self, cells, cell_count):
        titled, params = self._titled(cells)
        if self.inner is None:
            return titled, params
        words, word_params = self.inner.driver(cells, cell_count)
        return f"{words} UNION {titled}", word_params + params

    def check(self, alias, on_datasets):
        if self.inner is None:
            return f"{alias}.cell IN {LIST}", [self.cells]
        words, params = self.inner.check(alias, on_datasets)
        return f"({alias}.cell IN {LIST} OR {words})", [self.cells] + params

    def in_name(self, alias: str) -> tuple[str, list]:
        """Only the dataset's name counts for relevance (a title is not its name)."""
        return self.inner.in_name(alias) if self.inner is not None else ("0", [])


@dataclass
class Not(Predicate):
    """Datasets the wrapped predicate does not match (a check only)."""

    inner: Predicate | None = None

    @property
    def drives(self) -> bool:
        return False

    def check(self, alias, on_datasets):
        sql, params = self.inner.check(alias, on_datasets)
        return f"NOT ({sql})", params


@dataclass
class Keywords(Predicate):
    values: list[str] = field(default_factory=list)

    def driver(self, cells, cell_count):
        source = from_cells("keywords", "k", cells, seek_cells(cell_count * len(self.values), self.estimate))
        return (f"SELECT DISTINCT k.cell AS cell, k.id AS id FROM {source.tables} WHERE {source.where} "
                f"AND k.keyword IN {LIST}", source.params + [_json(self.values)])

    def check(self, alias, on_datasets):
        return (f"EXISTS (SELECT 1 FROM keywords AS k WHERE k.keyword IN {LIST} "
                f"AND k.cell = {alias}.cell AND k.id = {alias}.id)", [_json(self.values)])


@dataclass
class Condition(Predicate):
    """A scientific-metadata condition in stored form: ``v op value`` on one field
    (name, kind and dimension, see ``sqlite.rows``); ``op`` is a validated operator.
    ``within`` keeps ``v`` inside a key range: strings and booleans share one field, and
    ``!=`` must only match values of the condition's own kind."""

    field: int = 0
    op: str = "="
    value: object = None
    within: tuple[str, str] | None = None
    version: int = 0
    """the field's ``metadata_fields.version``"""
    numeric: bool = False
    """whether field and value are numbers float64 holds exactly (then columns can answer)"""

    def _compare(self) -> tuple[str, list]:
        if self.within is None:
            return f"m.field = ? AND m.v {self.op} ?", [self.field, self.value]
        return (f"m.field = ? AND m.v {self.op} ? AND m.v >= ? AND m.v < ?",
                [self.field, self.value, *self.within])

    def driver(self, cells, cell_count):
        source = from_cells("metadata", "m", cells, seek_cells(cell_count, self.estimate),
                            index="metadata_by_value")
        compare, params = self._compare()
        return (f"SELECT m.cell AS cell, m.id AS id FROM {source.tables} WHERE {source.where} AND {compare}",
                source.params + params)

    def check(self, alias, on_datasets):
        compare, params = self._compare()
        return f"EXISTS (SELECT 1 FROM metadata AS m WHERE m.id = {alias}.id AND {compare})", params

    def counts(self, keys):
        compare, params = self._compare()
        if keys is None:
            return f"SELECT 0 AS key, m.cell AS cell, m.n AS n FROM metadata_counts AS m WHERE {compare}", params
        source = from_keys("metadata_key_counts", "m", keys)
        return (f"SELECT m.key AS key, m.cell AS cell, m.n AS n FROM {source.tables} WHERE {source.where} "
                f"AND {compare}", source.params + params)

    @property
    def exact(self) -> bool:
        return True


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
        where, params = self._where("d.ctime")
        source = from_cells("datasets", "d", cells, index="datasets_by_cell")
        return (f"SELECT d.cell AS cell, d.id AS id FROM {source.tables} WHERE {source.where} AND {where}",
                source.params + params)

    def check(self, alias, on_datasets):
        if on_datasets:
            return self._where(f"{alias}.ctime")
        where, params = self._where("d.ctime")
        return f"EXISTS (SELECT 1 FROM datasets AS d WHERE d.id = {alias}.id AND {where})", params


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
        source = from_cells("datasets", "d", cells, seek=False)
        return ("SELECT d.cell AS cell, d.id AS id FROM votes AS v INDEXED BY votes_by_user CROSS JOIN "
                f"{source.tables} ON d.id = v.dataset WHERE v.user = ? AND v.value IN {LIST} AND {source.where}",
                [self.user, _json(self._values())] + source.params)

    def check(self, alias, on_datasets):
        negate = "NOT " if self.mode == "none" else ""
        return (f"{negate}EXISTS (SELECT 1 FROM votes WHERE dataset = {alias}.id AND user = ? "
                f"AND value IN {LIST})", [self.user, _json(self._values())])

    def voted(self) -> "MyVote":
        return MyVote(estimate=self.estimate, user=self.user, mode="any")


def _json(values) -> str:
    return json.dumps(list(values))
