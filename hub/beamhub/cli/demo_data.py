"""``beamhub demo-data DIR``: write realistic synthetic NeXus files (see beamhub.demo.data)."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo-data", help="write demo NeXus files, a mapping and a proposals file",
        description="Write four proposals' NeXus files (MX, SAXS, XAS, tomography) under DIR as "
                    "DIR/<beamline>/<proposal>/<sample>/<scan>.nxs, with DIR/mapping.yaml and "
                    "DIR/proposals.yaml. Catalogue them with: beamhub ingest DIR --mapping "
                    "DIR/mapping.yaml --proposals DIR/proposals.yaml")
    parser.add_argument("directory", metavar="DIR", help="where to write (created if missing)")
    parser.add_argument("--size", choices=("small", "large", "huge"), default="small",
                        help="small: ~12 MB in seconds (default); large: one 2.3 GB MX stack "
                             "(1800 frames of 2048x2048) for benchmarks; huge: ~18 GB")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same data)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from tqdm import tqdm

    from beamhub.demo.data import write_demo_data

    bar = None

    def progress(name: str, done: int, total: int) -> None:
        nonlocal bar
        if total < 200 or not sys.stderr.isatty():
            return
        if bar is None or bar.desc != name:
            if bar is not None:
                bar.close()
            bar = tqdm(total=total, desc=name, unit="frame", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        demo = write_demo_data(args.directory, size=args.size, seed=args.seed, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(f"wrote {len(demo.files)} NeXus files ({demo.bytes / 1e6:.1f} MB) under {demo.directory}")
    print(f"mapping:   {demo.mapping}")
    print(f"proposals: {demo.proposals}")
    print(f"catalogue them with: beamhub ingest {demo.directory} --mapping {demo.mapping} "
          f"--proposals {demo.proposals}")
    return 0
