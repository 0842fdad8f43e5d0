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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from beamhub.catalogue.model import Proposal

from .errors import SpawnRefused

DATA_ENV = "BEAMHUB_DATA"
"""Environment variable naming the mounted proposals: JSON ``{proposalId: path}`` as seen
from inside the server (``/data/P1``; the real path for the ``none`` runtime)."""


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


def data_env(mounts: Sequence[Mount], *, at_source: bool = False) -> str:
    """The JSON of :data:`DATA_ENV`: ``{proposalId: path inside the server}``."""
    return json.dumps({posixpath.basename(m.target): (m.source if at_source else m.target)
                       for m in mounts if m.read_only}, sort_keys=True)


def writable_mounts(home: str, scratch: str | None = None, scratch_target: str = "/scratch") -> list[Mount]:
    """The user's home at the same path (notebooks, job logs), and scratch if configured."""
    mounts = [Mount(source=home, target=home, read_only=False)]
    if scratch:
        mounts.append(Mount(source=scratch, target=scratch_target, read_only=False))
    return mounts
