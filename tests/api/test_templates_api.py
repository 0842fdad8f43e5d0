"""Beamline templates and the labels export through the real catalogue service (behind a
real JupyterHub, demo users: carol staff of i03; alice in p1001 at i03 and p1002 at i22;
bob only in p1002): the service is the only writer and decides who may publish."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.hub


def notebook(first_line: str) -> dict:
    source = json.loads((REPO / "notebooks" / "mx" / "rotation-frames.ipynb").read_text())
    source["cells"][0]["source"] = first_line
    return source


def publish(hub, user: str, first_line: str, name: str = "mx-screening", beamline: str = "i03"):
    return hub.request(user, "POST", "/templates", json={
        "beamline": beamline, "name": name, "title": "MX screening at i03", "techniques": ["MX"],
        "accepts": ["raw"], "change_note": f"publish {first_line}", "notebook": notebook(first_line)})


def first_cell(hub, user: str, key: str = "i03/mx-screening", **params) -> str:
    answer = hub.get(user, f"/templates/{key}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["notebook"]["cells"][0]["source"]


def test_publish_versions_rollback_and_retire(catalogue_hub):
    name = "mx-screening"
    first = publish(catalogue_hub, "carol", "# v1", name)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["version"], body["publishedBy"], body["beamline"]) == (1, "carol", "i03")

    refused = publish(catalogue_hub, "alice", "# alice's", name)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied" and "only staff of i03" in refused.json()["message"]
    assert publish(catalogue_hub, "carol", "# elsewhere", "saxs-x", beamline="i22").status_code == 403

    listed = catalogue_hub.get("alice", "/templates").json()
    assert [(t["beamline"], t["name"], t["version"]) for t in listed if t["beamline"] == "i03"] == [("i03", name, 1)]
    assert {"facility"} <= {t["beamline"] for t in listed} and all(t["notebook"] is None for t in listed)
    assert "i03" not in {t["beamline"] for t in catalogue_hub.get("bob", "/templates").json()}
    assert catalogue_hub.get("bob", f"/templates/i03/{name}").status_code == 404

    assert publish(catalogue_hub, "carol", "# v2", name).json()["version"] == 2
    assert first_cell(catalogue_hub, "alice") == "# v2"
    versions = catalogue_hub.get("carol", f"/templates/i03/{name}/versions").json()
    assert [(v["version"], v["change_note"]) for v in versions] == [(2, "publish # v2"), (1, "publish # v1")]
    assert catalogue_hub.get("alice", f"/templates/i03/{name}/versions").status_code == 403
    diff = catalogue_hub.get("carol", f"/templates/i03/{name}/diff", params={"from_version": 1}).json()
    assert "-# v1" in diff["diff"] and "+# v2" in diff["diff"] and diff["to_version"] == 2

    rolled = catalogue_hub.request("carol", "POST", f"/templates/i03/{name}/rollback",
                                   json={"version": 1, "change_note": "v2 was wrong"})
    assert rolled.status_code == 201 and rolled.json()["version"] == 3
    assert rolled.json()["change_note"] == "rolled back to version 1: v2 was wrong"
    assert first_cell(catalogue_hub, "alice") == "# v1"
    assert catalogue_hub.request("alice", "POST", f"/templates/i03/{name}/rollback",
                                 json={"version": 2}).status_code == 403

    assert catalogue_hub.request("alice", "POST", f"/templates/i03/{name}/opened").status_code == 204
    retired = catalogue_hub.request("carol", "POST", f"/templates/i03/{name}/retire", json={})
    assert retired.status_code == 201 and retired.json()["retired"]
    assert catalogue_hub.get("alice", f"/templates/i03/{name}").status_code == 404
    assert "i03" not in {t["beamline"] for t in catalogue_hub.get("alice", "/templates").json()}
    staff = catalogue_hub.get("carol", "/templates", params={"include_retired": "true"}).json()
    assert [t["version"] for t in staff if t["name"] == name] == [4]


def test_bad_templates_are_clear_400s(catalogue_hub):
    bad = catalogue_hub.request("carol", "POST", "/templates", json={
        "beamline": "i03", "name": "Bad Name!", "title": "x", "techniques": ["MX"], "change_note": "x",
        "notebook": {"cells": "no"}})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
    assert catalogue_hub.get("carol", "/templates/facility/no-such").status_code == 404
    shipped = catalogue_hub.get("bob", "/templates/facility/saxs-guinier")
    assert shipped.status_code == 200 and shipped.json()["accepts"] == ["raw"]


def test_labels_are_the_votes_the_caller_may_export(catalogue_hub):
    found = catalogue_hub.get("alice", "/datasets", params={"beamline": "i03", "limit": 3}).json()["items"]
    mine = catalogue_hub.get("bob", "/datasets", params={"limit": 2}).json()["items"]
    for i, dataset in enumerate(found):
        catalogue_hub.request("alice", "PUT", f"/datasets/{quote(dataset['pid'], safe='')}/vote",
                              json={"value": "like" if i % 2 else "dislike", "comment": f"alice {i}"})
    for dataset in mine:
        catalogue_hub.request("bob", "PUT", f"/datasets/{quote(dataset['pid'], safe='')}/vote",
                              json={"value": "like"})
    for user in ("alice", "bob"):
        table = catalogue_hub.get(user, "/labels").json()
        assert table["count"] == len(table["rows"]) == len(catalogue_hub.get(user, "/me/votes").json())
    carol = catalogue_hub.get("carol", "/labels").json()
    i03 = catalogue_hub.get("carol", "/datasets", params={"beamline": "i03", "limit": 200}).json()["items"]
    on_i03 = sum(len(catalogue_hub.get("carol", f"/datasets/{quote(d['pid'], safe='')}/votes").json())
                 for d in i03 if d["likes"] + d["dislikes"])
    assert carol["count"] == on_i03 + len([v for v in catalogue_hub.get("carol", "/me/votes").json()
                                           if v["pid"] not in {d["pid"] for d in i03}])
    assert carol["columns"][:10] == ["pid", "beamline", "technique", "proposal", "dataset_type", "voter", "vote",
                                     "label", "comment", "time"]
    voters = {row[5] for row in carol["rows"]}
    assert voters and all(v.startswith("v-") for v in voters)  # pseudonymised
    assert "alice 0" in {row[8] for row in carol["rows"]}
    assert catalogue_hub.get("carol", "/labels", params={"names": "true"}).status_code == 403


def test_staff_overview_shows_who_voted_on_their_beamline(catalogue_hub):
    i03 = catalogue_hub.get("alice", "/datasets", params={"beamline": "i03", "limit": 2}).json()["items"]
    i22 = catalogue_hub.get("bob", "/datasets", params={"beamline": "i22", "limit": 1}).json()["items"]
    catalogue_hub.request("alice", "PUT", f"/datasets/{quote(i03[0]['pid'], safe='')}/vote",
                          json={"value": "dislike", "comment": "ice rings, says alice"})
    catalogue_hub.request("bob", "PUT", f"/datasets/{quote(i22[0]['pid'], safe='')}/vote",
                          json={"value": "like", "comment": "bob on i22"})
    answer = catalogue_hub.get("carol", "/beamlines/i03/overview")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    votes = {(d["pid"], v["user"]): v for d in body["datasets"] for v in d["votes"]}
    assert votes[(i03[0]["pid"], "alice")]["comment"] == "ice rings, says alice"
    assert votes[(i03[0]["pid"], "alice")]["value"] == "dislike"
    assert not any(user == "bob" for _, user in votes)  # bob's vote is on i22, not carol's beamline
    for user in ("alice", "bob"):
        refused = catalogue_hub.get(user, "/beamlines/i03/overview")
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_grace_staff_of_i22_sees_the_votes_alice_and_bob_cast_there(catalogue_hub):
    """The demo's i22 scientist: p1002 is alice's and bob's, both vote, grace sees who and why."""
    i22 = catalogue_hub.get("bob", "/datasets", params={"beamline": "i22", "limit": 2}).json()["items"]
    assert len(i22) == 2
    for user, dataset, value in (("alice", i22[0], "like"), ("bob", i22[0], "dislike"), ("bob", i22[1], "like")):
        answer = catalogue_hub.request(user, "PUT", f"/datasets/{quote(dataset['pid'], safe='')}/vote",
                                       json={"value": value, "comment": f"{user} on {dataset['datasetName']}"})
        assert answer.status_code == 200, answer.text
    body = catalogue_hub.get("grace", "/beamlines/i22/overview").json()
    votes = {(d["pid"], v["user"]): (v["value"], v["comment"]) for d in body["datasets"] for v in d["votes"]}
    assert votes[(i22[0]["pid"], "alice")] == ("like", f"alice on {i22[0]['datasetName']}")
    assert votes[(i22[0]["pid"], "bob")] == ("dislike", f"bob on {i22[0]['datasetName']}")
    assert votes[(i22[1]["pid"], "bob")] == ("like", f"bob on {i22[1]['datasetName']}")
    assert {d["proposalId"] for d in body["datasets"]} == {"p1002"}
    # a selection of alice's holding one i22 and one i03 dataset: listed, with its status
    i03 = catalogue_hub.get("alice", "/datasets", params={"beamline": "i03", "limit": 1}).json()["items"]
    made = catalogue_hub.request("alice", "POST", "/selections", json={
        "name": "grace should see this", "datasets": [i22[0]["pid"], i03[0]["pid"]]})
    assert made.status_code == 201, made.text
    listed = {s["id"]: s for s in catalogue_hub.get("grace", "/beamlines/i22/overview").json()["selections"]}
    mine = listed[made.json()["id"]]
    assert (mine["owner"], mine["status"], mine["datasets"], mine["on_beamline"]) == ("alice", "draft", 2, 1)
    for user, beamline in (("grace", "i03"), ("alice", "i22"), ("carol", "i22")):
        refused = catalogue_hub.get(user, f"/beamlines/{beamline}/overview")
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied", (user, beamline)
