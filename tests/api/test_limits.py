"""Limits a site sets on the catalogue service hold, with answers that say which limit.

A hub of its own, with limits far below the defaults, over a copy of the demo catalogue.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from .hubsetup import CatalogueHub, demo_users, quote_pid

pytestmark = [pytest.mark.hub]


@pytest.fixture(scope="module")
def strict_hub(tmp_path_factory, service_store_url, demo_data):
    if not service_store_url.startswith("sqlite:///"):
        pytest.fail("the limits hub copies the SQLite demo catalogue")
    workdir = tmp_path_factory.mktemp("strict-hub")
    copy = workdir / "catalogue.sqlite"
    shutil.copy(urlsplit(service_store_url).path, copy)
    os.chmod(copy, 0o644)
    catalogue = {"limits": {"max_selections_per_user": 2, "max_in_flight_per_user": 1},
                 "preview_cache_dir": str(workdir / "no-cache-shared")}
    users = demo_users(demo_data / "proposals.yaml")
    # two users of this hub alone: the copied catalogue holds what earlier tests made for
    # the demo users (bob's selections, for one), and a limit counts what a user has
    users.update({"lima": ["p1001"], "limo": ["p1002"]})
    with CatalogueHub(f"sqlite:///{copy}", users, workdir,
                      catalogue=catalogue, state_dir=workdir / "state") as hub:
        yield hub


def test_a_user_may_own_only_so_many_selections(strict_hub):
    made = [strict_hub.request("lima", "POST", "/selections", json={"name": f"batch {i}"}) for i in range(3)]
    assert [answer.status_code for answer in made] == [201, 201, 413]
    refusal = made[-1].json()
    assert refusal["code"] == "limit_exceeded" and "you have 2 selections" in refusal["message"]
    assert len(strict_hub.get("lima", "/selections").json()) == 2  # the refused one was not written
    assert strict_hub.request("limo", "POST", "/selections", json={"name": "his own"}).status_code == 201
    strict_hub.request("lima", "DELETE", f"/selections/{made[0].json()['id']}")
    assert strict_hub.request("lima", "POST", "/selections", json={"name": "again"}).status_code == 201


def test_requests_beyond_a_users_share_get_429_and_others_are_not_slowed(strict_hub):
    """One request in progress per user: alice's burst of preview renderings (each takes
    a while, none cached) is partly refused; bob, at the same time, is served."""
    datasets = strict_hub.get("alice", "/datasets", params={"limit": 12}).json()["items"]
    assert len(datasets) >= 8

    work = [("alice", f"/datasets/{quote_pid(d['pid'])}/preview.png?size=large") for d in datasets] + [("bob", "/me")]
    with ThreadPoolExecutor(len(work)) as pool:
        burst = list(pool.map(lambda call: (call[0], strict_hub.get(*call)), work))
    alice = [answer for user, answer in burst if user == "alice"]
    codes = sorted({answer.status_code for answer in alice})
    assert codes == [200, 429], codes
    refused = next(answer for answer in alice if answer.status_code == 429)
    assert refused.json()["code"] == "too_many_requests" and refused.json()["message"]
    assert all(answer.status_code == 200 for user, answer in burst if user == "bob")
    # once her requests are done she is served again
    assert strict_hub.get("alice", f"/datasets/{quote_pid(datasets[0]['pid'])}/preview.png").status_code == 200
