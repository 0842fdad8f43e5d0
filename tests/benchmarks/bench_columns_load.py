"""The MongoDB search columns' first load (no snapshot) at 1M datasets, old and new side by side.

Run (from the repository root)::

    PYTHONPATH=hub:. /opt/beamhub/venv/bin/python -m tests.benchmarks.bench_columns_load \\
        [--size 1000000] [--rounds 2] [--parts]

On DocumentDB (started as ``bench_search`` does, on its cached catalogue;
``$BEAMHUB_BENCH_DOCUMENTDB`` names its data folder), each round loads the columns
(``MongoColumns._load``) twice, in turn: *in turn* reads each batch and applies it in
the same thread (the load before this benchmark), *read ahead* reads in a thread while
the load applies (``mongo.loading``). Printed per load: wall seconds, this process's CPU
seconds, and the load average. ``--parts`` first prints where one query's load goes:
the database alone (documents left undecoded), the database and pymongo's decoding,
and ``_apply``'s share. Figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from pathlib import Path

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from beamhub.catalogue import open_store
from beamhub.catalogue.stores.mongo import columns as mongo_columns
from beamhub.catalogue.stores.mongo.loading import LOAD_BATCH, load_batches
from beamhub.service.workers import quiet_gc

from .catalogues import catalogue


def parts(store) -> None:
    """Where one query's load goes (each read once, in turn)."""
    datasets = store.datasets
    raw = datasets.with_options(codec_options=CodecOptions(document_class=RawBSONDocument))
    for name, collection in (("the database alone (undecoded)", raw), ("the database and decoding", datasets)):
        started, cpu = time.perf_counter(), time.process_time()
        count = sum(1 for _ in collection.find({}, mongo_columns.FIELDS, batch_size=LOAD_BATCH))
        print(f"  {name:34s} {time.perf_counter() - started:6.1f} s, CPU {time.process_time() - cpu:5.1f} s "
              f"({count:,} documents, load {os.getloadavg()[0]:.1f})", flush=True)
    columns = mongo_columns.MongoColumns(store)
    applying = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    with columns._lock:
        columns._reset()
        for docs in load_batches(datasets, mongo_columns.FIELDS, ahead=False):
            at = time.perf_counter()
            columns._apply(docs)
            applying += time.perf_counter() - at
    print(f"  {'one query read and applied':34s} {time.perf_counter() - started:6.1f} s, CPU "
          f"{time.process_time() - cpu:5.1f} s, of which _apply {applying:.1f} s (load {os.getloadavg()[0]:.1f})",
          flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--parts", action="store_true", help="first measure where one query's load goes")
    args = parser.parse_args(argv)
    quiet_gc()  # as in a service worker
    from tests.services.documentdb import DocumentDB

    data = Path(os.environ.get("BEAMHUB_BENCH_DOCUMENTDB", "/var/tmp/beamhub-bench-documentdb"))
    with DocumentDB(data=data) as server:
        url = catalogue("mongo", args.size, server.url + "?socketTimeoutMS=3600000").url
        print(f"first load of the MongoDB search columns on DocumentDB: {args.size:,} datasets, "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        with open_store(url) as store:
            if args.parts:
                parts(store)
            for round_ in range(args.rounds):
                for name, ahead in (("in turn", False), ("read ahead", True)):
                    columns = mongo_columns.MongoColumns(store)
                    started, cpu = time.perf_counter(), time.process_time()
                    columns._load(ahead=ahead)
                    print(f"  round {round_ + 1}, {name:10s}: {time.perf_counter() - started:6.1f} s, "
                          f"CPU {time.process_time() - cpu:5.1f} s, {len(columns.row_of):,} datasets "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
                    del columns
                    gc.collect()


if __name__ == "__main__":
    main()
