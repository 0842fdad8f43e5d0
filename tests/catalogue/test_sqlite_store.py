"""What is specific to the SQLite backend: files that are not catalogues, read-only
files, voters in several processes, the bulk-load path, counts kept by updates, and
query plans that seek into the caller's cells instead of scanning the catalogue."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from beamhub.catalogue import (
    Dataset,
    Identity,
    InvalidInput,
    MetadataCondition,
    SearchQuery,
    StoreUnavailable,
    open_store,
)
from beamhub.catalogue.stores.sqlite import writes as sqlite_writes
from beamhub.catalogue.stores.sqlite.store import SQLiteStore
from beamhub.catalogue.stores.sqlite.schema import SORT_INDEXES

from .sample import ALICE, BOB, CAROL, DATASETS, OPERATOR, PROPOSALS, load_sample, numbers, pid


def url(path: Path, options: str = "") -> str:
    return f"sqlite:///{path}{options}"


@pytest.fixture
def sample_file(tmp_path) -> Path:
    path = tmp_path / "catalogue.sqlite"
    with open_store(url(path)) as store:
        load_sample(store)
    return path


# --- files that are not catalogues ---------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused_clearly(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(StoreUnavailable) as raised:
        open_store(url(path))
    assert str(path) in raised.value.message and "not an SQLite database" in raised.value.message
    assert path.read_text().startswith("these are my notes")  # left as it was


def test_a_damaged_catalogue_is_reported_not_crashed_on(sample_file):
    data = bytearray(sample_file.read_bytes())
    page = 4096
    data[2 * page: 8 * page] = random.Random(1).randbytes(6 * page)  # garble pages 3 to 8
    sample_file.write_bytes(bytes(data))
    with pytest.raises(StoreUnavailable) as raised:
        store = open_store(url(sample_file))
        try:  # the header may still read: then the first real read fails
            store.search(ALICE, SearchQuery())
            store.get_dataset(ALICE, pid(1))
            store.upsert_datasets(OPERATOR, DATASETS)
        finally:
            store.close()
    assert "damaged" in raised.value.message


def test_another_applications_sqlite_file_is_left_alone(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
    with pytest.raises(StoreUnavailable, match="not a beamhub catalogue"):
        open_store(url(path))
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    assert tables == ["orders"]


def test_store_urls_are_checked(tmp_path):
    with pytest.raises(InvalidInput, match="directory"):
        open_store(url(tmp_path))
    with pytest.raises(InvalidInput):
        open_store("sqlite:///:memory:")
    with pytest.raises(InvalidInput, match="mode=ro"):
        open_store(url(tmp_path / "x.sqlite", "?journal=off"))
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreUnavailable, match="directory"):
        open_store(url(tmp_path / "a-file" / "catalogue.sqlite"))


def test_missing_directories_are_created_and_relative_paths_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///deep/er/catalogue.sqlite") as store:
        load_sample(store)
        assert store.search(ALICE, SearchQuery()).total == 9
    assert (tmp_path / "deep" / "er" / "catalogue.sqlite").is_file()


# --- read-only ----------------------------------------------------------------------------


def _writes_are_refused(store) -> list[str]:
    """Every kind of write fails with StoreUnavailable; returns the messages."""
    messages = []
    attempts = [
        lambda: store.set_vote(ALICE, pid(1), "like"),
        lambda: store.upsert_datasets(OPERATOR, DATASETS[:1]),
        lambda: store.delete_datasets(OPERATOR, [pid(2)]),
        lambda: store.create_selection(ALICE, "s", [pid(1)]),
    ]
    for attempt in attempts:
        with pytest.raises(StoreUnavailable) as raised:
            attempt()
        messages.append(raised.value.message)
    return messages


def test_read_only_mode_reads_and_refuses_writes(sample_file):
    with open_store(url(sample_file, "?mode=ro")) as store:
        assert numbers(store.search(BOB, SearchQuery()).items) == {6, 7, 8, 12}
        for message in _writes_are_refused(store):
            assert "read-only" in message
        assert store.get_dataset(OPERATOR, pid(1)).likes == 0
        assert store.get_dataset(OPERATOR, pid(2)).pid == pid(2)


READ_ONLY_CHILD = f"""
import json, sys
from beamhub.catalogue import Identity, SearchQuery, StoreUnavailable
from beamhub.catalogue.stores.sqlite.store import SQLiteStore
ALICE = Identity("alice", groups=frozenset({sorted(ALICE.groups)!r}))
pid = {{1: {pid(1)!r}}}.get
""" + """
store = SQLiteStore(sys.argv[1])
out = {"total": store.search(ALICE, SearchQuery()).total}
try:
    store.set_vote(ALICE, pid(1), "like")
    out["vote"] = "written"
