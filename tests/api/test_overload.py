"""A service process at its in-flight limit queues the next requests for a bounded time,
then refuses them clearly (real JupyterHub, real proxy, real service process, real
HTTP; limits.max_in_flight_per_worker and limits.max_wait_seconds).

Requests are held in progress the way a slow client holds them: their head has
arrived (the service has taken them in) and their body has not. With the limit taken,
the next request waits: it is answered once a place frees (slower, not failed), and
only after ``max_wait_seconds`` without one does it get 503 ``busy`` with
``Retry-After``, a write refused so having done nothing; once the held ones complete,
everything acknowledged counts exactly once, a request abandoned mid-body frees its
place, and the service takes requests again. Waiting places are handed out first come,
first served (``Places``, run on its own event loop).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from urllib.parse import urlparse

import pytest

from beamhub.catalogue import open_store
from beamhub.service.workers import Places

from .conftest import VOTERS, load_demo
from .hubsetup import CatalogueHub, demo_users, quote_pid

pytestmark = pytest.mark.hub

LIMIT = 2
WAIT = 2.0


@pytest.fixture(scope="module")
def hub(tmp_path_factory, demo_data):
    url = f"sqlite:///{tmp_path_factory.mktemp('overload-catalogue') / 'catalogue.sqlite'}"
    with open_store(url) as store:
        load_demo(store, demo_data)
    workdir = tmp_path_factory.mktemp("overload-hub")
    users = {**demo_users(demo_data / "proposals.yaml"), VOTERS[0]: ["p1002"]}
    with CatalogueHub(url, users, workdir, catalogue={
            "workers": 1, "log_level": "INFO", "limits": {"max_in_flight_per_worker": LIMIT, "max_wait_seconds": WAIT}}) as hub:
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
    passed their heads on: the first probes may still get through); the refused one
    waited its max_wait_seconds for a place first."""
    for _ in range(50):
        started = time.monotonic()
        answer = hub.get(user, path)
        if answer.status_code == 503:
            assert time.monotonic() - started >= WAIT * 0.9, "refused without waiting for a place"
            return answer
        assert answer.status_code == 200, answer.text
    raise AssertionError("the service never said it was busy")


def test_beyond_the_limit_a_request_waits_for_a_place_and_is_answered(hub):
    target = hub.get("bob", "/datasets", params={"proposal": "p1002", "limit": 1}).json()["items"][0]["pid"]
    held = [SlowVote(hub, "alice", target, "like"), SlowVote(hub, "bob", target, "like")]
    until_busy(hub, "voter00", "/datasets")  # both places are taken
    answers = {}

    def waiting_search():
        started = time.monotonic()
        answers["status"] = hub.get("voter00", "/datasets").status_code
        answers["seconds"] = time.monotonic() - started

    search = threading.Thread(target=waiting_search)
    search.start()
    time.sleep(WAIT / 2)
    assert search.is_alive(), "answered while every place was taken"
    assert held[0].finish() == 200  # a place frees: the waiting search takes it
    search.join(timeout=30)
    assert answers["status"] == 200 and WAIT / 2 <= answers["seconds"] < WAIT, answers
    assert held[1].finish() == 200
    assert hub.request("alice", "DELETE", f"/datasets/{quote_pid(target)}/vote").status_code == 200
    assert hub.request("bob", "DELETE", f"/datasets/{quote_pid(target)}/vote").status_code == 200


def test_places_go_first_come_first_served_and_a_wait_is_bounded():
    async def scenario() -> tuple[list[str], bool, int]:
        places = Places(1, wait_seconds=0.5, max_waiting=2)
        order: list[str] = []
        assert await places.enter()

        async def request(name: str) -> None:
            if await places.enter():
                order.append(name)
                await asyncio.sleep(0.01)
                places.leave()
            else:
                order.append(f"{name} refused")

        waiting = [asyncio.create_task(request(name)) for name in ("first", "second", "third")]
        await asyncio.sleep(0.05)  # the third finds two waiting: refused at once
        assert order == ["third refused"] and places.waiting == 2
        places.leave()
        await asyncio.gather(*waiting)
        late = asyncio.create_task(places.enter())  # every place free again: taken at once
        taken = await late
        places.leave()
        held = await places.enter()
        timed_out = await places.enter()  # the only place stays held: refused after the wait
        return order, held and not timed_out, places.used

    order, bounded, used = asyncio.run(scenario())
    assert order == ["third refused", "first", "second"] and bounded and used == 1


def test_beyond_the_limit_and_the_wait_a_request_is_refused_and_nothing_acknowledged_is_lost(hub):
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
