"""The ``beamhub`` command line.

Each sub-command lives in its own module of this package with a ``register(subparsers)``
function that adds its parser and sets ``func`` (called with the parsed arguments; its
return value is the exit status). Add a module's name to ``COMMANDS`` to wire it in.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from beamhub import __version__

COMMANDS = [
    "beamhub.cli.catalogue",
    "beamhub.cli.ingest",
    "beamhub.cli.demo_data",
    "beamhub.cli.demo",
    "beamhub.cli.catalogue_service",
    "beamhub.cli.config",
    "beamhub.cli.suggest",
    "beamhub.cli.templates",
    "beamhub.cli.labels",
    "beamhub.cli.announce",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beamhub",
        description="beamhub: JupyterLab on the facility's cluster with the data catalogue. "
                    "Each command has its own --help.")
    parser.add_argument("--version", action="version", version=f"beamhub {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that command is not written yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from beamhub.catalogue.errors import CatalogueError

    try:
        return int(args.func(args) or 0)
    except CatalogueError as exc:
        print(f"beamhub: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``beamhub ... | head``): not an error worth a traceback.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
