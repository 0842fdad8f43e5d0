"""SQLite reads keep validated datasets per process, keyed by their stored text
(issue 18): a write from another process (here another store on the same file, as
another service worker) is seen at once, and each reader gets its own vote on its own
copy."""

from __future__ import annotations

from beamhub.catalogue import open_store

from .read_cache import check_another_workers_vote_and_rename_are_read_at_once
from .sample import ALICE, load_sample, pid


def test_reads_see_other_workers_writes_and_each_callers_own_vote(tmp_path):
    path = tmp_path / "catalogue.sqlite"
    with open_store(f"sqlite:///{path}") as reader, open_store(f"sqlite:///{path}") as other_worker:
        load_sample(reader)
        check_another_workers_vote_and_rename_are_read_at_once(reader, other_worker)

        other_worker.set_vote(ALICE, pid(6), None)
        again = reader.get_dataset(ALICE, pid(6))
        assert (again.likes, again.myVote, again.myComment) == (0, None, "")
