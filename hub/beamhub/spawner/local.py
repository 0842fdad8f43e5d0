"""Local spawners: the server is a process on the hub's own machine.

- :class:`BeamhubLocalSpawner`: as the user's Unix account (JupyterHub's
  LocalProcessSpawner; the hub runs as root), wrapped in the profile's runtime
  (``bubblewrap`` gives the same read-only ``/data/<proposalId>`` mounts as on the
  cluster; ``none`` gives no isolation).
- :class:`BeamhubDemoSpawner`: every server as the hub's own Unix user
  (SimpleLocalProcessSpawner), for the demo: no accounts, no isolation. Without a
  catalogue configured it lists no proposals and mounts nothing.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import sys

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import default

from .base import BeamhubSpawner, LaunchPlan
from .mounts import LINK_FOLDER


def data_message(plan: LaunchPlan) -> str:
    """The spawn page's line about the data (pure)."""
    if not plan.data_mounts:
        return "No proposal chosen: no data in this server"
    names = ", ".join(m.target.rsplit("/", 1)[-1] for m in plan.data_mounts)
    if plan.profile.runtime == "none":
        return f"Your data, read-only: {names} linked at ~/{LINK_FOLDER}/<proposal>"
    return f"Your data, read-only: {names} mounted at {plan.data_mounts[0].target.rsplit('/', 1)[0]}/<proposal>"


class _LocalServer(BeamhubSpawner):
    """Start-up shared by the local spawners."""

    @default("singleuser_bin_dir")
    def _singleuser_bin_dir_default(self):
        return os.path.dirname(sys.executable)

    def _step(self, percent: int, message: str) -> None:
        """One step of the spawn, shown on JupyterHub's spawn-pending page."""
        self._events = [*getattr(self, "_events", []), {"progress": percent, "message": message}]

    async def progress(self):
        sent = 0
        while True:
            events = getattr(self, "_events", [])
            for event in events[sent:]:
                yield event
            sent = len(events)
            await asyncio.sleep(0.2)

    def prepare_home(self, plan: LaunchPlan) -> None:
        """Before the data links are made: nothing here (users' homes are theirs)."""

    def _owner(self) -> tuple[int, int] | None:
        """Who the data links belong to: the user's account when the hub is root."""
        if os.geteuid() != 0:
            return None
        try:
            account = pwd.getpwnam(self.user.name)
        except KeyError:
            return None
        return account.pw_uid, account.pw_gid

    async def start(self):
        self._events = []
        self._step(10, "Checking your resources and proposals with the catalogue")
        plan = await self.plan_launch()
        self.prepare_home(plan)
        for problem in self.link_data(plan, owner=self._owner()):
            self.log.warning("%s: %s", self._log_name, problem)
        self._step(30, data_message(plan))
        configured = self.cmd
        self.cmd = self.wrap(plan, self.singleuser_command(), self.get_env().keys())
        self._step(50, f"Starting JupyterLab ({plan.profile.display_name or plan.profile.name}, "
                       f"{plan.resources.cpus} CPU)")
        try:
            result = await super().start()
        finally:
            self.cmd = configured
        self._step(80, "JupyterLab is starting: waiting for it to answer")
        self.server_started()
        return result

    async def poll(self):
        status = await super().poll()
        if status not in (None, 0) and not self._stop_pending:
            self.record_failure(f"The server's process exited with status {status}.")
        return status


class BeamhubLocalSpawner(_LocalServer, LocalProcessSpawner):
    """Servers as local processes of the users' own accounts."""


class BeamhubDemoSpawner(_LocalServer, SimpleLocalProcessSpawner):
    """Servers as local processes of the hub's own user (demo; no isolation)."""

    @default("default_runtime")
    def _default_runtime_default(self):
        return "none"

    def _owner(self) -> tuple[int, int] | None:
        return None  # the servers are the hub's own user's

    def prepare_home(self, plan: LaunchPlan) -> None:
        # SimpleLocalProcessSpawner makes the home at start; the links need it first
        if plan.home_mounts:
            os.makedirs(plan.home_mounts[0].source, exist_ok=True)

    @default("home_dir")
    def _home_dir_default(self):
        # SimpleLocalProcessSpawner makes, enters and exports home_dir: the configured home.
        return self.user_home()

    def user_home(self) -> str:
        if self.home_path:
            return self.home_path.format(username=self.user.name)
        return self.home_dir_template.format(username=self.user.name)
