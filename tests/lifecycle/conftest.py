"""Real parts for the lifecycle tests: the spawner tests' Unix users, data, catalogue and
one-node Slurm cluster, and a hub of its own whose profile can be extended."""

from __future__ import annotations

from tests.spawner.conftest import bubblewrap, catalogue_store, data_root, slurm, spawner_workdir, unix_users  # noqa: F401
