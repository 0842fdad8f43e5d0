"""Searches answered from in-memory columns (``sqlite.columns``) give exactly the
answers SQL gives, also after other processes' writes make the columns stale."""

from __future__ import annotations

import multiprocessing
import os
from contextlib import contextmanager

import numpy as np

from beamhub.catalogue import Dataset, MetadataCondition, SearchQuery
from beamhub.catalogue.stores.sqlite.store import SQLiteStore
from beamhub.catalogue.stores.sqlite import columns as sqlite_columns
from beamhub.catalogue.stores.sqlite.columns import within
from tests.benchmarks import synthetic

from .sample import OPERATOR

N = 2500
CONDITIONS = ["temperature < 150 K", "temperature <= 100 K", "temperature != 100 K", "temperature = 350.5",
              "exposure_time >= 100 ms", "exposure_time < 0.05", "concentration > 1 mg/mL", "energy <= 12 keV"]
BODIES = [
    {"text": "ann"}, {"text": "lysozyme"}, {"text": "native soak"}, {"text": "0042 "}, {"text": "apo"},
    {"text": "con", "beamline": ["i22", "i03"]}, {"text": "fer", "year": [2019], "conditions": ["temperature <= 100 K"]},
    {"text": "bone", "conditions": ["temperature < 150 K", "exposure_time >= 100 ms"]},
    {"text": "lysozyme", "sort": "relevance"}, {"text": "soak", "sort": "datasetName"}, {"text": "gra", "sort": "-size"},
    {"conditions": ["temperature < 150 K", "sample_state = frozen"]},  # a text value: SQL answers
    {"text": "lysozyme", "keyword": ["native"]},
    {"conditions": ["sample_state = frozen"]}, {"conditions": ["sample_state != FROZEN"]},
    {"conditions": ["sample_state = frozen"], "beamline": ["i22"]},
    *({"conditions": [c]} for c in CONDITIONS),
    *({"conditions": [c], "technique": ["SAXS"], "year": [2018, 2024]} for c in CONDITIONS[:3]),
]


def _query(body: dict, cursor: str | None = None) -> SearchQuery:
    conditions = [MetadataCondition.from_text(c).model_dump() for c in body.get("conditions", [])]
    return SearchQuery.parse({**body, "conditions": conditions, "limit": 20, "cursor": cursor})


def _answers(store) -> list:
    out = []
    for identity in (synthetic.user_in_three_proposals(N), synthetic.beamline_staff(), OPERATOR):
        for body in BODIES:
            first = store.search(identity, _query(body))
            second = store.search(identity, _query(body, first.next_cursor)) if first.next_cursor else None
            out.append((identity.user, body, first.total, [d.pid for d in first.items],
                        {k: [(f.value, f.count) for f in v] for k, v in first.facets.items()},
                        [d.pid for d in second.items] if second else None))
    return out


def _assert_same(got: list, expected: list) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a == b, (a[:2], a[2:], b[2:])


def _changes(datasets: list[Dataset]) -> list[Dataset]:
    """Words, values and cells changed on a few hundred datasets, as an ingest would."""
    out = []
    for i, dataset in enumerate(datasets[::9]):
        stored = dataset.to_stored()
        if i % 3 == 0:
            stored["description"] = "annealed apoferritin revisited"
        if i % 3 == 1:
            stored["scientificMetadata"] = {**stored["scientificMetadata"],
                                            "temperature": {"value": 20 + i, "unit": "K"}}
        if i % 3 == 2:
            stored["creationLocation"] = "i22"
            stored["creationTime"] = "2019-06-01T00:00:00Z"
        out.append(Dataset.parse(stored))
    return out


@contextmanager
def _catalogue_and_readers(path, seed: int):
    """A synthetic catalogue written at ``path``, its datasets, a writer on it, and two
    readers: one with columns, one answering from SQL alone."""
    datasets = list(synthetic.datasets(N, seed=seed))
    with SQLiteStore(f"sqlite:///{path}") as writer:
        writer.upsert_proposals(OPERATOR, synthetic.proposals(N, seed=seed))
        writer.upsert_datasets(OPERATOR, datasets)
        with SQLiteStore(f"sqlite:///{path}") as columns, SQLiteStore(f"sqlite:///{path}", column_cache_mb=0) as sql:
            yield datasets, writer, columns, sql


