"""``beamhub ingest PATH...``: catalogue NeXus/HDF5 files (see beamhub.catalogue.ingest)."""

from __future__ import annotations

import argparse
import json
import sys

EPILOG = """\
One dataset per NXentry (one per file for plain HDF5); pids come from the file path
and entry name, so re-running is safe: unchanged files are not re-read, changed files
are updated. Problems with single files are reported at the end; the run goes on.

The store is --store, else $BEAMHUB_STORE, else sqlite:///beamhub-catalogue.sqlite.
Exit status: 0 when every file was read, 3 when some failed (see the summary),
1 for a bad mapping, proposals file or store (a MongoDB store that is SciCat's own
database is refused before any file is read: SciCat's ingestor writes there), 2 for
bad usage.
"""

EXIT_SOME_FAILED = 3


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest", help="catalogue NeXus/HDF5 files and directories",
        description=__doc__.split(":", 1)[1].strip(), epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files and directories to ingest")
    parser.add_argument("--mapping", metavar="FILE",
                        help="YAML mapping of paths and file fields to catalogue fields "
                             "(format: beamhub/catalogue/ingest/mapping.py)")
    parser.add_argument("--proposals", metavar="FILE",
                        help="YAML/JSON proposals file to catalogue first "
                             "(format: beamhub/catalogue/ingest/proposals.py)")
    parser.add_argument("--store", metavar="URL",
                        help="catalogue store URL (sqlite:///PATH or mongodb://HOST/DB)")
    parser.add_argument("--owner-group", metavar="GROUP",
                        help="ownerGroup of every dataset (overrides the mapping); without it, the mapping "
                             "must set fields.ownerGroup")
    parser.add_argument("--beamline", metavar="NAME",
                        help="creationLocation of datasets whose file and mapping name no beamline "
                             "(default: 'unknown', with a warning)")
    parser.add_argument("--root", metavar="DIR",
                        help="directory the mapping's path pattern is relative to (default: the mapping's "
                             "root, else each directory given)")
    parser.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                        help="skip files whose name matches GLOB (repeatable)")
    parser.add_argument("--pid-prefix", metavar="PREFIX", default=None,
                        help="prefix of the pids made (default: beamhub)")
    parser.add_argument("--force", action="store_true",
                        help="re-read files even if unchanged (after changing the mapping)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list skipped files")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.set_defaults(func=run)


def run(args) -> int:
    from beamhub.catalogue import Identity, open_store
    from beamhub.catalogue.ingest import DEFAULT_PID_PREFIX, ingest

    progress = not args.no_progress and sys.stdout.isatty() and sys.stderr.isatty()
    identity = Identity.for_local_operator("ingest", "beamhub-ingest")
    with open_store(args.store) as store:
        report = ingest(args.paths, store, identity, mapping=args.mapping, owner_group=args.owner_group,
                        root=args.root, proposals=args.proposals, force=args.force,
                        pid_prefix=args.pid_prefix or DEFAULT_PID_PREFIX, exclude=args.exclude,
                        default_beamline=args.beamline, progress=progress)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        print()
    else:
        print(report.summary(verbose=args.verbose))
    return 0 if report.ok else EXIT_SOME_FAILED
