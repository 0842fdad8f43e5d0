"""The Docker spawner (single-host sites): dockerspawner with beamhub's profiles and mounts.

Each server is a container of the profile's image (``Profile.image``; the profile's
``runtime`` does not apply: the Docker engine is the container runtime). The chosen
proposals are bind-mounted read-only at ``/data/<proposalId>``, the user's home
writable at its own path, and the container runs as the user's uid and gids (from the
passwd and group databases), never as root. CPUs and memory become container limits.

Works against any Docker-compatible API, e.g. podman's
(``podman system service unix:///run/podman/podman.sock``), with
``client_kwargs={"base_url": "unix:///run/podman/podman.sock"}``.
"""

from __future__ import annotations

import copy
import grp
import os
import pwd

from docker.types import Mount as DockerMount
from dockerspawner import DockerSpawner
from traitlets import Bool

from .base import BeamhubSpawner


def _literal(path: str) -> str:
    """dockerspawner formats mount paths as templates ({username}); keep ours literal."""
    return path.replace("{", "{{").replace("}", "}}")


class BeamhubDockerSpawner(BeamhubSpawner, DockerSpawner):
    """Single-user servers as containers on one host, with read-only data mounts."""

    run_as_user = Bool(
        True,
        help="Run the container as the user's Unix uid:gid with their groups (users must exist in the "
        "passwd database). Off: the image's own user.",
    ).tag(config=True)

    _configured_create_kwargs = None
    _configured_host_config = None
    _beamhub_mounts: list = []
    always_in_container = True

    def _env_keep_default(self):
        return []

    def get_env(self):
        env = super().get_env()
        if self._plan and self._plan.home_mounts:
            env["HOME"] = self._plan.home_mounts[0].target
            env["USER"] = self.user.name
        return env

    @property
    def mount_binds(self):
        return super().mount_binds + [
            DockerMount(target=m.target, source=m.source, type="bind", read_only=m.read_only)
            for m in self._beamhub_mounts]

    async def start(self):
        plan = await self.plan_launch()
        resources = plan.resources
        if resources.profile.image:
            self.image = resources.profile.image
        self._beamhub_mounts = list(plan.mounts)
        owner = None
        if self.run_as_user and os.geteuid() == 0:
            entry = pwd.getpwnam(self.user.name)
            owner = (entry.pw_uid, entry.pw_gid)
        for problem in self.link_data(plan, owner=owner):  # ~/data/<proposal> -> /data/<proposal>
            self.log.warning("%s: %s", self._log_name, problem)
        self.cpu_limit = float(resources.cpus)
        self.mem_limit = f"{resources.memory}M"
        if self._configured_create_kwargs is None:  # what the site set, before any start changed it
            self._configured_create_kwargs = copy.deepcopy(self.extra_create_kwargs)
            self._configured_host_config = copy.deepcopy(self.extra_host_config)
        extra = dict(self._configured_create_kwargs or {}) if isinstance(self._configured_create_kwargs, dict) else {}
        if plan.home_mounts:
            extra.setdefault("working_dir", _literal(plan.home_mounts[0].target))
        if self.run_as_user:
            entry = pwd.getpwnam(self.user.name)
            extra["user"] = f"{entry.pw_uid}:{entry.pw_gid}"
            groups = [g.gr_gid for g in grp.getgrall() if self.user.name in g.gr_mem]
            configured = self._configured_host_config
            host_config = dict(configured or {}) if isinstance(configured, dict) else {}
            if groups:
                host_config["group_add"] = [str(g) for g in groups]
            host_config.setdefault("security_opt", ["no-new-privileges"])
            self.extra_host_config = host_config
        self.extra_create_kwargs = extra
        result = await super().start()
        self.server_started()
        return result

    async def poll(self):
        status = await super().poll()
        if status is not None and self.object_id and not self._stop_pending:
            self.record_failure(f"The server's container stopped ({status}).")
        return status

