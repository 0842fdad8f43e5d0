"""SQLite reads keep validated datasets per process, keyed by their stored text
(issue 18): a write from another process (here another store on the same file, as
another service worker) is seen at once, and each reader gets its own vote on its own
copy."""

from __future__ import annotations

from beamhub.catalogue import SearchQuery, open_store

from .sample import ALICE, BOB, DATASETS, OPERATOR, load_sample, pid


def test_reads_see_other_workers_writes_and_each_callers_own_vote(tmp_path):
    path = tmp_path / "catalogue.sqlite"
    with open_store(f"sqlite:///{path}") as reader, open_store(f"sqlite:///{path}") as other_worker:
        load_sample(reader)
        first = reader.get_dataset(ALICE, pid(6))
        assert (first.likes, first.myVote) == (0, None)

        other_worker.set_vote(ALICE, pid(6), "like", "clear peaks")
        renamed = next(d for d in DATASETS if d.pid == pid(6)).model_copy(update={"datasetName": "bsa_saxs_01 (redone)"})
        other_worker.upsert_datasets(OPERATOR, [renamed])

        alice = reader.get_dataset(ALICE, pid(6))
        assert (alice.datasetName, alice.likes, alice.myVote, alice.myComment) == (
            "bsa_saxs_01 (redone)", 1, "like", "clear peaks")
        bob = next(d for d in reader.search(BOB, SearchQuery(limit=50)).items if d.pid == pid(6))
        assert (bob.datasetName, bob.likes, bob.myVote, bob.myComment) == ("bsa_saxs_01 (redone)", 1, None, "")
        assert (first.datasetName, first.likes, first.myVote) == ("bsa_saxs_01", 0, None)  # an answer given stays

        other_worker.set_vote(ALICE, pid(6), None)
        again = reader.get_dataset(ALICE, pid(6))
        assert (again.likes, again.myVote, again.myComment) == (0, None, "")
