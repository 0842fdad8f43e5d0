"""FerretDB: a real MongoDB wire-protocol server (SQLite handler) on loopback.

The binary is built from ``tests/services/ferretdb/`` (a small wrapper around
FerretDB's embeddable package, pinned by its go.sum) into
``~/.cache/beamhub/bin/ferretdb-<hash of go.sum and main.go>``, so it is built once per
machine and rebuilt only when the pin changes. ``BEAMHUB_TEST_MONGODB_URL`` points the
tests at a real MongoDB instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .ports import free_port, wait_for_port
from .processes import terminate

SOURCE = Path(__file__).parent / "ferretdb"
CACHE = Path(os.environ.get("BEAMHUB_CACHE", Path.home() / ".cache" / "beamhub"))


def binary_path() -> Path:
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((SOURCE / name).read_bytes())
    return CACHE / "bin" / f"ferretdb-{digest.hexdigest()[:12]}"


def build() -> Path:
    """Build the wrapper if this version is not cached yet; return the binary."""
    target = binary_path()
    if target.exists():
        return target
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        raise RuntimeError("Go is not installed, so FerretDB cannot be built")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    subprocess.run([go, "build", "-trimpath", "-o", str(partial), "."], cwd=SOURCE, check=True,
                   env={**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"})
    partial.rename(target)
    return target


class FerretDB:
    """A running FerretDB; ``url`` is its mongodb:// URL. Use as a context manager."""

    def __init__(self, binary: Path | None = None):
        self.binary = binary or build()
        self.port = free_port()
        self.url = f"mongodb://127.0.0.1:{self.port}/"
        self._dir = tempfile.TemporaryDirectory(prefix="beamhub-ferretdb-")
        self.process: subprocess.Popen | None = None

    def start(self) -> "FerretDB":
        log = open(Path(self._dir.name) / "ferretdb.log", "wb")
        self.process = subprocess.Popen(
            [str(self.binary), "-listen", f"127.0.0.1:{self.port}", "-sqlite-dir", str(Path(self._dir.name) / "data")],
            stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, process=self.process, timeout=30)
        return self

    def stop(self) -> None:
        terminate(self.process, timeout=10)

    def restart(self) -> None:
        """Start again on the same port with the same data (for outage tests)."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
