"""Search with facet counts over synthetic catalogues of growing size.

Run (from the repository root)::

    PYTHONPATH=hub /opt/beamhub/venv/bin/python -m tests.benchmarks.bench_search \\
        [--sizes 10000,100000,1000000] [--queries 200] [--backend sqlite|documentdb|mongo --url URL]

For each size it builds (or takes from the cache, see ``catalogues.py``) a synthetic
catalogue, then, for the two benchmark identities (a user in three proposals, and
staff of a beamline holding a tenth of everything), runs the query mix of
``synthetic.query_mix`` (facet clicks, free text while typing, metadata conditions,
combinations; every query with facet counts) through the ``Store`` interface, pinned
to one CPU core, once to warm up (its figures are printed too: the first search using
a word or a field loads it into the SQLite store's columns) and once timed. It prints
p50/p95/max per size and identity, the p95 ratio of the largest size to the smallest,
a breakdown by kind of query, and the slowest queries of the largest size. It prints figures only and
asserts nothing: the goal (DESIGN.md) is p95 < 50 ms at 1,000,000 datasets on SQLite,
and a 1,000,000 / 10,000 ratio of at most 3.

``--backend mongo --url mongodb://USER:PASSWORD@HOST:PORT/`` runs the same against a
MongoDB server, in databases named after size and generator version, holding the
datasets as SciCat stores them (``catalogues.scicat_document``) with beamhub's derived
fields as the store's follower leaves them. ``--backend documentdb`` starts DocumentDB
itself (``hub/scripts/documentdb``; its data kept in ``/var/tmp/beamhub-bench-documentdb``
or ``$BEAMHUB_BENCH_DOCUMENTDB``, so a catalogue is loaded once). For MongoDB-protocol servers it also prints, for the first
query of every kind, the stages and indexes of the server's ``explain()`` of the page
query and of the ``$facet`` count: a ``COLLSCAN`` there is a query no index serves.
There it measures both of the store's paths (``--paths direct,columns``): directly (the
page query and ``$facet``) and through the search columns the catalogue service holds
(``mongo.columns``; their load time is printed); ``--with-sqlite`` adds SQLite with its
columns to the same run, so the three stand side by side on one machine at one time.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

from beamhub.catalogue import open_store

from . import synthetic
from .catalogues import catalogue
from .measure import add_gc_option, collector, percentile, resident_mb

WHOLE_WORDS = {w.split("_")[0] for w in synthetic.SAMPLES + synthetic.WORDS}
KINDS = ("facet", "text-word", "text-prefix", "condition", "combined", "other")


def kind(query) -> str:
    """The query mix's kinds; free text is always typed (its last word is a prefix)."""
    facets = any(getattr(query, f) for f in ("beamline", "proposal", "technique", "type", "year"))
    if query.text and (query.conditions or facets):
        return "combined"
    if query.text:
        return "text-word" if query.text.strip() in WHOLE_WORDS else "text-prefix"
    if query.conditions:
        return "condition"
    return "facet" if facets else "other"


def describe(query) -> str:
    body = query.model_dump(exclude_defaults=True, exclude={"limit"})
    return " ".join(f"{k}={v}" for k, v in body.items())


def run(store, identity, queries) -> tuple[list[float], list[float], list[float]]:
    """Seconds per query, wall clock and this thread's CPU time, after a first pass
    over the same queries (returned too: it loads pages and the SQLite store's columns)."""
    first = []
    for query in queries:
        started = time.perf_counter()
        store.search(identity, query)
        first.append(time.perf_counter() - started)
    gc.collect()
    wall, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        store.search(identity, query)
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return wall, cpu, first


