"""The fog filter end to end on the local runner: select, submit, follow, get derived data.

alice selects the p1001 MX sweeps, submits them to ``frame-score`` and the selection
moves submitted -> running -> done; a derived dataset appears whose ``inputDatasets``
are the selected pids and whose ``jobParameters`` are the parameters used, visible
to whoever may see its inputs (carol, staff of i03) and to nobody else (bob). A job
whose data vanished from storage ends ``failed`` with the reason.
"""

from __future__ import annotations

import os
import time
import uuid

import h5py
import numpy as np
import pytest

from .hubsetup import frame_stack, quote_pid

pytestmark = pytest.mark.hub


def wait_finished(hub, user, selection_id, timeout=180):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        selection = hub.get(user, f"/selections/{selection_id}").json()
        if not seen or seen[-1] != selection["status"]:
            seen.append(selection["status"])
        if selection["status"] in ("done", "failed"):
            return selection, seen
        time.sleep(0.2)
    raise AssertionError(f"selection still {seen[-1]} after {timeout} s")


def test_a_selection_runs_and_registers_a_derived_dataset(catalogue_hub):
    sweeps = catalogue_hub.get("alice", "/datasets", params={"proposal": "p1001", "technique": "MX"}).json()["items"]
    pids = [d["pid"] for d in sweeps]
    assert len(pids) >= 2
    steps = {s["name"]: s for s in catalogue_hub.get("alice", "/processing").json()}
    assert "sigma" in steps["frame-score"]["parameters_schema"]["properties"]
    # what each step takes, from its declaration (the panel disables the others)
    assert steps["xas-normalisation"]["techniques"] == ["XAS"] and steps["xas-normalisation"]["dimensions"] == [1]
    assert steps["tomo-reconstruction"]["dimensions"] == [3] and steps["notebook"]["techniques"] == []
    assert steps["xas-normalisation"]["accepts"] == "XAS normalisation takes 1-D spectra μ(E) with an energy axis from XAS"

    created = catalogue_hub.request("alice", "POST", "/selections", json={
        "name": "sharp sweeps", "datasets": pids, "processing": "frame-score", "parameters": {"sigma": 4}})
    assert created.status_code == 201
    selection_id = created.json()["id"]
    submitted = catalogue_hub.request("alice", "POST", f"/selections/{selection_id}/submit")
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["status"] == "submitted" and submitted.json()["jobId"]
    again = catalogue_hub.request("alice", "POST", f"/selections/{selection_id}/submit")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    edit = catalogue_hub.request("alice", "PATCH", f"/selections/{selection_id}", json={"name": "renamed"})
    assert edit.status_code == 409

    selection, seen = wait_finished(catalogue_hub, "alice", selection_id)
    assert selection["status"] == "done", selection["message"]
    # in order, each at most once; a local job that starts and ends between two looks
    # (quick on a quiet machine) goes from submitted to done without being seen running
    assert seen[-1] == "done" and seen == [s for s in ("submitted", "running", "done") if s in seen], seen
    assert os.path.exists(selection["logPath"])
    assert selection["finishedAt"] and selection["submittedAt"]

    [derived_pid] = selection["derivedDatasets"]
    derived = catalogue_hub.get("alice", f"/datasets/{quote_pid(derived_pid)}").json()
    assert derived["type"] == "derived"
    assert derived["inputDatasets"] == pids
    assert derived["jobParameters"]["sigma"] == 4
    assert set(derived["jobParameters"]) >= {"sigma", "threshold", "saturation", "min_score", "frames_per_read"}
    assert derived["ownerGroup"] == "p1001" and derived["proposalId"] == "p1001"
    assert derived["creationLocation"] == "i03" and derived["owner"] == "alice"
    # Lineage both ways: down from each input, up through inputDatasets.
    for pid in pids:
        down = catalogue_hub.get("alice", f"/datasets/{quote_pid(pid)}/derived").json()
        assert derived_pid in {d["pid"] for d in down}
    # Found by search, previewed like any dataset.
    found = catalogue_hub.get("alice", "/datasets", params={"type": "derived", "proposal": "p1001"}).json()
    assert derived_pid in {d["pid"] for d in found["items"]}
    preview = catalogue_hub.get("alice", f"/datasets/{quote_pid(derived_pid)}/preview.png")
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    # Visible exactly like its inputs.
    assert catalogue_hub.get("carol", f"/datasets/{quote_pid(derived_pid)}").status_code == 200
    assert catalogue_hub.get("bob", f"/datasets/{quote_pid(derived_pid)}").status_code == 404
    # The scores are there, one per frame of each input.
    for pid, output in zip(pids, derived["files"]):
        source = next(d for d in sweeps if d["pid"] == pid)
        with h5py.File(os.path.join(derived["sourceFolder"], output["path"]), "r") as f:
            score = f["entry/data/score"][()]
            assert f["entry/input_pid"][()].decode() == pid
        assert score.shape == (source["signal"]["shape"][0],)
        assert np.all((score >= 0) & (score <= 1)) and score.max() == 1.0


