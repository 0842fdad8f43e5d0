"""Writing datasets to the SQLite store: their rows, side rows and per-cell counts.

Everything here runs inside the caller's write transaction, so a batch that fails
half-way is rolled back whole. A large batch loaded into an empty store takes the bulk
path: side rows go to temporary tables, and the indexes and counts are built once at
the end from sorted data, which is many times faster than maintaining them row by row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from ..model import Dataset
from .sqlite_rows import DOC_EXCLUDE, CellKey, Derived, derive, iso
from .sqlite_schema import BULK_INDEXES

BULK_THRESHOLD = 10_000
"""A first batch at least this large, into an empty store, is loaded in bulk."""


class DatasetWriter:
    """Upserts and deletes within one transaction (``conn`` holds ``BEGIN IMMEDIATE``)."""

    def __init__(self, conn, now: str):
        self.conn = conn
        self.now = now
        self._signatures: dict[str, int] = {}
        self._cells: dict[CellKey, int] = {}
        self._terms: dict[str, int] = {}
        self._names: dict[str, int] = {}
        self.bulk = False
        self._next_id: int | None = None
        self._reset_deltas()

    def _reset_deltas(self) -> None:
        self._cell_delta: Counter = Counter()  # (cell, field) -> delta
        self._term_cell_delta: Counter = Counter()
        self._metadata_delta: Counter = Counter()
        self._vocabulary_delta: Counter = Counter()

    # -- ids of shared rows ---------------------------------------------------------
    def _signature(self, derived: Derived) -> int:
        key = derived.cell.signature
        found = self._signatures.get(key)
        if found is None:
            row = self.conn.execute("SELECT id FROM signatures WHERE keys = ?", (key,)).fetchone()
            if row:
                found = row[0]
            else:
                found = self.conn.execute("INSERT INTO signatures (keys) VALUES (?)", (key,)).lastrowid
                self.conn.executemany("INSERT INTO signature_keys (key, signature) VALUES (?, ?)",
                                      [(k, found) for k in derived.access_keys])
            self._signatures[key] = found
        return found

    def _cell(self, derived: Derived) -> int:
        key = derived.cell
        found = self._cells.get(key)
        if found is None:
            values = (self._signature(derived), key.beamline, key.proposal, key.techniques, key.type, key.year)
            row = self.conn.execute(
                "SELECT id FROM cells WHERE signature = ? AND beamline = ? AND proposal = ? AND techniques = ? "
                "AND type = ? AND year = ?", values).fetchone()
            found = row[0] if row else self.conn.execute(
                "INSERT INTO cells (signature, beamline, proposal, techniques, type, year) VALUES (?, ?, ?, ?, ?, ?)",
                values).lastrowid
            self._cells[key] = found
        return found

    def _interned(self, cache: dict, table: str, column: str, values: Iterable[str]) -> None:
        missing = [v for v in dict.fromkeys(values) if v not in cache]
        if not missing:
            return
        self.conn.executemany(f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)", [(v,) for v in missing])
        for start in range(0, len(missing), 10_000):
            part = missing[start:start + 10_000]
            cache.update(self.conn.execute(
                f"SELECT {column}, id FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))",
                (json.dumps(part),)).fetchall())

    def _prepare(self, derived: list[Derived]) -> None:
        self._interned(self._terms, "vocabulary", "term", (w for d in derived for w in d.words))
        self._interned(self._names, "metadata_names", "name", (m[0] for d in derived for m in d.metadata))

    def _new_ids(self, count: int) -> range:
        if self._next_id is None:
            self._next_id = (self.conn.execute("SELECT max(id) FROM datasets").fetchone()[0] or 0) + 1
        ids = range(self._next_id, self._next_id + count)
        self._next_id += count
        return ids

    # -- upsert ---------------------------------------------------------------------
    def upsert(self, datasets: list[Dataset]) -> tuple[int, int, int]:
        """(inserted, updated, unchanged) for one batch of validated datasets."""
        by_pid = {d.pid: d for d in datasets}  # the last of repeated pids wins
        docs = {pid: d.model_dump_json(exclude=DOC_EXCLUDE) for pid, d in by_pid.items()}
        existing = {
            row[0]: row[1:] for row in self.conn.execute(
                "SELECT pid, id, cell, doc, likes + dislikes FROM datasets WHERE pid IN (SELECT value FROM json_each(?))",
                (json.dumps(list(by_pid)),))
        }
        if self.bulk and existing:
            self.finish_bulk()
        if not self.bulk and not existing and len(by_pid) >= BULK_THRESHOLD:
            self._maybe_start_bulk()
        inserts, updates, unchanged = [], [], 0
        for pid, dataset in by_pid.items():
            old = existing.get(pid)
            if old is not None and old[2] == docs[pid]:
                unchanged += 1
            elif old is None:
                inserts.append(derive(dataset, docs[pid]))
            else:
                updates.append((derive(dataset, docs[pid]), old))
        self._prepare(inserts + [item for item, _ in updates])
        for item, (dataset_id, old_cell, old_doc, votes) in updates:
            previous = derive(Dataset.model_validate_json(old_doc), old_doc)
            self._remove_side_rows(dataset_id, old_cell, previous, votes)
            cell = self._cell(item)
            self.conn.execute(
                "UPDATE datasets SET signature = ?, cell = ?, ctime = ?, name_key = ?, size = ?, updated_at = ?, "
                "words = ?, doc = ? WHERE id = ?",
                (self._signature(item), cell, item.ctime, item.name_key, item.size, self.now, item.words_text,
                 item.doc, dataset_id))
            self._cell_delta[(cell, "votes")] += votes
        updated_items = [(item, old[0]) for item, old in updates]
        inserted_items = list(zip(inserts, self._new_ids(len(inserts))))
        self.conn.executemany(
            "INSERT INTO datasets (id, pid, signature, cell, ctime, name_key, size, created_at, updated_at, words, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, d.pid, self._signature(d), self._cell(d), d.ctime, d.name_key, d.size,
              by_pid[d.pid].createdAt and iso(by_pid[d.pid].createdAt) or self.now, self.now, d.words_text, d.doc)
             for d, i in inserted_items])
        self._add_side_rows(updated_items + inserted_items)
        self.flush()
        return len(inserts), len(updates), unchanged

    def _add_side_rows(self, items: list[tuple[Derived, int]]) -> None:
        postings, metadata, keywords, inputs = [], [], [], []
        for item, dataset_id in items:
            cell = self._cell(item)
            for word, weight in item.words.items():
                postings.append((self._terms[word], cell, dataset_id, weight))
            for name, kind, dim, value in item.metadata:
                metadata.append((dataset_id, self._names[name], kind, dim, cell, value))
            keywords.extend((k, cell, dataset_id) for k in item.keywords)
            inputs.extend((pid, dataset_id) for pid in item.inputs)
            self._count(item, cell, +1, cells_only=self.bulk)
        prefix = "temp.stage_" if self.bulk else ""
        self.conn.executemany(f"INSERT INTO {prefix}postings (term, cell, id, w) VALUES (?, ?, ?, ?)", postings)
        self.conn.executemany(f"INSERT INTO {prefix}metadata (id, name, k, dim, cell, v) VALUES (?, ?, ?, ?, ?, ?)",
                              metadata)
        self.conn.executemany(f"INSERT INTO {prefix}keywords (keyword, cell, id) VALUES (?, ?, ?)", keywords)
        self.conn.executemany("INSERT OR IGNORE INTO inputs (input, id) VALUES (?, ?)", inputs)

    def _remove_side_rows(self, dataset_id: int, cell: int, item: Derived, votes: int) -> None:
        self.conn.executemany("DELETE FROM postings WHERE term = ? AND cell = ? AND id = ?",
                              [(self._term_id(w), cell, dataset_id) for w in item.words])
        self.conn.execute("DELETE FROM metadata WHERE id = ?", (dataset_id,))
        self.conn.executemany("DELETE FROM keywords WHERE keyword = ? AND cell = ? AND id = ?",
                              [(k, cell, dataset_id) for k in item.keywords])
        self.conn.executemany("DELETE FROM inputs WHERE input = ? AND id = ?", [(p, dataset_id) for p in item.inputs])
        self._count(item, cell, -1)
        self._cell_delta[(cell, "votes")] -= votes

    def _term_id(self, word: str) -> int:
        if word not in self._terms:
            self._interned(self._terms, "vocabulary", "term", [word])
        return self._terms[word]

    def _count(self, item: Derived, cell: int, sign: int, cells_only: bool = False) -> None:
        self._cell_delta[(cell, "n")] += sign
        self._cell_delta[(cell, "size")] += sign * item.size
        if cells_only:  # bulk: the other counts are built from sorted rows at the end
            return
        for word in item.words:
            term = self._term_id(word)
            self._term_cell_delta[(term, cell)] += sign
            self._vocabulary_delta[term] += sign
        for name, kind, dim, value in item.metadata:
            if name not in self._names:
                self._interned(self._names, "metadata_names", "name", [name])
            self._metadata_delta[(self._names[name], kind, dim, cell, value)] += sign

    def flush(self) -> None:
        """Apply the counted changes to the aggregate tables."""
        conn = self.conn
        by_cell: dict[int, list[int]] = {}
        for (cell, field), delta in self._cell_delta.items():
            by_cell.setdefault(cell, [0, 0, 0])[("n", "size", "votes").index(field)] += delta
        conn.executemany("UPDATE cells SET n = n + ?, size = size + ?, votes = votes + ? WHERE id = ?",
                         [(*d, c) for c, d in by_cell.items() if any(d)])
        conn.executemany(
            "INSERT INTO term_cells (term, cell, n) VALUES (?, ?, ?) "
            "ON CONFLICT (term, cell) DO UPDATE SET n = n + excluded.n",
            [(*k, d) for k, d in self._term_cell_delta.items() if d])
        conn.executemany("DELETE FROM term_cells WHERE term = ? AND cell = ? AND n <= 0",
                         [k for k, d in self._term_cell_delta.items() if d < 0])
        conn.executemany(
            "INSERT INTO metadata_counts (name, k, dim, cell, v, n) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name, k, dim, cell, v) DO UPDATE SET n = n + excluded.n",
            [(*k, d) for k, d in self._metadata_delta.items() if d])
        conn.executemany("DELETE FROM metadata_counts WHERE name = ? AND k = ? AND dim = ? AND cell = ? AND v = ? "
                         "AND n <= 0", [k for k, d in self._metadata_delta.items() if d < 0])
        conn.executemany("UPDATE vocabulary SET n = n + ? WHERE id = ?",
                         [(d, t) for t, d in self._vocabulary_delta.items() if d])
        self._reset_deltas()

    # -- delete ---------------------------------------------------------------------
    def delete(self, pids: list[str]) -> int:
        rows = self.conn.execute(
            "SELECT id, cell, doc, likes + dislikes FROM datasets WHERE pid IN (SELECT value FROM json_each(?))",
            (json.dumps(pids),)).fetchall()
        for dataset_id, cell, doc, votes in rows:
            self._remove_side_rows(dataset_id, cell, derive(Dataset.model_validate_json(doc), doc), votes)
            self.conn.execute("DELETE FROM votes WHERE dataset = ?", (dataset_id,))
            self.conn.execute("DELETE FROM datasets WHERE id = ?", (dataset_id,))
        self.flush()
        return len(rows)

    # -- bulk loading ---------------------------------------------------------------
    def _maybe_start_bulk(self) -> None:
        if self.conn.execute("SELECT 1 FROM datasets LIMIT 1").fetchone():
            return
        self.bulk = True
        for index in BULK_INDEXES:
            self.conn.execute(f"DROP INDEX IF EXISTS {index}")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS stage_postings (term, cell, id, w)")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS stage_metadata (id, name, k, dim, cell, v)")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS stage_keywords (keyword, cell, id)")

    def finish_bulk(self) -> None:
        """Move staged rows into place, build indexes and counts (once, sorted)."""
        if not self.bulk:
            return
        conn = self.conn
        conn.execute("INSERT INTO postings SELECT term, cell, id, w FROM temp.stage_postings ORDER BY term, cell, id")
        conn.execute("INSERT INTO metadata SELECT id, name, k, dim, cell, v FROM temp.stage_metadata "
                     "ORDER BY id, name, k")
        conn.execute("INSERT INTO keywords SELECT keyword, cell, id FROM temp.stage_keywords "
                     "ORDER BY keyword, cell, id")
        for table in ("stage_postings", "stage_metadata", "stage_keywords"):
            conn.execute(f"DROP TABLE temp.{table}")
        for statement in BULK_INDEXES.values():
            conn.execute(statement)
        conn.execute("INSERT INTO term_cells (term, cell, n) SELECT term, cell, count(*) FROM postings "
                     "GROUP BY term, cell")
        conn.execute("UPDATE vocabulary SET n = coalesce((SELECT sum(n) FROM term_cells WHERE term = vocabulary.id), 0)")
        conn.execute("INSERT INTO metadata_counts (name, k, dim, cell, v, n) SELECT name, k, dim, cell, v, count(*) "
                     "FROM metadata INDEXED BY metadata_by_value GROUP BY name, k, dim, cell, v")
        conn.execute("PRAGMA analysis_limit = 2000")  # statistics from a sample: seconds, not minutes
        conn.execute("ANALYZE")
        self.bulk = False