def explain(store, identity, queries) -> None:
    """The server's plan for the first query of each kind: stages and indexes of the page
    query and of the count (a COLLSCAN is a query no index serves)."""
    from beamhub.catalogue.stores.mongo.server import plan_summary

    print(f"  plans for {identity.user} (page query | counts):")
    seen = set()
    for query in queries:
        name = kind(query)
        if name in seen:
            continue
        seen.add(name)
        plans = store.explain_search(identity, query)
        cells = []
        for part in ("page", "counts"):
            stages, indexes = plan_summary(plans[part])
            scan = " COLLSCAN!" if "COLLSCAN" in stages else ""
            cells.append(f"{'>'.join(dict.fromkeys(stages)) or '?'} [{', '.join(indexes) or 'no index'}]{scan}")
        print(f"    {name:11s} {cells[0]}  |  {cells[1]}   ({describe(query)})")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="catalogue sizes, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per size and identity")
    parser.add_argument("--backend", choices=("sqlite", "mongo", "documentdb"), default="sqlite")
    parser.add_argument("--url", help="mongodb://HOST:PORT of the server (--backend mongo)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the query mix")
    parser.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)), help="the core to run on")
    parser.add_argument("--paths", default="direct,columns",
                        help="MongoDB-protocol servers: the store's paths to measure, comma-separated: direct "
                             "($facet and page query), columns (the search columns, mongo.columns)")
    parser.add_argument("--direct-queries", type=int,
                        help="queries of the direct path (--paths direct) at 100k datasets and more, where each "
                             "takes seconds (default: --queries)")
    parser.add_argument("--with-sqlite", action="store_true",
                        help="also measure SQLite (with its columns) in the same run, side by side")
    add_gc_option(parser)
    args = parser.parse_args(argv)
    collector(args)
    sizes = [int(s.replace("_", "")) for s in (args.sizes or "10000,100000,1000000").split(",")]
    if args.backend == "documentdb":
        from tests.services.documentdb import DocumentDB

        # kept between runs, outside /root: PostgreSQL runs as the postgres user
        data = Path(os.environ.get("BEAMHUB_BENCH_DOCUMENTDB", "/var/tmp/beamhub-bench-documentdb"))
        with DocumentDB(data=data) as server:
            print(f"DocumentDB started at {server.url} (data in {server.data})")
            # loading and indexing a million documents outlasts the default 60 s socket timeout
            url = server.url + "?socketTimeoutMS=3600000"
            measure(argparse.Namespace(**{**vars(args), "backend": "mongo", "url": url}), sizes)
        return
    measure(args, sizes)


def variants(args) -> list[tuple[str, str]]:
    """(label, backend) of each store measured: SQLite, or the MongoDB paths."""
    if args.backend == "sqlite":
        return [("sqlite", "sqlite")]
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    if set(paths) - {"direct", "columns"}:
        raise SystemExit("--paths takes direct and/or columns")
    return ([("sqlite", "sqlite")] if args.with_sqlite else []) + [(f"mongo-{p}", "mongo") for p in paths]


def open_variant(label: str, url: str):
    """The store of one variant; MongoDB with columns: loaded before timing (printed)."""
    if label == "mongo-direct":
        return open_store(url + ("&" if "?" in url else "?") + "columns=off")
    store = open_store(url)
    if label == "mongo-columns":
        started = time.perf_counter()
        store.keep_columns_warm().warmed.wait()
        stats = store.columns.stats()
        print(f"  columns loaded in {time.perf_counter() - started:.1f} s: {stats['datasets']:,} datasets, "
              f"{stats['cells']:,} cells, {stats['words']:,} words; this process's resident memory "
              f"{resident_mb():,.0f} MB")
    return store


def measure(args, sizes: list[int]) -> None:
    for label, backend in variants(args):
        measure_one(argparse.Namespace(**{**vars(args), "backend": backend}), sizes, label)


