"""The Slurm spawner for real: a one-node Slurm, JupyterHub with beamhub's site
configuration and the catalogue service, servers in rootless podman or bubblewrap,
spawned as the Unix users alice and bob.

One hub for the session (``slurm_hub``); tests that only look at a running server share
it (``alice_in_podman``, ``alice_in_bubblewrap``) to keep the number of spawns down."""

from __future__ import annotations

import html
import json
import pwd
import re
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests

from .conftest import SECRETS_IN_HUB_ENV
from .support import CHECK_MOUNTS, READ_ENVIRONMENT, assert_only_p1_read_only

pytestmark = [pytest.mark.slurm, pytest.mark.hub, pytest.mark.containers]

JOB_RUNNING = re.compile(r"Job (\d+) is running on localhost")


def spawn_ready(hub, user, options) -> list[dict]:
    response = hub.spawn(user, options)
    assert response.status_code in (201, 202), response.text
    events = hub.progress(user)
    assert events[-1].get("ready"), f"{events}\n{hub.hub.log_tail()}"
    return events


def job_id_of(events) -> str:
    return next(m.group(1) for m in map(JOB_RUNNING.search, [e["message"] for e in events]) if m)


def jobs_of(slurm, user) -> list[str]:
    """The user's jobs Slurm has pending or running."""
    return slurm.run("squeue", "-h", "-u", user, "-o", "%i", check=False).stdout.split()


def spawn_form_page(hub, user) -> str:
    return html.unescape(hub.login(user).get(f"{hub.hub.url}/hub/spawn/{user}", timeout=60).text)


@pytest.fixture(scope="module")
def alice_in_podman(slurm_hub):
    events = spawn_ready(slurm_hub, "alice", {"profile": "podman", "proposals": ["P1"]})
    yield events
    slurm_hub.stop("alice")


@pytest.fixture(scope="module")
def alice_in_bubblewrap(slurm_hub, alice_in_podman):
    slurm_hub.stop("alice")  # after the podman tests
    events = spawn_ready(slurm_hub, "alice", {"profile": "bwrap", "proposals": ["P1"]})
    yield events
    slurm_hub.stop("alice")


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("proposals, message", [
    (["P2"], "You cannot mount proposal P2: you are not a member of it, or it does not exist."),
    (["P1", "P404"], "You cannot mount proposal P404"),
    (["P3"], "Proposal P3 cannot be mounted: its data location is outside the facility's data storage."),
])
def test_a_forged_form_is_refused_and_nothing_is_submitted(slurm_hub, slurm, proposals, message):
    session = slurm_hub.login("alice")
    response = slurm_hub.spawn_form(session, "alice", {"profile": "podman", "proposals": proposals})
    assert response.status_code in (400, 403), response.text[:2000]
    assert message in html.unescape(response.text)
    assert 'id="beamhub-proposals"' in response.text  # the form is shown again
    assert not slurm_hub.server("alice") and not jobs_of(slurm, "alice")


@pytest.mark.parametrize("options, message", [
    ({"profile": "podman", "proposals": ["P2"]}, "You cannot mount proposal P2"),
    ({"profile": "podman", "cpus": 2}, "has a fixed cpus of 1"),
    ({"profile": "podman", "image": "evil:latest"}, "The server options are not valid"),
])
def test_options_given_to_the_rest_api_are_checked_too(slurm_hub, slurm, options, message):
    assert message in slurm_hub.spawn_refusal("alice", options)
    assert not jobs_of(slurm, "alice")


# --- queueing and failures ----------------------------------------------------------------


def test_a_job_stuck_pending_shows_its_reason_and_is_cancelled_on_stop(slurm_hub, slurm):
    slurm_hub.spawn("bob", {"profile": "maintenance"})
    events = slurm_hub.progress("bob", until=lambda e: "PartitionDown" in e.get("message", ""))
    pending = events[-1]["message"]
    assert re.fullmatch(r"Job \d+ is waiting in the queue \(PartitionDown: the partition is down \(maintenance\?\)\)"
                        r" \[1 CPU, 1024 MiB, 01:00:00, partition maint\]", pending), events
    job_id = re.search(r"Job (\d+)", pending).group(1)
    slurm_hub.stop("bob")
    assert slurm.job(job_id)["JobState"] == "CANCELLED", slurm_hub.hub.log_tail(60)
    assert slurm_hub.server("bob") == {}


