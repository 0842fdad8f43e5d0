"""The test's Unix users (alice, bob, carol...), created idempotently with their homes.

Spawned servers run as these users (through sudo, Slurm or setuid), so each has a home
directory, a login shell, and subordinate uid/gid ranges for rootless podman.

    from tests.services.unix_users import ensure_users
    users = ensure_users(["alice", "bob"])      # {"alice": pwd.struct_passwd, ...}

Users are created once and kept (creating them again costs nothing); nothing here
deletes users or groups.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Iterable

from .require import missing

DEFAULT_USERS = ("alice", "bob", "carol")
SUBID_COUNT = 65536


def _need_root() -> None:
    if os.geteuid() != 0:
        missing("Unix users", "creating test users needs root")


def _has_subids(path: str, name: str) -> bool:
    try:
        with open(path) as f:
            return any(line.split(":", 1)[0] == name for line in f)
    except FileNotFoundError:
        return False


def _next_subid_start() -> int:
    start = 100000
    for path in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(path) as f:
                for line in f:
                    parts = line.strip().split(":")
                    if len(parts) == 3:
                        start = max(start, int(parts[1]) + int(parts[2]))
        except FileNotFoundError:
            pass
    return start


def ensure_user(name: str) -> pwd.struct_passwd:
    """Create ``name`` (home under /home, bash, sub-uids/gids) unless it exists."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _need_root()
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    if not os.path.isdir(entry.pw_dir):
        _need_root()
        os.makedirs(entry.pw_dir, mode=0o750)
        os.chown(entry.pw_dir, entry.pw_uid, entry.pw_gid)
    if not (_has_subids("/etc/subuid", name) and _has_subids("/etc/subgid", name)):
        _need_root()
        start = _next_subid_start()
        subprocess.run(["usermod", "--add-subuids", f"{start}-{start + SUBID_COUNT - 1}",
                        "--add-subgids", f"{start}-{start + SUBID_COUNT - 1}", name],
                       check=True, capture_output=True)
    return pwd.getpwnam(name)


def ensure_users(names: Iterable[str] = DEFAULT_USERS) -> dict[str, pwd.struct_passwd]:
    return {name: ensure_user(name) for name in names}
