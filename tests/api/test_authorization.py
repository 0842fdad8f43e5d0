"""Every endpoint x every demo user x datasets of every proposal: nothing leaks.

What each demo user may see is written here by hand from the demo's table (not
computed by the code under test): alice p1001 and p1002, bob p1002, carol (staff of
i03) p1001, dave nothing, erin p2001, frank p3001, grace (staff of i22) p1002. A dataset
a user may not see must be indistinguishable from one that does not exist, in answers,
counts, facets and previews, and nothing a user does to it may be written. The whole
matrix runs on the SQLite catalogue and again on the MongoDB one (DocumentDB here).
"""

from __future__ import annotations

from collections import Counter

import pytest

from beamhub.catalogue import Identity, SearchQuery

from .conftest import OPERATOR, on_both_stores
from .hubsetup import quote_pid

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB

SEES = {
    "alice": {"p1001", "p1002"},
    "bob": {"p1002"},
    "carol": {"p1001"},
    "dave": set(),
    "erin": {"p2001"},
    "frank": {"p3001"},
    "grace": {"p1002"},
}
STAFF = {"carol": {"i03"}, "grace": {"i22"}}
USERS = sorted(SEES)
MISSING_PID = "beamhub/00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def all_datasets(operator_store):
    page = operator_store.search(OPERATOR, SearchQuery(limit=200))
    datasets = [d for d in page.items if d.type == "raw"]
    assert {d.proposalId for d in datasets} == {"p1001", "p1002", "p2001", "p3001"}
    return datasets


def visible(user, datasets):
    return {d.pid for d in datasets if d.proposalId in SEES[user]}


@pytest.mark.parametrize("user", USERS)
def test_search_lists_counts_and_facets_only_what_the_user_may_see(catalogue_hub, all_datasets, user):
    expected = visible(user, all_datasets)
    body = catalogue_hub.get(user, "/datasets", params={"limit": 200, "type": "raw"}).json()
    assert {d["pid"] for d in body["items"]} == expected
    assert body["total"] == len(expected)
    mine = [d for d in all_datasets if d.pid in expected]
    facets = {name: {c["value"]: c["count"] for c in counts} for name, counts in body["facets"].items()}
    assert facets["proposal"] == Counter(d.proposalId for d in mine)
    assert facets["beamline"] == Counter(d.creationLocation for d in mine)
    assert facets["technique"] == Counter(t for d in mine for t in d.technique_names)
    assert facets["year"] == Counter(d.creationTime.year for d in mine)


@pytest.mark.parametrize("user", USERS)
def test_filtering_on_another_proposal_finds_nothing_and_its_facets_show_nothing(catalogue_hub, user):
    for proposal in {"p1001", "p1002", "p2001", "p3001"} - SEES[user]:
        body = catalogue_hub.get(user, "/datasets", params={"proposal": proposal}).json()
        assert body["total"] == 0 and body["items"] == []
        for counts in body["facets"].values():
            assert all(c["value"] not in {proposal} for c in counts)
        # Free text naming another proposal's sample finds nothing either.
        sample = {"p1001": "lysozyme", "p1002": "silica", "p2001": "cuo", "p3001": "bone"}[proposal]
        assert catalogue_hub.get(user, "/datasets", params={"text": sample}).json()["total"] == 0


@pytest.mark.parametrize("user", USERS)
def test_dataset_detail_derived_and_preview_of_invisible_datasets_are_not_found(catalogue_hub, all_datasets, user):
    missing = catalogue_hub.get(user, f"/datasets/{quote_pid(MISSING_PID)}")
    assert missing.status_code == 404
    for dataset in all_datasets:
        path = f"/datasets/{quote_pid(dataset.pid)}"
        detail = catalogue_hub.get(user, path)
        derived = catalogue_hub.get(user, path + "/derived")
        preview = catalogue_hub.get(user, path + "/preview.png")
        if dataset.proposalId in SEES[user]:
            assert detail.status_code == 200 and detail.json()["pid"] == dataset.pid
            assert derived.status_code == 200
            assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
            assert preview.headers["Cache-Control"].startswith("private")
            again = catalogue_hub.get(user, path + "/preview.png", headers={"If-None-Match": preview.headers["ETag"]})
            assert again.status_code == 304 and again.content == b""  # the browser's copy still holds
        else:
            for answer in (detail, derived, preview):
                assert answer.status_code == 404, (user, dataset.pid, answer.text)
                assert answer.json()["code"] == "not_found"
                assert dataset.datasetName not in answer.text


@pytest.mark.parametrize("user", USERS)
def test_votes_on_invisible_datasets_are_refused_and_not_written(catalogue_hub, operator_store, all_datasets, user):
    for dataset in all_datasets:
        path = f"/datasets/{quote_pid(dataset.pid)}/vote"
        before = operator_store.get_dataset(OPERATOR, dataset.pid)
        put = catalogue_hub.request(user, "PUT", path, json={"value": "dislike"})
        if dataset.proposalId in SEES[user]:
            assert put.status_code == 200 and put.json()["myVote"] == "dislike"
            cleared = catalogue_hub.request(user, "DELETE", path)
            assert cleared.status_code == 200 and cleared.json()["myVote"] is None
        else:
            assert put.status_code == 404
            assert catalogue_hub.request(user, "DELETE", path).status_code == 404
        after = operator_store.get_dataset(OPERATOR, dataset.pid)
        assert (after.likes, after.dislikes) == (before.likes, before.dislikes)
    assert all(v.pid in visible(user, all_datasets) for v in operator_store.my_votes(Identity(user)))