def test_a_job_waiting_for_resources_shows_when_it_should_start(slurm_hub, slurm):
    blocker = slurm.run("sbatch", "--parsable", f"--cpus-per-task={slurm.cpus}", "--time=5", "--job-name=blocker",
                        "--output=/dev/null", "--wrap", "sleep 600").stdout.strip()
    try:
        slurm_hub.spawn("bob", {"profile": "bwrap"})
        # the scheduler may give the start time before it gives the reason: wait for both
        events = slurm_hub.progress("bob", until=lambda e: "expected to start" in e.get("message", "")
                                    and re.search(r"\((Resources|Priority):", e["message"]))
        message = events[-1]["message"]
        # Slurm's reason is Priority, then Resources, as its scheduler gets to the job
        assert re.match(r"Job \d+ is waiting in the queue \((Resources|Priority): [^)]+\); "
                        r"expected to start at \d\d:\d\d", message), events
        blocker_end = datetime.fromisoformat(slurm.job(blocker)["EndTime"])  # when the node frees up
        assert f"expected to start at {blocker_end:%H:%M}" in message
    finally:
        slurm_hub.stop("bob")
        slurm.run("scancel", blocker)


def test_a_job_cancelled_in_the_queue_tells_the_user(slurm_hub, slurm):
    slurm_hub.spawn("bob", {"profile": "maintenance"})
    events = slurm_hub.progress("bob", until=lambda e: "waiting in the queue" in e.get("message", ""))
    job_id = re.search(r"Job (\d+)", events[-1]["message"]).group(1)
    slurm.run("scancel", job_id)
    failed = slurm_hub.progress("bob")[-1]
    assert failed.get("failed"), failed
    assert f"Job {job_id} was cancelled" in failed["message"]
    slurm_hub.wait_stopped("bob")
    form = spawn_form_page(slurm_hub, "bob")
    assert "Your last server stopped." in form and f"Job {job_id} was cancelled" in form


def test_a_job_queued_when_the_hub_restarts_is_cancelled_not_orphaned(slurm_hub, slurm):
    """JupyterHub forgets a spawn in progress when it restarts; the job it queued must not
    start later for nobody (it would hold a node until its walltime)."""
    slurm_hub.spawn("bob", {"profile": "maintenance"})
    events = slurm_hub.progress("bob", until=lambda e: "waiting in the queue" in e.get("message", ""))
    job_id = re.search(r"Job (\d+)", events[-1]["message"]).group(1)
    slurm_hub.restart()
    slurm_hub.wait_stopped("bob")
    assert slurm.job(job_id)["JobState"] == "CANCELLED"
    assert f"cancelling job {job_id}, queued by a spawn the hub lost" in slurm_hub.hub.log_tail(400)


def test_a_job_that_dies_at_start_fails_at_once_with_its_log(slurm_hub):
    """The fix for batchspawner 1.3.0 waiting out start_timeout for a port that never
    comes (see test_batchspawner_faults for the fault itself)."""
    slurm_hub.spawn("bob", {"profile": "broken"})
    failed = slurm_hub.progress("bob")[-1]
    assert failed.get("failed"), failed
    message = failed["message"]
    assert re.search(r"Job \d+ failed \(exit code 125", message), message
    assert "End of the job's log:" in message and "image not known" in message
    slurm_hub.wait_stopped("bob")


# --- mounts and environment --------------------------------------------------------------


def test_in_podman_alice_sees_p1_read_only_and_no_p2(slurm_hub, slurm, alice_in_podman):
    messages = [e["message"] for e in alice_in_podman]
    assert any(JOB_RUNNING.search(m) for m in messages), messages
    assert slurm.job(job_id_of(alice_in_podman))["UserId"].startswith("alice(")
    assert_only_p1_read_only(json.loads(slurm_hub.run("alice", CHECK_MOUNTS)))


def test_the_server_gets_the_catalogue_and_no_secrets(slurm_hub, alice_in_podman):
    inside = json.loads(slurm_hub.run("alice", READ_ENVIRONMENT))
    environ = inside["environ"]
    assert inside["me"]["name"] == "alice"  # the catalogue answers the server's own token
    assert inside["uid"] == pwd.getpwnam("alice").pw_uid
    hub_token = (slurm_hub.hub.workdir.parent / "state" / "beamhub-hub-token").read_text().strip()
    for name, value in SECRETS_IN_HUB_ENV.items():
        assert name not in environ
        assert not any(value in v for v in environ.values())
    assert not any(hub_token in v for v in environ.values())
    for name in ("BEAMHUB_STORE", "BEAMHUB_CATALOGUE_HUB_TOKEN", "CONFIGPROXY_AUTH_TOKEN", "SLURM_CONF"):
        assert name not in environ
    assert environ["LANG"] == "C.UTF-8"  # what the site legitimately passes on still arrives


