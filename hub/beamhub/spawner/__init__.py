"""Spawning users' JupyterLab: on Slurm, in Docker, or locally, with read-only data mounts.

- :class:`BeamhubSlurmSpawner` (HPC cluster, batchspawner), :class:`BeamhubDockerSpawner`
  (one host, dockerspawner), :class:`BeamhubLocalSpawner` / :class:`BeamhubDemoSpawner`
  (local processes) share :class:`~.base.BeamhubSpawner`: profiles, the spawn form,
  data mounts computed from the catalogue, and a minimal server environment.
- Pure builders, testable without a cluster: :mod:`.profiles`, :mod:`.mounts`,
  :mod:`.runtimes`, :mod:`.form`; the batch script and Slurm's job states
  are :mod:`beamhub.slurm`'s (shared with the fog-filter jobs).
- Site configuration: :class:`SpawnerSettings` (the ``spawner:`` section) and
  :func:`configure_culling`.

Import this package in ``jupyterhub_config.py`` (SpawnerSettings.apply does): it
replaces batchspawner's port-report API handler with a safe one.
"""

from .base import BeamhubSpawner, LaunchPlan
from .culling import CullerSettings, configure_culling, culler_service
from .docker import BeamhubDockerSpawner
from .errors import SchedulerUnavailable, SpawnFailed, SpawnRefused
from .local import BeamhubDemoSpawner, BeamhubLocalSpawner
from .mounts import Mount
from .profiles import Profile, Resources, SpawnRequest
from .proposals import CatalogueServiceProposals, NoProposals, ProposalSource, StoreProposals
from .runtimes import RuntimeOptions
from .settings import SpawnerSettings
from .slurm import BeamhubSlurmSpawner

__all__ = [
    "BeamhubSpawner", "BeamhubSlurmSpawner", "BeamhubDockerSpawner", "BeamhubLocalSpawner", "BeamhubDemoSpawner",
    "LaunchPlan", "CullerSettings", "configure_culling", "culler_service", "SchedulerUnavailable", "SpawnFailed",
    "SpawnRefused", "Mount", "Profile", "Resources", "SpawnRequest", "CatalogueServiceProposals", "NoProposals",
    "ProposalSource", "StoreProposals", "RuntimeOptions", "SpawnerSettings",
]
