"""The spawner's part of the site configuration (the ``spawner:`` section), and its wiring.

:class:`SpawnerSettings` is a pydantic model the site configuration embeds; its
:meth:`~SpawnerSettings.apply` sets the traitlets of the chosen spawner class (which is
where each option is documented for ``jupyterhub --help-all``), the culler service, and
optionally the culler.

An option that is a traitlet of a spawner class is declared once, on the class: its field
here is made by :func:`from_trait`, which takes the default, the bounds and the help from
the traitlet and records which traitlet it sets (``apply`` sets every such field). The
site file's name may differ from the traitlet's (``home`` sets ``home_path``): the site
file is a public format of its own. Fields that are not a traitlet's are listed in
:data:`NOT_TRAITS` with the reason; tests/spawner/test_settings.py holds the two lists
complete and each field equal to its traitlet. Use::

    settings = SpawnerSettings.model_validate(site_config["spawner"])
    settings.apply(c)
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .base import BeamhubSpawner
from .culling import CullerSettings, configure_culling
from .docker import BeamhubDockerSpawner
from .profiles import Profile
from .runtimes import RuntimeOptions
from .slurm import BeamhubSlurmSpawner

SPAWNER_CLASSES = {
    "slurm": "beamhub.spawner.BeamhubSlurmSpawner",
    "docker": "beamhub.spawner.BeamhubDockerSpawner",
    "local": "beamhub.spawner.BeamhubLocalSpawner",
    "demo": "beamhub.spawner.BeamhubDemoSpawner",
}


def from_trait(spawner: type, name: str) -> Any:
    """A field that sets the traitlet ``spawner.name``, with its default, bounds and help."""
    trait = spawner.class_traits()[name]
    bounds = {}
    for bound, attribute in (("ge", "min"), ("le", "max")):
        value = getattr(trait, attribute, None)
        if value is not None and not (isinstance(value, float) and math.isinf(value)):
            bounds[bound] = value
    return Field(trait.default(), description=" ".join(trait.help.split()),
                 json_schema_extra={"traitlet": f"{spawner.__name__}.{name}"}, **bounds)


def traitlet_of(field) -> tuple[str, str] | None:
    """(class name, traitlet name) a field made by :func:`from_trait` sets, else None."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    target = extra.get("traitlet")
    return tuple(target.split(".")) if target else None


def set_traits(c, settings: BaseModel) -> None:
    """Set, in the JupyterHub configuration ``c``, every traitlet ``settings`` has a field for."""
    for name, field in type(settings).model_fields.items():
        target = traitlet_of(field)
        if target is not None:
            value = getattr(settings, name)
            getattr(c, target[0])[target[1]] = list(value) if isinstance(value, list) else value


class SlurmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exec_prefix: str = from_trait(BeamhubSlurmSpawner, "exec_prefix")
    sbatch_options: list[str] = from_trait(BeamhubSlurmSpawner, "sbatch_options")
    job_log: str = from_trait(BeamhubSlurmSpawner, "job_log")
    job_path: str = from_trait(BeamhubSlurmSpawner, "job_path")
    env_keep: list[str] = from_trait(BeamhubSlurmSpawner, "slurm_env_keep")
    walltime_update_prefix: str = from_trait(BeamhubSlurmSpawner, "walltime_update_prefix")
    startup_poll_interval: Annotated[float, Field(gt=0, le=10)] = Field(
        0.25, description="Seconds between job-state queries while a server starts.")


class DockerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str = Field("unix:///run/podman/podman.sock",
                          description="The Docker-compatible API (docker or `podman system service`).")
    hub_connect_url: str = Field("", description="The hub's API as containers reach it, e.g. "
                                 "http://10.88.0.1:8081 (podman's bridge gateway); '' = JupyterHub's default.")
    network_name: str = Field("", description="Container network ('' = dockerspawner's default, bridge).")
    pull_policy: Literal["always", "ifnotpresent", "never", "skip"] = Field(
        "ifnotpresent", description="When to pull profile images.")
    run_as_user: bool = from_trait(BeamhubDockerSpawner, "run_as_user")


NOT_TRAITS = {
    "SpawnerSettings": {
        "kind": "chooses the spawner class",
        "profiles": "typed here (Profile); the traitlet holds their JSON",
        "catalogue_url": "'' here means: the traitlet's own default ($BEAMHUB_CATALOGUE_API_URL)",
        "singleuser_bin_dir": "'' here means: the traitlet's default for slurm, the hub's own for local/demo",
        "runtimes": "typed here (RuntimeOptions); the traitlet runtime_options holds their JSON",
        "start_timeout": "JupyterHub's Spawner.start_timeout, with a default for queueing on a cluster",
        "http_timeout": "JupyterHub's Spawner.http_timeout, with a default for a cluster's file systems",
        "slurm": "a section", "docker": "a section", "culling": "the culler service, not a spawner",
    },
    "SlurmSettings": {
        "startup_poll_interval": "batchspawner's traitlet, whose default BeamhubSlurmSpawner overrides",
    },
    "DockerSettings": {
        "base_url": "goes into dockerspawner's client_kwargs",
        "hub_connect_url": "dockerspawner's, set only when given",
        "network_name": "dockerspawner's, set only when given",
        "pull_policy": "dockerspawner's, with the default of a site whose images are built locally",
    },
}
"""The fields of the spawner's site settings that are not one traitlet's, and why."""