@pytest.mark.parametrize("user", USERS)
def test_vote_lists_are_for_staff_of_the_beamline(catalogue_hub, all_datasets, user):
    for dataset in all_datasets:
        answer = catalogue_hub.get(user, f"/datasets/{quote_pid(dataset.pid)}/votes")
        if dataset.creationLocation in STAFF.get(user, set()):
            assert answer.status_code == 200
        elif dataset.proposalId in SEES[user]:
            assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
        else:
            assert answer.status_code == 404


@pytest.mark.parametrize("user", USERS)
def test_me_and_my_proposals(catalogue_hub, user):
    me = catalogue_hub.get(user, "/me").json()
    assert me["name"] == user
    assert sorted(me["staff_of"]) == sorted(STAFF.get(user, set()))
    proposals = {p["proposalId"] for p in catalogue_hub.get(user, "/me/proposals").json()}
    assert proposals == SEES[user]


def test_my_votes_are_only_mine(catalogue_hub, all_datasets):
    pid = sorted(visible("bob", all_datasets))[0]
    catalogue_hub.request("bob", "PUT", f"/datasets/{quote_pid(pid)}/vote", json={"value": "like", "comment": "bob's"})
    try:
        for user in USERS:
            votes = catalogue_hub.get(user, "/me/votes").json()
            assert all(v["user"] == user for v in votes)
            assert any(v["comment"] == "bob's" for v in votes) == (user == "bob")
    finally:
        catalogue_hub.request("bob", "DELETE", f"/datasets/{quote_pid(pid)}/vote")


@pytest.mark.parametrize("user", USERS)
def test_selections_hold_only_visible_datasets_and_stay_private(catalogue_hub, all_datasets, user):
    invisible = sorted({d.pid for d in all_datasets} - visible(user, all_datasets))
    before = catalogue_hub.get(user, "/selections").json()
    if invisible:
        refused = catalogue_hub.request(user, "POST", "/selections", json={"name": "sneaky", "datasets": invisible[:1]})
        assert refused.status_code == 400
        assert catalogue_hub.get(user, "/selections").json() == before
    mine = catalogue_hub.request(user, "POST", "/selections", json={"name": f"{user}'s",
                                                                    "datasets": sorted(visible(user, all_datasets))[:2]})
    assert mine.status_code == 201
    selection = mine.json()
    try:
        for other in USERS:
            if other == user:
                continue
            path = f"/selections/{selection['id']}"
            assert catalogue_hub.get(other, path).status_code == 404
            assert catalogue_hub.request(other, "PATCH", path, json={"name": "mine now"}).status_code == 404
            assert catalogue_hub.request(other, "POST", path + "/submit").status_code == 404
            assert catalogue_hub.request(other, "DELETE", path).status_code == 404
            assert selection["id"] not in {s["id"] for s in catalogue_hub.get(other, "/selections").json()}
            if invisible:
                added = catalogue_hub.request(user, "PATCH", path, json={"add": invisible[:1]})
                assert added.status_code == 400
        assert catalogue_hub.get(user, f"/selections/{selection['id']}").json()["name"] == f"{user}'s"
    finally:
        assert catalogue_hub.request(user, "DELETE", f"/selections/{selection['id']}").status_code == 204


def test_every_user_endpoint_needs_a_hub_login(catalogue_hub, all_datasets):
    pid = quote_pid(all_datasets[0].pid)
    for method, path in [("GET", "/datasets"), ("GET", f"/datasets/{pid}"), ("GET", f"/datasets/{pid}/derived"),
                         ("GET", f"/datasets/{pid}/preview.png"), ("PUT", f"/datasets/{pid}/vote"),
                         ("DELETE", f"/datasets/{pid}/vote"), ("GET", f"/datasets/{pid}/votes"), ("GET", "/me"),
                         ("GET", "/me/proposals"), ("GET", "/me/votes"), ("GET", "/processing"),
                         ("GET", "/selections"), ("POST", "/selections"), ("GET", "/users/alice/proposals")]:
        for headers in ({}, {"Authorization": "token not-a-real-token"}):
            answer = catalogue_hub.request(None, method, path, headers=headers, json={"value": "like"})
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["code"] == "unauthorized"
    for path in ("/health", "/version", "/openapi.json"):
        assert catalogue_hub.get(None, path).status_code == 200


def test_a_token_without_catalogue_access_is_refused(catalogue_hub):
    token = catalogue_hub.hub.user_token("alice", scopes=["read:users:name!user=alice"])
    answer = catalogue_hub.request(None, "GET", "/datasets", headers={"Authorization": f"token {token}"})
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"


def test_the_spawner_route_is_for_the_hub_only(catalogue_hub):
    for user in USERS:
        answer = catalogue_hub.get(user, f"/users/{user}/proposals")
        assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    hub_token = {"Authorization": f"token {catalogue_hub.spawner_token}"}
    for user in USERS:
        answer = catalogue_hub.request(None, "GET", f"/users/{user}/proposals", headers=hub_token)
        assert answer.status_code == 200
        assert {p["proposalId"] for p in answer.json()} == SEES[user]
    assert catalogue_hub.request(None, "GET", "/users/nobody/proposals", headers=hub_token).status_code == 404
    # The hub's token has no catalogue identity of its own.
    assert catalogue_hub.request(None, "GET", "/datasets", headers=hub_token).status_code == 403