def measure_one(args, sizes: list[int], label: str) -> None:
    print(f"\n######## {label}\nsearch benchmark: backend {label}, sizes {sizes}, {args.queries} queries, "
          f"seed {args.seed}")
    print(f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    results: dict[tuple[int, str], list[float]] = {}
    cpu_results: dict[tuple[int, str], list[float]] = {}
    kinds: dict[tuple[int, str], dict[str, list[float]]] = {}
    slowest: list[tuple[float, str, str]] = []
    for size in sizes:
        started = time.perf_counter()
        built = catalogue(args.backend, size, args.url)
        print(f"\n{size:,} datasets: " + (f"built in {built.seconds:.0f} s ({built.cpu_seconds:.0f} s CPU)"
                                          if built.seconds is not None
                                          else f"from the cache ({time.perf_counter() - started:.1f} s to check)"))
        queries = synthetic.query_mix(random.Random(args.seed), args.queries)
        if label == "mongo-direct" and size >= 100_000 and args.direct_queries:
            queries = queries[:args.direct_queries]
            print(f"  the direct path: the first {len(queries)} queries only (--direct-queries)")
        store = open_variant(label, built.url)
        affinity = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {args.cpu})
        try:
            if args.backend == "mongo":
                print(f"  server: {store.server.name} {store.server.version}")
            for identity in (synthetic.user_in_three_proposals(size), synthetic.beamline_staff()):
                if label == "mongo-direct":
                    explain(store, identity, queries)
                timings, cpu, first = run(store, identity, queries)
                results[(size, identity.user)] = timings
                cpu_results[(size, identity.user)] = cpu
                by_kind = kinds[(size, identity.user)] = defaultdict(list)
                for query, seconds in zip(queries, timings):
                    by_kind[kind(query)].append(seconds)
                    if size == max(sizes):
                        slowest.append((seconds, identity.user, describe(query)))
                if label == "mongo-columns":
                    print(f"  searches answered from the columns / directly: {store.columns.paths}")
                print(f"  {identity.user:12s} p50 {percentile(timings, .5) * 1e3:7.2f} ms   "
                      f"p95 {percentile(timings, .95) * 1e3:7.2f} ms   max {max(timings) * 1e3:7.2f} ms   "
                      f"(CPU p95 {percentile(cpu, .95) * 1e3:.2f} ms; first pass p95 "
                      f"{percentile(first, .95) * 1e3:.1f} ms, max {max(first) * 1e3:.0f} ms)")
        finally:
            os.sched_setaffinity(0, affinity)
            store.close()

    identities = sorted({user for _, user in results}, reverse=True)
    print(f"\n== {label}: ms per search, {args.queries} queries each, pinned to CPU {args.cpu}: wall clock, and the")
    print("   CPU time of the searching thread (what the search costs, without waiting for the core;")
    print("   with a database server, the server's own work is not in it)")
    print(f"{'datasets':>12s}  {'identity':12s} {'p50':>8s} {'p95':>8s} {'max':>8s} {'cpu p50':>9s} {'cpu p95':>9s}")
    for (size, user), timings in results.items():
        cpu = cpu_results[(size, user)]
        print(f"{size:>12,}  {user:12s} {percentile(timings, .5) * 1e3:8.2f} {percentile(timings, .95) * 1e3:8.2f} "
              f"{max(timings) * 1e3:8.2f} {percentile(cpu, .5) * 1e3:9.2f} {percentile(cpu, .95) * 1e3:9.2f}")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print(f"\n== p95 ratio {large:,} / {small:,} (goal <= 3)")
        for user in identities:
            ratio = percentile(results[(large, user)], .95) / percentile(results[(small, user)], .95)
            cpu_ratio = (percentile(cpu_results[(large, user)], .95)
                         / max(percentile(cpu_results[(small, user)], .95), 1e-9))
            print(f"  {user:12s} wall {ratio:6.2f}x   cpu {cpu_ratio:6.2f}x")
    print("\n== p95 (ms) by kind of query  [count]")
    header = "".join(f"{f'{size:,}/{user[6:]}':>16s}" for size in sizes for user in identities)
    print(f"{'kind':12s}{header}")
    for name in KINDS:
        cells = []
        for size in sizes:
            for user in identities:
                values = kinds[(size, user)].get(name, [])
                cells.append(f"{percentile(values, .95) * 1e3:9.2f} [{len(values):3d}]" if values else f"{'-':>15s}")
        if any(c.strip() != "-" for c in cells):
            print(f"{name:12s}" + "".join(f"{c:>16s}" for c in cells))
    print(f"\n== slowest queries at {max(sizes):,}")
    for seconds, user, text in sorted(slowest, reverse=True)[:12]:
        print(f"  {seconds * 1e3:8.2f} ms  {user:12s} {text}")
    print(f"\nload average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end "
          "(other work on this machine makes timings noisy)")


if __name__ == "__main__":
    main()
