"""The Docker spawner (single-host sites) through podman's Docker-compatible API socket:
the same mount checks as on the cluster."""

from __future__ import annotations

import json

import pytest

from .support import CHECK_MOUNTS, SpawnerHub, assert_only_p1_read_only

pytestmark = [pytest.mark.hub, pytest.mark.containers]


@pytest.fixture(scope="module")
def docker_api():
    from tests.services.podman import DockerAPI

    with DockerAPI() as api:
        yield api


@pytest.fixture(scope="module")
def docker_hub(tmp_path_factory, docker_api, unix_users, catalogue_store, data_root, singleuser_image):
    image, _ = singleuser_image
    spawner = {
        "kind": "docker",
        "profiles": [{"name": "container", "display_name": "Container", "runtime": "podman", "image": image,
                      "cpus": 1, "memory": "2G"}],
        "data_roots": [str(data_root)],
        "docker": {"base_url": docker_api.base_url, "pull_policy": "never"},
        "start_timeout": 120,
        "http_timeout": 90,
    }
    # Containers on podman's bridge reach the hub at the bridge's gateway.
    extra = ("c.JupyterHub.hub_ip = '0.0.0.0'\n"
             f"c.BeamhubDockerSpawner.hub_connect_url = 'http://{docker_api.gateway}:' + str(c.JupyterHub.hub_port)\n")
    hub = SpawnerHub(tmp_path_factory.mktemp("docker-hub"), catalogue_store, spawner, extra_config=extra).start()
    yield hub
    hub.close()


def test_alice_sees_p1_read_only_and_no_p2_in_a_docker_container(docker_hub):
    assert docker_hub.spawn("alice", {"profile": "container", "proposals": ["P1"]}).status_code in (201, 202)
    events = docker_hub.progress("alice")
    assert events[-1].get("ready"), f"{events}\n{docker_hub.hub.log_tail()}"
    try:
        seen = json.loads(docker_hub.run("alice", CHECK_MOUNTS))
        assert_only_p1_read_only(seen)
        uid = docker_hub.run("alice", "import os; print(os.getuid(), os.getgid())").split()
        entry = __import__("pwd").getpwnam("alice")
        assert uid == [str(entry.pw_uid), str(entry.pw_gid)]  # never root
    finally:
        docker_hub.stop("alice")


def test_a_forged_request_is_refused_before_any_container_exists(docker_hub, docker_api):
    import docker

    message = docker_hub.spawn_refusal("alice", {"profile": "container", "proposals": ["P2"]})
    assert "You cannot mount proposal P2" in message
    client = docker.DockerClient(base_url=docker_api.base_url)
    assert not [c for c in client.containers.list(all=True) if "alice" in c.name]
