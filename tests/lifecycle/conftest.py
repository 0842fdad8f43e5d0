"""Real parts for the lifecycle tests: the spawner tests' Unix users, data, catalogue and
one-node Slurm cluster, and one hub for the session whose profile can be extended (from
ten minutes up to thirty), with the idle culler on and carol as admin."""

from __future__ import annotations

import pytest
import yaml

from tests.spawner.conftest import bubblewrap, catalogue_store, data_root, slurm, spawner_workdir, unix_users  # noqa: F401
from tests.spawner.support import SpawnerHub

SPAWNER = {
    "kind": "slurm",
    "profiles": [
        {"name": "extendable", "display_name": "Ten minutes, up to thirty", "runtime": "bubblewrap",
         "cpus": 1, "memory": "1G", "walltime": "00:10:00", "max_walltime": "00:30:00", "partition": "main"},
    ],
    "start_timeout": 180,
    "http_timeout": 90,
}


@pytest.fixture(scope="session")
def hub(tmp_path_factory, slurm, unix_users, catalogue_store, data_root, bubblewrap):
    spawner = {**SPAWNER, "data_roots": [str(data_root)]}
    workdir = tmp_path_factory.mktemp("lifecycle-hub")
    hub = SpawnerHub(workdir, catalogue_store, spawner, env={"SLURM_CONF": str(slurm.conf), "LANG": "C.UTF-8"})
    site_file = workdir / "site.yaml"
    site = yaml.safe_load(site_file.read_text())
    site["hub"]["admin_users"] = ["carol"]
    site["culler"] = {"enabled": True, "timeout": 3600, "every": 300}
    site["lifecycle"] = {"warn_walltime_minutes": 15, "warn_idle_minutes": 10, "extend_step_minutes": 15}
    site_file.write_text(yaml.safe_dump(site))
    hub.site_file = site_file
    hub.start()
    yield hub
    hub.close()
