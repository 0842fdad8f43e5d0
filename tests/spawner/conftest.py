"""Real parts for the spawner tests, started once per session: the Unix users, the
experiment data and its catalogue, the one-node Slurm cluster and the single-user image."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.services.require import missing

from .support import USERS, make_catalogue, make_data


@pytest.fixture(scope="session")
def unix_users():
    from tests.services.unix_users import ensure_users

    if os.geteuid() != 0:
        missing("Unix users", "the spawner tests run servers as alice and bob: run them as root")
    return ensure_users(USERS)


@pytest.fixture(scope="session")
def spawner_workdir():
    root = Path(tempfile.mkdtemp(prefix="beamhub-spawner-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def data_root(spawner_workdir):
    return make_data(spawner_workdir / "data")


@pytest.fixture(scope="session")
def catalogue_store(spawner_workdir, data_root):
    return make_catalogue(spawner_workdir / "catalogue.sqlite", data_root)


@pytest.fixture(scope="session")
def slurm():
    from tests.services.slurm import shared_cluster

    return shared_cluster()


@pytest.fixture(scope="session")
def singleuser_image():
    """(image ref, storage.conf for rootless users): built once per machine."""
    from tests.services import podman

    if not shutil.which("podman"):
        missing("podman", "not installed (apt-get install podman runc uidmap slirp4netns fuse-overlayfs)")
    image = podman.singleuser_image()
    return image, str(podman.user_storage_conf())


@pytest.fixture(scope="session")
def bubblewrap():
    if not shutil.which("bwrap"):
        missing("bubblewrap", "not installed (apt-get install bubblewrap)")
    return shutil.which("bwrap")


SECRETS_IN_HUB_ENV = {"BEAMHUB_STORE_PASSWORD": "s3cr3t-store-password", "JUPYTERHUB_CRYPT_KEY": "0" * 64,
                      "MONGO_URL": "mongodb://u:s3cr3t-mongo@db/beamhub"}
"""Secrets in the hub's environment that a careless site passes on (env_keep)."""


def slurm_spawner_section(image: str, storage_conf: str, data_root) -> dict:
    """The site's spawner section for the Slurm tests: podman, bubblewrap, a one-minute
    walltime, a down partition (jobs stay pending) and an image that does not exist
    (jobs die at once)."""
    common = {"cpus": 1, "memory": "1G", "walltime": "01:00:00", "partition": "main"}
    return {
        "kind": "slurm",
        "profiles": [
            {"name": "podman", "display_name": "Container (podman)", "runtime": "podman", "image": image,
             "description": "JupyterLab in the facility's analysis image.", **common},
            {"name": "bwrap", "display_name": "Sandbox (bubblewrap)", "runtime": "bubblewrap",
             "description": "The cluster's own software environment.", **common},
            {"name": "short", "display_name": "One minute (bubblewrap)", "runtime": "bubblewrap",
             **{**common, "walltime": "00:01:00"}},
            {"name": "maintenance", "display_name": "Maintenance partition", "runtime": "none",
             **{**common, "partition": "maint"}},
            {"name": "broken", "display_name": "Broken image", "runtime": "podman",
             "image": "localhost/beamhub/does-not-exist:1", **common},
        ],
        "data_roots": [str(data_root)],
        "runtimes": {"podman": {"storage_conf": storage_conf}},
        "start_timeout": 180,
        "http_timeout": 90,
    }


# A careless site passing hub secrets on to servers: they must still not get there.
CARELESS_ENV_KEEP = f"c.BeamhubSlurmSpawner.env_keep = {['LANG', *SECRETS_IN_HUB_ENV]!r}\n"


@pytest.fixture(scope="session")
def slurm_hub(tmp_path_factory, slurm, unix_users, catalogue_store, data_root, singleuser_image, bubblewrap):
    """One hub on the Slurm cluster for the session (servers of every test stopped after use)."""
    from .support import SpawnerHub

    image, storage_conf = singleuser_image
    env = {"SLURM_CONF": str(slurm.conf), "LANG": "C.UTF-8", **SECRETS_IN_HUB_ENV}
    hub = SpawnerHub(tmp_path_factory.mktemp("slurm-hub"), catalogue_store,
                     slurm_spawner_section(image, storage_conf, data_root), env=env,
                     extra_config=CARELESS_ENV_KEEP).start()
    yield hub
    hub.close()
