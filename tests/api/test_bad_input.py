"""Bad input gets a clear 4xx JSON error and writes nothing.

Query operators and ``$``-keys smuggled into values, regular-expression bombs,
oversized bodies and queries, malformed pids, unknown fields, JSON that is not JSON.
After each attempt the catalogue is checked directly (as the operator): no vote, no
selection, no change.
"""

from __future__ import annotations

import json

import pytest

from beamhub.catalogue import Identity

from .conftest import on_both_stores
from .hubsetup import quote_pid

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB

USER = "alice"


@pytest.fixture(scope="module")
def target(catalogue_hub):
    """A p1002 dataset alice and bob may both see."""
    body = catalogue_hub.get(USER, "/datasets", params={"proposal": "p1002", "limit": 1}).json()
    return body["items"][0]["pid"]


@pytest.fixture
def nothing_written(operator_store, target):
    """Checks, after the test, that no vote and no selection was written."""
    alice, bob = Identity("alice"), Identity("bob")
    before = (operator_store.get_dataset(Identity.for_operator(), target).model_dump(exclude={"myVote"}),
              operator_store.list_selections(alice), operator_store.my_votes(alice), operator_store.my_votes(bob))
    yield
    after = (operator_store.get_dataset(Identity.for_operator(), target).model_dump(exclude={"myVote"}),
             operator_store.list_selections(alice), operator_store.my_votes(alice), operator_store.my_votes(bob))
    assert after == before


def assert_error(answer, status, code=None):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) <= {"code", "message", "details"} and body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize("body", [
    {"value": {"$ne": "like"}},
    {"value": "like", "$set": {"likes": 1000}},
    {"value": "like", "user": "bob"},
    {"value": "like", "comment": {"$gt": ""}},
    {"value": "love"},
    {},
])
def test_vote_bodies_with_operators_or_unknown_fields(catalogue_hub, target, nothing_written, body):
    answer = catalogue_hub.request(USER, "PUT", f"/datasets/{quote_pid(target)}/vote", json=body)
    details = assert_error(answer, 400, "invalid_input")["details"]
    assert details  # says which field


@pytest.mark.parametrize("body", [
    {"name": "x", "owner": "bob"},
    {"name": "x", "status": "done"},
    {"name": {"$gt": ""}},
    {"name": "x", "parameters": {"$where": "sleep(1000)"}},
    {"name": "x", "parameters": {"nested": {"a.b": 1}}},
    {"name": "x", "datasets": [{"$in": ["anything"]}]},
    {"name": "x", "datasets": ["$gt"]},
    {"name": "x", "processing": "frame-score", "parameters": {"sigma": -1}},
    {"name": "x", "processing": "no-such-step"},
    {"name": "x", "parameters": json.loads("{" + '"a": {' * 40 + "}" * 41)},
])
def test_selection_bodies_with_operators_or_unknown_fields(catalogue_hub, nothing_written, body):
    assert_error(catalogue_hub.request(USER, "POST", "/selections", json=body), 400, "invalid_input")


def test_patching_status_or_owner_is_refused(catalogue_hub, target, operator_store):
    created = catalogue_hub.request(USER, "POST", "/selections", json={"name": "mine", "datasets": [target]}).json()
    path = f"/selections/{created['id']}"
    try:
        for body in ({"status": "done"}, {"owner": "bob"}, {"derivedDatasets": [target]}, {"version": 99},
                     {"add": [{"$gt": ""}]}, {"expected_version": "1; drop"}):
            assert_error(catalogue_hub.request(USER, "PATCH", path, json=body), 400, "invalid_input")
        stored = operator_store.get_selection(Identity("alice"), created["id"])
        assert (stored.status, stored.owner, stored.version, stored.datasets) == ("draft", "alice", 1, [target])
    finally:
        catalogue_hub.request(USER, "DELETE", path)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"like"', b'{"value": NaN}', b'{"value": Infinity}',
                                 b"\xff\xfe\x00", b""])
def test_bodies_that_are_not_a_json_object(catalogue_hub, target, nothing_written, raw):
    answer = catalogue_hub.request(USER, "PUT", f"/datasets/{quote_pid(target)}/vote", data=raw,
                                   headers={"Content-Type": "application/json"})
    assert_error(answer, 400, "invalid_input")