def test_stopping_a_podman_server_leaves_no_container(slurm_hub, slurm, alice_in_podman):
    job_id = job_id_of(alice_in_podman)
    [state] = podman_states("alice", job_id)
    assert state.is_dir()  # the job's own podman store, while the server runs
    assert alice_podman_processes(job_id)  # the running server's podman processes are found
    slurm_hub.stop("alice")
    assert slurm.job(job_id)["JobState"] == "CANCELLED"
    deadline = time.monotonic() + 60  # the job's exit trap resets its podman store: slow on a busy node
    while (left := alice_podman_processes(job_id)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == []  # no server, conmon or pause process of this job left behind
    assert not state.exists()


def test_a_podman_job_killed_hard_does_not_break_alices_next_server(slurm_hub, slurm, alice_in_podman):
    """SIGKILL skips the job's exit trap, so its podman state stays behind with a
    container recorded as running (on this cluster, proctrack/linuxproc, the container
    itself outlives the job too). Her next server must start regardless: CI once failed
    with "invalid internal status, try resetting the pause process" here."""
    slurm_hub.stop("alice")
    killed = job_id_of(spawn_ready(slurm_hub, "alice", {"profile": "podman", "proposals": ["P1"]}))
    [left_behind] = podman_states("alice", killed)
    try:
        # the job's shell killed outright, as the OOM killer or a node's hard reset would
        subprocess.run(["pkill", "-KILL", "-u", "alice", "-f", f"job0*{killed}/slurm_script"], check=True)
        slurm_hub.wait_stopped("alice")
        assert left_behind.is_dir()  # the trap did not run
        events = spawn_ready(slurm_hub, "alice", {"profile": "podman", "proposals": ["P1"]})
        assert job_id_of(events) != killed
        assert_only_p1_read_only(json.loads(slurm_hub.run("alice", CHECK_MOUNTS)))
        slurm_hub.stop("alice")
    finally:
        # what proctrack/cgroup would have ended with the killed job
        subprocess.run(["pkill", "-KILL", "-u", "alice", "-f", "conmon|podman|fuse-overlayfs|jupyter"], check=False)
        subprocess.run(["rm", "-rf", str(left_behind)], check=False)


def podman_states(user: str, job_id: str) -> list[Path]:
    """The podman state directories of one of ``user``'s jobs (runtimes.runtime_setup)."""
    return sorted(Path("/tmp").glob(f"beamhub-podman-{pwd.getpwnam(user).pw_uid}-{job_id}.*"))


def alice_podman_processes(job_id: str) -> list[str]:
    """alice's processes on the node that belong to podman or its container and were
    started by the Slurm job ``job_id`` (they inherit its SLURM_JOB_ID): another test's
    podman (its own store and pause process) is not this job's leftover."""
    out = subprocess.run(["ps", "-u", "alice", "-o", "pid=,stat=,args="], capture_output=True, text=True)
    left = []
    for line in out.stdout.splitlines():
        pid, stat, args = (line.split(None, 2) + ["", ""])[:3]
        if stat.startswith("Z") or not re.search(r"conmon|podman|fuse-overlayfs|jupyter", args):
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:  # ended meanwhile
            continue
        if f"SLURM_JOB_ID={job_id}".encode() in environ:
            left.append(f"{stat} {args}")
    return left


def test_in_bubblewrap_alice_sees_p1_read_only_and_no_p2(slurm_hub, alice_in_bubblewrap):
    assert_only_p1_read_only(json.loads(slurm_hub.run("alice", CHECK_MOUNTS)))
    # bubblewrap shows the node's software, but not other users' homes nor the data root
    outside = json.loads(slurm_hub.run("alice", "import os, json; print(json.dumps("
                                       "[os.path.exists(p) for p in ('/home/bob', '/opt/beamhub/venv')]))"))
    assert outside == [False, True]


# --- servers that keep running ------------------------------------------------------------


def test_port_reports_accept_only_a_starting_servers_port(slurm_hub, alice_in_bubblewrap, tmp_path):
    """The fix for batchspawner 1.3.0's port API (see test_batchspawner_faults)."""
    server_token = slurm_hub.run("alice", "import os; print(os.environ['JUPYTERHUB_API_TOKEN'])").strip()
    marker = tmp_path / "written-by-the-hub"

    def post(token, body):
        return requests.post(f"{slurm_hub.hub.api_url}/batchspawner", json=body, timeout=30,
                             headers={"Authorization": f"token {token}"})

    injected = post(server_token, {"exec_prefix": f"touch {marker}; sudo -E -u {{username}}"})
    assert injected.status_code == 400 and "exactly" in injected.json()["message"]
    assert post(server_token, {"port": 1234}).status_code == 409  # not starting any more
    assert post(slurm_hub.token("alice"), {"port": 1234}).status_code == 403  # not a server's token
    time.sleep(4)  # two of the hub's polls (every 2 s) run the job query
    assert not marker.exists()
    assert slurm_hub.server_api("alice", "/status").status_code == 200


def test_hub_restart_keeps_alices_server(slurm_hub, slurm, alice_in_bubblewrap):
    before = slurm_hub.server("alice")
    slurm_hub.restart()
    after = slurm_hub.server("alice")
    assert after.get("ready") and after["url"] == before["url"]
    assert slurm_hub.server_api("alice", "/status").status_code == 200
    assert json.loads(slurm_hub.run("alice", CHECK_MOUNTS))["p1"] == ["README.txt", "scan_0001.h5"]
    assert slurm.job(job_id_of(alice_in_bubblewrap))["JobState"] == "RUNNING"


def test_slurmctld_outage(slurm_hub, slurm, alice_in_bubblewrap):
    slurm.stop_controller()
    try:
        time.sleep(5)  # a few of the hub's polls (every 2 s) with the controller down
        assert slurm_hub.server("alice").get("ready")
        assert slurm_hub.server_api("alice", "/status").status_code == 200
        assert slurm_hub.spawn("bob", {"profile": "bwrap"}).status_code in (201, 202)
        failed = slurm_hub.progress("bob")[-1]
        assert failed.get("failed")
        assert "The cluster's scheduler (slurmctld) is not answering" in failed["message"]
        assert "Servers already running are not affected" in failed["message"]
        slurm_hub.wait_stopped("bob")
    finally:
        slurm.start_controller()
    try:
        spawn_ready(slurm_hub, "bob", {"profile": "bwrap"})
        assert slurm_hub.server("alice").get("ready")
        assert slurm_hub.run("bob", "import getpass; print(getpass.getuser())").strip() == "bob"
    finally:
        slurm_hub.stop("bob")


def test_a_running_server_killed_with_scancel_is_reported(slurm_hub, slurm, alice_in_bubblewrap):
    job_id = job_id_of(alice_in_bubblewrap)
    slurm.run("scancel", job_id)
    slurm_hub.wait_stopped("alice")  # the hub notices (poll) and cleans its state up
    form = spawn_form_page(slurm_hub, "alice")
    assert f"Job {job_id} was cancelled" in form, form[:3000]
    assert f"JOB {job_id} ON localhost CANCELLED AT" in form  # the end of the job's log
    assert not jobs_of(slurm, "alice")


def test_a_server_that_reaches_its_walltime_is_reported(slurm_hub, slurm):
    events = spawn_ready(slurm_hub, "bob", {"profile": "short"})
    job_id = job_id_of(events)
    # Slurm ends the job after its minute (it checks time limits every 30 s), then KillWait
    slurm_hub.wait_stopped("bob", timeout=180)
    assert slurm.job(job_id)["JobState"] == "TIMEOUT"
    form = spawn_form_page(slurm_hub, "bob")
    assert f"Job {job_id} reached its walltime limit (limit 00:01:00" in form, form[:3000]
    assert "DUE TO TIME LIMIT" in form  # slurmstepd's line at the end of the job's log


def test_two_concurrent_spawns_on_one_node_do_not_collide(slurm_hub):
    results, errors = {}, []

    def spawn(user):
        try:
            results[user] = spawn_ready(slurm_hub, user, {"profile": "bwrap"})
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=spawn, args=(user,)) for user in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    try:
        assert not errors and set(results) == {"alice", "bob"}, errors
        ports = {user: re.search(r"localhost:(\d+)", " ".join(e["message"] for e in events)).group(1)
                 for user, events in results.items()}
        assert ports["alice"] != ports["bob"]
        for user in ("alice", "bob"):
            assert slurm_hub.server_api(user, "/status").status_code == 200
            assert slurm_hub.run(user, "import getpass; print(getpass.getuser())").strip() == user
    finally:
        slurm_hub.stop("alice")
        slurm_hub.stop("bob")
