"""``beamhub templates``: list, show, publish, retire, roll back and diff beamline templates.

Acts on the catalogue store as the operator, or as ``--as-user USER --groups G1,G2
--staff-of B1,B2`` (then exactly what that user may do in JupyterLab: the store
refuses a publish by anyone but staff of the beamline).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .catalogue import EPILOG, identity_from, open_catalogue

DESCRIPTION = """\
Beamline templates: notebooks beamline staff publish for their users, kept as versions
(users get the latest; staff see the history, diff, roll back, retire). Facility-wide
templates (beamline 'facility') are the notebooks shipped with beamhub. TEMPLATE is
BEAMLINE/NAME, e.g. i03/mx-screening.
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser("templates", help="list, show, publish and retire beamline templates",
                                   description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=lambda args: (parser.print_help(sys.stderr), 2)[1])
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="URL", help="catalogue store URL; default $BEAMHUB_STORE")
    common.add_argument("--as-user", metavar="USER", help="act as this user (default: the operator)")
    common.add_argument("--groups", metavar="G1,G2", default="", help="the user's groups (with --as-user)")
    common.add_argument("--staff-of", metavar="B1,B2", default="", help="beamlines the user is staff of")
    common.add_argument("--json", action="store_true", help="print JSON (the API's models) instead of text")

    def action(name, help):
        return actions.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                                  parents=[common], epilog=EPILOG)

    listing = action("list", "templates offered to the identity, newest versions")
    listing.add_argument("--retired", action="store_true", help="also retired ones (staff of their beamline)")
    listing.set_defaults(func=run_list)

    show = action("show", "one template: its settings, or its notebook, or its history")
    show.add_argument("template", metavar="TEMPLATE")
    show.add_argument("--version", type=int, help="a given version (staff); default the latest")
    show.add_argument("--history", action="store_true", help="every version, newest first (staff)")
    show.add_argument("-o", "--output", metavar="FILE.ipynb", help="write the notebook here")
    show.set_defaults(func=run_show)

    publish = action("publish", "publish a notebook as the next version of a beamline's template")
    publish.add_argument("notebook", metavar="NOTEBOOK.ipynb")
    publish.add_argument("--beamline", required=True, help="the beamline (you must be its staff)")
    publish.add_argument("--name", help="the template's name (default: the file's stem)")
    publish.add_argument("--title", help="default: the notebook's beamhub.title metadata")
    publish.add_argument("--description", default=None, help="what it does (default: metadata)")
    publish.add_argument("--technique", action="append", default=[], metavar="T",
                         help="a technique it is for (repeatable; default: the notebook's metadata)")
    publish.add_argument("--accepts", action="append", default=[], metavar="KIND",
                         help="a dataset kind it reads: raw or derived:<step> (repeatable; default raw)")
    publish.add_argument("--note", required=True, help="the change note recorded with the version")
    publish.set_defaults(func=run_publish)

    retire = action("retire", "retire a template (users no longer get it; a rollback brings it back)")
    retire.add_argument("template", metavar="TEMPLATE")
    retire.add_argument("--note", default="", help="why")
    retire.set_defaults(func=run_retire)

    rollback = action("rollback", "publish an earlier version again, as the next version")
    rollback.add_argument("template", metavar="TEMPLATE")
    rollback.add_argument("--to", type=int, required=True, metavar="VERSION")
    rollback.add_argument("--note", default="", help="why")
    rollback.set_defaults(func=run_rollback)

    diff = action("diff", "a unified diff of two versions (staff)")
    diff.add_argument("template", metavar="TEMPLATE")
    diff.add_argument("old", type=int, metavar="FROM")
    diff.add_argument("new", type=int, nargs="?", metavar="TO", help="default: the latest")
    diff.set_defaults(func=run_diff)


def _split(template: str) -> tuple[str, str]:
    from beamhub.catalogue import InvalidInput

    beamline, _, name = template.partition("/")
    if not beamline or not name or "/" in name:
        raise InvalidInput(f"a template is BEAMLINE/NAME (e.g. i03/mx-screening), not {template!r}")
    return beamline, name


def _print(args, versions) -> None:
    if args.json:
        items = [v.model_dump(mode="json", exclude={"notebook"}) for v in versions]
        print(json.dumps(items, indent=2))
        return
    for v in versions:
        state = " RETIRED" if v.retired else ""
        print(f"{v.key:32} v{v.version:<3} {v.publishedAt:%Y-%m-%d %H:%M} {v.publishedBy:12} "
              f"{','.join(v.techniques):14} {','.join(v.accepts):22} {v.title}{state}")
        if len(versions) == 1 or getattr(args, "history", False):
            print(f"    {v.change_note}")


def run_list(args) -> int:
    from beamhub.templates import actions

    with open_catalogue(args.store) as store:
        _print(args, actions.offered(store, identity_from(args), args.retired))
    return 0


def run_show(args) -> int:
    from beamhub.templates import actions

    beamline, name = _split(args.template)
    with open_catalogue(args.store) as store:
        identity = identity_from(args)
        if args.history:
            _print(args, actions.history(store, identity, beamline, name))
            return 0
        version = actions.get(store, identity, beamline, name, args.version)
    if args.output:
        Path(args.output).write_text(json.dumps(version.notebook, indent=1) + "\n", encoding="utf-8")
        print(f"beamhub: wrote {version.key} version {version.version} to {args.output}", file=sys.stderr)
    if args.json:
        print(version.model_dump_json(indent=2, exclude=None if args.output is None else {"notebook"}))
    elif not args.output:
        _print(args, [version])
    return 0


def run_publish(args) -> int:
    from beamhub.catalogue import InvalidInput
    from beamhub.templates.model import parse_draft

    path = Path(args.notebook)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the notebook {path}: {exc}") from None
    meta = (notebook.get("metadata", {}) if isinstance(notebook, dict) else {}).get("beamhub", {}) or {}
    draft = parse_draft({
        "beamline": args.beamline, "name": args.name or path.stem.lower(),
        "title": args.title or meta.get("title") or path.stem,
        "description": args.description if args.description is not None else meta.get("description", ""),
        "techniques": args.technique or meta.get("techniques") or [],
        "accepts": args.accepts or meta.get("accepts") or ["raw"],
        "change_note": args.note, "notebook": notebook})
    with open_catalogue(args.store) as store:
        version = store.publish_template(identity_from(args), draft)
    _print(args, [version])
    return 0


def run_retire(args) -> int:
    from beamhub.templates import actions

    with open_catalogue(args.store) as store:
        _print(args, [actions.retire(store, identity_from(args), *_split(args.template), args.note)])
    return 0


def run_rollback(args) -> int:
    from beamhub.templates import actions

    with open_catalogue(args.store) as store:
        _print(args, [actions.rollback(store, identity_from(args), *_split(args.template), args.to, args.note)])
    return 0


def run_diff(args) -> int:
    from beamhub.templates import actions

    with open_catalogue(args.store) as store:
        old, new, text = actions.versions_diff(store, identity_from(args), *_split(args.template), args.old, args.new)
    if args.json:
        print(json.dumps({"from_version": old.version, "to_version": new.version, "diff": text}))
    else:
        print(text)
    return 0
