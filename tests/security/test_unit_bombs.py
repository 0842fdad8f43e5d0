"""No unit expression makes the service work without bound, nor stalls other users.

pint evaluates a unit as arithmetic: ``temperature > 1 9**9**7 K`` computed a number of
millions of digits on the service (3.3 s, the event loop and every other user frozen
meanwhile; ``9**9**8`` ran for minutes). Against the really started hub and service, on
both stores, each bomb of the table is sent as alice while bob keeps asking for
``/health`` and searching; every bomb must get a JSON 400 quickly, and bob's slowest
answer in the same run must stay well below the freeze the bombs caused.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.api.conftest import on_both_stores

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB

BOMBS = [
    "temperature > 1 9**9**7 K",
    "temperature > 1 9^9^9 K",
    "temperature = 1 9**9**7 K",
    "temperature > 1 (9**9)**9 K",
    "temperature > 1 10**10**10",
    "temperature > 1 K**9**9",
    "temperature > 1 K**999999999",
    "temperature > 1 K⁹⁹⁹⁹⁹⁹⁹⁹⁹",
    "temperature > 1 9⁹⁹⁹⁹⁹⁹⁹",
    "temperature > 1 " + "(" * 150 + "K" + ")" * 150,
    "temperature > 1 " + "*".join(["K"] * 150),
    "temperature > 1 " + "/".join(["m"] * 150),
    "temperature > 1 K**-9**9",
    "temperature > 1 e**9999999 K",
    "temperature > 1e999999999 K",
    "temperature > " + "9" * 350 + " K",
    "temperature > 1 9**9**8 K",
]
BOMB_SECONDS = 2.0
"""Generous: a refusal is a regular expression match, a few milliseconds."""
NEIGHBOUR_SECONDS = 2.0
"""Bob's slowest /health or search while the bombs go off (one bomb froze it for 3.3 s)."""


class Neighbour(threading.Thread):
    """Bob asking for /health and searching until told to stop, timing every answer."""

    def __init__(self, hub):
        super().__init__(daemon=True)
        self.hub = hub
        self.stop = threading.Event()
        self.times: list[tuple[float, str, int]] = []

    def run(self) -> None:
        session = requests.Session()
        headers = self.hub.headers("bob")
        while not self.stop.is_set():
            for path, params in (("/health", None), ("/datasets", {"text": "lysozyme", "limit": 5})):
                start = time.monotonic()
                try:
                    status = session.get(self.hub.url + path, params=params, headers=headers, timeout=30).status_code
                except requests.RequestException:
                    status = 0
                self.times.append((time.monotonic() - start, path, status))
            time.sleep(0.02)


def test_a_bounded_unit_still_works(catalogue_hub):
    answer = catalogue_hub.get("alice", "/datasets", params={"condition": "temperature < 200 K", "limit": 1})
    assert answer.status_code == 200, answer.text
    celsius = catalogue_hub.get("alice", "/datasets", params={"condition": "temperature < -73.15 degC", "limit": 1})
    assert celsius.json()["total"] == answer.json()["total"]


def test_unit_bombs_are_refused_at_once_and_others_are_not_stalled(catalogue_hub):
    neighbour = Neighbour(catalogue_hub)
    neighbour.start()
    slow = []
    try:
        time.sleep(0.5)  # bob's baseline
        for bomb in BOMBS:
            start = time.monotonic()
            try:
                answer = catalogue_hub.get("alice", "/datasets", params={"condition": bomb}, timeout=30)
            except requests.Timeout:
                slow.append((bomb[:60], "no answer within 30 s"))
                continue
            took = time.monotonic() - start
            if not (answer.status_code == 400 and answer.headers["Content-Type"].startswith("application/json")
                    and answer.json()["code"] == "invalid_input" and took < BOMB_SECONDS):
                slow.append((bomb[:60], answer.status_code, round(took, 2), answer.text[:120]))
        time.sleep(0.5)
    finally:
        neighbour.stop.set()
        neighbour.join(60)
    assert not slow, slow
    assert neighbour.times and all(status == 200 for _, _, status in neighbour.times), neighbour.times
    worst = max(neighbour.times)
    assert worst[0] < NEIGHBOUR_SECONDS, f"bob waited {worst[0]:.2f} s for {worst[1]}"


def test_a_read_that_outlasts_its_limit_is_503_and_the_loop_stays_free(tmp_path):
    """The time limit itself, on the service's logic over a real SQLite store: a store
    call that does not come back in time is answered 503 ``timeout``, and the event loop
    answers other work meanwhile."""
    import asyncio

    from beamhub.catalogue import Identity, open_store
    from beamhub.service.errors import Timeout
    from beamhub.service.logic import CatalogueLogic
    from beamhub.service.settings import ServiceSettings

    with open_store(f"sqlite:///{tmp_path / 'catalogue.sqlite'}") as store:
        logic = CatalogueLogic(store, ServiceSettings(), work_root=tmp_path / "jobs")
        logic.read_seconds = 0.5
        release = threading.Event()

        def stuck(identity):  # a store call that hangs (a lock held elsewhere, a slow disk)
            release.wait(10)
            return []

        async def scenario():
            ticks = 0

            async def ticker():
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.05)
                    ticks += 1

            beat = asyncio.ensure_future(ticker())
            start = time.monotonic()
            with pytest.raises(Timeout) as raised:
                await logic._read(stuck, Identity("alice"))
            took = time.monotonic() - start
            beat.cancel()
            return took, ticks, raised.value

        try:
            took, ticks, error = asyncio.run(scenario())
        finally:
            release.set()
            logic.close()
    assert error.http_status == 503 and error.code == "timeout"
    assert 0.5 <= took < 3 and ticks >= 5
