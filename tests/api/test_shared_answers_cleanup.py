"""The workers' shared file of hub answers: a supervisor killed with SIGKILL cannot
remove its directory, so the next one removes such leftovers of the same user (and
nothing whose supervisor still runs)."""

from __future__ import annotations

import os
import subprocess
import sys

from beamhub.service.app import SHARED_PREFIX, remove_stale_shared


def test_leftovers_of_dead_supervisors_go_and_live_ones_stay(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    left = tmp_path / f"{SHARED_PREFIX}left"
    live = tmp_path / f"{SHARED_PREFIX}live"
    other = tmp_path / "someone-else"
    for path, pid in ((left, dead), (live, str(os.getpid())), (other, dead)):
        path.mkdir()
        (path / "supervisor.pid").write_text(pid)
        (path / "token-answers.sqlite").write_bytes(b"x")
    assert remove_stale_shared(tmp_path) == [left]
    assert not left.exists() and live.exists() and other.exists()