except StoreUnavailable as exc:
    out["vote"] = exc.message
out["after"] = store.get_dataset(ALICE, pid(1)).likes
store.close()
print(json.dumps(out))
"""


def test_a_read_only_file_refuses_writes_clearly(sample_file):
    """The file's permissions forbid writing (root ignores them: then the check runs as
    ``nobody``). Reads work; a vote fails saying the catalogue is read-only."""
    directory = Path(tempfile.mkdtemp(prefix="beamhub-ro-"))
    try:
        path = directory / "catalogue.sqlite"
        path.write_bytes(sample_file.read_bytes())
        path.chmod(0o444)
        directory.chmod(0o777)  # the reader may make its WAL index beside the file
        # The child imports nothing from tests/ (the checkout may be unreadable to nobody);
        # the source tree goes first on its path when readable, else the installed beamhub.
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "hub")}
        user = {"user": 65534, "group": 65534, "extra_groups": []} if os.geteuid() == 0 else {}
        done = subprocess.run([sys.executable, "-c", READ_ONLY_CHILD, url(path)], capture_output=True, text=True,
                              env=env, cwd=directory, timeout=120, **user)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["total"] == 9
        assert "read-only" in out["vote"] and str(path) in out["vote"]
        assert out["after"] == 0
    finally:
        for item in directory.iterdir():
            item.unlink()
        directory.rmdir()


# --- concurrency across processes --------------------------------------------------------

TARGETS = [pid(6), pid(7), pid(8), pid(12)]
SEQUENCE = ["like", "dislike", None, "like", "dislike", "like"]


def _vote_in_process(store_url: str, first_voter: int, voters: int, start) -> dict:
    """One process: ``voters`` threads flipping their votes on every target."""
    store = SQLiteStore(store_url)
    final = {}
    lock = threading.Lock()
    start.wait()

    def run(index: int):
        voter = Identity(f"voter{index:02d}", groups=frozenset({"p1002"}))
        for step in range(len(SEQUENCE)):
            for target in TARGETS:
                value = SEQUENCE[(step + index) % len(SEQUENCE)]
                store.set_vote(voter, target, value)
                with lock:
                    final[f"{voter.user} {target}"] = value

    threads = [threading.Thread(target=run, args=(i,)) for i in range(first_voter, first_voter + voters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    return final


def test_voters_in_several_processes_keep_exact_counts(sample_file):
    processes, per_process = 6, 10
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(processes) as pool:
            pending = [pool.apply_async(_vote_in_process, (url(sample_file), p * per_process, per_process, start))
                       for p in range(processes)]
            start.set()
            final = {}
            for result in pending:
                final.update(result.get(timeout=600))
    assert len(final) == processes * per_process * len(TARGETS)
    with open_store(url(sample_file)) as store:
        for target in TARGETS:
            wanted = [v for key, v in final.items() if key.endswith(" " + target)]
            dataset = store.get_dataset(OPERATOR, target)
            assert (dataset.likes, dataset.dislikes) == (wanted.count("like"), wanted.count("dislike")), target
            votes = store.votes_for_dataset(OPERATOR, target)
            assert sorted(v.value for v in votes) == sorted(v for v in wanted if v)
        assert store.stats(OPERATOR)["votes"] == sum(1 for v in final.values() if v)


# --- the bulk path and the counts kept by updates ------------------------------------------


def _battery() -> list[SearchQuery]:
    bodies = [
        {}, {"text": "lyso"}, {"text": "bsa protein"}, {"beamline": ["i03"], "type": ["raw"]},
        {"technique": ["SAXS"]}, {"year": [2024]}, {"keyword": ["bone", "lysozyme"]},
        {"conditions": [MetadataCondition.from_text("temperature < 200 K").model_dump()]},
        {"conditions": [MetadataCondition.from_text("sample_state != frozen").model_dump()]},
        {"text": "crystal", "conditions": [MetadataCondition.from_text("temperature <= 100 K").model_dump()]},
        {"created_after": "2024-01-01T00:00:00Z", "sort": "size"}, {"sort": "datasetName", "limit": 3},
    ]
    return [SearchQuery.parse({"limit": 200, **b}) for b in bodies]


def _answers(store) -> list:
    out = []
    for identity in (ALICE, CAROL, OPERATOR):
        for query in _battery():
            page = store.search(identity, query)
            out.append((page.total, [d.pid for d in page.items],
                        {k: [(f.value, f.count) for f in v] for k, v in page.facets.items()}))
    out.append(store.stats(OPERATOR))
    return out


def test_the_bulk_path_gives_the_same_answers(tmp_path, monkeypatch):
    """An empty store loads a large first batch in bulk (indexes and counts built at the
    end); a repeated pid in a later batch switches back to row-by-row writes."""
    with open_store(url(tmp_path / "rows.sqlite")) as rows:
        load_sample(rows)
        expected = _answers(rows)
    monkeypatch.setattr(sqlite_writes, "BULK_THRESHOLD", 5)
    monkeypatch.setattr("beamhub.catalogue.stores.sqlite.store.BATCH", 6)
    with open_store(url(tmp_path / "bulk.sqlite")) as bulk:
        bulk.upsert_proposals(OPERATOR, PROPOSALS)
        summary = bulk.upsert_datasets(OPERATOR, [*DATASETS[:9], DATASETS[2], *DATASETS[9:]])
        assert (summary.inserted, summary.unchanged) == (14, 1)
        assert _answers(bulk) == expected


def _changed(dataset: Dataset, **update) -> Dataset:
    return Dataset.parse({**dataset.to_stored(), **update})


def test_counts_follow_updates_and_deletes(tmp_path):
    """Datasets moving between cells (beamline, proposal, technique, year, access),
    changing words, keywords and metadata, and deleted ones: every count and answer
    equals that of a store loaded with the final state directly."""
    final = {d.pid: d for d in DATASETS}
    changes = [
        _changed(DATASETS[0], creationLocation="i22", keywords=["moved"], description="now elsewhere"),
        _changed(DATASETS[1], proposalId="p1002", ownerGroup="p1002", techniques=[{"name": "SAXS"}]),
        _changed(DATASETS[5], creationTime="2021-05-05T00:00:00Z", isPublished=True,
                 scientificMetadata={"temperature": {"value": 150, "unit": "K"}}),
        _changed(DATASETS[12], accessGroups=["p1001"], datasetName="crystal tomography"),
    ]
    with open_store(url(tmp_path / "changed.sqlite")) as store:
        load_sample(store)
        store.set_vote(ALICE, pid(1), "like")
        store.set_vote(CAROL, pid(2), "dislike")
        assert store.upsert_datasets(OPERATOR, changes).updated == len(changes)
        assert store.delete_datasets(OPERATOR, [pid(3), pid(10)]) == 2
        for dataset in changes:
            final[dataset.pid] = dataset
        del final[pid(3)], final[pid(10)]
        got = _answers(store)
        assert store.get_dataset(OPERATOR, pid(1)).likes == 1
    with open_store(url(tmp_path / "fresh.sqlite")) as fresh:
        fresh.upsert_proposals(OPERATOR, PROPOSALS)
        fresh.upsert_datasets(OPERATOR, list(final.values()))
        fresh.set_vote(ALICE, pid(1), "like")
        fresh.set_vote(CAROL, pid(2), "dislike")
        assert got == _answers(fresh)


# --- query plans -----------------------------------------------------------------------

ORDERED_WALKS = {index for index, _, _ in SORT_INDEXES.values()}


def _plans(store, identity, queries) -> list[tuple[str, list[str]]]:
    """Every SELECT the searches ran, with its EXPLAIN QUERY PLAN lines (after a first
    round that loads the store's cell cache)."""
    for query in queries:
        store.search(identity, query)
    statements = []
    conn = store._connection()
    conn.set_trace_callback(statements.append)
    try:
        for query in queries:
            page = store.search(identity, query)
            if page.next_cursor:  # the second page's keyset form too
                store.search(identity, query.model_copy(update={"cursor": page.next_cursor}))
    finally:
        conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            plans.append((sql, [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]))
    return plans


def _shapes() -> list[SearchQuery]:
    condition = MetadataCondition.from_text("temperature < 150 K").model_dump()
    bodies = [
        {}, {"beamline": ["i22"]}, {"technique": ["MX"], "year": [2018, 2019]}, {"proposal": ["p0000003"]},
        {"text": "lysozyme"}, {"text": "ann"}, {"text": "lysozyme soak"}, {"text": "0"},
        {"conditions": [condition]}, {"conditions": [MetadataCondition.from_text("sample_state = frozen").model_dump()]},
        {"conditions": [MetadataCondition.from_text("temperature < 150").model_dump()]},
        {"text": "ferritin", "year": [2020], "conditions": [condition]},
        {"keyword": ["native"]}, {"created_after": "2020-01-01T00:00:00Z", "created_before": "2021-01-01T00:00:00Z"},
        {"my_vote": "like"}, {"my_vote": "none"}, {"text": "lysozyme", "sort": "relevance"},
    ]
    sorts = [s for s in SORT_INDEXES]
    queries = [SearchQuery.parse({"limit": 10, **b}) for b in bodies]
    queries += [SearchQuery.parse({"limit": 10, "sort": s, **b}) for s in sorts for b in ({}, {"text": "soak"})]
    return queries


def test_searches_seek_into_the_callers_cells(tmp_path):
    """Visibility-restricted searches never scan a table: every step is an index
    seek, except the designed walk along a sort's own index, which reads in result
    order and stops at the page's end (no sorting behind it)."""
    from tests.benchmarks import synthetic

    with open_store(url(tmp_path / "synthetic.sqlite")) as store:
        store.upsert_proposals(OPERATOR, synthetic.proposals(3000))
        store.upsert_datasets(OPERATOR, synthetic.datasets(3000))
        user = synthetic.user_in_three_proposals(3000)
        store.set_vote(user, "20.500.99999/00000001", "like")
        walks = seeks = 0
        for identity in (user, synthetic.beamline_staff()):
            for sql, plan in _plans(store, identity, _shapes()):
                for line in plan:
                    words = line.split()
                    if words[0] == "SEARCH":  # an index (or rowid) seek
                        seeks += 1
                    elif words[0] == "SCAN" and "VIRTUAL" not in words and words[1] != "x":  # x: a subquery's rows
                        assert words[-1] in ORDERED_WALKS and "INDEX" in words, f"{line!r} in {sql}"
                        assert not any("TEMP B-TREE FOR ORDER BY" in other for other in plan), sql
                        walks += 1
        assert walks and seeks  # both plans were exercised


# --- answers against a plain reading of the catalogue ---------------------------------


def _reference(docs: list[dict], identity, query: SearchQuery, proposals=()) -> tuple[int, dict, list[str]]:
    """Total, facet counts and the first page, read off the documents in Python (a
    query word matches a dataset's words or the title of its proposal, when that
    proposal is one of the identity's)."""
    from collections import Counter

    from beamhub.catalogue.query import MAX_FACET_VALUES
    from beamhub.catalogue.stores.sqlite.rows import millis
    from beamhub.catalogue.text import dataset_words, words as words_of
    from beamhub.catalogue.units import normalize

    text = query.text_query
    titles = {p.proposalId: set(words_of(p.title)) for p in proposals
              if identity.is_member_of(p.model_dump()) or p.beamline in identity.staff_of}

    def has(doc, words, term, prefix=False) -> bool:
        title = titles.get(doc["proposalId"], set())
        if prefix:
            return any(w.startswith(term) for w in words | title)
        return term in words or term in title

    def condition_holds(doc, condition) -> bool:
        entry = doc["scientificMetadata"].get(condition.name)
        if entry is None or isinstance(entry["value"], list):
            return False
        stored, wanted = entry["value"], condition.value
        if isinstance(wanted, (bool, str)) or isinstance(stored, (bool, str)):
            if type(stored) is not type(wanted):
                return False
            stored, wanted = (stored.lower(), wanted.lower()) if isinstance(stored, str) else (stored, wanted)
        elif condition.unit:
            stored, dimension = normalize(stored, entry["unit"])
            wanted, wanted_dimension = normalize(wanted, condition.unit)
            if dimension != wanted_dimension:
                return False
        return {"<": stored < wanted, "<=": stored <= wanted, "=": stored == wanted, ">=": stored >= wanted,
                ">": stored > wanted, "!=": stored != wanted}[condition.op]

    def common(doc) -> bool:
        words = set(dataset_words(doc))
        ctime = millis(doc["creationTime"])
        return (identity.can_see(doc) and all(has(doc, words, w) for w in text.whole)
                and (not text.prefix or has(doc, words, text.prefix, prefix=True))
                and (not query.keyword or bool(set(query.keyword) & set(doc["keywords"])))
                and (not query.created_after or ctime >= millis(query.created_after))
                and (not query.created_before or ctime < millis(query.created_before))
                and all(condition_holds(doc, c) for c in query.conditions))

    values = {
        "beamline": lambda d: [d["creationLocation"]], "proposal": lambda d: [d["proposalId"]],
        "technique": lambda d: list({t["name"] for t in d["techniques"]}), "type": lambda d: [d["type"]],
        "year": lambda d: [d["creationTime"].year],
    }

    def passes(doc, skip=None) -> bool:
        return all(not getattr(query, f) or bool(set(getattr(query, f)) & set(values[f](doc)))
                   for f in values if f != skip)

    matching = [d for d in docs if common(d)]
    hits = [d for d in matching if passes(d)]
    facets = {}
    for name, of in values.items():
        counts = Counter(v for d in matching if passes(d, skip=name) for v in of(d))
        facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FACET_VALUES]
    hits.sort(key=lambda d: (-millis(d["creationTime"]), d["pid"]))
    return len(hits), facets, [d["pid"] for d in hits[: query.limit]]