def test_oversize_bodies_are_refused_whole(catalogue_hub, target, nothing_written):
    big = {"name": "big", "datasets": [target], "parameters": {"padding": "x" * (3 * 2**20)}}
    assert_error(catalogue_hub.request(USER, "POST", "/selections", json=big), 413, "limit_exceeded")
    too_many = {"name": "many", "datasets": [f"beamhub/x{i}" for i in range(1001)]}
    body = assert_error(catalogue_hub.request(USER, "POST", "/selections", json=too_many), 400, "invalid_input")
    assert "1000" in body["message"]
    # And the service still answers normally afterwards.
    assert catalogue_hub.get(USER, "/me").status_code == 200


@pytest.mark.parametrize("params, status", [
    ({"beamline": '{"$ne": null}'}, 400),
    ({"proposal": "$where"}, 400),
    ({"sort": "$natural"}, 400),
    ({"limit": "1000"}, 400),
    ({"limit": "ten"}, 400),
    ({"my_vote": "$exists"}, 400),
    ({"created_after": "yesterday"}, 400),
    ({"cursor": "eyJxIjoiJGd0In0"}, 400),
    ({"condition": "temperature > {$gt: 0}"}, 400),
    ({"condition": "temperature ~ 100 K"}, 400),
    ({"condition": "$where = 1"}, 400),
    ({"owner": "bob"}, 400),
    ({"facets": "maybe"}, 400),
    ({"text": "x" * 300}, 400),
    ({"text": " ".join(["w"] * 20)}, 413),
    ({"condition": [f"temperature > {i}" for i in range(11)]}, 400),
    ({"beamline": [f"b{i}" for i in range(51)]}, 400),
])
def test_search_parameters_with_operators_or_beyond_limits(catalogue_hub, params, status):
    answer = catalogue_hub.get(USER, "/datasets", params=params)
    assert_error(answer, status)


@pytest.mark.parametrize("text", [
    "(a+)+$", "((a|a)*)*b" + "a" * 40, ".*.*.*.*.*.*=x", "\\", "$regex", "{\"$gt\": \"\"}", "^(([a-z])+.)+[A-Z]([a-z])+$",
])
def test_regular_expression_bombs_and_operators_in_text_are_just_text(catalogue_hub, text):
    answer = catalogue_hub.get(USER, "/datasets", params={"text": text, "keyword": text[:200]})
    assert answer.status_code == 200
    assert answer.json()["total"] == 0


def test_a_huge_query_string_is_refused(catalogue_hub):
    answer = catalogue_hub.get(USER, "/datasets", params=[("keyword", "k" * 170)] * 50)
    assert_error(answer, 413, "limit_exceeded")


@pytest.mark.parametrize("pid", ["..%2F..%2Fetc%2Fpasswd", "%24gt", "a%00b", "x" * 300, "a%2F%2Fb", "%2Fabs",
                                 "a%20b", "%7B%22%24ne%22%3A1%7D"])
def test_malformed_pids(catalogue_hub, nothing_written, pid):
    for method, suffix, body in (("GET", "", None), ("GET", "/preview.png", None), ("GET", "/derived", None),
                                 ("PUT", "/vote", {"value": "like"}), ("DELETE", "/vote", None)):
        answer = catalogue_hub.request(USER, method, f"/datasets/{pid}{suffix}", json=body)
        assert_error(answer, 400, "invalid_input")


@pytest.mark.parametrize("selection_id", ["sel-123", "..%2Fsel", "%24gt", "sel-" + "g" * 32])
def test_malformed_selection_ids(catalogue_hub, nothing_written, selection_id):
    assert_error(catalogue_hub.get(USER, f"/selections/{selection_id}"), 400, "invalid_input")
    assert_error(catalogue_hub.request(USER, "POST", f"/selections/{selection_id}/submit"), 400, "invalid_input")


def test_unknown_paths_and_methods_answer_json(catalogue_hub, target):
    assert_error(catalogue_hub.get(USER, "/nothing/here"), 404, "not_found")
    assert_error(catalogue_hub.request(USER, "POST", f"/datasets/{quote_pid(target)}"), 405, "method_not_allowed")
    assert_error(catalogue_hub.request(USER, "PATCH", "/datasets"), 405, "method_not_allowed")
