"""The catalogue service as two worker processes behind one port (real JupyterHub, real
proxy, real processes, real HTTP).

- Both workers serve; a write made through one, or by another process entirely (the
  command line, ingestion), is seen by every worker's next answer (search columns and
  caches are per process, kept current by the store's versions).
- A worker killed with SIGKILL in the middle of a load of votes and selection creations
  loses nothing it acknowledged: clients retry what failed (creations with their
  Idempotency-Key), and afterwards every acknowledged vote is counted exactly and every
  key made exactly one selection; the supervisor has started a new worker.
"""

from __future__ import annotations

import random
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from beamhub.catalogue import Identity, open_store

from .conftest import OPERATOR, VOTERS, load_demo
from .hubsetup import CatalogueHub, demo_users, quote_pid
from .service_processes import kill, service_process, wait_for, workers

pytestmark = pytest.mark.hub

WORKERS = 2


@pytest.fixture(scope="module")
def store_url(tmp_path_factory, demo_data) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('workers-catalogue') / 'catalogue.sqlite'}"
    with open_store(url) as store:
        load_demo(store, demo_data)
    return url


@pytest.fixture(scope="module")
def hub(tmp_path_factory, store_url, demo_data):
    users = demo_users(demo_data / "proposals.yaml")
    users.update({voter: ["p1002"] for voter in VOTERS})
    workdir = tmp_path_factory.mktemp("workers-hub")
    with CatalogueHub(store_url, users, workdir, state_dir=workdir / "state",
                      catalogue={"workers": WORKERS, "log_level": "INFO"}) as hub:
        yield hub


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_the_workers_share_the_port_and_see_each_others_writes(hub, store_url):
    pids = wait_for(lambda: len(workers(hub.hub.process.pid)) == WORKERS and workers(hub.hub.process.pid),
                    what=f"{WORKERS} workers")
    assert service_process(hub.hub.process.pid) not in pids
    before = {pid: cpu_ticks(pid) for pid in pids}
    target = hub.get("bob", "/datasets", params={"proposal": "p1002", "limit": 1}).json()["items"][0]
    tokens = {voter: hub.token(voter) for voter in VOTERS[:20]}

    def like(voter: str) -> int:  # each its own connection to the proxy, all at once
        return requests.put(f"{hub.url}/datasets/{quote_pid(target['pid'])}/vote", json={"value": "like"},
                            headers={"Authorization": f"token {tokens[voter]}"}, timeout=60).status_code

    def read(_) -> dict:
        return requests.get(f"{hub.url}/datasets/{quote_pid(target['pid'])}", headers=hub.headers("bob"),
                            timeout=60).json()

    with ThreadPoolExecutor(20) as pool:
        assert set(pool.map(like, tokens)) == {200}
        seen = list(pool.map(read, range(40)))
    assert {answer["likes"] for answer in seen} == {target["likes"] + 20}
    # both processes served (each used CPU for requests, not only the one that accepted first)
    assert all(cpu_ticks(pid) > before[pid] for pid in pids), {pid: cpu_ticks(pid) - before[pid] for pid in pids}

    # A dataset written by another process (here, this test, as ingestion would) is found
    # by every worker's search at once: their in-memory columns follow the store's versions.
    word = f"zebrafish{uuid.uuid4().hex[:6]}"
    with open_store(store_url) as store:
        record = store.get_dataset(OPERATOR, target["pid"]).model_dump(mode="json")
        record.update(pid=target["pid"] + "-copy-" + word, datasetName=f"{word} copy", description=word)
        store.upsert_datasets(OPERATOR, [record])

    def search(voter: str) -> list[str]:  # 20 users (one user's 17th request at once is refused: 429)
        answer = requests.get(f"{hub.url}/datasets", params={"text": word},
                              headers={"Authorization": f"token {tokens[voter]}"}, timeout=60)
        assert answer.status_code == 200, (answer.status_code, answer.text[:300])
        return [item["pid"] for item in answer.json()["items"]]

    try:
        with ThreadPoolExecutor(20) as pool:
            found = list(pool.map(search, list(tokens) * 2))
        assert all(pids == [record["pid"]] for pids in found), found[:3]
    finally:
        for voter in tokens:
            requests.delete(f"{hub.url}/datasets/{quote_pid(target['pid'])}/vote",
                            headers={"Authorization": f"token {tokens[voter]}"}, timeout=60)


def test_the_hub_is_asked_about_a_token_once_for_all_workers(hub):
    """Each check costs the hub 1-2 ms of CPU: an answer one worker got serves the
    other until it expires (hub_auth_cache_seconds), instead of each worker asking."""
    user = VOTERS[59]

    def hub_checks() -> int:  # the hub's access log: one line per question about this user's tokens
        return hub.hub.log_path.read_text(errors="replace").count(f"GET /hub/api/user ({user}@")

    def search(token: str) -> int:  # each its own connection to the proxy, so both workers serve
        return requests.get(f"{hub.url}/datasets", params={"limit": 1},
                            headers={"Authorization": f"token {token}"}, timeout=60).status_code

    for round_ in range(3):  # a fresh token each round: asked once, then 12 requests at once
        token = hub.hub.user_token(user, note=f"shared answers {round_}")
        before = hub_checks()
        assert search(token) == 200
        with ThreadPoolExecutor(12) as pool:
            assert set(pool.map(search, [token] * 12)) == {200}
        assert wait_for(lambda: hub_checks() > before, what="the hub's log line") and hub_checks() == before + 1


