"""What every store's read cache must show (issue 18): a worker's cached dataset never
hides another worker's writes, and each caller's vote and comment are on its own copy."""

from __future__ import annotations

from beamhub.catalogue import SearchQuery

from .sample import ALICE, BOB, DATASETS, OPERATOR, pid


def check_another_workers_vote_and_rename_are_read_at_once(reader, other_worker) -> None:
    """``reader`` has read a dataset; ``other_worker`` (another store on the same
    catalogue) votes on it and renames it: the reader's next reads show both, with the
    vote and comment for the voter only, and the answer given before stays as it was."""
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
