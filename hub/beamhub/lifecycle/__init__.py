"""The session lifecycle: how long a user's server has left, extending it, announcements
and the admins' view of running servers.

- :mod:`.model`: pure builders: a server's status (walltime, idle cull, maximum age) and
  the warnings due, and whether an extension is allowed;
- :mod:`.announcements`: the operator's announcements (site file and ``beamhub announce``);
- :mod:`.hub`: the hub's handlers (``/hub/api/beamhub/session/{user}``,
  ``/hub/beamhub/admin``) and :func:`~.hub.configure_lifecycle`.
"""

from .announcements import Announcement
from .model import LifecycleSettings

__all__ = ["Announcement", "LifecycleSettings"]
