"""What every beamhub spawner shares: profiles, the form, data mounts, the environment.

:class:`BeamhubSpawner` is a mixin placed before a JupyterHub spawner class::

    class BeamhubSlurmSpawner(BeamhubSpawner, batchspawner.SlurmSpawner): ...

Its options are configured once for all three spawners as ``c.BeamhubSpawner.<option>``.
A spawn goes: form -> :meth:`run_options_from_form` (checks everything the user may ask,
so a refused request is shown on the form again) -> JupyterHub stores ``user_options``
(the next form starts from them) -> ``start()`` calls :meth:`plan_launch`, which checks
again (``user_options`` can also come from the REST API, bypassing the form) and
returns the resources, mounts and environment of the server.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass, field

from traitlets import Bool, Dict, Instance, Integer, List, Unicode, default, validate
from traitlets.config import Configurable
from traitlets.traitlets import TraitError

from ..environment import FORBIDDEN_ENV, user_code_env
from .environment import CATALOGUE_URL_ENV, PROFILE_ENV
from .errors import SpawnRefused
from .form import render_form, request_from_form
from .mounts import (DATA_ENV, PATH_MAP_ENV, Mount, data_env, data_links, link_commands, make_data_links,
                     path_map_env, proposal_mounts, writable_mounts)
from .profiles import Profile, Resources, SpawnRequest, resolve_request
from .proposals import (
    CatalogueServiceProposals,
    NoProposals,
    ProposalSource,
    ProposalsUnavailable,
    StoreProposals,
)
from .runtimes import Launch, RuntimeOptions, container_command

DEFAULT_SERVER_SCOPES = ["users:activity!user", "access:servers!server", "access:services!service=catalogue"]

# Variables that describe the node or the container engine, not the server: they are
# not passed into containers (the image has its own PATH).
HOST_ONLY_ENV = frozenset({"PATH", "XDG_RUNTIME_DIR", "CONTAINERS_STORAGE_CONF", "LD_LIBRARY_PATH", "SLURM_CONF"})


@dataclass(frozen=True)
class LaunchPlan:
    """Everything decided on the hub about one server before it starts."""

    request: SpawnRequest
    resources: Resources
    data_mounts: tuple[Mount, ...] = ()
    home_mounts: tuple[Mount, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def profile(self) -> Profile:
        return self.resources.profile

    @property
    def mounts(self) -> tuple[Mount, ...]:
        return self.home_mounts + self.data_mounts


class BeamhubSpawner(Configurable):
    """Profiles, spawn form, read-only data mounts and a minimal environment."""

    profiles = List(
        Dict(),
        help="""Server profiles users pick from (each a dict of beamhub.spawner.Profile's fields:
        name, display_name, description, partition, account, qos, cpus, max_cpus, memory,
        max_memory, gpus, walltime, max_walltime, runtime, image, groups).
        Empty: one profile named 'default' with `default_runtime` and one CPU.""",
    ).tag(config=True)

    default_profile = Unicode(
        "", help="Profile pre-selected for users with no previous choice ('' = the first one they may use).",
    ).tag(config=True)

    default_runtime = Unicode(
        "none", help="Container runtime of the implicit 'default' profile when `profiles` is empty.",
    ).tag(config=True)

    data_roots = List(
        Unicode(),
        help="""Directories holding the facility's experiment data. A proposal's dataPath is
        mounted only if it resolves strictly inside one of them.""",
    ).tag(config=True)

    mount_prefix = Unicode(
        "/data", help="Where proposals appear inside the server: <mount_prefix>/<proposalId>, read-only.",
    ).tag(config=True)

    resolve_data_symlinks = Bool(
        True,
        help="""Resolve symbolic links in dataPath on the hub before checking it against the
        data roots (needs the data visible on the hub; turn off if it is not, then paths are
        only normalised).""",
    ).tag(config=True)

    max_proposals = Integer(
        20, min=1, max=50, help="Most proposals one server may mount.",
    ).tag(config=True)

    home_path = Unicode(
        "",
        help="""Host path of the user's writable home, mounted at the same path inside
        containers ('' = the user's home from the passwd database). {username} is replaced.""",
    ).tag(config=True)

    scratch_path = Unicode(
        "", help="Host path of a writable scratch directory ({username} replaced; '' = none).",
    ).tag(config=True)

    scratch_target = Unicode(
        "/scratch", help="Where the scratch directory appears inside the server.",
    ).tag(config=True)

    catalogue_url = Unicode(
        help="""The catalogue service's REST API as the hub reaches it (e.g.
        http://127.0.0.1:8890/services/catalogue/api/v1). Default: $BEAMHUB_CATALOGUE_API_URL
        (set by beamhub.config). '' = no catalogue: no proposals are listed, nothing is mounted.""",
    ).tag(config=True)

    @default("catalogue_url")
    def _catalogue_url_default(self):
        return os.environ.get("BEAMHUB_CATALOGUE_API_URL", "")

    catalogue_server_url = Unicode(
        "",
        help="""The catalogue service's REST API as single-user servers reach it (given to them
        as $BEAMHUB_CATALOGUE_URL); '' = Spawner.environment's BEAMHUB_CATALOGUE_URL if set,
        else `catalogue_url`.""",
    ).tag(config=True)

    catalogue_token = Unicode(
        help="""Token the spawner uses for the catalogue's hub-only route /users/{name}/proposals
        (a service token with the custom:beamhub:proposals scope). Default:
        $BEAMHUB_CATALOGUE_HUB_TOKEN (set by beamhub.config). Never passed to single-user servers.""",
    ).tag(config=True)

    @default("catalogue_token")
    def _catalogue_token_default(self):
        return os.environ.get("BEAMHUB_CATALOGUE_HUB_TOKEN", "")

    catalogue_store_url = Unicode(
        "",
        help="""Read proposals from this catalogue store directly (sqlite:///... or mongodb://...)
        instead of the catalogue service: for sites without the service, and tests. The URL
        stays on the hub.""",
    ).tag(config=True)

    runtime_options = Dict(
        help="""Per-runtime options (beamhub.spawner.RuntimeOptions): {"podman": {...},
        "bubblewrap": {...}, "apptainer": {...}}.""",
    ).tag(config=True)

    forbidden_env = List(
        Unicode(), list(FORBIDDEN_ENV),
        help="""Environment variable names (shell patterns) never given to single-user servers,
        whatever env_keep or environment say: the hub's and the catalogue store's secrets.""",
    ).tag(config=True)

    singleuser_bin_dir = Unicode(
        "/opt/beamhub/venv/bin",
        help="""Directory holding jupyterhub-singleuser (and batchspawner-singleuser) on the
        compute nodes and in the images; relative Spawner.cmd entries are looked up here.""",
    ).tag(config=True)

    proposal_source = Instance(ProposalSource, allow_none=True, help="Where mountable proposals come from "
                               "(default: built from catalogue_url / catalogue_store_url).")

    @default("proposal_source")
    def _proposal_source_default(self):
        if self.catalogue_store_url:
            return StoreProposals(self.catalogue_store_url)
        if self.catalogue_url:
            return CatalogueServiceProposals(self.catalogue_url, self.catalogue_token)
        return NoProposals()

    @default("server_token_scopes")
    def _server_token_scopes_default(self):
        return list(DEFAULT_SERVER_SCOPES)

    @default("default_url")
    def _default_url_default(self):
        return "/lab"

    @default("apply_user_options")
    def _apply_user_options_default(self):
        # JupyterHub 5.3+ calls this before start(), for the form and the REST API alike:
        # malformed options are refused there (400) with the reason; start() checks the
        # rest (limits, proposals), which needs the catalogue.
        return lambda spawner, options: SpawnRequest.parse(options)

    @validate("profiles")
    def _validate_profiles(self, proposal):
        try:
            models = [Profile.model_validate(p) for p in proposal.value]
        except Exception as exc:
            raise TraitError(f"BeamhubSpawner.profiles: {exc}") from None
        names = [m.name for m in models]
        if len(set(names)) != len(names):
            raise TraitError("BeamhubSpawner.profiles: profile names must be unique")
        return proposal.value

    last_failure = Unicode("", help="Why the user's last server ended unexpectedly (kept in the spawner state).")
    last_failure_log = Unicode("", help="The end of that server's log, shown under `last_failure`.")
    _plan: LaunchPlan | None = None

    # -- profiles and requests ---------------------------------------------------------
    @property
    def profile_models(self) -> list[Profile]:
        if self.profiles:
            return [Profile.model_validate(p) for p in self.profiles]
        return [Profile(name="default", display_name="Default", runtime=self.default_runtime,
                        image="unused" if self.default_runtime in ("podman", "apptainer") else "")]

    def user_groups(self) -> frozenset[str]:
        return frozenset(g.name for g in getattr(self.user, "groups", []) or [])

    def user_home(self) -> str:
        if self.home_path:
            return self.home_path.format(username=self.user.name)
        try:
            return pwd.getpwnam(self.user.name).pw_dir
        except KeyError:
            raise SpawnRefused(f"There is no account {self.user.name!r} on this system; "
                               "ask the facility to create it.", status=500) from None

    async def check_request(self, request: SpawnRequest) -> tuple[Resources, list[Mount]]:
        """Resources and data mounts for ``request``, or :class:`SpawnRefused`."""
        groups = self.user_groups()
        resources = resolve_request(self.profile_models, request, groups, self.default_profile or None)
        if len(request.proposals) > self.max_proposals:
            raise SpawnRefused(f"At most {self.max_proposals} proposals can be mounted in one server.")
        mounts: list[Mount] = []
        if request.proposals:
            try:
                mountable = await self.proposal_source.mountable(self.user.name, groups)
            except ProposalsUnavailable as exc:
                raise SpawnRefused(exc.message, status=503) from None
            mounts = proposal_mounts(request.proposals, {p.proposalId: p for p in mountable}, self.data_roots,
                                     prefix=self.mount_prefix, follow_symlinks=self.resolve_data_symlinks)
        return resources, mounts

    async def plan_launch(self) -> LaunchPlan:
        """Check ``user_options`` (from the form or the REST API) and decide the launch."""
        request = SpawnRequest.parse(self.user_options)
        resources, data = await self.check_request(request)
        home = self.user_home()
        scratch = self.scratch_path.format(username=self.user.name) if self.scratch_path else None
        links_home = home if self.mounts_nothing(resources.profile) else None  # no mounts: links in the home
        environment = {
            PROFILE_ENV: resources.profile.name,
            DATA_ENV: data_env(data, links_home=links_home),
            PATH_MAP_ENV: path_map_env(data, links_home=links_home),
        }
        server_url = (self.catalogue_server_url or self.environment.get(CATALOGUE_URL_ENV)
                      or self.catalogue_url)
        if server_url and not callable(server_url):
            environment[CATALOGUE_URL_ENV] = server_url
        plan = LaunchPlan(request=request, resources=resources, data_mounts=tuple(data),
                          home_mounts=tuple(writable_mounts(home, scratch, self.scratch_target)),
                          environment=environment)
        self._plan = plan
        self.log.info("%s: profile %s, %s CPU, %s MiB, %s min, runtime %s, mounts %s", self._log_name,
                      resources.profile.name, resources.cpus, resources.memory, resources.walltime,
                      resources.profile.runtime, [m.target for m in data] or "none")
        return plan

    always_in_container = False
    """True for spawners whose servers are containers whatever the profile's runtime (Docker)."""

    def mounts_nothing(self, profile: Profile) -> bool:
        """Whether a server of ``profile`` runs without a container (so mounts nothing)."""
        return profile.runtime == "none" and not self.always_in_container

    def _links(self, plan: LaunchPlan, home: str) -> list[tuple[str, str]]:
        return data_links(plan.data_mounts, home, to_mount_points=not self.mounts_nothing(plan.profile))

    def link_data(self, plan: LaunchPlan, owner: tuple[int, int] | None = None) -> list[str]:
        """Each chosen proposal as a link ``~/data/<proposal>``, made on the hub before the
        server starts (the local spawners, whose homes are the hub's). Without a container
        runtime nothing is mounted and the link is the way to the (read-only) folder; in a
        container it leads to the mount point /data/<proposal>, for the file browser.
        Returns problems."""
        home = plan.home_mounts[0].source if plan.home_mounts else self.user_home()
        if not os.path.isdir(home):  # never made here: a home belongs to its user
            return [f"{home} does not exist on the hub: no links to the data made"] if plan.data_mounts else []
        try:
            return make_data_links(self._links(plan, home), home, owner=owner)
        except OSError as exc:
            return [f"could not link the data in {home}: {exc}"]

    def link_commands(self, plan: LaunchPlan) -> list[str]:
        """:meth:`link_data` as shell lines, for servers started by a batch job."""
        if not plan.home_mounts:
            return []
        home = plan.home_mounts[0].source
        return link_commands(self._links(plan, home), home)

    def runtime_settings(self) -> RuntimeOptions:
        return RuntimeOptions.model_validate(self.runtime_options or {})

    def singleuser_command(self) -> list[str]:
        """Spawner.cmd with relative entries resolved in `singleuser_bin_dir`."""
        cmd = list(self.cmd or ["jupyterhub-singleuser"])
        if not os.path.isabs(cmd[0]):
            cmd[0] = os.path.join(self.singleuser_bin_dir, cmd[0])
        return cmd

    def launch(self, plan: LaunchPlan, command: list[str], env_names, *, name: str = "") -> Launch:
        """``command`` in the profile's container runtime, with the plan's mounts."""
        profile = plan.profile
        home = plan.home_mounts[0].target if plan.home_mounts else ""
        return Launch(runtime=profile.runtime, command=command, image=profile.image,
                      mounts=plan.mounts if profile.runtime != "none" else (),
                      env_names=sorted(n for n in env_names if n not in HOST_ONLY_ENV),
                      workdir=home, hide=tuple(self.data_roots), name=name)

    def wrap(self, plan: LaunchPlan, command: list[str], env_names) -> list[str]:
        """The argv of ``command`` wrapped in the profile's runtime."""
        return container_command(self.launch(plan, command, env_names), self.runtime_settings())

    # -- JupyterHub's hooks ----------------------------------------------------------------
    def get_env(self):
        env = super().get_env()
        additions = dict(self._plan.environment) if self._plan else {}
        return user_code_env(env, additions, self.forbidden_env)

    async def get_options_form(self):
        groups = self.user_groups()
        profiles = [p for p in self.profile_models if p.allowed_for(groups)]
        proposals, error = [], ""
        try:
            proposals = await self.proposal_source.mountable(self.user.name, groups)
        except ProposalsUnavailable as exc:
            error = exc.message
        nothing_to_choose = (len(profiles) == 1 and not proposals and not error and not self.last_failure
                             and not any(profiles[0].adjustable(w) for w in ("cpus", "memory", "walltime")))
        if nothing_to_choose:
            return ""  # JupyterHub then starts the server without showing a form
        return render_form(profiles, proposals, last=self.user_options, proposals_error=error,
                           linked=[p.name for p in profiles if self.mounts_nothing(p)],
                           last_failure=self.last_failure, last_failure_log=self.last_failure_log,
                           mount_prefix=self.mount_prefix)

    async def run_options_from_form(self, form_data):
        """Read the form and check it now, so a refusal is shown on the form itself."""
        options = request_from_form(form_data)
        await self.check_request(SpawnRequest.parse(options))
        return options

    def options_from_query(self, query_data):
        return request_from_form({k: [v] if isinstance(v, str) else list(v) for k, v in query_data.items()})

    def get_state(self):
        state = super().get_state()
        if self.last_failure:
            state["last_failure"] = self.last_failure
            state["last_failure_log"] = self.last_failure_log[-2000:]
        return state

    def load_state(self, state):
        super().load_state(state)
        self.last_failure = state.get("last_failure", "")
        self.last_failure_log = state.get("last_failure_log", "")

    # clear_state() deliberately keeps last_failure: it is shown on the next form and
    # dropped once a server starts.
    def record_failure(self, message: str, log_tail: str = "") -> None:
        """Remember why the server ended, for the next spawn form."""
        self.last_failure = message
        self.last_failure_log = log_tail

    def server_started(self) -> None:
        self.record_failure("")