def test_answers_match_a_plain_reading(tmp_path):
    """Totals, disjunctive facet counts and first pages equal those computed in Python
    from the documents, on a synthetic catalogue with planner statistics (ANALYZE):
    guards against the query planner taking a shortcut that changes answers."""
    from tests.benchmarks import synthetic

    datasets = list(synthetic.datasets(2500, seed=7))
    docs = [d.to_stored() for d in datasets]
    identities = [synthetic.user_in_three_proposals(2500), synthetic.beamline_staff(), OPERATOR]
    conditions = ["temperature < 150 K", "temperature <= 100 K", "temperature > 100 K", "temperature != 100 K",
                  "exposure_time >= 100 ms", "exposure_time < 0.05", "sample_state = FROZEN",
                  "sample_state != frozen", "concentration > 1 mg/mL", "energy <= 12 keV", "temperature = 350.5"]
    bodies = [{}, {"year": [2017, 2020]}, {"beamline": ["i22", "i12"], "type": ["raw"]}, {"technique": ["XRD"]},
              {"text": "ann"}, {"text": "lysozyme"}, {"text": "native soak"}, {"text": "0042 "},
              {"text": "at "}, {"text": "lysozyme at i0"}, {"text": "at ferr", "beamline": ["i03", "i22"]},
              {"keyword": ["apo", "bone"]},
              {"created_after": "2018-03-01T00:00:00Z", "created_before": "2021-07-01T00:00:00Z"},
              {"text": "fer", "year": [2019], "conditions": ["temperature <= 100 K"]}]
    bodies += [{"conditions": [c]} for c in conditions]
    bodies += [{"conditions": [c], "beamline": ["i22"]} for c in conditions[:4]]
    with open_store(url(tmp_path / "reference.sqlite")) as store:
        proposals = synthetic.proposals(2500, seed=7)  # titled "<sample> at <beamline>"
        store.upsert_proposals(OPERATOR, proposals)
        store.upsert_datasets(OPERATOR, datasets)
        store._connection().execute("ANALYZE")
        for identity in identities:
            for body in bodies:
                parsed = {**body, "conditions": [MetadataCondition.from_text(c).model_dump()
                                                 for c in body.get("conditions", [])], "limit": 30}
                query = SearchQuery.parse(parsed)
                page = store.search(identity, query)
                total, facets, pids = _reference(docs, identity, query, proposals)
                assert page.total == total, (identity.user, body)
                assert {k: [(f.value, f.count) for f in v] for k, v in page.facets.items()} == facets, \
                    (identity.user, body)
                assert [d.pid for d in page.items] == pids, (identity.user, body)


