"""DocumentDB: a real MongoDB-compatible engine (PostgreSQL 15 + its Rust gateway) on loopback.

``hub/scripts/documentdb`` does the work (build, install, init, start, stop; see its
header): it builds DocumentDB from the pinned sources once per pin and caches the built
files under ``~/.cache/beamhub/documentdb-<key>``, so a second run only checks them
(seconds). Each :class:`DocumentDB` is a fresh cluster in a temporary folder on free
ports. ``BEAMHUB_TEST_MONGODB_URL`` points the tests at a real MongoDB instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from .ports import free_port, wait_for_port

SCRIPT = Path(__file__).resolve().parents[2] / "hub" / "scripts" / "documentdb"


def _run(*args: str, timeout: float) -> str:
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"documentdb {args[0]} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


@lru_cache(maxsize=1)
def install() -> Path:
    """Build (once per pin) and install DocumentDB; the gateway binary's path."""
    if os.geteuid() != 0:
        raise RuntimeError("DocumentDB is installed into the system PostgreSQL 15, which needs root")
    return Path(_run("install", timeout=3600))


class DocumentDB:
    """A running DocumentDB; ``url`` is its mongodb:// URL. Use as a context manager."""

    def __init__(self, data: Path | None = None):
        """``data``: a folder kept between runs (benchmarks); a temporary one otherwise."""
        install()
        self._dir = None if data else tempfile.mkdtemp(prefix="beamhub-documentdb-")
        if self._dir:
            os.chmod(self._dir, 0o755)  # PostgreSQL runs as the postgres user
        self.data = Path(data) if data else Path(self._dir) / "data"
        self.pg_port = free_port()
        self.port = free_port()
        self.url = ""

    def start(self) -> "DocumentDB":
        if not (self.data / "pgport").exists():
            _run("init", str(self.data), str(self.pg_port), timeout=120)
        self.url = _run("start", str(self.data), str(self.port), timeout=120)
        wait_for_port(self.port, timeout=30)
        return self

    def stop(self) -> None:
        subprocess.run([str(SCRIPT), "stop", str(self.data)], capture_output=True, timeout=60)

    def restart(self) -> None:
        """Start again on the same port with the same data (for outage tests)."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
