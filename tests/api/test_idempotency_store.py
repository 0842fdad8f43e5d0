"""Idempotency keys kept in the store, on both stores: what every service process relies on.

A claimed key is in progress for everyone until completed (another claim is told
``busy``); a completed one replays its answer until it expires; a released one, or one
whose lease ran out (its process died), may be claimed again. A process killed between
a keyed write and keeping its answer leaves one write, not two, whatever the retry.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from beamhub.catalogue import Identity, open_store
from beamhub.catalogue.stores import request_keys_for
from beamhub.service.api_models import SelectionCreate
from beamhub.service.idempotency import IdempotencyKeys
from beamhub.service.logic import CatalogueLogic
from beamhub.service.settings import ServiceSettings


@pytest.fixture(params=["sqlite", "mongo"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    else:
        url = request.getfixturevalue("mongodb_url").rstrip("/") + f"/beamhub_keys_{uuid.uuid4().hex[:8]}"
    with open_store(url) as store:
        yield store


def test_a_key_is_claimed_once_then_replays_its_answer(store):
    keys = request_keys_for(store)
    other = request_keys_for(open_store(store.url))  # as another service process would
    key = uuid.uuid4().hex
    assert keys.claim(key, 30).state == "new"
    assert other.claim(key, 30).state == "busy"
    keys.complete(key, 201, b'{"id": "s1"}', 60)
    again = other.claim(key, 30)
    assert (again.state, again.status, again.body) == ("done", 201, b'{"id": "s1"}')
    empty = uuid.uuid4().hex  # a 204 keeps its empty body
    assert keys.claim(empty, 30).state == "new"
    keys.complete(empty, 204, b"", 60)
    assert (other.claim(empty, 30).state, other.claim(empty, 30).status) == ("done", 204)


def test_a_released_or_abandoned_key_may_be_claimed_again_and_answers_expire(store):
    keys = request_keys_for(store)
    released, abandoned, expiring = (uuid.uuid4().hex for _ in range(3))
    assert keys.claim(released, 30).state == "new"
    keys.release(released)
    assert keys.claim(released, 30).state == "new"
    assert keys.claim(abandoned, 0.5).state == "new"  # its process died: nobody completes it
    time.sleep(1.0)
    assert keys.claim(abandoned, 30).state == "new"
    assert keys.claim(expiring, 30).state == "new"
    keys.complete(expiring, 201, b"{}", 0.5)
    time.sleep(1.0)
    assert keys.claim(expiring, 30).state == "new"


def test_of_many_claiming_at_once_exactly_one_acts(store):
    key = uuid.uuid4().hex
    stores = [open_store(store.url) for _ in range(8)]
    try:
        with ThreadPoolExecutor(8) as pool:
            states = list(pool.map(lambda s: request_keys_for(s).claim(key, 30).state, stores))
    finally:
        for other in stores:
            other.close()
    assert sorted(states) == ["busy"] * 7 + ["new"]


def _create_then_die(url: str, key: str, work: str) -> None:
    """A service process creating a keyed selection, killed after the write and before
    its key's answer is kept (the answer is encoded between the two)."""
    with open_store(url) as store:
        logic = CatalogueLogic(store, ServiceSettings(), work_root=Path(work))
        IdempotencyKeys(request_keys_for(store), logic._run).pending(key, lambda result: os._exit(9))
        asyncio.run(logic.create_selection(KEYED_OWNER, SelectionCreate(name="made once")))


KEYED_OWNER = Identity("keyed-owner", groups=frozenset({"p1002"}))


def test_a_process_killed_between_a_keyed_write_and_its_answer_makes_one_selection(store, tmp_path):
    # SQLite keeps the write and the answer in one transaction: the kill undoes both.
    # MongoDB writes first: the selection is there, its key pending; the retry after
    # the lease finds the selection the key names instead of making a second one.
    keys = request_keys_for(store)
    key = uuid.uuid4().hex
    assert keys.claim(key, 0.5).state == "new"
    child = multiprocessing.get_context("fork").Process(target=_create_then_die, args=(store.url, key, str(tmp_path)))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    left = store.list_selections(KEYED_OWNER)
    assert len(left) == (0 if store.url.startswith("sqlite") else 1)
    assert keys.claim(key, 30).state == "busy"  # its lease still runs
    time.sleep(1.0)  # the lease runs out: a retry may act
    assert keys.claim(key, 30).state == "new"
    logic = CatalogueLogic(store, ServiceSettings(), work_root=tmp_path)
    try:
        pending = IdempotencyKeys(keys, logic._run).pending(key, lambda result: (201, result.model_dump_json().encode()))
        made = asyncio.run(logic.create_selection(KEYED_OWNER, SelectionCreate(name="made once")))
    finally:
        logic.pool.shutdown(wait=True)
    assert pending.answered
    assert [s.id for s in store.list_selections(KEYED_OWNER)] == [made.id]
    replay = keys.claim(key, 30)
    assert (replay.state, replay.status, json.loads(replay.body)["id"]) == ("done", 201, made.id)


