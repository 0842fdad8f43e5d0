"""The spawner's part of the site configuration (the ``spawner:`` section), and its wiring.

:class:`SpawnerSettings` is a pydantic model the site configuration embeds; its
:meth:`~SpawnerSettings.apply` sets the traitlets of the chosen spawner class (which is
where each option is documented for ``jupyterhub --help-all``), the culler service, and
optionally the culler::

    settings = SpawnerSettings.model_validate(site_config["spawner"])
    settings.apply(c)
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .culling import CullerSettings, configure_culling
from .profiles import Profile
from .runtimes import RuntimeOptions

SPAWNER_CLASSES = {
    "slurm": "beamhub.spawner.BeamhubSlurmSpawner",
    "docker": "beamhub.spawner.BeamhubDockerSpawner",
    "local": "beamhub.spawner.BeamhubLocalSpawner",
    "demo": "beamhub.spawner.BeamhubDemoSpawner",
}


class SlurmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exec_prefix: str = Field(
        "sudo -E -u {username}", description="Prefix running Slurm commands as the user (needs a sudo rule "
        "for sbatch, scontrol, scancel, tail, mkdir and sh on the hub host).")
    sbatch_options: list[str] = Field([], description="Extra #SBATCH options for every server job.")
    job_log: str = Field("{home}/.beamhub/logs/jupyter-%j.log",
                         description="The job's output file ({home}, {username}; %j = job id).")
    job_path: str = Field("/opt/beamhub/venv/bin:/usr/local/bin:/usr/bin:/bin", description="PATH in the job.")
    env_keep: list[str] = Field(["SLURM_CONF", "PATH"],
                                description="Hub environment variables given to the Slurm commands.")
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
    run_as_user: bool = Field(True, description="Run containers as the user's uid, gid and groups.")


class SpawnerSettings(BaseModel):
    """Which spawner, its profiles, where the data is, and how servers end."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["slurm", "docker", "local", "demo"] = Field(
        "demo", description="slurm (HPC cluster), docker (one host), local (processes as the users), "
        "demo (processes as the hub's user, no isolation).")
    profiles: list[Profile] = Field([], description="What users may start (see Profile); empty = one default.")
    default_profile: str = Field("", description="Profile pre-selected for new users ('' = the first).")
    data_roots: list[str] = Field([], description="Directories the proposals' data must lie in.")
    mount_prefix: str = Field("/data", description="Where proposals appear in servers: <prefix>/<proposalId>.")
    resolve_data_symlinks: bool = Field(True, description="Resolve links in data paths on the hub before checking.")
    home: str = Field("", description="Host path of the writable home ({username}; '' = the passwd home).")
    scratch: str = Field("", description="Host path of a writable scratch directory ({username}; '' = none).")
    scratch_target: str = Field("/scratch", description="Where scratch appears inside servers.")
    max_proposals: Annotated[int, Field(ge=1, le=50)] = Field(20, description="Most proposals per server.")
    catalogue_url: str = Field("", description="The catalogue service's API as the hub reaches it "
                               "(.../services/catalogue/api/v1); '' = $BEAMHUB_CATALOGUE_API_URL, if set.")
    catalogue_server_url: str = Field("", description="The same as servers reach it ('' = catalogue_url).")
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
        import beamhub.spawner  # noqa: F401  (installs the safe /api/batchspawner handler)

        c.JupyterHub.spawner_class = SPAWNER_CLASSES[self.kind]
        s = c.BeamhubSpawner
        s.profiles = [p.model_dump(mode="json") for p in self.profiles]
        s.default_profile = self.default_profile
        s.data_roots = list(self.data_roots)
        s.mount_prefix = self.mount_prefix
        s.resolve_data_symlinks = self.resolve_data_symlinks
        s.home_path = self.home
        s.scratch_path = self.scratch
        s.scratch_target = self.scratch_target
        s.max_proposals = self.max_proposals
        if self.catalogue_url:
            s.catalogue_url = self.catalogue_url
        if self.catalogue_server_url:
            s.catalogue_server_url = self.catalogue_server_url
        s.runtime_options = self.runtimes.model_dump(mode="json")
        if self.singleuser_bin_dir:
            s.singleuser_bin_dir = self.singleuser_bin_dir
        c.Spawner.start_timeout = self.start_timeout
        c.Spawner.http_timeout = self.http_timeout
        if self.kind == "slurm":
            slurm = c.BeamhubSlurmSpawner
            slurm.exec_prefix = self.slurm.exec_prefix
            slurm.sbatch_options = list(self.slurm.sbatch_options)
            slurm.job_log = self.slurm.job_log
            slurm.job_path = self.slurm.job_path
            slurm.slurm_env_keep = list(self.slurm.env_keep)
            slurm.startup_poll_interval = self.slurm.startup_poll_interval
        if self.kind == "docker":
            docker = c.BeamhubDockerSpawner
            docker.client_kwargs = {"base_url": self.docker.base_url}
            docker.pull_policy = self.docker.pull_policy
            docker.run_as_user = self.docker.run_as_user
            docker.remove = True
            if self.docker.hub_connect_url:
                docker.hub_connect_url = self.docker.hub_connect_url
            if self.docker.network_name:
                docker.network_name = self.docker.network_name
        if spawner_token:
            s.catalogue_token = spawner_token
        if self.culling is not None:
            configure_culling(c, self.culling)
