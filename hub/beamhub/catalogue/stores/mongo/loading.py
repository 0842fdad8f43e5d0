"""The search columns' first load: the database read in a thread while the rows are made.

**Why.** A worker with no snapshot to start from (the first start ever, or after a change
of the snapshot's format) reads every dataset's search fields (``mongo.columns``). Read
through a cursor in the thread that applies them, each round trip waits for the batch
before it to be applied, and the database waits meanwhile: at 1M datasets on DocumentDB
(2 cores, load 4-8) the database alone took 24 s to send the documents (left undecoded),
pymongo's decoding 7-9 s of this process's CPU and applying them to the rows
(``MongoColumns._apply``) about 40 s, one after the other. Here a thread reads and
decodes (:func:`load_batches`) up to :data:`LOAD_AHEAD` batches ahead of the applying, so
the database's time and the waits on the wire overlap it.

**Once for every worker.** The service's workers start together, each with its own
rows: without a snapshot each would read every dataset at once (the database's work
and this host's CPU times the workers). Reading every dataset holds a lock in the
snapshot folder (:func:`one_at_a_time`); a worker that finds it held waits, and then
takes its rows from the snapshot the holder wrote (its searches go to the database
directly meanwhile, as they would while reading).

**One query, not ranges.** Reading ranges of ``_id`` over several connections at once
was measured and is slower on DocumentDB: its plan for a range is a bitmap of the
matching rows, which each ``getMore`` builds again (1-1.4 s per batch of 2,000 at 1M
datasets, against milliseconds for the one query's sequential scan, which resumes where
it stopped).
"""

from __future__ import annotations

import fcntl
import os
import queue
import threading
from contextlib import contextmanager
from pathlib import Path

from .support import batched

LOAD_BATCH = 2000
"""Documents a load reads per round trip (and applies at once)."""
LOAD_AHEAD = 8
"""Batches read ahead of the applying (what a load holds beyond the rows: about 30 MB)."""
LOAD_LOCK = ".columns-load.lock"
"""The file in the snapshot folder locked while a process reads every dataset (:func:`one_at_a_time`)."""


def load_batches(collection, fields: dict, ahead: bool = True):
    """Every document of ``collection`` (projected to ``fields``), :data:`LOAD_BATCH` at a
    time, read by a thread at most :data:`LOAD_AHEAD` batches ahead of the caller
    (``ahead``; else read in the caller's thread, each batch when it asks). An error in
    the thread is raised here; the thread stops when the caller stops iterating."""
    if not ahead:
        yield from batched(collection.find({}, fields, batch_size=LOAD_BATCH), LOAD_BATCH)
        return
    read: queue.Queue = queue.Queue(maxsize=LOAD_AHEAD)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                read.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def reader() -> None:
        try:
            for docs in batched(collection.find({}, fields, batch_size=LOAD_BATCH), LOAD_BATCH):
                if not put(docs):
                    return
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            put(exc)
            return
        put(end)

    threading.Thread(target=reader, name="mongo-columns-load", daemon=True).start()
    try:
        while (item := read.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


@contextmanager
def one_at_a_time(folder: Path | str | None):
    """Hold the snapshot ``folder``'s load lock (:data:`LOAD_LOCK`, an ``flock``: the
    system releases it when its process ends, however it ends) while reading every
    dataset and writing the snapshot, so that processes starting without a snapshot read
    the database one after the other and each after the first can take the snapshot
    instead. Yields whether another process held the lock (then the caller looks for its
    snapshot first). No lock without a folder or where it cannot be written (each reads)."""
    handle = None
    if folder is not None:
        try:
            Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = os.open(Path(folder) / LOAD_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            handle = None
    if handle is None:
        yield False
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:
            fcntl.flock(handle, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(handle)