def _act_then_die(url: str, key: str, work: str, operation: str, selection_id: str) -> None:
    """A service process deleting or submitting a selection with a key, killed after the
    store has acted and before the key's answer is kept (the answer is encoded between
    the two for a delete; a submit's answer is kept by the handler after it returns)."""
    with open_store(url) as store:
        logic = CatalogueLogic(store, _job_settings(work), work_root=Path(work))
        IdempotencyKeys(request_keys_for(store), logic._run).pending(key, lambda result: os._exit(9))
        asyncio.run(getattr(logic, operation)(ALICE, selection_id))
        os._exit(9)  # a submit returned: die before the handler keeps its answer


ALICE = Identity("alice", groups=frozenset({"p1001"}))


def _job_settings(work: str) -> ServiceSettings:
    return ServiceSettings.model_validate({"jobs": {"runner": "local", "work_root": str(Path(work) / "jobs")}})


def _retry(store, key: str, operation: str, selection_id: str, work: Path):
    """The client's retry after the lease ran out: what it acts and what it is answered."""
    keys = request_keys_for(store)
    claim = keys.claim(key, 30)
    assert (claim.state, claim.resumed) == ("new", True)  # the first try was abandoned mid-way
    logic = CatalogueLogic(store, _job_settings(str(work)), work_root=work)
    try:
        IdempotencyKeys(keys, logic._run).pending(key, lambda result: (204, b""), claim.resumed)
        return asyncio.run(getattr(logic, operation)(ALICE, selection_id))
    finally:
        logic.pool.shutdown(wait=True)


@pytest.mark.parametrize("operation", ["delete_selection", "submit_selection"])
def test_a_retry_after_a_process_died_having_acted_answers_as_the_first_would(store, tmp_path, demo_data,
                                                                            operation):
    # The first try deletes (or submits) and its process dies before the key's answer is
    # kept. SQLite undoes an unanswered delete with its transaction, MongoDB does not;
    # a submit has started its job on both. The retry must not answer 404 (delete) or
    # 409 "only a draft can be submitted" for what the first try did: it answers as the
    # first would have, and the selection was deleted (or submitted) once.
    from .conftest import load_demo
    from beamhub.catalogue.query import SearchQuery

    load_demo(store, demo_data)
    sweeps = store.search(ALICE, SearchQuery(proposal=["p1001"], technique=["MX"], limit=5)).items
    made = store.create_selection(ALICE, "made", [d.pid for d in sweeps], "frame-score", {"sigma": 4})
    key = uuid.uuid4().hex
    assert request_keys_for(store).claim(key, 0.5).state == "new"
    child = multiprocessing.get_context("fork").Process(
        target=_act_then_die, args=(store.url, key, str(tmp_path), operation, made.id))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    acted = operation == "submit_selection" or not store.url.startswith("sqlite")
    if operation == "delete_selection":
        assert [s.id for s in store.list_selections(ALICE)] == ([] if acted else [made.id])
    else:
        assert store.get_selection(ALICE, made.id).status == "submitted"
    time.sleep(1.0)  # the lease runs out: the client's retry may act
    answer = _retry(store, key, operation, made.id, tmp_path)
    if operation == "delete_selection":
        assert answer is None and store.list_selections(ALICE) == []  # 204, and gone
    else:
        first_job = store.get_selection(ALICE, made.id).jobId
        assert answer.id == made.id and answer.status == "submitted" and answer.jobId == first_job
    # a retry that was not abandoned mid-way still gets the truth: 404 / 409
    from beamhub.catalogue.errors import IllegalTransition, NotFound
    from beamhub.service.idempotency import PENDING

    PENDING.set(None)  # a request without a key
    logic = CatalogueLogic(store, _job_settings(str(tmp_path)), work_root=tmp_path)
    try:
        with pytest.raises(NotFound if operation == "delete_selection" else IllegalTransition):
            asyncio.run(getattr(logic, operation)(ALICE, made.id))
    finally:
        logic.pool.shutdown(wait=True)


def test_the_site_sets_how_long_answers_are_kept(store):
    """``catalogue.idempotency_keep_seconds`` reaches the service and bounds the replay."""
    from beamhub.config.jupyterhub import service_settings
    from beamhub.config.model import SiteConfig

    site = SiteConfig.model_validate({"auth": {"kind": "demo", "users": {}}, "catalogue": {"idempotency_keep_seconds": 60}})
    assert service_settings(site).idempotency_keep_seconds == 60

    async def run(function, *args):
        return function(*args)

    keys = IdempotencyKeys(request_keys_for(store), run, keep_seconds=1)
    key = uuid.uuid4().hex
    assert asyncio.run(keys.claim(key)).state == "new"
    asyncio.run(keys.complete(key, 204, b""))
    assert asyncio.run(keys.claim(key)).state == "done"
    time.sleep(1.2)  # past the kept second: a retry acts again
    assert asyncio.run(keys.claim(key)).state == "new"