def test_a_job_whose_data_vanished_fails_with_the_reason(catalogue_hub, demo_data):
    dataset = frame_stack(catalogue_hub, "alice", "p1002")
    source = dataset["signal"]["file"]
    hidden = source + ".away"
    selection = catalogue_hub.request("alice", "POST", "/selections", json={
        "name": "gone", "datasets": [dataset["pid"]], "processing": "frame-score"}).json()
    os.rename(source, hidden)
    try:
        assert catalogue_hub.request("alice", "POST", f"/selections/{selection['id']}/submit").status_code == 202
        finished, _ = wait_finished(catalogue_hub, "alice", selection["id"])
    finally:
        os.rename(hidden, source)
    assert finished["status"] == "failed"
    assert dataset["pid"] in finished["message"] and "log:" in finished["message"]
    assert finished["derivedDatasets"] == []


def test_submitting_needs_a_step_valid_parameters_and_datasets(catalogue_hub):
    pid = catalogue_hub.get("bob", "/datasets", params={"limit": 1}).json()["items"][0]["pid"]
    cases = [({"name": "no step", "datasets": [pid]}, "processing step"),
             ({"name": "empty", "processing": "frame-score"}, "no datasets")]
    for body, reason in cases:
        selection = catalogue_hub.request("bob", "POST", "/selections", json=body).json()
        answer = catalogue_hub.request("bob", "POST", f"/selections/{selection['id']}/submit")
        assert answer.status_code == 400 and reason in answer.json()["message"]
        assert catalogue_hub.get("bob", f"/selections/{selection['id']}").json()["status"] == "draft"
        catalogue_hub.request("bob", "DELETE", f"/selections/{selection['id']}")
    bad = catalogue_hub.request("bob", "POST", "/selections", json={
        "name": "bad", "datasets": [pid], "processing": "frame-score", "parameters": {"sigma": "loud"}})
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "sigma"


def test_creating_with_the_same_idempotency_key_creates_once(catalogue_hub):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    before = len(catalogue_hub.get("bob", "/selections").json())
    first = catalogue_hub.request("bob", "POST", "/selections", json={"name": "once"}, headers=key)
    second = catalogue_hub.request("bob", "POST", "/selections", json={"name": "once"}, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(catalogue_hub.get("bob", "/selections").json()) == before + 1
    # Keys are per user: the same key from alice is a new request.
    other = catalogue_hub.request("alice", "POST", "/selections", json={"name": "once"}, headers=key)
    assert other.json()["id"] != first.json()["id"] and other.json()["owner"] == "alice"
    for user, answer in (("bob", first), ("alice", other)):
        catalogue_hub.request(user, "DELETE", f"/selections/{answer.json()['id']}")
