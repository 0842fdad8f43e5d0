"""A service process at its in-flight limit answers at once instead of queueing (real
JupyterHub, real proxy, real service process, real HTTP; limits.max_in_flight_per_worker).

Requests are held in progress the way a slow client holds them: their head has
arrived (the service has taken them in) and their body has not. With the limit taken,
the next request gets 503 ``busy`` with ``Retry-After`` while those are still
unanswered, and a write refused so did nothing; once they complete, everything
acknowledged counts exactly once, a request abandoned mid-body frees its place, and
the service takes requests again.
"""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlparse

import pytest

from beamhub.catalogue import open_store

from .conftest import VOTERS, load_demo
from .hubsetup import CatalogueHub, demo_users, quote_pid

pytestmark = pytest.mark.hub

LIMIT = 2


@pytest.fixture(scope="module")
def hub(tmp_path_factory, demo_data):
    url = f"sqlite:///{tmp_path_factory.mktemp('overload-catalogue') / 'catalogue.sqlite'}"
    with open_store(url) as store:
        load_demo(store, demo_data)
    workdir = tmp_path_factory.mktemp("overload-hub")
    users = {**demo_users(demo_data / "proposals.yaml"), VOTERS[0]: ["p1002"]}
    with CatalogueHub(url, users, workdir, catalogue={
            "workers": 1, "log_level": "INFO", "limits": {"max_in_flight_per_worker": LIMIT}}) as hub:
        yield hub


class SlowVote:
    """A vote whose body is still on its way: the service has taken it in, not answered."""

    def __init__(self, hub: CatalogueHub, user: str, pid: str, value: str):
        url = urlparse(f"{hub.url}/datasets/{quote_pid(pid)}/vote")
        self.body = json.dumps({"value": value}).encode()
        self.sock = socket.create_connection((url.hostname, url.port), timeout=60)
        self.sock.sendall((f"PUT {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                           f"Authorization: token {hub.token(user)}\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n").encode()
                          + self.body[:3])

    def finish(self) -> int:
        self.sock.sendall(self.body[3:])
        answer = b""
        while chunk := self.sock.recv(65536):
            answer += chunk
        self.sock.close()
        return int(answer.split(b" ", 2)[1])

    def abandon(self) -> None:
        self.sock.close()


def until_busy(hub: CatalogueHub, user: str, path: str):
    """Requests until one is refused as busy (the slow ones are taken in once the proxy has
    passed their heads on: the first probes may still get through)."""
    for _ in range(50):
        answer = hub.get(user, path)
        if answer.status_code == 503:
            return answer
        assert answer.status_code == 200, answer.text
    raise AssertionError("the service never said it was busy")


def test_beyond_the_limit_a_request_is_refused_at_once_and_nothing_acknowledged_is_lost(hub):
    targets = [d["pid"] for d in hub.get("bob", "/datasets", params={"proposal": "p1002", "limit": 2})
               .json()["items"]]
    before = {pid: hub.get("bob", f"/datasets/{quote_pid(pid)}").json()["likes"] for pid in targets}

    held = [SlowVote(hub, "alice", targets[0], "like"), SlowVote(hub, "bob", targets[1], "like")]
    busy = until_busy(hub, "voter00", "/datasets")  # while both are still unanswered
    assert busy.json()["code"] == "busy" and busy.headers["Retry-After"] == "1"
    refused = hub.request("voter00", "PUT", f"/datasets/{quote_pid(targets[0])}/vote", json={"value": "like"})
    assert refused.status_code == 503 and refused.json()["code"] == "busy"

    assert [vote.finish() for vote in held] == [200, 200]
    assert hub.get("alice", f"/datasets/{quote_pid(targets[0])}").json()["likes"] == before[targets[0]] + 1
    assert hub.get("bob", f"/datasets/{quote_pid(targets[1])}").json()["likes"] == before[targets[1]] + 1
    assert hub.get("voter00", f"/datasets/{quote_pid(targets[0])}").json()["myVote"] is None  # refused: not done

    # Abandoned mid-body: they never run, and their places are free again once the
    # proxy has passed the closing on (the client's retry after Retry-After gets in).
    for _ in range(LIMIT):
        SlowVote(hub, "alice", targets[0], "dislike").abandon()
    for _ in range(20):
        retried = hub.request("voter00", "PUT", f"/datasets/{quote_pid(targets[0])}/vote", json={"value": "like"})
        if retried.status_code != 503:
            break
        time.sleep(float(retried.headers["Retry-After"]))
    assert retried.status_code == 200, retried.text
    assert all(hub.get("alice", "/datasets").status_code == 200 for _ in range(2 * LIMIT))
    final = hub.get("alice", f"/datasets/{quote_pid(targets[0])}").json()
    assert (final["likes"], final["myVote"]) == (before[targets[0]] + 2, "like")
