"""``beamhub announce``: post, list or remove an announcement (maintenance, news) shown on
the hub's pages and in JupyterLab until it expires. The hub reads the announcements file
at each page view: no restart. Announcements written in the site file
(``lifecycle.announcements``) are listed too, and changed by editing that file."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser("announce", help="post, list or remove announcements shown to users",
                                   description=__doc__.split("\n\n")[0].strip("`"))
    parser.add_argument("--site", help="the site file (default: $BEAMHUB_CONFIG); its lifecycle.announcements_file "
                        "or hub.state_dir says where the announcements are kept")
    parser.add_argument("--file", help="the announcements file itself (instead of --site)")
    commands = parser.add_subparsers(dest="announce_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="post an announcement")
    add.add_argument("message", help="the text (plain text, one paragraph)")
    add.add_argument("--expires", required=True, help="when it stops being shown: a duration (2h, 90m, 3d) or a "
                     "date and time (2026-12-24T18:00, the hub's local time unless a zone is given)")
    add.add_argument("--kind", choices=["maintenance", "news"], default="news", help="maintenance is shown as a "
                     "warning (default: news)")
    add.add_argument("--starts", help="when it starts being shown (default: at once)")
    add.add_argument("--id", default="", help="identifier (default: made from the text and expiry)")
    add.set_defaults(func=run_add)
    listing = commands.add_parser("list", help="list the announcements shown now and later")
    listing.set_defaults(func=run_list)
    remove = commands.add_parser("remove", help="remove an announcement by its id")
    remove.add_argument("id")
    remove.set_defaults(func=run_remove)


def _sources(args):
    """(announcements file, the site file's own announcements)."""
    from beamhub.lifecycle.announcements import AnnouncementFile

    if args.file:
        return AnnouncementFile(args.file), []
    from beamhub.config import SiteConfigError, load_site_config
    from beamhub.config.jupyterhub import lifecycle

    try:
        site = load_site_config(args.site)
    except SiteConfigError as exc:
        raise SystemExit(f"beamhub announce: {exc}") from None
    found = lifecycle(site)
    if found.file is None:
        raise SystemExit("beamhub announce: the site has neither lifecycle.announcements_file nor hub.state_dir; "
                         "give --file")
    return found.file, list(site.lifecycle.announcements)


def run_add(args) -> int:
    from datetime import datetime, timezone

    from pydantic import ValidationError

    from beamhub.lifecycle.announcements import Announcement, parse_expiry

    store, _ = _sources(args)
    try:
        expires = parse_expiry(args.expires)
        starts = parse_expiry(args.starts) if args.starts else None
        item = Announcement(id=args.id, kind=args.kind, message=args.message, expires=expires, starts=starts)
        if item.expires <= datetime.now(timezone.utc):
            raise ValueError(f"--expires {args.expires}: that is in the past")
        store.add(item)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'announcement'}: {e['msg']}"
                             for e in exc.errors(include_url=False))
        print(f"beamhub announce: {problems}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"beamhub announce: {exc}", file=sys.stderr)
        return 2
    print(f"{item.id}: {item.kind} until {item.expires.astimezone():%Y-%m-%d %H:%M %Z} ({store.path})")
    return 0


def run_list(args) -> int:
    from datetime import datetime, timezone

    store, from_site = _sources(args)
    now = datetime.now(timezone.utc)
    rows = [(a, "site file") for a in from_site] + [(a, str(store.path)) for a in store.load()]
    for item, source in sorted(rows, key=lambda r: r[0].expires):
        state = "shown" if item.shown_at(now) else ("expired" if now >= item.expires else "later")
        print(f"{item.id}\t{item.kind}\t{state}\tuntil {item.expires.astimezone():%Y-%m-%d %H:%M}\t"
              f"{item.message}\t[{source}]")
    return 0


def run_remove(args) -> int:
    store, from_site = _sources(args)
    if store.remove(args.id):
        print(f"removed {args.id}")
        return 0
    if any(a.id == args.id for a in from_site):
        print(f"beamhub announce: {args.id} is in the site file: remove it there (and restart the hub)",
              file=sys.stderr)
        return 1
    print(f"beamhub announce: no announcement {args.id}", file=sys.stderr)
    return 1
