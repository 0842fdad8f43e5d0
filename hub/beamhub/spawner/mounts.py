"""Data mounts, computed on the hub from the catalogue, never taken from the form.

For each proposal the user picked *and* may mount (the catalogue's answer for that
user), its ``dataPath`` is bound read-only at ``<prefix>/<proposalId>`` (``/data/P1``).
A path is accepted only if it resolves (symbolic links followed) strictly inside one
of the configured data roots. The user's home (and a scratch directory, if configured)
is the only writable mount.
"""

from __future__ import annotations

import json
import os
import posixpath
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from beamhub.catalogue.model import Proposal

from .errors import SpawnRefused

DATA_ENV = "BEAMHUB_DATA"
"""Environment variable naming the mounted proposals: JSON ``{proposalId: path}`` as seen
from inside the server (``/data/P1``; for the ``none`` runtime, which mounts nothing, the
read-only link ``~/data/P1`` to the real folder)."""

PATH_MAP_ENV = "BEAMHUB_DATA_PATH_MAP"
"""``facility path=path in the server`` for each proposal, ``;``-separated: how the
catalogue's paths are read inside the server (the client's and the panel's rule)."""


@dataclass(frozen=True)
class Mount:
    """A bind mount: ``source`` on the node appears at ``target`` inside the server."""

    source: str
    target: str
    read_only: bool = True


def _inside(path: str, root: str) -> bool:
    return path != root and path.startswith(root.rstrip("/") + "/")


def resolve_data_path(path: str, data_roots: Sequence[str], *, follow_symlinks: bool = True) -> str:
    """The canonical form of ``path`` if it lies strictly inside a data root, else ValueError.

    ``follow_symlinks`` resolves links on the hub (where the data roots must then be
    visible); without it the path is only normalised lexically (``..`` removed).
    """
    if not path or not posixpath.isabs(path):
        raise ValueError("its data location is not an absolute path")
    if "\x00" in path:
        raise ValueError("its data location is not a valid path")
    normal = posixpath.normpath(path)
    resolved = os.path.realpath(normal) if follow_symlinks else normal
    roots = [os.path.realpath(r) if follow_symlinks else posixpath.normpath(r) for r in data_roots]
    if not any(_inside(resolved, root) for root in roots):
        raise ValueError("its data location is outside the facility's data storage")
    return resolved


def proposal_mounts(chosen: Iterable[str], mountable: Mapping[str, Proposal], data_roots: Sequence[str], *,
                    prefix: str = "/data", follow_symlinks: bool = True) -> list[Mount]:
    """Read-only mounts for the ``chosen`` proposal ids.

    ``mountable`` is what the catalogue says this user may mount ({proposalId: Proposal}).
    Raises :class:`SpawnRefused` naming the first proposal that is not there (403) or
    whose data location is missing or outside the data roots (400). Nothing partial:
    either every chosen proposal is mounted or the spawn is refused.
    """
    if not data_roots:
        raise SpawnRefused("No data root is configured: proposals' data cannot be mounted.", status=500)
    mounts = []
    for proposal_id in dict.fromkeys(chosen):
        proposal = mountable.get(proposal_id)
        if proposal is None:
            raise SpawnRefused(
                f"You cannot mount proposal {proposal_id}: you are not a member of it, or it does not exist.",
                status=403)
        try:
            source = resolve_data_path(proposal.dataPath, data_roots, follow_symlinks=follow_symlinks)
        except ValueError as exc:
            raise SpawnRefused(f"Proposal {proposal_id} cannot be mounted: {exc}.") from None
        mounts.append(Mount(source=source, target=posixpath.join(prefix, proposal_id), read_only=True))
    return mounts


def seen_paths(mounts: Sequence[Mount], links_home: str | None = None) -> dict[str, str]:
    """``{facility path: path inside the server}`` of the read-only mounts; with
    ``links_home`` (no container runtime) the server sees them as links there."""
    if links_home is not None:
        return {m.source: link for m, (link, _) in zip(
            [m for m in mounts if m.read_only], data_links(mounts, links_home), strict=True)}
    return {m.source: m.target for m in mounts if m.read_only}


def data_env(mounts: Sequence[Mount], *, links_home: str | None = None) -> str:
    """The JSON of :data:`DATA_ENV`: ``{proposalId: path inside the server}``."""
    seen = seen_paths(mounts, links_home)
    return json.dumps({posixpath.basename(m.target): seen[m.source] for m in mounts if m.read_only},
                      sort_keys=True)


def path_map_env(mounts: Sequence[Mount], *, links_home: str | None = None) -> str:
    """The value of :data:`PATH_MAP_ENV`."""
    return ";".join(f"{source}={seen}" for source, seen in seen_paths(mounts, links_home).items())


def writable_mounts(home: str, scratch: str | None = None, scratch_target: str = "/scratch") -> list[Mount]:
    """The user's home at the same path (notebooks, job logs), and scratch if configured."""
    mounts = [Mount(source=home, target=home, read_only=False)]
    if scratch:
        mounts.append(Mount(source=scratch, target=scratch_target, read_only=False))
    return mounts


LINK_FOLDER = "data"
"""Where servers without a container runtime find their proposals: ``~/data/<proposalId>``."""


def data_links(mounts: Sequence[Mount], home: str, folder: str = LINK_FOLDER, *,
               to_mount_points: bool = False) -> list[tuple[str, str]]:
    """``[(link, target)]``: each proposal as a symbolic link ``<home>/<folder>/<proposalId>``.
    For a server without a container runtime (no bind mounts) the link leads to the data
    itself; in a container (``to_mount_points``) to its mount point ``/data/<proposalId>``,
    so that the file browser, which sees only the home, reaches the data there too."""
    return [(posixpath.join(home, folder, posixpath.basename(m.target)), m.target if to_mount_points else m.source)
            for m in mounts if m.read_only]


def make_data_links(links: Sequence[tuple[str, str]], home: str, folder: str = LINK_FOLDER,
                    owner: tuple[int, int] | None = None) -> list[str]:
    """Create the links (and the folder); links left there by an earlier start that are
    no longer chosen are removed. Anything in the folder that is not a symbolic link is
    left alone, and a link whose name a real file or folder already has is not made
    (the returned problems say which). ``owner`` (uid, gid) is given to what is created."""
    directory = posixpath.join(home, folder)
    problems = []
    os.makedirs(directory, exist_ok=True)
    if owner is not None:
        os.lchown(directory, *owner)
    wanted = {link: target for link, target in links}
    for name in os.listdir(directory):
        path = posixpath.join(directory, name)
        if os.path.islink(path) and path not in wanted:
            os.unlink(path)
    for link, target in wanted.items():
        if os.path.islink(link):
            if os.readlink(link) == target:
                continue
            os.unlink(link)
        elif os.path.lexists(link):
            problems.append(f"{link} exists and is not a link: proposal data not linked there")
            continue
        os.symlink(target, link)
        if owner is not None:
            os.lchown(link, *owner)
    return problems


def link_commands(links: Sequence[tuple[str, str]], home: str, folder: str = LINK_FOLDER) -> list[str]:
    """The shell lines doing :func:`make_data_links` where the server starts (a batch
    job on a compute node, whose view of the home is the one that counts) (pure)."""
    if not links:
        return []
    directory = shlex.quote(posixpath.join(home, folder))
    lines = [f"mkdir -p {directory}", f"find {directory} -maxdepth 1 -type l -delete"]
    for link, target in links:
        quoted = shlex.quote(link)
        lines.append(f"[ -e {quoted} ] || ln -s {shlex.quote(target)} {quoted}")
    return lines
