"""Idle culling and a maximum server lifetime, as a JupyterHub service.

jupyterhub-idle-culler runs beside the hub and stops servers idle for ``idle_timeout``
seconds, and any server older than ``max_age`` whether active or not. On Slurm the
profile's walltime is a further hard limit (the job ends; the user is told why on the
next spawn form).

For the site configuration (``jupyterhub_config.py``)::

    from beamhub.spawner import CullerSettings, configure_culling
    configure_culling(c, CullerSettings(idle_timeout=3600, max_age=8 * 3600))
"""

from __future__ import annotations

import sys
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


class CullerSettings(BaseModel):
    """When idle servers are stopped, and how long any server may live."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Run the idle culler at all.")
    idle_timeout: Annotated[int, Field(ge=1)] = Field(
        3600, description="Stop a server after this many seconds without activity (browser, kernels, terminals).")
    max_age: Annotated[int, Field(ge=0)] = Field(
        0, description="Stop any server this many seconds after it started, even if active (0 = no limit).")
    every: Annotated[int, Field(ge=0)] = Field(
        0, description="Check every this many seconds (0 = half of idle_timeout).")
    concurrency: Annotated[int, Field(ge=1, le=100)] = Field(
        10, description="Most API requests the culler has in flight at once.")
    cull_users: bool = Field(False, description="Also delete users whose servers were culled (temporary users only).")
    service_name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] = Field(
        "idle-culler", description="Name of the JupyterHub service running the culler.")

    def command(self, python: str = sys.executable) -> list[str]:
        argv = [python, "-m", "jupyterhub_idle_culler", f"--timeout={self.idle_timeout}",
                f"--concurrency={self.concurrency}"]
        if self.every:
            argv.append(f"--cull-every={self.every}")
        if self.max_age:
            argv.append(f"--max-age={self.max_age}")
        if self.cull_users:
            argv.append("--cull-users")
        return argv


def culler_service(settings: CullerSettings, python: str = sys.executable) -> tuple[dict, dict]:
    """The ``c.JupyterHub.services`` entry and the ``c.JupyterHub.load_roles`` entry."""
    scopes = CULLER_SCOPES + (["admin:users"] if settings.cull_users else [])
    service = {"name": settings.service_name, "command": settings.command(python)}
    role = {"name": settings.service_name, "description": "Stops idle servers and servers past their maximum age.",
            "scopes": scopes, "services": [settings.service_name]}
    return service, role


def config_list(section, name: str) -> list:
    """The list already configured as ``section.name`` (a traitlets Config), or []."""
    if name not in section:
        return []
    value = section[name]
    if hasattr(value, "get_value"):  # a LazyConfigValue (appended to before being set)
        value = value.get_value([])
    return list(value or [])


def replace_named(items: list, entry: dict) -> list:
    return [item for item in items if item.get("name") != entry["name"]] + [entry]


def configure_culling(c, settings: CullerSettings, python: str = sys.executable) -> None:
    """Add the culler service and its role to a JupyterHub config object ``c``."""
    if not settings.enabled:
        return
    service, role = culler_service(settings, python)
    c.JupyterHub.services = replace_named(config_list(c.JupyterHub, "services"), service)
    c.JupyterHub.load_roles = replace_named(config_list(c.JupyterHub, "load_roles"), role)
