"""The local spawners: the users' own processes wrapped in bubblewrap (the same mounts
as on the cluster), the demo's spawner (no isolation, no catalogue needed), and idle
culling with a maximum server lifetime."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from .support import CHECK_MOUNTS, SpawnerHub, assert_only_p1_read_only

pytestmark = [pytest.mark.hub]

IDLE_TIMEOUT = 6
MAX_AGE = 24


@pytest.fixture(scope="module")
def local_hub(tmp_path_factory, unix_users, catalogue_store, data_root, bubblewrap):
    spawner = {
        "kind": "local",
        "profiles": [{"name": "sandbox", "display_name": "Sandbox", "runtime": "bubblewrap"}],
        "data_roots": [str(data_root)],
        "http_timeout": 90,
    }
    hub = SpawnerHub(tmp_path_factory.mktemp("local-hub"), catalogue_store, spawner).start()
    yield hub
    hub.close()


def test_local_bubblewrap_gives_the_same_mounts(local_hub):
    assert local_hub.spawn("alice", {"proposals": ["P1"]}).status_code in (201, 202)
    assert local_hub.progress("alice")[-1].get("ready"), local_hub.hub.log_tail()
    try:
        assert_only_p1_read_only(json.loads(local_hub.run("alice", CHECK_MOUNTS)))
    finally:
        local_hub.stop("alice")


@pytest.fixture(scope="module")
def demo_hub(tmp_path_factory, catalogue_store, data_root):
    spawner = {
        "kind": "demo",  # servers run as the hub's own user, without isolation
        "data_roots": [str(data_root)],
        "http_timeout": 90,
        "culling": {"idle_timeout": IDLE_TIMEOUT, "max_age": MAX_AGE, "every": 1},
    }
    hub = SpawnerHub(tmp_path_factory.mktemp("demo-hub"), catalogue_store, spawner).start()
    yield hub
    hub.close()


def test_the_demo_spawner_links_the_data_in_the_home_and_says_each_step(demo_hub, data_root):
    """No mounts without a runtime: the chosen proposal is a link ~/data/P1 to its real
    folder, named so in the server's environment; the spawn page shows each step."""
    assert demo_hub.spawn("alice", {"proposals": ["P1"]}).status_code in (201, 202)
    events = demo_hub.progress("alice")
    assert events[-1].get("ready"), demo_hub.hub.log_tail()
    messages = [e.get("message", "") for e in events]
    assert "Checking your resources and proposals with the catalogue" in messages
    assert "Your data, read-only: P1 linked at ~/data/<proposal>" in messages
    assert any(m.startswith("Starting JupyterLab (") for m in messages)
    try:
        seen = json.loads(demo_hub.run("alice", "import os, json; print(json.dumps({'data': os.environ['BEAMHUB_DATA'], "
                                       "'map': os.environ['BEAMHUB_DATA_PATH_MAP'], 'home': os.path.expanduser('~'), "
                                       "'link': os.path.realpath(os.path.expanduser('~/data/P1')), "
                                       "'files': sorted(os.listdir(os.path.expanduser('~/data/P1')))}))"))
        link = seen["home"] + "/data/P1"
        assert json.loads(seen["data"]) == {"P1": link}
        assert seen["map"] == f"{data_root / 'P1'}={link}"
        assert seen["link"] == str(data_root / "P1") and "scan_0001.h5" in seen["files"]
    finally:
        demo_hub.stop("alice")


def test_idle_servers_are_culled_and_active_ones_live_until_their_maximum_age(demo_hub):
    """bob is kept active (activity reported every second, as a busy browser would);
    alice is left alone. The culler stops alice for inactivity and bob for his age."""
    stop_activity = threading.Event()

    def keep_bob_active():
        while not stop_activity.is_set():
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            demo_hub.hub.api("POST", "/users/bob/activity",
                             json={"last_activity": now, "servers": {"": {"last_activity": now}}})
            stop_activity.wait(1)

    activity = threading.Thread(target=keep_bob_active, daemon=True)
    try:
        assert demo_hub.spawn("bob", {}).status_code in (201, 202)
        activity.start()
        assert demo_hub.progress("bob")[-1].get("ready"), demo_hub.hub.log_tail()
        assert demo_hub.spawn("alice", {}).status_code in (201, 202)
        assert demo_hub.progress("alice")[-1].get("ready"), demo_hub.hub.log_tail()
        demo_hub.wait_stopped("alice", timeout=MAX_AGE * 3)
        demo_hub.wait_stopped("bob", timeout=MAX_AGE * 3)
    finally:
        stop_activity.set()
    log = demo_hub.hub.log_tail(3000)
    idle = re.search(r"Culling server alice \(inactive for (\d+):(\d+):(\d+)\)", log)
    assert idle and int(idle.group(3)) + 60 * int(idle.group(2)) >= IDLE_TIMEOUT, log[-3000:]
    aged = re.search(r"Culling server bob \(age: (\d+):(\d+):(\d+), inactive for (\d+):(\d+):(\d+)\)", log)
    assert aged, log[-3000:]
    age, inactive = (int(aged.group(2)) * 60 + int(aged.group(3)), int(aged.group(5)) * 60 + int(aged.group(6)))
    assert age >= MAX_AGE and inactive < IDLE_TIMEOUT
    for user in ("alice", "bob"):
        assert re.search(rf"DELETE /hub/api/users/{user}/server \(idle-culler@", log), user
    print(f"culler: {idle.group(0)}; {aged.group(0)}")


def test_the_form_is_skipped_when_there_is_nothing_to_choose(demo_hub):
    alice_form = demo_hub.login("alice").get(f"{demo_hub.hub.url}/hub/spawn", timeout=60)
    assert 'id="beamhub-proposals"' in alice_form.text  # alice has proposals to pick from
    carol = demo_hub.login("carol")  # one profile, no proposals: straight to the spawn
    try:
        response = carol.get(f"{demo_hub.hub.url}/hub/spawn", timeout=60, allow_redirects=False)
        assert response.status_code == 302 and "/hub/spawn-pending/carol" in response.headers["Location"]
    finally:
        demo_hub.stop("carol")
