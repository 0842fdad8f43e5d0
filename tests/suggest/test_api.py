"""Suggestions through the catalogue service's REST API, on a real JupyterHub.

The service runs with ``compute_per_request: 0``: only its background job computes
features, so the first test also shows that features are computed and kept without any
request asking for them."""

from __future__ import annotations

import sqlite3
import time

import pytest

from beamhub.catalogue import Identity
from beamhub.suggest.suggester import all_visible
from tests.api.hubsetup import CatalogueHub, quote_pid

from .voted import STAFF, derived, voted_catalogue

USERS = {"m1": ["p5001"], "m2": ["p5002"], "m3": ["p5003"], "carol": ["staff-i03"]}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    work = tmp_path_factory.mktemp("suggest-api")
    store, by_proposal = voted_catalogue(work)
    staff_view = {d.pid: d for d in all_visible(store, STAFF)}
    liked = sorted(pid for pid in by_proposal["p5001"] if staff_view[pid].likes > staff_view[pid].dislikes)
    store.upsert_datasets(Identity.for_operator(), [derived(1, staff_view[liked[0]], 4.0)])
    store.close()
    with CatalogueHub(store.url, USERS, work / "hub", catalogue={
            "suggest": {"compute_per_request": 0, "refresh_seconds": 1, "refresh_batch": 10}}) as running:
        yield running, by_proposal, liked[0]


def kept_features(hub: CatalogueHub) -> int:
    path = hub.state_dir / "suggest" / "features.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM beamhub_suggest_features").fetchone()[0]


def test_the_background_job_computes_and_keeps_every_datasets_features(hub):
    running, _, _ = hub
    deadline = time.monotonic() + 60
    while kept_features(running) < 37 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert kept_features(running) == 37, running.hub.log_tail()  # 36 sweeps, one derived; 10 a round


def test_a_member_gets_their_proposals_datasets_ranked_with_why(hub):
    running, by_proposal, _ = hub
    test_the_background_job_computes_and_keeps_every_datasets_features(hub)
    answer = running.get("m1", "/suggestions", params={"limit": 200, "type": "raw"})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["label"] == "suggestion" and page["total"] == page["scored"] == 12
    items = page["items"]
    assert {i["pid"] for i in items} == by_proposal["p5001"]
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for item in items:
        assert item["label"] == "suggestion" and item["dataset"]["pid"] == item["pid"]
        assert "votes on 12 MX datasets you can see" in item["reason"]
        assert len(item["neighbours"]) == 3 and {n["pid"] for n in item["neighbours"]} <= by_proposal["p5001"]
        assert len(item["features"]) == 3 and {f["direction"] for f in item["features"]} <= {"for", "against"}
    second = running.get("m1", "/suggestions", params={"limit": 5, "offset": 5, "type": "raw"}).json()
    assert [i["pid"] for i in second["items"]] == [i["pid"] for i in items[5:10]]
    worth = running.get("m1", "/suggestions", params={"min_score": 0.5, "type": "raw"}).json()
    assert worth["total"] == sum(s >= 0.5 for s in scores) and all(i["score"] >= 0.5 for i in worth["items"])


def test_too_few_votes_are_said_so_not_guessed(hub):
    running, by_proposal, _ = hub
    page = running.get("m3", "/suggestions", params={"limit": 200}).json()
    assert {i["pid"] for i in page["items"]} == by_proposal["p5003"] and page["scored"] == 0
    assert all(i["score"] is None and "not enough votes" in i["reason"] for i in page["items"])


def test_nothing_invisible_is_named_or_counted(hub):
    running, by_proposal, _ = hub
    other = sorted(by_proposal["p5002"])[0]
    assert running.get("m1", f"/datasets/{quote_pid(other)}/suggestion").status_code == 404
    assert running.get("m1", f"/datasets/{quote_pid(other)}/similar").status_code == 404
    hidden = running.get("m1", "/suggestions/parameters", params={"processing": "frame-score", "pid": other}).json()
    assert hidden["values"] == {} and hidden["sources"] == {}
    mine = sorted(by_proposal["p5001"])[0]
    group = running.get("m1", f"/datasets/{quote_pid(mine)}/similar").json()
    assert {m["pid"] for m in group["members"]} <= by_proposal["p5001"] and group["size"] == len(group["members"])
    assert 0 <= group["averageFrameScore"] <= 1 and (group["likeRatio"] is None or 0 <= group["likeRatio"] <= 1)
    explained = running.get("m1", f"/datasets/{quote_pid(mine)}/suggestion").json()
    assert explained["pid"] == mine and {n["pid"] for n in explained["neighbours"]} <= by_proposal["p5001"]
    staff = running.get("carol", f"/datasets/{quote_pid(mine)}/suggestion").json()
    assert "on 26 datasets" in staff["reason"] and "on 12 datasets" in explained["reason"]


def test_parameters_are_prefilled_with_where_they_came_from(hub):
    running, by_proposal, source = hub
    target = sorted(by_proposal["p5001"] - {source})[:2]
    answer = running.get("m1", "/suggestions/parameters", params={"processing": "frame-score", "pid": target})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["values"] == {"sigma": 4.0, "min_score": 0.5}
    assert body["sources"] == {"sigma": [source], "min_score": [source]} and body["label"] == "suggestion"
    assert running.get("m2", "/suggestions/parameters",
                       params={"processing": "frame-score", "pid": sorted(by_proposal["p5002"])[0]}).json()["values"] == {}


@pytest.mark.parametrize("path, params", [
    ("/suggestions", {"min_score": 2}),
    ("/suggestions", {"sort": "-creationTime"}),
    ("/suggestions", {"limit": 201}),
    ("/suggestions", {"offset": -1}),
    ("/suggestions/parameters", {"processing": "nothing", "pid": "beamhub/x"}),
    ("/suggestions/parameters", {"processing": "frame-score"}),
])
def test_bad_requests_get_a_clear_400(hub, path, params):
    running, _, _ = hub
    answer = running.get("m1", path, params=params)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_input", answer.text
