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

import os
import sys

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import default

from .base import BeamhubSpawner


class _LocalServer(BeamhubSpawner):
    """Start-up shared by the local spawners."""

    @default("singleuser_bin_dir")
    def _singleuser_bin_dir_default(self):
        return os.path.dirname(sys.executable)

    async def start(self):
        plan = await self.plan_launch()
        configured = self.cmd
        self.cmd = self.wrap(plan, self.singleuser_command(), self.get_env().keys())
        try:
            result = await super().start()
        finally:
            self.cmd = configured
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

    @default("home_dir")
    def _home_dir_default(self):
        # SimpleLocalProcessSpawner makes, enters and exports home_dir: the configured home.
        return self.user_home()

    def user_home(self) -> str:
        if self.home_path:
            return self.home_path.format(username=self.user.name)
        return self.home_dir_template.format(username=self.user.name)
