"""``beamhub demo``: demo data, an SQLite catalogue and JupyterHub, in one command.

See :mod:`beamhub.demo.hub`. The demo has no isolation between users (all run as the
Unix user who started it).
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    from beamhub.demo.hub import DEFAULT_STATE_DIR

    parser = subparsers.add_parser(
        "demo", help="run a demo hub with demo data, the catalogue and demo users",
        description="Write demo data, catalogue it in SQLite and start JupyterHub with the catalogue "
                    "service, local jobs and demo users (passwords printed on start). A demo: no "
                    "isolation between users. A second start reuses the state directory. Ctrl-C (or SIGTERM, "
                    "SIGHUP, or killing it) stops the hub and everything it started. Only --port is fixed: "
                    "demos with different state directories and ports run side by side.")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"where data, catalogue, passwords and the hub's database live (default {DEFAULT_STATE_DIR})")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on (default 8000; the hub's and proxy's API ports are picked free)")
    parser.add_argument("--size", choices=("small", "large"), default="small",
                        help="demo data size when it is first written (default small)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="write data, catalogue and configuration, print the users, and exit")
    parser.set_defaults(func=run)


def run(args) -> int:
    from beamhub.demo.hub import DemoHub

    demo = DemoHub(state_dir=args.state_dir, ip=args.ip, port=args.port, size=args.size)
    if args.prepare_only:
        demo.prepare()
        print(demo.banner())
        return 0
    return demo.run()
