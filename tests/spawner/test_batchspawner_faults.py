"""batchspawner 1.3.0's own SlurmSpawner under JupyterHub 6.1, on the same cluster: the
faults beamhub's subclass fixes, shown on the unmodified upstream spawner. The fixes are
checked against beamhub's spawner in test_slurm.py:

- the port API lets a server's token set any spawner attribute, including the commands
  the hub runs as root (fixed: test_port_reports_accept_only_a_starting_servers_port);
- a job that dies after it started running is not noticed: the spawn waits out
  start_timeout and the user sees a bare timeout (fixed:
  test_a_job_that_dies_at_start_fails_at_once_with_its_log);
- a job waiting in the queue shows "Pending in queue..." and never why (fixed:
  test_a_job_stuck_pending_shows_its_reason_and_is_cancelled_on_stop);
- a hub restarted while a job is queued forgets it, and the job later starts for
  nobody (fixed: test_a_job_queued_when_the_hub_restarts_is_cancelled_not_orphaned).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.services.jupyterhub import Hub

from .support import run_in_kernel

pytestmark = [pytest.mark.slurm, pytest.mark.hub]

START_TIMEOUT = 20
UPSTREAM_CONFIG = f"""
import batchspawner
from batchspawner.api import BatchSpawnerAPIHandler
from jupyterhub import apihandlers

# JupyterHub imports every installed spawner for its --help-all, beamhub's included,
# which puts beamhub's port handler at /api/batchspawner: put batchspawner's back.
apihandlers.default_handlers[:] = [h for h in apihandlers.default_handlers if h[0] != "/api/batchspawner"]
apihandlers.default_handlers.append(("/api/batchspawner", BatchSpawnerAPIHandler))
c.JupyterHub.spawner_class = "batchspawner.SlurmSpawner"
c.JupyterHub.authenticator_class = "dummy"
c.SlurmSpawner.batchspawner_singleuser_cmd = "/opt/beamhub/venv/bin/batchspawner-singleuser"
c.SlurmSpawner.cmd = ["/opt/beamhub/venv/bin/jupyterhub-singleuser"]
c.SlurmSpawner.req_srun = ""
c.SlurmSpawner.env_keep = ["SLURM_CONF", "PATH", "LANG"]
# bob's jobs die three seconds after they start, before the server reports its port
c.SlurmSpawner.req_prologue = ('if [ "$JUPYTERHUB_USER" = bob ]; then '
                               'sleep 3; echo "bob: failing on purpose"; exit 3; fi')
# a spawn request's body may send the job to another partition (the down 'maint' one)
c.Spawner.pre_spawn_hook = lambda spawner: setattr(
    spawner, "req_partition", spawner.user_options.get("partition", spawner.req_partition))
c.Spawner.poll_interval = 1
c.Spawner.start_timeout = {START_TIMEOUT}
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}
"""


@pytest.fixture(scope="module")
def upstream_hub(slurm, unix_users, tmp_path_factory):
    # Servers outlive a restart, as on a production hub (keep_servers_on_restart)
    hub = Hub(UPSTREAM_CONFIG, workdir=tmp_path_factory.mktemp("upstream-hub"), cleanup_servers=False,
              env={"SLURM_CONF": str(slurm.conf), "LANG": "C.UTF-8"})
    hub.start()
    for user in ("alice", "bob"):
        hub.api("POST", f"/users/{user}")
    yield hub
    for user in ("alice", "bob"):
        hub.api("DELETE", f"/users/{user}/server")
    hub.close()


def test_upstream_port_api_lets_a_server_token_run_commands_as_the_hub(upstream_hub, tmp_path):
    alice = upstream_hub.user_token("alice")
    upstream_hub.api("POST", "/users/alice/server")
    assert upstream_hub.progress("alice", alice)[-1].get("ready")
    try:
        server_token = run_in_kernel(f"{upstream_hub.url}/user/alice", alice,
                                     "import os; print(os.environ['JUPYTERHUB_API_TOKEN'])").strip()
        marker = tmp_path / "written-by-the-hub"
        import requests

        # What any code in alice's server can do with the token in its environment:
        requests.post(f"{upstream_hub.api_url}/batchspawner", timeout=30,
                      headers={"Authorization": f"token {server_token}"},
                      json={"exec_prefix": f"touch {marker}; sudo -E -u {{username}}"})
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.5)  # the hub's next poll runs the job query through exec_prefix
        assert marker.exists(), "the fault did not show"
        assert marker.stat().st_uid == 0  # written by the hub's own (root) account, on alice's request
    finally:
        upstream_hub.api("DELETE", "/users/alice/server")
        upstream_hub.wait_stopped("alice")


def test_upstream_waits_out_start_timeout_when_the_job_dies_after_starting(upstream_hub):
    bob = upstream_hub.user_token("bob")
    started = time.monotonic()
    upstream_hub.api("POST", "/users/bob/server")
    failed = upstream_hub.progress("bob", bob)[-1]
    waited = time.monotonic() - started
    assert failed.get("failed"), failed
    # The job ended after ~3 s, yet the spawn failed only at start_timeout, saying
    # nothing about the job, its exit code or its log.
    assert f"failed to start in {START_TIMEOUT} seconds" in upstream_hub.log_tail(200)
    assert "exit" not in failed["message"] and "failing on purpose" not in failed["message"]
    print(f"upstream: the job died after ~3 s; the user was told after {waited:.0f} s: {failed['message']!r}")
    upstream_hub.wait_stopped("bob")


def queued_job(slurm, user) -> str:
    out = slurm.run("squeue", "-h", "-u", user, "-o", "%i %T", check=False).stdout.split()
    return out[0] if out and out[1] == "PENDING" else ""


def test_upstream_progress_never_says_why_a_job_waits(upstream_hub, slurm):
    bob = upstream_hub.user_token("bob")
    upstream_hub.api("POST", "/users/bob/server", json={"partition": "maint"})
    try:
        seen = []
        events = upstream_hub.progress("bob", bob, until=lambda e: seen.append(e) or len(seen) >= 6)
        waiting = [e["message"] for e in events if e.get("message") not in ("Server requested", None)]
        assert queued_job(slurm, "bob")  # Slurm knows the reason: the partition is down
        # all it says: "Unknown status..." before its first job query, then "Pending in queue..."
        assert "Pending in queue..." in waiting and set(waiting) <= {"Pending in queue...", "Unknown status..."}, events
        assert not any(re.search(r"PartitionDown|partition|expected", m) for m in waiting)
    finally:
        upstream_hub.api("DELETE", "/users/bob/server")
        upstream_hub.wait_stopped("bob")


def test_upstream_forgets_a_queued_job_when_the_hub_restarts(upstream_hub, slurm):
    bob = upstream_hub.user_token("bob")
    upstream_hub.api("POST", "/users/bob/server", json={"partition": "maint"})
    upstream_hub.progress("bob", bob, until=lambda e: e.get("message") == "Pending in queue...")
    job = queued_job(slurm, "bob")
    assert job
    try:
        upstream_hub.restart()
        upstream_hub.wait_stopped("bob")  # the hub has no server for bob any more...
        time.sleep(3)  # ...and several of its start-up checks and polls later
        assert queued_job(slurm, "bob") == job  # the job still waits to start for nobody
    finally:
        slurm.run("scancel", job, check=False)
