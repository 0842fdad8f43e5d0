"""Where the catalogue's files are inside this server, for the panel's detail view.

The spawner names, for each proposal it made reachable, the facility's path and the
path this server sees (``BEAMHUB_DATA_PATH_MAP="/facility/p1=/data/p1;..."``: a mount
``/data/<proposal>``, or a read-only link ``~/data/<proposal>`` where nothing can be
mounted). The same variable is read by ``beamhub.client`` (this package does not import
beamhub). Given to the front end as the page-config option ``beamhubDataPaths``:
``[{source, path, relative}]``, ``relative`` being the path from the server's root
folder when it lies inside it, or when the spawner's link ``~/data/<proposal>`` leads to
it (a container's mount point): what the file browser can open; else ``""``.
"""

from __future__ import annotations

import os

PATH_MAP_ENV = "BEAMHUB_DATA_PATH_MAP"
LINK_FOLDER = "data"
"""The spawner's links ``~/data/<proposal>`` (to the mount point, in a container)."""


def data_paths(root_dir: str, environ=os.environ) -> list[dict[str, str]]:
    root = os.path.abspath(os.path.expanduser(root_dir or "~"))
    out = []
    for item in (environ.get(PATH_MAP_ENV) or "").split(";"):
        source, equals, path = item.partition("=")
        source, path = source.strip(), path.strip()
        if not equals or not source or not path:
            continue
        relative = ""
        link = os.path.join(root, LINK_FOLDER, os.path.basename(path.rstrip("/")))
        if path == root or path.startswith(root.rstrip("/") + "/"):
            relative = os.path.relpath(path, root)
        elif os.path.islink(link) and os.readlink(link).rstrip("/") == path.rstrip("/"):
            relative = os.path.relpath(link, root)  # a mount outside the home, reached by its link
        out.append({"source": source, "path": path, "relative": relative})
    return out
