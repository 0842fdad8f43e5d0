"""Slurm commands run as a user: the one placeholder for the user's name.

Site settings give command prefixes (``sudo -E -u {username}``) that run ``sbatch``,
``scontrol`` and ``scancel`` as the user a job belongs to. ``{username}`` is the
placeholder everywhere (it is JupyterHub's name for it). ``{user}``, which
``jobs.slurm.run_as`` documented before, is still read, with a warning saying what to write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

USERNAME = "{username}"
"""Replaced by the user's name in site-configured Slurm commands."""

DEPRECATED_USERNAME = "{user}"

log = logging.getLogger("beamhub.slurm")


def upgrade_placeholder(parts: Iterable[str], setting: str) -> list[str]:
    """``parts`` with the deprecated ``{user}`` written as ``{username}`` (and a warning)."""
    parts = list(parts)
    if any(DEPRECATED_USERNAME in part for part in parts):
        log.warning("%s: the placeholder {user} is deprecated; write {username} (read as such for now)", setting)
        parts = [part.replace(DEPRECATED_USERNAME, USERNAME) for part in parts]
    return parts


def as_user(prefix: Iterable[str], username: str) -> list[str]:
    """A command prefix (argv) with ``{username}`` replaced."""
    return [part.replace(USERNAME, username) for part in prefix]
