"""The database goes away mid-run and comes back: 503s, nothing acknowledged is lost,
and the service recovers by itself.

The catalogue runs on the MongoDB store over a DocumentDB of its own. Twenty voters
keep voting through the hub's proxy while DocumentDB is stopped for a few seconds and
started again on the same port with the same data; the service is not restarted.

What must hold:

- during the outage, answers are 503 with code ``store_unavailable`` (JSON, with
  Retry-After) and ``/health`` says the store is unavailable;
- afterwards the same service answers normally again;
- for every voter and dataset the stored vote is the last acknowledged one, or one
  written by a later request whose answer was an error (a write the database
  committed but whose acknowledgement was lost); never an older one;
- retried writes are idempotent: after everyone sets a final vote (retrying until
  acknowledged), votes and counts are exactly those final votes.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from beamhub.catalogue import Identity, open_store

from .conftest import load_demo
from .hubsetup import CatalogueHub, demo_users, quote_pid

pytestmark = [pytest.mark.hub, pytest.mark.mongodb]

VOTERS = [f"outage{i:02d}" for i in range(20)]
CHOICES = ["like", "dislike", None]


@pytest.fixture(scope="module")
def outage_setup(tmp_path_factory, demo_data):
    from tests.services.documentdb import DocumentDB
    from tests.services.require import missing

    try:
        server = DocumentDB()
    except Exception as exc:
        missing("DocumentDB", f"could not install it ({exc})")
    with server as database:
        url = database.url.rstrip("/") + f"/beamhub_outage_{uuid.uuid4().hex[:8]}"
        with open_store(url) as store:
            load_demo(store, demo_data)
        users = demo_users(demo_data / "proposals.yaml")
        users.update({name: ["p1002"] for name in VOTERS})
        with CatalogueHub(url, users, tmp_path_factory.mktemp("outage-hub")) as hub:
            yield hub, database, url


def _vote(session: requests.Session, hub: CatalogueHub, pid: str, value: str | None) -> requests.Response:
    url = f"{hub.url}/datasets/{quote_pid(pid)}/vote"
    return session.put(url, json={"value": value}, timeout=60) if value else session.delete(url, timeout=60)


def test_store_outage_gives_503s_loses_no_acknowledged_vote_and_recovers(outage_setup):
    hub, database, url = outage_setup
    targets = [d["pid"] for d in hub.get("alice", "/datasets", params={"proposal": "p1002", "limit": 3})
               .json()["items"]]
    tokens = {voter: hub.token(voter) for voter in VOTERS}
    log: dict[str, list[tuple[str, str | None, int, dict | None]]] = {voter: [] for voter in VOTERS}
    stop = threading.Event()

    def voter_loop(voter: str) -> None:
        rng = random.Random(voter)
        session = requests.Session()
        session.headers["Authorization"] = f"token {tokens[voter]}"
        while not stop.is_set():
            pid, value = rng.choice(targets), rng.choice(CHOICES)
            answer = _vote(session, hub, pid, value)
            body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else None
            log[voter].append((pid, value, answer.status_code, body))
            time.sleep(rng.uniform(0, 0.05))

    with ThreadPoolExecutor(len(VOTERS)) as pool:
        running = [pool.submit(voter_loop, voter) for voter in VOTERS]
        time.sleep(3)
        database.stop()
        try:
            down = _wait_for(lambda: hub.get(None, "/health").status_code == 503, 30)
            assert down, "the service never noticed the store was down"
            health = hub.get(None, "/health")
            assert health.json()["store"] == "unavailable" and health.json()["status"] == "degraded"
            time.sleep(4)
        finally:
            database.start()
        assert _wait_for(lambda: hub.get(None, "/health").status_code == 200, 60), "no recovery"
        time.sleep(3)
        stop.set()
        for future in running:
            future.result()

    statuses = {status for entries in log.values() for _, _, status, _ in entries}
    failures = [(status, body) for entries in log.values() for _, _, status, body in entries if status != 200]
    assert statuses <= {200, 503}, statuses
    assert failures, "no request fell into the outage"
    for status, body in failures:
        assert body is not None and body["code"] == "store_unavailable" and body["message"]

    # The service answers normally again, without a restart.
    assert hub.get("alice", "/datasets").status_code == 200

    with open_store(url) as store:
        operator = Identity.for_operator()
        for pid in targets:
            stored = {v.user: v.value for v in store.votes_for_dataset(operator, pid) if v.user in log}
            for voter, entries in log.items():
                allowed = _allowed_values([(value, status) for p, value, status, _ in entries if p == pid])
                assert stored.get(voter) in allowed, (voter, pid, stored.get(voter), allowed)

        # Everyone sets a final vote, retrying until acknowledged: retries are idempotent.
        rng = random.Random(1)
        finals = {(voter, pid): rng.choice(CHOICES) for voter in VOTERS for pid in targets}
        for (voter, pid), value in finals.items():
            session = requests.Session()
            session.headers["Authorization"] = f"token {tokens[voter]}"
            for _ in range(3):  # the same request twice or more changes nothing
                assert _retry_until_ok(lambda: _vote(session, hub, pid, value)).json()["myVote"] == value
        for pid in targets:
            stored = {v.user: v.value for v in store.votes_for_dataset(operator, pid) if v.user in log}
            assert stored == {voter: finals[(voter, pid)] for voter in VOTERS if finals[(voter, pid)]}
            dataset = hub.get("alice", f"/datasets/{quote_pid(pid)}").json()
            mine = [finals[(voter, pid)] for voter in VOTERS]
            assert (dataset["likes"], dataset["dislikes"]) == (mine.count("like"), mine.count("dislike"))


def _allowed_values(attempts: list[tuple[str | None, int]]) -> set[str | None]:
    """The last acknowledged value, or any value sent after it whose answer was an error."""
    allowed: set[str | None] = {None}
    for value, status in attempts:
        if status == 200:
            allowed = {value}
        else:
            allowed.add(value)
    return allowed


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def _retry_until_ok(call, timeout: float = 60) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        answer = call()
        if answer.status_code == 200 or time.monotonic() > deadline:
            assert answer.status_code == 200, answer.text
            return answer
        time.sleep(0.5)
