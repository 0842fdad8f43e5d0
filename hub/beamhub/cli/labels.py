"""``beamhub labels export``: the votes as training labels, one row per vote (CSV or Parquet).

Columns and pseudonyms: :mod:`beamhub.labels.export` and README.md ("Labels for machine
learning"). As the operator every vote; ``--as-user USER --staff-of B`` the votes on B's
datasets (and USER's own); ``--as-user USER --groups ...`` USER's own.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .catalogue import EPILOG, identity_from, open_catalogue


def register(subparsers) -> None:
    parser = subparsers.add_parser("labels", help="export the votes as training labels (CSV or Parquet)",
                                   description=__doc__.split("\n\n")[0], epilog=EPILOG)
    parser.set_defaults(func=lambda args: (parser.print_help(sys.stderr), 2)[1])
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    run = actions.add_parser("export", help="write one row per vote the identity may export",
                             description="Write one row per vote the identity may export: pid, beamline, "
                                         "technique, proposal, voter (pseudonymised), vote, comment, time, and "
                                         "the dataset's numeric metadata and quality scores as columns.",
                             epilog=EPILOG)
    run.add_argument("--format", choices=("parquet", "csv"), default=None,
                     help="default: from the file name (.csv, else parquet)")
    run.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write ('-' for stdout)")
    run.add_argument("--names", action="store_true", help="voters' user names instead of pseudonyms (operator)")
    run.add_argument("--store", metavar="URL", help="catalogue store URL; default $BEAMHUB_STORE")
    run.add_argument("--as-user", metavar="USER", help="export as this user (default: the operator)")
    run.add_argument("--groups", metavar="G1,G2", default="", help="the user's groups (with --as-user)")
    run.add_argument("--staff-of", metavar="B1,B2", default="", help="beamlines the user is staff of")
    run.set_defaults(func=run_export)


def run_export(args) -> int:
    from beamhub.labels import export

    fmt = args.format or ("csv" if args.output.endswith(".csv") else "parquet")
    with open_catalogue(args.store) as store:
        rows = export.collect(store, identity_from(args), names=args.names)
    data = export.encode(rows, fmt)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
    print(f"beamhub: {len(rows)} votes written as {fmt} to {args.output}", file=sys.stderr)
    return 0