class SpawnerSettings(BaseModel):
    """Which spawner, its profiles, where the data is, and how servers end."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["slurm", "docker", "local", "demo"] = Field(
        "demo", description="slurm (HPC cluster), docker (one host), local (processes as the users), "
        "demo (processes as the hub's user, no isolation).")
    profiles: list[Profile] = Field([], description="What users may start (see Profile); empty = one default.")
    default_profile: str = from_trait(BeamhubSpawner, "default_profile")
    data_roots: list[str] = from_trait(BeamhubSpawner, "data_roots")
    mount_prefix: str = from_trait(BeamhubSpawner, "mount_prefix")
    resolve_data_symlinks: bool = from_trait(BeamhubSpawner, "resolve_data_symlinks")
    home: str = from_trait(BeamhubSpawner, "home_path")
    scratch: str = from_trait(BeamhubSpawner, "scratch_path")
    scratch_target: str = from_trait(BeamhubSpawner, "scratch_target")
    max_proposals: int = from_trait(BeamhubSpawner, "max_proposals")
    catalogue_url: str = Field("", description="The catalogue service's API as the hub reaches it "
                               "(.../services/catalogue/api/v1); '' = $BEAMHUB_CATALOGUE_API_URL, if set.")
    catalogue_server_url: str = from_trait(BeamhubSpawner, "catalogue_server_url")
    singleuser_bin_dir: str = Field("", description="Where jupyterhub-singleuser is on nodes/in images "
                                    "('' = /opt/beamhub/venv/bin for slurm, the hub's own for local/demo).")
    runtimes: RuntimeOptions = Field(RuntimeOptions(), description="Options of each container runtime.")
    start_timeout: Annotated[int, Field(ge=10)] = Field(
        600, description="Seconds a spawn may take, queueing included, before it is given up.")
    http_timeout: Annotated[int, Field(ge=5)] = Field(
        120, description="Seconds a started server has to answer HTTP.")
    slurm: SlurmSettings = Field(SlurmSettings(), description="Slurm spawner options.")
    docker: DockerSettings = Field(DockerSettings(), description="Docker spawner options.")
    culling: CullerSettings | None = Field(
        None, description="Idle culling and maximum lifetime; null = configured elsewhere (the site's culler section).")

    @model_validator(mode="after")
    def _check(self):
        names = [p.name for p in self.profiles]
        if len(set(names)) != len(names):
            raise ValueError("profile names must be unique")
        if self.default_profile and self.default_profile not in names:
            raise ValueError(f"default_profile {self.default_profile!r} is not one of the profiles")
        return self

    def apply(self, c, *, spawner_token: str = "") -> None:
        """Configure JupyterHub (``c``) to spawn with these settings.

        ``spawner_token``: the token the spawner presents to the catalogue's hub-only
        route (a service token with ``custom:beamhub:proposals``); by default the
        spawner reads ``$BEAMHUB_CATALOGUE_HUB_TOKEN``, and ``catalogue_url`` defaults
        to ``$BEAMHUB_CATALOGUE_API_URL`` (both set by beamhub.config.jupyterhub).
        """
        c.JupyterHub.spawner_class = SPAWNER_CLASSES[self.kind]
        s = c.BeamhubSpawner
        set_traits(c, self)
        s.profiles = [p.model_dump(mode="json") for p in self.profiles]
        if self.catalogue_url:
            s.catalogue_url = self.catalogue_url
        s.runtime_options = self.runtimes.model_dump(mode="json")
        if self.singleuser_bin_dir:
            s.singleuser_bin_dir = self.singleuser_bin_dir
        c.Spawner.start_timeout = self.start_timeout
        c.Spawner.http_timeout = self.http_timeout
        if self.kind == "slurm":
            set_traits(c, self.slurm)
            c.BeamhubSlurmSpawner.startup_poll_interval = self.slurm.startup_poll_interval
        if self.kind == "docker":
            set_traits(c, self.docker)
            docker = c.BeamhubDockerSpawner
            docker.client_kwargs = {"base_url": self.docker.base_url}
            docker.pull_policy = self.docker.pull_policy
            docker.remove = True
            if self.docker.hub_connect_url:
                docker.hub_connect_url = self.docker.hub_connect_url
            if self.docker.network_name:
                docker.network_name = self.docker.network_name
        if spawner_token:
            s.catalogue_token = spawner_token
        if self.culling is not None:
            configure_culling(c, self.culling)
