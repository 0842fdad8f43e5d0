"""The staff's beamline overview (``GET /beamlines/{beamline}/overview``) against the
number of votes and selections, on the SQLite store.

Run (from the repository root)::

    PYTHONPATH=hub:. nice -n 10 /opt/beamhub/venv/bin/python tests/benchmarks/bench_overview.py \
        [--datasets 20000] [--votes 2000 20000] [--selections 200]

A fresh SQLite catalogue of ``--datasets`` synthetic datasets (ten beamlines, see
synthetic.py) is voted on by voters ``voter000`` ... (one vote per voter and dataset,
spread over every beamline, a comment on every third) and holds ``--selections``
selections of 20 datasets each; for each vote count it prints the time the overview of
i22 (a tenth of the data) takes, median of 5, and how many voted datasets and selections
it lists. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from beamhub.catalogue import Identity, open_store  # noqa: E402
from beamhub.labels.overview import overview  # noqa: E402
from tests.benchmarks import synthetic  # noqa: E402

OPERATOR = Identity.for_operator("bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=20_000)
    parser.add_argument("--votes", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--selections", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/overview.sqlite")
        store.upsert_proposals(OPERATOR, synthetic.proposals(args.datasets))
        store.upsert_datasets(OPERATOR, synthetic.datasets(args.datasets))
        pids = [d.pid for d in synthetic.datasets(args.datasets)]
        for n in range(args.selections):
            owner = Identity.for_operator(f"owner{n % 20:02d}")
            store.create_selection(owner, f"bench {n}", rng.sample(pids, 20))
        cast = 0
        staff = synthetic.beamline_staff()
        print(f"{args.datasets} datasets, {args.selections} selections of 20 datasets; overview of i22")
        for target in sorted(args.votes):
            while cast < target:
                voter = Identity.for_operator(f"voter{cast // len(pids):03d}")
                pid = pids[cast % len(pids)]
                store.set_vote(voter, pid, rng.choice(["like", "dislike"]),
                               comment="why" if cast % 3 == 0 else "")
                cast += 1
            times = []
            for _ in range(5):
                started = time.perf_counter()
                body = overview(store, staff, OPERATOR, "i22")
                times.append(time.perf_counter() - started)
            print(f"  {target:>7} votes: {statistics.median(times) * 1000:8.1f} ms median "
                  f"({len(body.datasets)} voted datasets, {sum(len(d.votes) for d in body.datasets)} votes, "
                  f"{len(body.selections)} selections listed)")
        store.close()


if __name__ == "__main__":
    main()