def test_facets_keep_the_most_frequent_values_ties_by_value(tmp_path):
    """More proposals than a facet lists: the 100 most frequent, ties by value."""
    rng = random.Random(5)
    sizes = {f"q{rng.randrange(10**6):06d}": rng.choice([1, 1, 2, 3]) for _ in range(170)}
    datasets = []
    for proposal, count in sizes.items():
        for i in range(count):
            datasets.append({**DATASETS[0].to_stored(), "pid": f"20.500.1/{proposal}-{i}", "proposalId": proposal,
                             "ownerGroup": "p1001"})
    with open_store(url(tmp_path / "facets.sqlite")) as store:
        store.upsert_datasets(OPERATOR, datasets)
        page = store.search(ALICE, SearchQuery(facets=True))
    expected = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
    assert [(f.value, f.count) for f in page.facets["proposal"]] == expected


def test_another_connections_writes_show_in_cached_counts(sample_file):
    """Each store object (each process) caches cells; writes through another one show
    at once: new cells, changed counts, deleted datasets."""
    with open_store(url(sample_file)) as reader, open_store(url(sample_file)) as writer:
        assert reader.search(ALICE, SearchQuery(beamline=["i22"])).total == 3
        moved = _changed(DATASETS[0], creationLocation="i22", proposalId="p1002", ownerGroup="p1002")
        writer.upsert_datasets(OPERATOR, [moved, _changed(DATASETS[1], pid=pid(70), creationLocation="i99")])
        writer.delete_datasets(OPERATOR, [pid(7)])
        page = reader.search(ALICE, SearchQuery(beamline=["i22"], limit=200))
        assert numbers(page.items) == {1, 6, 8} and page.total == 3
        assert {f.value: f.count for f in page.facets["beamline"]} == {"i03": 4, "i22": 3, "i99": 1, "i13": 1}
        assert {f.value: f.count for f in reader.search(BOB, SearchQuery()).facets["proposal"]} == {
            "p1002": 3, "p3001": 1}


