"""Ingest throughput in files per second, over the demo data and the shared real files.

Run (from the repository root)::

    PYTHONPATH=hub:. /opt/beamhub/venv/bin/python tests/benchmarks/bench_ingest.py \
        [--copies 10] [--store sqlite]

The demo data (``beamhub demo-data``, small) is written ``--copies`` times under a
temporary directory (different seeds, so 110 files by default) and ingested with its
mapping into a fresh SQLite catalogue; then ../shared/data/nexus (39 real files,
``--owner-group``) the same way. For each it prints files/s and datasets/s for:

- the first run (every file read and inserted),
- a re-run with nothing changed (files compared by size and time, not re-read),
- a forced re-run (every file read again; the store finds the datasets identical),
- reading and building alone, without a store (the extraction's own cost).

pint's unit registry (which the stores use to normalise metadata units) is loaded
before timing: it costs about 1.5 s once per process, which a single ``beamhub
ingest`` run also pays.

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from beamhub.catalogue import Identity, open_store
from beamhub.catalogue.ingest import build_dataset, ingest, load_mapping, read_file
from beamhub.catalogue.ingest.build import template_variables
from beamhub.catalogue.nexus.hdf import UnreadableFile
from beamhub.catalogue.ingest.walk import Candidate, walk
from beamhub.catalogue.units import normalize
from beamhub.demo.data import write_demo_data
from tests.catalogue.nexus_builders import SHARED_NEXUS

OPERATOR = Identity.for_operator("bench-ingest")


def extraction_only(paths, mapping=None, owner_group=None) -> tuple[int, int, float]:
    refs = mapping.refs() if mapping else ()
    files = datasets = 0
    started = time.perf_counter()
    for item in walk(paths, root=mapping.root if mapping else None):
        if not isinstance(item, Candidate):
            continue
        files += 1
        try:
            record = read_file(item.path, refs)
        except UnreadableFile:
            continue
        for entry in record.entries:
            captures = mapping.match(item.path.relative_to(item.root).as_posix()) if mapping else {}
            variables = template_variables(record, entry, item.root, captures or {})
            try:
                build_dataset(record, entry, mapping=mapping, variables=variables, owner_group=owner_group,
                              several_entries=len(record.entries) > 1)
                datasets += 1
            except Exception:
                pass
    return files, datasets, time.perf_counter() - started


def runs(name: str, paths, store_url: str, **options) -> None:
    print(f"{name}:")
    with open_store(store_url) as store:
        for label, force in (("first run (insert)", False), ("re-run, unchanged", False),
                             ("re-run, --force", True)):
            report = ingest(paths, store, OPERATOR, force=force, **options)
            counts = report.counts()
            read = len(report.files) - counts["skipped"]
            written = report.datasets.inserted + report.datasets.updated + report.datasets.unchanged
            print(f"  {label:22s} {read:4d} files in {report.seconds:6.2f} s = {read / report.seconds:7.1f} files/s"
                  f"   ({written} datasets to the store; {counts['failed']} files failed)")
    mapping = options.get("mapping")
    mapping = load_mapping(mapping) if mapping else None
    files, datasets, seconds = extraction_only(paths, mapping, options.get("owner_group"))
    print(f"  {'read + build, no store':22s} {files:4d} files in {seconds:6.2f} s = {files / seconds:7.1f} files/s"
          f"   ({datasets} datasets)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="demo data sets to write (11 files each)")
    args = parser.parse_args()
    normalize(1.0, "K")  # load pint's registry outside the timings
    work = Path(tempfile.mkdtemp(prefix="beamhub-bench-ingest-"))
    try:
        started = time.perf_counter()
        for copy in range(args.copies):
            write_demo_data(work / "demo" / f"site{copy:02d}", seed=copy)
        print(f"demo data: {args.copies} x 11 files written in {time.perf_counter() - started:.1f} s")
        # one mapping for all copies: the site directory is one more path segment
        mapping = work / "mapping.yaml"
        text = (work / "demo" / "site00" / "mapping.yaml").read_text()
        mapping.write_text(text.replace('root: "."', 'root: "demo"').replace(
            'path: "{beamline}', 'path: "{site}/{beamline}'))
        runs(f"demo data ({args.copies * 11} files)", [work / "demo"], f"sqlite:///{work / 'demo.sqlite'}",
             mapping=mapping)
        if SHARED_NEXUS.is_dir():
            runs("shared real files (../shared/data/nexus)", [SHARED_NEXUS], f"sqlite:///{work / 'shared.sqlite'}",
                 owner_group="staff")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
