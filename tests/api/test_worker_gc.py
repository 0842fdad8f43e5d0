"""A worker's garbage collector (workers.quiet_gc): what is there at its start is never
scanned again, and garbage made while it serves is still collected on its own."""

import subprocess
import sys
import textwrap
from pathlib import Path

HUB = Path(__file__).resolve().parents[2] / "hub"

SCRIPT = textwrap.dedent("""
    import gc, json, weakref
    from beamhub.service import app  # everything a worker imports before it serves
    from beamhub.service.workers import GC_THRESHOLDS, quiet_gc

    started = len(gc.get_objects())
    quiet_gc()
    frozen = gc.get_freeze_count()

    class Node:
        pass

    freed = []
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    weakref.finalize(a, freed.append, "a")
    del a, b
    # a worker's allocations (kept: the collector counts objects made and not yet freed),
    # and no gc.collect()
    kept = [[] for _ in range(GC_THRESHOLDS[0] * 2)]
    print(json.dumps({"started": started, "frozen": frozen, "freed": freed,
                      "threshold": list(gc.get_threshold()), "young": len(gc.get_objects()) - len(kept)}))
""")


def test_a_worker_freezes_what_it_started_with_and_still_collects_new_cycles():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(HUB), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["frozen"] >= seen["started"] * 0.9  # the start's objects are no longer scanned
    assert seen["young"] < seen["frozen"] / 10  # what a collection scans: only what came after
    assert seen["freed"] == ["a"]  # a cycle made afterwards was collected without gc.collect()
    assert seen["threshold"][0] > 700  # in larger batches than Python's default
