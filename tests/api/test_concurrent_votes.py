"""Sixty voters racing through the hub's proxy: the counts afterwards are exact.

Each voter changes its mind several times on the same three datasets, all at once;
its last vote on each is known in advance, so the final likes and dislikes are too.
Votes are training labels: an off-by-one here is a wrong label. On both stores.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from beamhub.catalogue import Identity

from .conftest import VOTERS, on_both_stores
from .hubsetup import quote_pid

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB


def test_sixty_concurrent_voters_leave_exact_counts(catalogue_hub, operator_store):
    targets = [d["pid"] for d in catalogue_hub.get("alice", "/datasets", params={"proposal": "p1002", "limit": 3})
               .json()["items"]]
    assert len(targets) == 3
    rng = random.Random(7)
    plans = {voter: {pid: [rng.choice(["like", "dislike", None]) for _ in range(5)] for pid in targets}
             for voter in VOTERS}
    tokens = {voter: catalogue_hub.token(voter) for voter in VOTERS}

    def vote(voter: str) -> list[int]:
        session = requests.Session()
        session.headers["Authorization"] = f"token {tokens[voter]}"
        statuses = []
        for step in range(5):
            for pid in targets:
                value = plans[voter][pid][step]
                url = f"{catalogue_hub.url}/datasets/{quote_pid(pid)}/vote"
                answer = session.put(url, json={"value": value}, timeout=60) if value else session.delete(url, timeout=60)
                statuses.append(answer.status_code)
        return statuses

    try:
        with ThreadPoolExecutor(len(VOTERS)) as pool:
            statuses = [s for result in pool.map(vote, VOTERS) for s in result]
        assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
        for pid in targets:
            finals = [plans[voter][pid][-1] for voter in VOTERS]
            dataset = catalogue_hub.get("alice", f"/datasets/{quote_pid(pid)}").json()
            assert (dataset["likes"], dataset["dislikes"]) == (finals.count("like"), finals.count("dislike"))
            stored = {v.user: v.value for v in operator_store.votes_for_dataset(Identity.for_operator(), pid)
                      if v.user in plans}
            assert stored == {voter: plans[voter][pid][-1] for voter in VOTERS if plans[voter][pid][-1]}
    finally:
        for voter in VOTERS:
            for pid in targets:
                operator_store.set_vote(Identity(voter, groups=frozenset({"p1002"})), pid, None)
