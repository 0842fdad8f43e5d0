"""The SQLite store's search columns loaded ahead of searches (the service's cold start).

A long-running process (the catalogue service) asks the store to keep its columns
warm: the fields and frequent words are loaded in the background at start, so the
first search using them loads nothing; and when another process changes a field (an
ingest), the new version is loaded without any search asking for it, the old copy is
dropped, and searches answer from the new data.
"""

from __future__ import annotations

import sqlite3
import time

from beamhub.catalogue import Identity, open_store
from beamhub.catalogue.query import SearchQuery
from tests.benchmarks import synthetic

OPERATOR = Identity.for_operator("test-operator")
SIZE = 5000


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("not within the time allowed")


def test_columns_are_loaded_ahead_and_follow_another_processs_writes(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    with open_store(url) as writer:
        writer.upsert_proposals(OPERATOR, synthetic.proposals(SIZE))
        writer.upsert_datasets(OPERATOR, synthetic.datasets(SIZE))
        staff = synthetic.beamline_staff()
        with open_store(url) as service:
            warmer = service.keep_columns_warm(interval=0.2)
            assert warmer.warmed.wait(60)
            assert service.titles.builds == 1  # the proposal titles too, before any search
            held = set(service.columns.held())
            assert {kind for kind, _, _ in held} == {"field", "term"}
            # a field with the value ranks a count derives from it
            loaded = [service.columns._columns[key] for key in held if key[0] == "field"]
            assert all(c._ranks is not None for c in loaded if c is not None)
            query = SearchQuery.parse({"conditions": [{"name": "temperature", "op": "<=", "value": 100, "unit": "K"}],
                                       "limit": 5})
            before = service.search(staff, query)
            assert set(service.columns.held()) == held  # the first search loaded nothing

            # another process (here a second store on the file, as ingestion would) moves
            # datasets below 100 K: the new version of the field is loaded by itself
            fields = {i: v for k, i, v in held if k == "field"}
            changed = []
            for dataset in service.search(staff, SearchQuery.parse({"limit": 50})).items:
                if dataset.scientificMetadata.get("temperature") and \
                        dataset.scientificMetadata["temperature"].value > 100:
                    record = dataset.model_dump(mode="json", exclude={"likes", "dislikes", "myVote",
                                                                      "createdAt", "updatedAt"})
                    record["scientificMetadata"]["temperature"]["value"] = 4.2
                    changed.append(record)
            assert changed
            writer.upsert_datasets(OPERATOR, changed)
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                current = dict(conn.execute("SELECT id, version FROM metadata_fields").fetchall())
                used = conn.execute("SELECT id FROM metadata_fields WHERE name = 'temperature'").fetchone()[0]

            assert current[used] != fields[used]  # the write moved the searched field

            def current_only() -> bool:  # the searched field reloaded, stale copies of the others dropped
                now = {i: v for k, i, v in service.columns.held() if k == "field"}
                return now.get(used) == current[used] and all(current[i] == v for i, v in now.items())

            wait_for(current_only)
            keys = service.columns.held()
            assert len(keys) == len(set((k, i) for k, i, _ in keys)), "old copies were dropped"
            loaded = set(keys)
            after = service.search(staff, query)
            assert set(service.columns.held()) == loaded  # answered from the columns loaded ahead
            assert after.total == before.total + len(changed)


def test_searches_while_the_warmer_loads_answer_from_sql_and_the_warmer_loads_what_they_wanted(tmp_path,
                                                                                              monkeypatch):
    from beamhub.catalogue.stores.sqlite import columns as sqlite_columns

    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    monkeypatch.setattr(sqlite_columns, "DEFER_ROWS", 100)  # these columns count as long ones
    gate = __import__("threading").Event()
    warm = sqlite_columns.ColumnWarmer.warm
    monkeypatch.setattr(sqlite_columns.ColumnWarmer, "warm", lambda self: (gate.wait(60), warm(self)))
    staff = synthetic.beamline_staff()
    queries = [SearchQuery.parse(body) for body in (
        {"conditions": [{"name": "temperature", "op": "<=", "value": 100, "unit": "K"}], "limit": 5},
        {"text": "lysozyme", "limit": 5}, {"text": "ann", "conditions": [{"name": "exposure_time", "op": ">=", "value": 100, "unit": "ms"}],
         "limit": 5})]
    with open_store(url) as writer:
        writer.upsert_proposals(OPERATOR, synthetic.proposals(SIZE))
        writer.upsert_datasets(OPERATOR, synthetic.datasets(SIZE))
        with open_store(url) as service, open_store(url + "?columns_mb=0") as sql:
            expected = [sql.search(staff, q) for q in queries]
            warmer = service.keep_columns_warm(interval=0.2)
            early = [service.search(staff, q) for q in queries]  # the warmer has not started loading
            assert [(r.total, [d.pid for d in r.items], r.facets) for r in early] == \
                   [(r.total, [d.pid for d in r.items], r.facets) for r in expected]
            assert service.columns.deferred >= 3 and service.columns.held() == []  # no search read a column
            gate.set()
            assert warmer.warmed.wait(60)
            wanted = set(service.columns.held())
            assert {kind for kind, _, _ in wanted} == {"field", "term"}
            deferred = service.columns.deferred
            late = [service.search(staff, q) for q in queries]
            assert service.columns.deferred == deferred and set(service.columns.held()) == wanted
            assert [r.total for r in late] == [r.total for r in expected]


CLOSE_WHILE_LOADING = """
import sys, time
from beamhub.catalogue import open_store
from beamhub.catalogue.stores.sqlite import columns
columns.LOAD_CHUNK = 7  # many statements per column: the warmer is always reading
for i in range(20):
    store = open_store(sys.argv[1])
    store.keep_columns_warm()
    time.sleep(0.05 + i * 0.02)
    store.close()
print("closed")
"""


def test_a_store_closed_while_its_warmer_reads_stops_it_cleanly(tmp_path):
    """Closing a store whose warmer is reading columns (a service stopping soon after
    its start) interrupts the warmer and waits for it before closing its connection:
    closing that connection under the reading thread crashed the process (3 runs of 3
    before the fix). In another process, so that a crash fails this test."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    with open_store(url) as writer:
        writer.upsert_proposals(OPERATOR, synthetic.proposals(SIZE))
        writer.upsert_datasets(OPERATOR, synthetic.datasets(SIZE))
    done = subprocess.run([sys.executable, "-c", CLOSE_WHILE_LOADING, url], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "closed" and "Traceback" not in done.stderr, done.stderr[-2000:]
