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
            held = set(service.columns.held())
            assert {kind for kind, _, _ in held} == {"field", "term"}
            # with what searches derive from them: a field's value ranks, every column's time order
            loaded = [(key[0], service.columns._columns[key]) for key in held]
            assert all(c._by_time is not None and (c._ranks is not None or kind == "term") for kind, c in loaded
                       if c is not None)
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