def test_requests_arriving_together_with_a_fresh_token_ask_the_hub_once_per_worker(hub):
    """A browser whose answer expired sends several requests at once: each worker asks
    the hub once and its other requests share that answer (before, each request asked)."""
    user = VOTERS[58]

    def hub_checks() -> int:
        return hub.hub.log_path.read_text(errors="replace").count(f"GET /hub/api/user ({user}@")

    def search(token: str) -> int:
        return requests.get(f"{hub.url}/datasets", params={"limit": 1},
                            headers={"Authorization": f"token {token}"}, timeout=60).status_code

    for round_ in range(3):
        token = hub.hub.user_token(user, note=f"together {round_}")
        before = hub_checks()
        with ThreadPoolExecutor(16) as pool:
            assert set(pool.map(search, [token] * 16)) == {200}
        assert wait_for(lambda: hub_checks() > before, what="the hub's log line")
        time.sleep(0.5)  # any further question's log line
        assert hub_checks() - before <= WORKERS


def test_a_worker_killed_mid_load_loses_nothing_acknowledged(hub, store_url):
    targets = [d["pid"] for d in hub.get("bob", "/datasets", params={"proposal": "p1002", "limit": 3})
               .json()["items"]]
    rng = random.Random(18)
    voters = VOTERS[:40]
    plans = {voter: [(rng.choice(targets), rng.choice(["like", "dislike", None])) for _ in range(15)]
             for voter in voters}
    tokens = {voter: hub.token(voter) for voter in voters}
    base = {}  # the counts without any vote these voters may have cast before
    with open_store(store_url) as store:
        for pid in targets:
            dataset = hub.get("bob", f"/datasets/{quote_pid(pid)}").json()
            earlier = [v.value for v in store.votes_for_dataset(Identity.for_operator(), pid) if v.user in plans]
            base[pid] = (dataset["likes"] - earlier.count("like"), dataset["dislikes"] - earlier.count("dislike"))

    def until_acknowledged(send, ok: set[int]) -> requests.Response:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = send()
                if answer.status_code in ok:
                    return answer
                assert answer.status_code in (409, 502, 503), (answer.status_code, answer.text[:300])
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "no answer within two minutes"
            time.sleep(0.3)

    def vote(voter: str) -> list[str]:
        session = requests.Session()
        session.headers["Authorization"] = f"token {tokens[voter]}"
        keys = []
        for step, (pid, value) in enumerate(plans[voter]):
            url = f"{hub.url}/datasets/{quote_pid(pid)}/vote"

            def send_vote():
                return session.put(url, json={"value": value}, timeout=60) if value else \
                    session.delete(url, timeout=60)

            until_acknowledged(send_vote, {200})
            if step % 5 == 0:  # and now and then a selection, created once whatever happens
                key = uuid.uuid4().hex
                body = {"name": f"kill-test {voter} {key[:8]}", "datasets": [pid]}

                def send_selection():
                    return session.post(f"{hub.url}/selections", json=body, timeout=60,
                                        headers={"Idempotency-Key": key})

                until_acknowledged(send_selection, {201})
                keys.append(body["name"])
        return keys

    original = workers(hub.hub.process.pid)
    assert len(original) == WORKERS
    with ThreadPoolExecutor(len(voters)) as pool:
        running = [pool.submit(vote, voter) for voter in voters]
        time.sleep(1.5)  # the load is under way
        victim = original[0]
        kill(victim, signal.SIGKILL)
        names = [name for future in running for name in future.result()]

    replaced = wait_for(lambda: (lambda now: len(now) == WORKERS and victim not in now and now)(
        workers(hub.hub.process.pid)), what="a new worker")
    assert set(replaced) & set(original) == set(original) - {victim}

    # every acknowledged vote counts: the last one of each (voter, dataset)
    finals: dict[tuple[str, str], str | None] = {}
    for voter, plan in plans.items():
        for pid, value in plan:
            finals[(voter, pid)] = value
    with open_store(store_url) as store:
        for pid in targets:
            stored = {v.user: v.value for v in store.votes_for_dataset(Identity.for_operator(), pid)
                      if v.user in plans}
            assert stored == {voter: value for (voter, p), value in finals.items() if p == pid and value}
            dataset = hub.get("bob", f"/datasets/{quote_pid(pid)}").json()
            wanted = [value for (voter, p), value in finals.items() if p == pid]
            assert (dataset["likes"], dataset["dislikes"]) == (base[pid][0] + wanted.count("like"),
                                                               base[pid][1] + wanted.count("dislike"))
        # every acknowledged creation made exactly one selection, retries or not
        made: dict[str, int] = {}
        for voter in voters:
            for selection in store.list_selections(Identity(voter, groups=frozenset({"p1002"}))):
                made[selection.name] = made.get(selection.name, 0) + 1
        assert {name: made.get(name, 0) for name in names} == {name: 1 for name in names}
        for voter in voters:  # leave the catalogue as it was
            identity = Identity(voter, groups=frozenset({"p1002"}))
            for pid in targets:
                store.set_vote(identity, pid, None)
            for selection in store.list_selections(identity):
                store.delete_selection(identity, selection.id)