def test_columns_answer_as_sql_does_before_and_after_writes(tmp_path, monkeypatch):
    path = tmp_path / "columns.sqlite"
    with _catalogue_and_readers(path, 3) as (datasets, writer, columns, sql):
        _assert_same(_answers(columns), _answers(sql))
        held = columns.columns.stats()
        assert held["columns"] > 10 and held["bytes"] > 0
        assert sql.columns is None
        # another process's writes: the reader's columns are now stale
        writer.upsert_datasets(OPERATOR, _changes(datasets))
        writer.delete_datasets(OPERATOR, [d.pid for d in datasets[5::97]])
        writer.upsert_datasets(OPERATOR, [Dataset.parse({**datasets[0].to_stored(), "pid": f"20.500.1/new-{i}",
                                                         "description": "ann new"}) for i in range(30)])
        held_before = {(kind, ident) for kind, ident, _ in columns.columns.held()}
        with _whole_loads(monkeypatch) as whole:
            _assert_same(_answers(columns), _answers(sql))
        # the stale columns had the changed rows replaced (from column_log), none was read again
        # whole; only words new to the reader (a prefix now also finding "annealed") were
        assert columns.columns.loads["applied"] >= 5
        assert not whole & held_before, whole & held_before


@contextmanager
def _whole_loads(monkeypatch):
    """The (kind, id) of the columns read whole from the database meanwhile."""
    seen: set[tuple[str, int]] = set()
    load_term, load_field = sqlite_columns._load_term, sqlite_columns._load_field

    def term(conn, ident):
        seen.add(("term", ident))
        return load_term(conn, ident)

    def field(conn, ident):
        seen.add(("field", ident))
        return load_field(conn, ident)

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_columns, "_load_term", term)
        patch.setattr(sqlite_columns, "_load_field", field)
        yield seen


