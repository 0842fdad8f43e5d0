"""Synthetic catalogues for benchmarks, built once and cached.

SQLite catalogues are files under ``~/.cache/beamhub/bench/`` (``$BEAMHUB_BENCH_CACHE``
overrides it), named by size, by the version of the generator (a hash of
``synthetic.py``) and by the store's schema version, so a change to either builds
new ones. A file is built under a temporary name and renamed when complete (a lock
file makes concurrent benchmarks wait for one build instead of each making its own).
MongoDB
catalogues are databases named the same way on the server given; one whose dataset
count is short (an interrupted load) is loaded again (upserts are idempotent).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from beamhub.catalogue import Identity, open_store

from . import synthetic

OPERATOR = Identity.for_operator("bench")


def generator_version() -> str:
    return hashlib.sha256(Path(synthetic.__file__).read_bytes()).hexdigest()[:10]


def cache_dir() -> Path:
    return Path(os.environ.get("BEAMHUB_BENCH_CACHE") or Path.home() / ".cache" / "beamhub" / "bench")


@dataclass
class Built:
    url: str
    seconds: float | None
    """Build time, or None when it came from the cache."""
    cpu_seconds: float | None = None
    """CPU time of this process for the build (the generator's and the store's)."""


def load(store, size: int) -> None:
    store.upsert_proposals(OPERATOR, synthetic.proposals(size))
    store.upsert_datasets(OPERATOR, synthetic.datasets(size))


def sqlite_catalogue(size: int) -> Built:
    from beamhub.catalogue.stores.sqlite.schema import SCHEMA_VERSION

    path = cache_dir() / f"search-{size}-g{generator_version()}-s{SCHEMA_VERSION}.sqlite"
    if path.exists():
        return Built(f"sqlite:///{path}", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another benchmark building the same one: wait for it
        if path.exists():
            return Built(f"sqlite:///{path}", None)
        partial = path.with_suffix(f".partial-{os.getpid()}")
        started, started_cpu = time.perf_counter(), time.process_time()
        store = open_store(f"sqlite:///{partial}")
        try:
            load(store, size)
        finally:
            store.close()
        for suffix in ("-wal", "-shm"):  # closed cleanly: nothing left, but be sure
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        partial.rename(path)
    return Built(f"sqlite:///{path}", time.perf_counter() - started, time.process_time() - started_cpu)


def mongo_catalogue(base_url: str, size: int) -> Built:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base_url)
    url = urlunsplit(parts._replace(path=f"/beamhub_bench_{size}_{generator_version()}"))
    store = open_store(url)
    try:
        if store.stats(OPERATOR)["datasets"] == size:
            return Built(url, None)
        started, started_cpu = time.perf_counter(), time.process_time()
        load(store, size)
        return Built(url, time.perf_counter() - started, time.process_time() - started_cpu)
    finally:
        store.close()


def catalogue(backend: str, size: int, url: str | None = None) -> Built:
    if backend == "sqlite":
        return sqlite_catalogue(size)
    if not url:
        raise SystemExit("--backend mongo needs --url mongodb://HOST:PORT")
    return mongo_catalogue(url, size)
