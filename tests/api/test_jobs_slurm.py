"""The fog filter through Slurm: sbatch as the user, status followed, derived data registered.

A one-node Slurm cluster on localhost (``tests/services/slurm.py``) and a Unix user
alice. The catalogue service (root here) submits with ``sudo -n -u alice sbatch``; the
job runs as alice, reads the demo data, writes its outputs into a folder the service
handed to her; the service follows the job with ``scontrol`` and registers the
derived dataset. The data and job folders live outside pytest's private temporary
directory so that alice can reach them.
"""

from __future__ import annotations

import os
import pwd
import time
from pathlib import Path

import pytest

from .hubsetup import frame_stack, quote_pid, slurm_demo_hub
from .test_jobs_local import wait_finished

pytestmark = [pytest.mark.hub, pytest.mark.slurm]


@pytest.fixture(scope="module")
def slurm_hub():
    with slurm_demo_hub(["alice"], "beamhub-slurm-jobs-", time_limit="00:05:00", memory="500M") as (hub, slurm, _):
        yield hub, slurm


def test_a_selection_runs_through_slurm_as_the_user(slurm_hub):
    hub, slurm = slurm_hub
    sweeps = hub.get("alice", "/datasets", params={"proposal": "p1001", "technique": "MX", "type": "raw"})
    assert sweeps.status_code == 200, sweeps.text
    sweeps = sweeps.json()
    pids = [d["pid"] for d in sweeps["items"]]
    selection = hub.request("alice", "POST", "/selections", json={
        "name": "through slurm", "datasets": pids, "processing": "frame-score", "parameters": {"sigma": 4}}).json()
    submitted = hub.request("alice", "POST", f"/selections/{selection['id']}/submit")
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["jobId"]
    assert job_id.isdigit()
    job = slurm.job(job_id)
    assert job["UserId"].startswith("alice(") and job["JobName"] == f"beamhub-{selection['id']}"

    finished, seen = wait_finished(hub, "alice", selection["id"], timeout=240)
    assert finished["status"] == "done", f"{finished['message']}\n{Path(finished['logPath']).read_text()}"
    assert seen[-2:] == ["running", "done"] and set(seen) <= {"submitted", "running", "done"}, seen
    assert slurm.job(job_id)["JobState"] == "COMPLETED"

    [derived_pid] = finished["derivedDatasets"]
    derived = hub.get("alice", f"/datasets/{quote_pid(derived_pid)}").json()
    assert derived["inputDatasets"] == pids and derived["jobParameters"]["sigma"] == 4
    alice_uid = pwd.getpwnam("alice").pw_uid
    for output in derived["files"]:
        assert os.stat(Path(derived["sourceFolder"]) / output["path"]).st_uid == alice_uid  # written as alice
    assert os.stat(finished["logPath"]).st_uid == alice_uid
    assert hub.get("bob", f"/datasets/{quote_pid(derived_pid)}").status_code == 404


def test_a_cancelled_slurm_job_fails_the_selection(slurm_hub):
    hub, slurm = slurm_hub
    dataset = frame_stack(hub, "alice", "p1002")
    selection = hub.request("alice", "POST", "/selections", json={
        "name": "cancelled", "datasets": [dataset["pid"]], "processing": "frame-score"}).json()
    # Hold the node's queue: the job is accepted but cannot start before it is cancelled.
    slurm.run("scontrol", "update", "PartitionName=main", "State=DOWN")
    try:
        answer = hub.request("alice", "POST", f"/selections/{selection['id']}/submit")
        assert answer.status_code == 202
        job_id = answer.json()["jobId"]
        time.sleep(2)
        assert hub.get("alice", f"/selections/{selection['id']}").json()["status"] == "submitted"  # still pending
        slurm.run("scancel", job_id)
    finally:
        slurm.run("scontrol", "update", "PartitionName=main", "State=UP")
    finished, _ = wait_finished(hub, "alice", selection["id"], timeout=120)
    assert finished["status"] == "failed" and "CANCELLED" in finished["message"]


def test_a_job_queued_across_a_restart_of_the_service_still_completes(slurm_hub):
    """The hub (and with it the catalogue service) restarts while the job waits in the
    queue: the new service finds the selection in the store and follows it to the end."""
    hub, slurm = slurm_hub
    [dataset] = hub.get("alice", "/datasets", params={
        "proposal": "p1001", "technique": "MX", "type": "raw", "limit": 1}).json()["items"]
    selection = hub.request("alice", "POST", "/selections", json={
        "name": "across a restart", "datasets": [dataset["pid"]], "processing": "frame-score"}).json()
    slurm.run("scontrol", "update", "PartitionName=main", "State=DOWN")
    try:
        answer = hub.request("alice", "POST", f"/selections/{selection['id']}/submit")
        assert answer.status_code == 202, answer.text
        hub.hub.restart()
        hub.wait_ready()
        assert hub.get("alice", f"/selections/{selection['id']}").json()["status"] == "submitted"
    finally:
        slurm.run("scontrol", "update", "PartitionName=main", "State=UP")
    finished, seen = wait_finished(hub, "alice", selection["id"], timeout=240)
    assert finished["status"] == "done", f"{finished['message']}\n{Path(finished['logPath']).read_text()}"
    [derived_pid] = finished["derivedDatasets"]
    assert hub.get("alice", f"/datasets/{quote_pid(derived_pid)}").json()["inputDatasets"] == [dataset["pid"]]