def _ingest_one_percent(path: str, datasets: list[Dataset]) -> None:
    """Another worker process's ingest: 1% of the datasets changed (values, words, cells)
    and a few new ones."""
    with SQLiteStore(f"sqlite:///{path}") as writer:
        writer.upsert_datasets(OPERATOR, _changes(datasets[::11])[:N // 100])
        writer.upsert_datasets(OPERATOR, [Dataset.parse({**datasets[1].to_stored(), "pid": f"20.500.1/one-{i}"})
                                          for i in range(5)])
    os._exit(0)


def test_another_processs_one_percent_ingest_is_applied_to_the_columns_not_reloaded(tmp_path, monkeypatch):
    path = tmp_path / "ingest.sqlite"
    with _catalogue_and_readers(path, 5) as (datasets, _, columns, sql):
        _answers(columns)
        held_before = {(kind, ident) for kind, ident, _ in columns.columns.held()}
        child = multiprocessing.get_context("fork").Process(target=_ingest_one_percent, args=(str(path), datasets))
        child.start()
        child.join(120)
        assert child.exitcode == 0
        ranked_before = _ranked_fields(columns)
        assert ranked_before  # the conditions' fields were counted by value ranks
        with _whole_loads(monkeypatch) as whole, _ranked_anew(monkeypatch) as ranked_anew:
            _assert_same(_answers(columns), _answers(sql))
        assert columns.columns.loads["applied"] >= 3  # the fields and words the ingest touched
        assert not whole & held_before, whole & held_before
        # the updated fields took their ranks over from the stale copies, new values inserted
        anew = {ident for (kind, ident, _), column in columns.columns._columns.items()
                if any(column is c for c in ranked_anew)}
        assert ranked_before <= _ranked_fields(columns) and not anew & ranked_before, anew & ranked_before
        by_time = 0
        for column in columns.columns._columns.values():
            if column is not None and column._ranks is not None:
                distinct, keys = column._ranks
                assert (np.diff(keys) >= 0).all() and (distinct[:-1] < distinct[1:]).all()
                assert (distinct[keys - column.cells.astype(np.int64) * len(distinct)] == column.values).all()
            if column is not None and column._by_time is not None:  # carried too: the rows in time order
                order, times = column._by_time
                assert sorted(order.tolist()) == list(range(len(column.ids)))
                assert (times == column.ctimes[order]).all() and (np.diff(times) >= 0).all()
                by_time += 1
        assert by_time


def _ranked_fields(store) -> set[int]:
    return {ident for (kind, ident, _), column in store.columns._columns.items()
            if kind == "field" and column is not None and column._ranks is not None}


@contextmanager
def _ranked_anew(monkeypatch):
    """The columns whose value ranks were computed from scratch meanwhile."""
    seen: list = []
    ranked = sqlite_columns.Column._ranked

    def spy(column):
        if column._ranks is None:
            seen.append(column)
        return ranked(column)

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_columns.Column, "_ranked", spy)
        yield seen


def test_a_catalogue_of_schema_4_is_upgraded_and_its_columns_follow_writes(tmp_path, monkeypatch):
    """A file written before the change log (schema 4) opens, gains the log, and from
    then on stale columns are brought up to date; a read-only one says how to upgrade."""
    import sqlite3

    from beamhub.catalogue import StoreUnavailable

    path = tmp_path / "old.sqlite"
    datasets = list(synthetic.datasets(300, seed=6))
    with SQLiteStore(f"sqlite:///{path}") as writer:
        writer.upsert_datasets(OPERATOR, datasets)
    with sqlite3.connect(path) as conn:  # what beamhub wrote at schema 4: no column_log
        conn.execute("DROP TABLE column_log")
        conn.execute("DELETE FROM counters WHERE name = 'column_log_from'")
        conn.execute("PRAGMA user_version = 4")
    try:
        SQLiteStore(f"sqlite:///{path}?mode=ro")
    except StoreUnavailable as exc:
        assert "open it once where it can be written" in str(exc)
    else:
        raise AssertionError("a read-only schema 4 file was opened without its log")
    query = SearchQuery(conditions=[MetadataCondition.from_text("temperature <= 100 K")], limit=5)
    with SQLiteStore(f"sqlite:///{path}") as columns, SQLiteStore(f"sqlite:///{path}", column_cache_mb=0) as sql:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
        assert columns.search(OPERATOR, query).total == sql.search(OPERATOR, query).total
        columns.upsert_datasets(OPERATOR, _changes(datasets))
        with _whole_loads(monkeypatch) as whole:
            got, expected = columns.search(OPERATOR, query), sql.search(OPERATOR, query)
        assert (got.total, got.facets, [d.pid for d in got.items]) == \
            (expected.total, expected.facets, [d.pid for d in expected.items])
        assert not whole and columns.columns.loads["applied"] == 1


def test_a_small_budget_evicts_columns_and_answers_stay_right(tmp_path):
    path = tmp_path / "budget.sqlite"
    with SQLiteStore(f"sqlite:///{path}") as store:
        store.upsert_proposals(OPERATOR, synthetic.proposals(N, seed=4))
        store.upsert_datasets(OPERATOR, synthetic.datasets(N, seed=4))
    with SQLiteStore(f"sqlite:///{path}", column_cache_mb=1) as small, \
            SQLiteStore(f"sqlite:///{path}", column_cache_mb=0) as sql:
        small.columns.budget_bytes = 40_000  # below what the queries use together
        _assert_same(_answers(small), _answers(sql))
        held = small.columns.stats()
        assert held["bytes"] <= 40_000 or held["columns"] == 1, held  # only the newest may exceed it


def test_integers_beyond_float_precision_are_compared_exactly(tmp_path):
    """2**60 and 2**60 + 1 are one float64: such a field is left to SQL."""
    base = next(synthetic.datasets(1)).to_stored()
    big = [Dataset.parse({**base, "pid": f"20.500.1/big-{i}", "description": "big counts",
                          "scientificMetadata": {"counts": {"value": 2**60 + i, "unit": ""}}}) for i in range(3)]
    with SQLiteStore(f"sqlite:///{tmp_path / 'big.sqlite'}") as store:
        store.upsert_datasets(OPERATOR, big)
        for text, expected in (("counts > 1152921504606846976", 2), ("counts = 1152921504606846977", 1)):
            query = SearchQuery(conditions=[MetadataCondition.from_text(text)])
            assert store.search(OPERATOR, query).total == expected, text
            query = SearchQuery(text="big", conditions=[MetadataCondition.from_text(text)])
            assert store.search(OPERATOR, query).total == expected, text


def test_within_finds_the_rows_of_the_given_cells():
    cells = np.array([1, 1, 2, 5, 5, 5, 9], dtype=np.int32)
    assert within(cells, np.array([1, 5])).tolist() == [0, 1, 3, 4, 5]
    assert within(cells, np.array([3, 4, 10])).tolist() == []
    assert within(cells, np.array([2, 9])).tolist() == [2, 6]


def test_pages_through_datasets_created_in_the_same_millisecond(tmp_path, monkeypatch):
    """Times found in memory, order and cursor from SQL: ties by pid are neither lost
    nor repeated across pages, in either direction (walks in time order in steps of
    two rows, so that ties span steps)."""
    monkeypatch.setattr(sqlite_columns, "WALK_STEP", 2)
    base = next(synthetic.datasets(1)).to_stored()
    same = [Dataset.parse({**base, "pid": f"20.500.1/tie-{i:03d}", "description": "tied lysozyme",
                           "creationTime": "2024-05-05T10:00:00Z" if i % 3 else f"2024-05-0{1 + i % 9}T00:00:00Z",
                           "scientificMetadata": {"temperature": {"value": 100, "unit": "K"}}})
            for i in range(90)]
    with SQLiteStore(f"sqlite:///{tmp_path / 'ties.sqlite'}") as store, \
            SQLiteStore(f"sqlite:///{tmp_path / 'ties.sqlite'}", column_cache_mb=0) as sql:
        store.upsert_datasets(OPERATOR, same)
        for body in ({"text": "tied"}, {"conditions": ["temperature <= 100 K"]}):
            for sort in ("-creationTime", "creationTime"):
                seen, cursor = [], None
                while True:
                    query = _query({**body, "sort": sort, "limit": 7}, cursor)
                    page, expected = store.search(OPERATOR, query), sql.search(OPERATOR, query)
                    assert [d.pid for d in page.items] == [d.pid for d in expected.items]
                    seen += [d.pid for d in page.items]
                    cursor = page.next_cursor
                    if cursor is None:
                        break
                assert sorted(seen) == sorted(d.pid for d in same) and len(set(seen)) == 90, (body, sort)
        assert store.columns.stats()["columns"] >= 2


def test_text_and_boolean_values_count_as_in_sql(tmp_path):
    """Strings and booleans share one field kind: ``!=`` counts only values of the
    condition's own kind, in columns as in SQL."""
    base = next(synthetic.datasets(1)).to_stored()
    values = ["frozen", "Frozen", "film", True, False, "true", "", "zeta", 5]
    datasets = [Dataset.parse({**base, "pid": f"20.500.1/kind-{i}", "description": "kinds",
                               "scientificMetadata": {"state": {"value": v, "unit": ""}}})
                for i, v in enumerate(values * 3)]
    with SQLiteStore(f"sqlite:///{tmp_path / 'kinds.sqlite'}") as store, \
            SQLiteStore(f"sqlite:///{tmp_path / 'kinds.sqlite'}", column_cache_mb=0) as sql:
        store.upsert_datasets(OPERATOR, datasets)
        for text in ("state = frozen", "state != frozen", "state = true", "state != true", "state != false",
                     "state != zeta", "state = 5", "state != 5"):
            query = SearchQuery(conditions=[MetadataCondition.from_text(text)])
            got, expected = store.search(OPERATOR, query), sql.search(OPERATOR, query)
            assert (got.total, got.facets) == (expected.total, expected.facets), text
        assert store.search(OPERATOR, SearchQuery(conditions=[MetadataCondition.from_text("state != true")])).total == 3
        assert store.columns.stats()["columns"] >= 1


def test_a_column_older_than_the_kept_log_is_read_whole(tmp_path, monkeypatch):
    """Once the log no longer reaches back to a column's version (pruned), the column is
    read again whole, not patched with part of the changes."""
    from beamhub.catalogue.stores.sqlite import writes

    monkeypatch.setattr(writes, "LOG_PRUNE_EVERY", 1)
    monkeypatch.setattr(writes, "LOG_KEEP_VERSIONS", 1)
    path = tmp_path / "pruned.sqlite"
    datasets = list(synthetic.datasets(300, seed=7))
    query = SearchQuery(conditions=[MetadataCondition.from_text("temperature <= 100 K")], limit=5)
    with SQLiteStore(f"sqlite:///{path}") as writer, SQLiteStore(f"sqlite:///{path}") as columns, \
            SQLiteStore(f"sqlite:///{path}", column_cache_mb=0) as sql:
        writer.upsert_datasets(OPERATOR, datasets)
        columns.search(OPERATOR, query)
        changes = _changes(datasets)
        writer.upsert_datasets(OPERATOR, changes[:10])  # two write transactions: the first is pruned
        writer.upsert_datasets(OPERATOR, changes[10:])
        with writer._transaction() as conn:
            assert {v for (v,) in conn.execute("SELECT DISTINCT version FROM column_log")} == \
                {conn.execute("SELECT value FROM counters WHERE name = 'cells'").fetchone()[0]}
        loads = dict(columns.columns.loads)
        got, expected = columns.search(OPERATOR, query), sql.search(OPERATOR, query)
        assert (got.total, got.facets, [d.pid for d in got.items]) == \
            (expected.total, expected.facets, [d.pid for d in expected.items])
        assert columns.columns.loads == {"whole": loads["whole"] + 1, "applied": 0}


def test_a_longer_text_value_written_later_is_found_whole_in_the_updated_column(tmp_path):
    base = next(synthetic.datasets(1)).to_stored()
    datasets = [Dataset.parse({**base, "pid": f"20.500.1/state-{i}", "description": "states",
                               "scientificMetadata": {"state": {"value": ["film", "gel"][i % 2], "unit": ""}}})
                for i in range(40)]
    with SQLiteStore(f"sqlite:///{tmp_path / 'texts.sqlite'}") as store, \
            SQLiteStore(f"sqlite:///{tmp_path / 'texts.sqlite'}", column_cache_mb=0) as sql:
        store.upsert_datasets(OPERATOR, datasets)
        assert store.search(OPERATOR, SearchQuery(conditions=[MetadataCondition.from_text("state = gel")])).total == 20
        longer = datasets[3].to_stored()
        longer["scientificMetadata"]["state"]["value"] = "gel-in-a-capillary"
        store.upsert_datasets(OPERATOR, [Dataset.parse(longer)])
        for text in ("state = gel-in-a-capillary", "state = gel", "state != gel", "state != film"):
            query = SearchQuery(conditions=[MetadataCondition.from_text(text)])
            got, expected = store.search(OPERATOR, query), sql.search(OPERATOR, query)
            assert (got.total, got.facets) == (expected.total, expected.facets), text
        assert store.columns.loads == {"whole": 1, "applied": 1}
        assert store.search(OPERATOR, SearchQuery(
            conditions=[MetadataCondition.from_text("state = gel-in-a-capillary")])).total == 1


def test_the_store_url_sets_the_column_memory(tmp_path):
    from beamhub.catalogue import InvalidInput, open_store

    with open_store(f"sqlite:///{tmp_path / 'a.sqlite'}?columns_mb=0") as off:
        assert off.columns is None
    with open_store(f"sqlite:///{tmp_path / 'a.sqlite'}?columns_mb=64") as small:
        assert small.columns.budget_bytes == 64 << 20
    try:
        open_store(f"sqlite:///{tmp_path / 'a.sqlite'}?columns_mb=lots")
    except InvalidInput as exc:
        assert "columns_mb=N" in str(exc)
    else:
        raise AssertionError("a bad columns_mb was accepted")


def _retitle(path: str, title: str) -> None:
    """Another worker process renames p1002 (SAXS of protein solutions)."""
    from .sample import PROPOSALS

    with SQLiteStore(f"sqlite:///{path}") as writer:
        writer.upsert_proposals(OPERATOR, [PROPOSALS[1].model_copy(update={"title": title})])
    os._exit(0)


def test_a_title_another_process_changes_is_matched_at_the_next_search(tmp_path):
    from .sample import ALICE, BOB, CAROL, PROPOSALS, load_sample, numbers

    path = tmp_path / "titles.sqlite"
    with SQLiteStore(f"sqlite:///{path}") as writer, SQLiteStore(f"sqlite:///{path}") as reader:
        load_sample(writer)
        assert numbers(reader.search(ALICE, {"text": "solutions"}).items) == {6, 7, 8}
        assert numbers(reader.search(ALICE, {"text": "solu"}).items) == {6, 7, 8}  # the prefix while typing
        assert reader.search(ALICE, {"text": "micelle"}).total == 0
        assert reader.search(CAROL, {"text": "solutions"}).total == 0  # staff of i03: not their proposal
        writer.upsert_proposals(OPERATOR, PROPOSALS)  # unchanged: nothing to read again
        assert reader.search(BOB, {"text": "protein solutions"}).total == 3
        assert reader.titles.builds == 1  # read once, not at every search

        child = multiprocessing.get_context("fork").Process(target=_retitle, args=(str(path), "Micelle kinetics"))
        child.start()
        child.join(60)
        assert child.exitcode == 0
        assert numbers(reader.search(BOB, {"text": "micelle"}).items) == {6, 7, 8}
        assert numbers(reader.search(ALICE, {"text": "micel"}).items) == {6, 7, 8}
        assert reader.search(ALICE, {"text": "solutions"}).total == 0
        assert reader.titles.builds == 2


def test_a_column_read_in_steps_is_the_column_read_at_once(tmp_path, monkeypatch):
    """A whole column is read ``LOAD_CHUNK`` rows at a time (no call holding the
    interpreter's lock for long): the steps join into the column one read gives, for
    words and for numeric and text fields; a number float64 cannot hold in a later step
    still leaves its field to SQL; and searches answer as SQL does."""
    path = tmp_path / "steps.sqlite"
    with _catalogue_and_readers(path, 7) as (datasets, writer, columns, sql):
        writer.upsert_datasets(OPERATOR, [Dataset.parse({**d.to_stored(), "scientificMetadata": {
            "counts": {"value": 2**60 if i == 49 else i, "unit": ""}}}) for i, d in enumerate(datasets[:50])])
        with columns._transaction() as conn:
            fields = dict(conn.execute("SELECT name, id FROM metadata_fields").fetchall())
            terms = [r[0] for r in conn.execute("SELECT id FROM vocabulary WHERE n > 0 ORDER BY n DESC LIMIT 30")]
            loads = [(sqlite_columns._load_field, ident) for ident in fields.values()] + \
                    [(sqlite_columns._load_term, ident) for ident in terms]
            at_once = [load(conn, ident) for load, ident in loads]
            for ident, column in zip(fields.values(), at_once):  # as a plain reading of the rows gives them
                plain = sqlite_columns._field_column(conn.execute(
                    "SELECT m.cell, m.id, d.ctime, m.v FROM metadata AS m JOIN datasets AS d ON d.id = m.id "
                    "WHERE m.field = ? ORDER BY m.cell, m.v, m.id", (ident,)).fetchall())
                assert (plain is None and column is None) or all(
                    np.array_equal(getattr(plain, name), getattr(column, name)) for name in ("cells", "ids", "ctimes",
                                                                                             "values"))
            statements = []
            monkeypatch.setattr(sqlite_columns, "LOAD_CHUNK", 97)
            stepped = [load(_Counting(conn, statements), ident) for load, ident in loads]
        assert at_once[list(fields).index("counts")] is None and stepped[list(fields).index("counts")] is None
        kinds = set()
        for one, steps in zip(at_once, stepped):
            if one is None:
                continue
            kinds.add(one.values.dtype.kind if one.values is not None else "word")
            for name in ("cells", "ids", "ctimes", "values"):
                a, b = getattr(one, name), getattr(steps, name)
                assert (a is None and b is None) or (a.dtype == b.dtype and np.array_equal(a, b)), name
            if one.values is not None and one.values.dtype.kind == "U":  # text values come ranked
                distinct, ranks = np.unique(one.values, return_inverse=True)
                for column in (one, steps):
                    assert np.array_equal(column._ranks[0], distinct)
                    assert np.array_equal(column._ranks[1], one.cells.astype(np.int64) * len(distinct) + ranks)
        assert kinds == {"f", "U", "word"}
        assert len(statements) >= sum(len(c.ids) // 97 for c in at_once if c is not None) > 30  # read in steps
        _assert_same(_answers(columns), _answers(sql))  # the reader's columns were read in steps


class _Counting:
    """A connection that counts the statements run on it."""

    def __init__(self, conn, counted: list):
        self.conn, self.counted = conn, counted

    def execute(self, *args):
        self.counted.append(args[0])
        return self.conn.execute(*args)
