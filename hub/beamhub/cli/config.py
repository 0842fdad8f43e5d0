"""``beamhub config``: check a site configuration file, or print the reference of every option."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser("config", help="check a site file or print the configuration reference",
                                   description=__doc__.split("\n\n")[0].strip("`"))
    commands = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="validate a site file (YAML or TOML); exit 1 naming every bad key")
    check.add_argument("file", nargs="?", help="the site file (default: $BEAMHUB_CONFIG)")
    check.set_defaults(func=run_check)
    reference = commands.add_parser("reference", help="print every option with its type, default and meaning "
                                    "(Markdown)")
    reference.set_defaults(func=run_reference)


def run_check(args) -> int:
    from beamhub.config import SiteConfigError, load_site_config

    try:
        site = load_site_config(args.file)
    except SiteConfigError as exc:
        print(f"beamhub config: {exc}", file=sys.stderr)
        return 1
    print(f"ok: auth {site.auth.kind}, spawner {site.spawner.kind}, jobs {site.jobs.runner}")
    return 0


def run_reference(args) -> int:
    from beamhub.config.reference import markdown

    sys.stdout.write(markdown())
    return 0
