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

from ...model import Dataset
from .rows import DOC_EXCLUDE, CellKey, Derived, derive, iso
from .schema import BULK_INDEXES, LOG_KEEP_VERSIONS, LOG_PRUNE_EVERY

BULK_THRESHOLD = 10_000
"""A first batch at least this large, into an empty store, is loaded in bulk."""


class DatasetWriter:
    """Upserts and deletes within one transaction (``conn`` holds ``BEGIN IMMEDIATE``)."""

    def __init__(self, conn, now: str):
        self.conn = conn
        self.now = now
        self._signatures: dict[str, int] = {}
        self._cells: dict[CellKey, int] = {}
        self._cell_keys: dict[int, list[int]] = {}  # cell -> access key ids of its signature
        self._access_keys: dict[str, int] = {}
        self._terms: dict[str, int] = {}
        self._fields: dict[tuple[str, int, str], int] = {}
        self._version: int | None = None
        self.bulk = False
        self._next_id: int | None = None
        self._reset_deltas()

    def _reset_deltas(self) -> None:
        self._cell_delta: dict[int, list[int]] = {}  # cell -> [n, size, votes]
        self._term_delta: Counter = Counter()  # (term, cell)
        self._metadata_delta: Counter = Counter()  # (field, v, cell)
        self._vocabulary_delta: Counter = Counter()  # term
        self._touched_terms: set[int] = set()  # postings added or removed: stamped with the version
        self._touched_fields: set[int] = set()
        self._changed_ids: set[int] = set()  # datasets whose side rows changed: into column_log
        self._unlogged = False  # rows staged by a bulk load: the log starts after this version

    @property
    def version(self) -> int:
        """This transaction's value of ``counters.cells`` (incremented once)."""
        if self._version is None:
            self._version = self.conn.execute(
                "UPDATE counters SET value = value + 1 WHERE name = 'cells' RETURNING value").fetchone()[0]
        return self._version

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
                self._interned(self._access_keys, "access_keys", "key", derived.access_keys)
                self.conn.executemany("INSERT INTO signature_keys (key, signature) VALUES (?, ?)",
                                      [(self._access_keys[k], found) for k in derived.access_keys])
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
                "INSERT INTO cells (signature, beamline, proposal, techniques, type, year, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (*values, self.version)).lastrowid
            self._cells[key] = found
        return found

    def _keys_of(self, cell: int) -> list[int]:
        found = self._cell_keys.get(cell)
        if found is None:
            found = self._cell_keys[cell] = [r[0] for r in self.conn.execute(
                "SELECT s.key FROM cells AS c JOIN signature_keys AS s ON s.signature = c.signature WHERE c.id = ?",
                (cell,))]
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

    def _field(self, name: str, kind: int, dim: str) -> int:
        key = (name, kind, dim)
        found = self._fields.get(key)
        if found is None:
            self.conn.execute("INSERT OR IGNORE INTO metadata_fields (name, k, dim) VALUES (?, ?, ?)", key)
            found = self._fields[key] = self.conn.execute(
                "SELECT id FROM metadata_fields WHERE name = ? AND k = ? AND dim = ?", key).fetchone()[0]
        return found

    def _term_id(self, word: str) -> int:
        if word not in self._terms:
            self._interned(self._terms, "vocabulary", "term", [word])
        return self._terms[word]

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
        self._interned(self._terms, "vocabulary", "term",
                       (w for d in [*inserts, *(u for u, _ in updates)] for w in d.words))
        for item, (dataset_id, old_cell, old_doc, votes) in updates:
            self._remove_side_rows(dataset_id, old_cell, derive(Dataset.model_validate_json(old_doc), old_doc), votes)
            cell = self._cell(item)
            self.conn.execute(
                "UPDATE datasets SET signature = ?, cell = ?, ctime = ?, name_key = ?, size = ?, updated_at = ?, "
                "words = ?, doc = ? WHERE id = ?",
                (self._signature(item), cell, item.ctime, item.name_key, item.size, self.now, item.words_text,
                 item.doc, dataset_id))
            self._cell_change(cell, votes=votes)
        inserted = list(zip(inserts, self._new_ids(len(inserts))))
        self.conn.executemany(
            "INSERT INTO datasets (id, pid, signature, cell, ctime, name_key, size, created_at, updated_at, words, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, d.pid, self._signature(d), self._cell(d), d.ctime, d.name_key, d.size,
              by_pid[d.pid].createdAt and iso(by_pid[d.pid].createdAt) or self.now, self.now, d.words_text, d.doc)
             for d, i in inserted])
        self._add_side_rows([(item, old[0]) for item, old in updates] + inserted)
        self.flush()
        return len(inserts), len(updates), unchanged

    def _add_side_rows(self, items: list[tuple[Derived, int]]) -> None:
        postings, metadata, keywords, inputs = [], [], [], []
        for item, dataset_id in items:
            cell = self._cell(item)
            for word, weight in item.words.items():
                postings.append((self._terms[word], cell, dataset_id, weight))
            for name, kind, dim, value in item.metadata:
                metadata.append((dataset_id, self._field(name, kind, dim), cell, value))
            keywords.extend((k, cell, dataset_id) for k in item.keywords)
            inputs.extend((pid, dataset_id) for pid in item.inputs)
            self._count(item, cell, +1, cells_only=self.bulk)
        self._touched_terms.update(row[0] for row in postings)
        self._touched_fields.update(row[1] for row in metadata)
        if self.bulk:
            self._unlogged = True
        else:
            self._changed_ids.update(dataset_id for _, dataset_id in items)
        prefix = "temp.stage_" if self.bulk else ""
        self.conn.executemany(f"INSERT INTO {prefix}postings (term, cell, id, w) VALUES (?, ?, ?, ?)", postings)
        self.conn.executemany(f"INSERT INTO {prefix}metadata (id, field, cell, v) VALUES (?, ?, ?, ?)", metadata)
        self.conn.executemany(f"INSERT INTO {prefix}keywords (keyword, cell, id) VALUES (?, ?, ?)", keywords)
        self.conn.executemany("INSERT OR IGNORE INTO inputs (input, id) VALUES (?, ?)", inputs)

    def _remove_side_rows(self, dataset_id: int, cell: int, item: Derived, votes: int) -> None:
        terms = [self._term_id(w) for w in item.words]
        self.conn.executemany("DELETE FROM postings WHERE term = ? AND cell = ? AND id = ?",
                              [(term, cell, dataset_id) for term in terms])
        self._touched_terms.update(terms)
        self._touched_fields.update(self._field(name, kind, dim) for name, kind, dim, _ in item.metadata)
        self._changed_ids.add(dataset_id)
        self.conn.execute("DELETE FROM metadata WHERE id = ?", (dataset_id,))
        self.conn.executemany("DELETE FROM keywords WHERE keyword = ? AND cell = ? AND id = ?",
                              [(k, cell, dataset_id) for k in item.keywords])
        self.conn.executemany("DELETE FROM inputs WHERE input = ? AND id = ?", [(p, dataset_id) for p in item.inputs])
        self._count(item, cell, -1)
        self._cell_change(cell, votes=-votes)

    def _cell_change(self, cell: int, n: int = 0, size: int = 0, votes: int = 0) -> None:
        change = self._cell_delta.setdefault(cell, [0, 0, 0])
        change[0] += n
        change[1] += size
        change[2] += votes

    def _count(self, item: Derived, cell: int, sign: int, cells_only: bool = False) -> None:
        self._cell_change(cell, n=sign, size=sign * item.size)
        if cells_only:  # bulk: the other counts are built from sorted rows at the end
            return
        for word in item.words:
            term = self._term_id(word)
            self._term_delta[(term, cell)] += sign
            self._vocabulary_delta[term] += sign
        for name, kind, dim, value in item.metadata:
            self._metadata_delta[(self._field(name, kind, dim), value, cell)] += sign

    def flush(self) -> None:
        """Apply the counted changes to the cells and the aggregate tables."""
        conn = self.conn
        counted = [(n, size, votes, self.version if n else 0, cell)
                   for cell, (n, size, votes) in self._cell_delta.items() if n or size or votes]
        conn.executemany("UPDATE cells SET n = n + ?, size = size + ?, votes = votes + ?, "
                         "version = max(version, ?) WHERE id = ?", counted)
        terms = [(*k, d) for k, d in self._term_delta.items() if d]
        conn.executemany("INSERT INTO term_cells (term, cell, n) VALUES (?, ?, ?) "
                         "ON CONFLICT (term, cell) DO UPDATE SET n = n + excluded.n", terms)
        conn.executemany("INSERT INTO term_counts (term, key, cell, n) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (term, key, cell) DO UPDATE SET n = n + excluded.n",
                         [(term, key, cell, d) for term, cell, d in terms for key in self._keys_of(cell)])
        metadata = [(*k, d) for k, d in self._metadata_delta.items() if d]
        conn.executemany("INSERT INTO metadata_counts (field, v, cell, n) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (field, v, cell) DO UPDATE SET n = n + excluded.n", metadata)
        conn.executemany("INSERT INTO metadata_key_counts (field, key, v, cell, n) VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (field, key, v, cell) DO UPDATE SET n = n + excluded.n",
                         [(field, key, v, cell, d) for field, v, cell, d in metadata for key in self._keys_of(cell)])
        emptied = [(term, cell) for term, cell, d in terms if d < 0]
        conn.executemany("DELETE FROM term_cells WHERE term = ? AND cell = ? AND n <= 0", emptied)
        conn.executemany("DELETE FROM term_counts WHERE term = ? AND key = ? AND cell = ? AND n <= 0",
                         [(term, key, cell) for term, cell in emptied for key in self._keys_of(cell)])
        emptied = [(field, v, cell) for field, v, cell, d in metadata if d < 0]
        conn.executemany("DELETE FROM metadata_counts WHERE field = ? AND v = ? AND cell = ? AND n <= 0", emptied)
        conn.executemany("DELETE FROM metadata_key_counts WHERE field = ? AND key = ? AND v = ? AND cell = ? AND n <= 0",
                         [(field, key, v, cell) for field, v, cell in emptied for key in self._keys_of(cell)])
        conn.executemany("UPDATE vocabulary SET n = n + ? WHERE id = ?",
                         [(d, t) for t, d in self._vocabulary_delta.items() if d])
        for table, touched in (("vocabulary", self._touched_terms), ("metadata_fields", self._touched_fields)):
            if touched:
                conn.execute(f"UPDATE {table} SET version = ? WHERE id IN (SELECT value FROM json_each(?))",
                             (self.version, json.dumps(sorted(touched))))
        self._log_changes()
        self._reset_deltas()

    def _log_changes(self) -> None:
        """Which datasets this transaction changed, for readers' columns (``column_log``)."""
        conn = self.conn
        if self._changed_ids:
            conn.executemany("INSERT OR IGNORE INTO column_log (version, id) VALUES (?, ?)",
                             [(self.version, i) for i in sorted(self._changed_ids)])
        if self._unlogged:
            conn.execute("UPDATE counters SET value = ? WHERE name = 'column_log_from'", (self.version,))
        if (self._changed_ids or self._unlogged) and self.version % LOG_PRUNE_EVERY == 0:
            oldest = self.version - LOG_KEEP_VERSIONS
            conn.execute("DELETE FROM column_log WHERE version <= ?", (oldest,))
            conn.execute("UPDATE counters SET value = max(value, ?) WHERE name = 'column_log_from'", (oldest,))

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
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS stage_metadata (id, field, cell, v)")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS stage_keywords (keyword, cell, id)")

    def finish_bulk(self) -> None:
        """Move staged rows into place, build indexes and counts (once, sorted)."""
        if not self.bulk:
            return
        conn = self.conn
        conn.execute("INSERT INTO postings SELECT term, cell, id, w FROM temp.stage_postings ORDER BY term, cell, id")
        conn.execute("INSERT INTO metadata SELECT id, field, cell, v FROM temp.stage_metadata ORDER BY id, field")
        conn.execute("INSERT INTO keywords SELECT keyword, cell, id FROM temp.stage_keywords "
                     "ORDER BY keyword, cell, id")
        for table in ("stage_postings", "stage_metadata", "stage_keywords"):
            conn.execute(f"DROP TABLE temp.{table}")
        for statement in BULK_INDEXES.values():
            conn.execute(statement)
        conn.execute("INSERT INTO term_cells (term, cell, n) SELECT term, cell, count(*) FROM postings "
                     "GROUP BY term, cell")
        conn.execute("INSERT INTO term_counts (term, key, cell, n) SELECT t.term, s.key, t.cell, t.n "
                     "FROM term_cells AS t JOIN cells AS c ON c.id = t.cell "
                     "JOIN signature_keys AS s ON s.signature = c.signature ORDER BY 1, 2, 3")
        conn.execute("UPDATE vocabulary SET n = coalesce((SELECT sum(n) FROM term_cells WHERE term = vocabulary.id), 0)")
        conn.execute("INSERT INTO metadata_counts (field, v, cell, n) SELECT field, v, cell, count(*) "
                     "FROM metadata GROUP BY field, v, cell ORDER BY 1, 2, 3")
        conn.execute("INSERT INTO metadata_key_counts (field, key, v, cell, n) SELECT m.field, s.key, m.v, m.cell, m.n "
                     "FROM metadata_counts AS m JOIN cells AS c ON c.id = m.cell "
                     "JOIN signature_keys AS s ON s.signature = c.signature ORDER BY 1, 2, 3, 4")
        conn.execute("PRAGMA analysis_limit = 2000")  # statistics from a sample: seconds, not minutes
        conn.execute("ANALYZE")
        self.bulk = False
