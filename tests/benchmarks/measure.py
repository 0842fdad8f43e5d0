"""What every benchmark measures the same way: percentiles, resident memory, and the
garbage collector's settings (a service worker's, or Python's to compare)."""

from __future__ import annotations

import argparse
from pathlib import Path

from beamhub.service.workers import quiet_gc


def percentile(values, fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0..1): a value that was measured, never
    one between two; NaN for no values. With 100 values p99 is the 99th smallest."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def resident_mb() -> float:
    """This process's resident memory (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def add_gc_option(parser: argparse.ArgumentParser) -> None:
    """``--python-gc``: keep Python's collector settings; :func:`collector` reads it."""
    parser.add_argument("--python-gc", action="store_true",
                        help="keep Python's default garbage collector settings instead of a service worker's "
                             "(beamhub.service.workers.quiet_gc), to compare the two")


def collector(args: argparse.Namespace) -> None:
    """The collector settings asked for: the store is measured as it runs in a service
    worker unless ``--python-gc``."""
    if not args.python_gc:
        quiet_gc()