def test_the_cell_index_following_writes_is_the_one_read_anew(tmp_path):
    """Each process keeps the cells in memory and reads only those newer than it holds
    (``sqlite.cells``): after writes adding cells, beamlines, techniques and access
    keys, its snapshot is the one a fresh index reads, and a search sees the new cells."""
    from beamhub.catalogue.stores.sqlite.cells import CellIndex
    from tests.benchmarks import synthetic

    datasets = list(synthetic.datasets(3000, seed=9))
    with SQLiteStore(f"sqlite:///{tmp_path / 'cells.sqlite'}") as store:
        store.upsert_datasets(OPERATOR, datasets[:1000])
        held = CellIndex()
        with store._transaction() as conn:
            before = held.snapshot(conn)
        store.upsert_datasets(OPERATOR, datasets[1000:])
        with store._transaction() as conn:
            following, fresh = held.snapshot(conn), CellIndex().snapshot(conn)
        assert following.size > before.size > 1
        for name in ("n", "beamline", "proposal", "tset", "type", "year"):
            assert np.array_equal(getattr(following, name), getattr(fresh, name)), name
        assert following.by_key.keys() == fresh.by_key.keys()
        assert all(np.array_equal(following.by_key[k], fresh.by_key[k]) for k in fresh.by_key)
        assert int(fresh.n.sum()) == 3000
        assert store.search(OPERATOR, SearchQuery(limit=1)).total == 3000
