"""What the spawners raise, carrying the message JupyterHub shows the user.

JupyterHub shows an exception's ``jupyterhub_message`` (and ``jupyterhub_html_message``
where set) on the spawn form and the spawn-pending page instead of a bare traceback.
"""

from __future__ import annotations

import html

from tornado import web


class SpawnRefused(web.HTTPError):
    """The request asks for something not allowed (a profile, a size, a proposal).

    Raised before anything is submitted; the form is shown again with the message.
    """

    def __init__(self, message: str, status: int = 400):
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.message = message
        self.jupyterhub_message = message


class SpawnFailed(Exception):
    """The server could not be started: the job failed, was cancelled, or the scheduler
    is unreachable. ``log_tail`` (the end of the job's log) is shown under the message."""

    def __init__(self, message: str, log_tail: str = ""):
        super().__init__(message)
        self.message = message
        self.log_tail = log_tail
        self.jupyterhub_message = message + (f"\n\nEnd of the job's log:\n{log_tail}" if log_tail else "")
        self.jupyterhub_html_message = html.escape(message) + (
            f"<details open><summary>End of the job's log</summary><pre>{html.escape(log_tail)}</pre></details>"
            if log_tail else "")

    def __str__(self) -> str:
        return self.jupyterhub_message


class SchedulerUnavailable(SpawnFailed):
    """The batch system's controller does not answer; nothing was started."""
