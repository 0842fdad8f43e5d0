"""``beamhub catalogue ACTION``: the catalogue for operators (search, show, preview, stats, repair).

Reads run as the operator (every dataset) unless ``--as-user USER --groups G1,G2
[--staff-of B1,B2]`` names an identity: then they show exactly what that user would
see in JupyterLab. Tables are for people; ``--json`` prints the catalogue's own models
(``model_dump(mode="json")``), stable for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from .formatting import dataset_details, dataset_table, facet_lines, human_bytes

DESCRIPTION = """\
Search, show, preview and repair the catalogue. Reads run as the operator (every
dataset) unless --as-user USER --groups G1,G2 [--staff-of B1,B2] names an identity:
then they show exactly what that user sees in JupyterLab. Tables are for people;
--json prints the catalogue's own models, stable for scripts.
"""

EPILOG = """\
The store is --store URL, else $BEAMHUB_STORE, else sqlite:///beamhub-catalogue.sqlite.
Exit status: 0 on success, 1 for an error the message explains (bad pid, bad condition,
unknown store, no such dataset...), 2 for bad usage.
"""

MAINTENANCE_EPILOG = """\
Only the MongoDB store needs this; on the SQLite store the command says why it does not
apply and exits 0 with nothing done.
"""

SNAPSHOT_EPILOG = """\
Each worker of the catalogue service answers searches from search columns it reads
from the database at its start unless it finds their snapshot, fit to use (this
database's, this release's format, written less than 20 h ago): at 1M datasets reading
takes a minute or more (one worker reads, the others wait for its snapshot), during
which searches go to the database directly (seconds each); reading the snapshot back
takes a fraction of a second.
This command does that reading once, before the service starts: it brings a snapshot
of this database up to it (seconds; one older than 20 h, however old, also has every
dataset's stamps compared with it, which finds deletions beamhub's log no longer
holds: about 25 s per million), else reads every dataset, printing its progress. The
service need not be stopped: the snapshot is replaced whole. Run it as the user the
service runs as (root): the file is written mode 0600.
Exit status: 0 written, 1 for an error the message explains (database unreachable,
folder not writable), 2 for bad usage. On the SQLite store it says why it does not
apply and exits 0 with nothing done.
"""

# --- the parser ------------------------------------------------------------------------


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "catalogue", help="search, show, preview and repair the catalogue (operators)",
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=lambda args: _usage(parser))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", metavar="URL",
                       help="catalogue store URL (sqlite:///PATH or mongodb://HOST/DB); default $BEAMHUB_STORE")
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--as-user", metavar="USER",
                     help="act as this user (default: the operator, who sees everything)")
    who.add_argument("--groups", metavar="G1,G2", default="", help="the user's groups (with --as-user)")
    who.add_argument("--staff-of", metavar="B1,B2", default="",
                     help="beamlines the user is staff of (with --as-user)")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def action(name: str, help: str, parents: list, epilog: str = EPILOG):
        return actions.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                                  parents=parents, epilog=epilog,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)

    search = action("search", "search datasets as an identity", [store, who, as_json])
    _search_arguments(search)
    search.set_defaults(func=run_search)

    show = action("show", "one dataset in full", [store, who, as_json])
    show.add_argument("pid", metavar="PID")
    show.set_defaults(func=run_show)

    preview = action("preview", "write a dataset's PNG preview", [store, who])
    preview.add_argument("pid", metavar="PID")
    preview.add_argument("-o", "--output", metavar="FILE.png", required=True,
                         help="where to write the PNG ('-' for standard output)")
    preview.add_argument("--size", type=int, default=None, metavar="PIXELS",
                         help="longest side in pixels (32-2048, default 512)")
    preview.add_argument("--frame", type=int, default=None, metavar="N",
                         help="frame of a stack, along its first axis (default: the middle one)")
    preview.set_defaults(func=run_preview)

    stats = action("stats", "counts of datasets, proposals, votes and selections", [store, who, as_json])
    stats.set_defaults(func=run_stats)

    reindex = action("reindex", "compute beamhub's search fields of datasets that lack them "
                     "(for example written by SciCat); MongoDB only", [store], MAINTENANCE_EPILOG)
    reindex.add_argument("--everything", action="store_true",
                         help="recompute every dataset, not only stale ones")
    reindex.set_defaults(func=run_maintenance, method="reindex")

    snapshot = action("snapshot-columns", "read the MongoDB store's search columns and write their snapshot, "
                      "from which the catalogue service's workers start (run it before starting the service after "
                      "an install, an upgrade or a long stop); MongoDB only", [store], SNAPSHOT_EPILOG)
    snapshot.add_argument("--config", metavar="FILE",
                          help="the site file, for the store and the snapshot folder the service uses "
                               "(default $BEAMHUB_CONFIG; --store and --snapshot-dir take precedence)")
    snapshot.add_argument("--snapshot-dir", metavar="DIR",
                          help="the snapshot folder (the site's catalogue.columns_snapshot_dir, default "
                               "hub.state_dir/search-columns)")
    snapshot.add_argument("--anew", action="store_true",
                          help="read every dataset from the database, even when the snapshot there can be "
                               "brought up to date")
    snapshot.set_defaults(func=run_snapshot_columns)

    recount = action("recount-votes", "set every dataset's like/dislike counts from its votes "
                     "(repair after a crash; run while no votes arrive); MongoDB only", [store], MAINTENANCE_EPILOG)
    recount.set_defaults(func=run_maintenance, method="recount_votes")


def _search_arguments(parser: argparse.ArgumentParser) -> None:
    from beamhub.catalogue.query import MAX_PAGE, SORTS

    parser.add_argument("text", nargs="?", default="", metavar="TEXT",
                        help="free text over names, descriptions, keywords and scientific metadata")
    repeat = "(repeatable: any of the values)"
    parser.add_argument("--beamline", action="append", default=[], metavar="B", help=f"beamline {repeat}")
    parser.add_argument("--proposal", action="append", default=[], metavar="P", help=f"proposal id {repeat}")
    parser.add_argument("--technique", action="append", default=[], metavar="T", help=f"technique {repeat}")
    parser.add_argument("--type", action="append", default=[], metavar="TYPE",
                        help=f"dataset type: raw, derived or a SciCat custom type {repeat}")
    parser.add_argument("--year", action="append", default=[], type=int, metavar="Y", help=f"year {repeat}")
    parser.add_argument("--keyword", action="append", default=[], metavar="K", help=f"keyword {repeat}")
    parser.add_argument("--after", metavar="DATE", help="created at or after (YYYY-MM-DD or ISO 8601 time; UTC)")
    parser.add_argument("--before", metavar="DATE", help="created before (YYYY-MM-DD or ISO 8601 time; UTC)")
    parser.add_argument("--where", action="append", default=[], metavar="CONDITION",
                        help="scientific-metadata condition 'name op value [unit]', op one of < <= = >= > != "
                             "(repeatable: all must hold), e.g. --where 'temperature < 200 K'")
    parser.add_argument("--my-vote", choices=("like", "dislike", "any", "none"),
                        help="only datasets the identity liked, disliked, voted on, or not voted on")
    parser.add_argument("--sort", choices=SORTS, default="-creationTime", metavar="ORDER",
                        help=f"one of {', '.join(SORTS)} (write --sort=-size for the descending ones)")
    parser.add_argument("--limit", type=int, default=25, metavar="N",
                        help=f"datasets per page (1-{MAX_PAGE}, default 25)")
    parser.add_argument("--cursor", metavar="CURSOR", help="continue after a page (its next_cursor)")
    parser.add_argument("--all", action="store_true", help="follow the cursors: list every matching dataset")
    parser.add_argument("--facets", action="store_true",
                        help="also count datasets per beamline, proposal, technique, type and year")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


# --- shared steps --------------------------------------------------------------------------


def open_catalogue(url: str | None):
    """The store, refusing to create an empty SQLite file by mistake (a read on a wrong path)."""
    from beamhub.catalogue import InvalidInput, open_store
    from beamhub.catalogue.stores import DEFAULT_STORE_URL, STORE_ENV

    url = url or os.environ.get(STORE_ENV) or DEFAULT_STORE_URL
    if url.startswith("sqlite:"):
        from beamhub.catalogue.stores.sqlite.store import parse_url

        path, _ = parse_url(url)
        if not path.is_file():
            raise InvalidInput(f"no catalogue at {path}: give --store URL or set ${STORE_ENV} "
                               "(beamhub ingest creates one)")
    return open_store(url)


def identity_from(args):
    """The identity named by --as-user/--groups/--staff-of, else the operator (said on stderr)."""
    from beamhub.catalogue import Identity

    groups = _split(args.groups)
    staff_of = _split(args.staff_of)
    if args.as_user is None:
        if groups or staff_of:
            raise _usage_error("--groups and --staff-of describe a user: give --as-user USER too")
        print("beamhub: as the operator, who sees every dataset "
              "(--as-user USER --groups G1,G2 shows what a user sees)", file=sys.stderr)
        return Identity.for_local_operator("cli", "beamhub-operator")
    return Identity(args.as_user, groups=frozenset(groups), staff_of=frozenset(staff_of))


def _split(text: str) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _usage_error(message: str):
    from beamhub.catalogue import InvalidInput

    return InvalidInput(message)


def _print_json(value) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# --- search ----------------------------------------------------------------------------------


def build_query(args):
    """The SearchQuery the options describe (InvalidInput naming the option otherwise)."""
    from beamhub.catalogue import MetadataCondition, SearchQuery

    body = {
        "text": args.text, "beamline": args.beamline, "proposal": args.proposal,
        "technique": args.technique, "type": args.type, "year": args.year, "keyword": args.keyword,
        "created_after": parse_date(args.after, "--after"), "created_before": parse_date(args.before, "--before"),
        "conditions": [MetadataCondition.from_text(text) for text in args.where],
        "my_vote": args.my_vote, "sort": args.sort, "limit": args.limit, "cursor": args.cursor,
        "facets": args.facets,
    }
    return SearchQuery.parse(body)


def parse_date(text: str | None, option: str) -> datetime | None:
    """``YYYY-MM-DD`` or an ISO 8601 time; UTC unless a zone is given."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _usage_error(f"{option}: {text!r} is not a date (write YYYY-MM-DD or 2024-03-01T10:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def run_search(args) -> int:
    query = build_query(args)
    identity = identity_from(args)
    with open_catalogue(args.store) as store:
        result = store.search(identity, query)
        if args.all:
            items = list(result.items)
            cursor = result.next_cursor
            while cursor:
                page = store.search(identity, query.model_copy(update={"cursor": cursor, "facets": False}))
                items.extend(page.items)
                cursor = page.next_cursor
            result = result.model_copy(update={"items": items, "next_cursor": None})
    if args.json:
        _print_json(result.model_dump(mode="json"))
        return 0
    print(dataset_table(result.items, fit=sys.stdout.isatty()))
    shown = f"{len(result.items)} of {result.total} dataset{'s' if result.total != 1 else ''}"
    if result.next_cursor:
        shown += f"; more with --all, or the next page with --cursor {result.next_cursor}"
    print(shown)
    if result.facets:
        print()
        print(facet_lines(result.facets))
    return 0


# --- show ---------------------------------------------------------------------------------------


def run_show(args) -> int:
    identity = identity_from(args)
    with open_catalogue(args.store) as store:
        dataset = store.get_dataset(identity, args.pid)
        derived = store.derived_from(identity, dataset.pid)
    if args.json:
        _print_json(dataset.model_dump(mode="json"))
    else:
        print(dataset_details(dataset, [d.pid for d in derived]))
    return 0


# --- preview ------------------------------------------------------------------------------------


def run_preview(args) -> int:
    from beamhub.catalogue.preview import DEFAULT_SIZE, render_preview

    identity = identity_from(args)
    with open_catalogue(args.store) as store:
        dataset = store.get_dataset(identity, args.pid)
    png = render_preview(dataset, size=DEFAULT_SIZE if args.size is None else args.size, frame=args.frame)
    if args.output == "-":
        sys.stdout.buffer.write(png)
        sys.stdout.flush()
        return 0
    write_atomically(Path(args.output), png)
    print(f"wrote {args.output} ({len(png)} bytes): preview of {dataset.datasetName} ({dataset.pid})")
    return 0


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all."""
    from beamhub.catalogue import InvalidInput

    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


# --- stats --------------------------------------------------------------------------------------


def run_stats(args) -> int:
    identity = identity_from(args)
    with open_catalogue(args.store) as store:
        stats = store.stats(identity)
    if args.json:
        _print_json(stats)
        return 0
    for name in ("datasets", "proposals", "votes", "selections"):
        print(f"{name:<11} {stats[name]}")
    if stats.get("unreadable"):
        print(f"{'unreadable':<11} {stats['unreadable']} dataset document{'s' if stats['unreadable'] != 1 else ''} "
              "beamhub cannot read (left out of every search; the catalogue's log says why)")
    print(f"{'size':<11} {human_bytes(stats['size'])}")
    if stats["by_beamline"]:
        print("datasets by beamline:")
        width = max(len(str(b)) for b in stats["by_beamline"])
        for beamline, count in stats["by_beamline"].items():
            print(f"  {str(beamline):<{width}}  {count}")
    return 0


# --- maintenance ----------------------------------------------------------------------------


NOT_APPLICABLE = {
    "reindex": "it updates its search tables in the same transaction as every write, so they are never stale",
    "recount_votes": "it changes a dataset's counts in the same transaction as each vote, so they cannot drift",
}


def run_maintenance(args) -> int:
    from beamhub.catalogue import Identity
    from beamhub.catalogue.stores import redact_url

    command = args.method.replace("_", "-")
    operator = Identity.for_local_operator("cli", "beamhub-operator")
    with open_catalogue(args.store) as store:
        method = getattr(store, args.method, None)
        if method is None:
            kind = type(store).__name__.removesuffix("Store")
            why = NOT_APPLICABLE.get(args.method, "this store has no such repair") if kind == "SQLite" else \
                "this store has no such repair"
            print(f"beamhub: {command} does not apply to the {kind} store ({redact_url(store.url)}): {why}. "
                  "Nothing done.", file=sys.stderr)
            return 0
        if args.method == "reindex":
            count = method(operator, everything=args.everything)
            print(f"reindexed {count} dataset{'s' if count != 1 else ''}")
            unreadable = store.stats(operator).get("unreadable") or 0
            if unreadable:
                print(f"{unreadable} dataset document{'s' if unreadable != 1 else ''} cannot be read and "
                      f"{'are' if unreadable != 1 else 'is'} left out of searches (each is logged above with the "
                      "reason; marked beamhub_unreadable until SciCat changes it)")
        else:
            count = method(operator)
            print(f"corrected the vote counts of {count} dataset{'s' if count != 1 else ''}")
    return 0


# --- the search columns' snapshot ------------------------------------------------------------


PROGRESS_SECONDS = 5.0
"""Seconds between two progress lines of a long read."""


def run_snapshot_columns(args) -> int:
    import time

    from beamhub.catalogue import InvalidInput
    from beamhub.catalogue.errors import StoreUnavailable
    from beamhub.catalogue.stores import redact_url
    from pymongo.errors import PyMongoError

    url, folder = _service_places(args)
    with open_catalogue(url) as store:
        from beamhub.catalogue.stores.mongo.store import MongoStore

        columns = getattr(store, "columns", None)
        if not isinstance(store, MongoStore):
            kind = type(store).__name__.removesuffix("Store")
            print(f"beamhub: snapshot-columns does not apply to the {kind} store ({redact_url(store.url)}): it "
                  "keeps no snapshot of its search columns. Nothing done.", file=sys.stderr)
            return 0
        if columns is None:
            raise InvalidInput(f"the store URL turns the search columns off (columns=off): {redact_url(store.url)}")
        store.ping()  # an unreachable database: one clear line (StoreUnavailable), within seconds
        path = Path(folder)
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InvalidInput(f"cannot make the snapshot folder {path}: {exc.strerror or exc}") from None
        if not os.access(path, os.W_OK | os.X_OK):
            raise InvalidInput(f"cannot write in the snapshot folder {path}: permission denied")
        columns.snapshot_dir = path
        started = time.monotonic()
        total = store.datasets.estimated_document_count()
        shown = [started]

        def progress(read: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= PROGRESS_SECONDS:
                shown[0] = now
                share = f" ({100 * read / total:.0f}%)" if total else ""
                print(f"read {read:,} of about {total:,} datasets{share}, {now - started:.0f} s", file=sys.stderr,
                      flush=True)

        print(f"search columns of {redact_url(store.url)}: bringing the snapshot in {path} up to the database, "
              f"or else reading about {total:,} datasets (a minute or more per million)", file=sys.stderr, flush=True)
        try:
            how = columns.write_snapshot(anew=args.anew, progress=progress)
        except PyMongoError as exc:
            reason = str(exc).split(",")[0].split("(")[0].strip()[:200]
            raise StoreUnavailable(f"the catalogue database at {store.safe_url} could not be read to the end "
                                   f"({reason}); nothing written, run it again") from None
        except OSError as exc:
            raise InvalidInput(str(exc)) from None
        written = columns.snapshot_file()
        stats = columns.stats()
    how = {"restored": "brought up to date from the snapshot",
           "compared": "brought up to date from a snapshot older than 20 h, every dataset's stamps compared",
           "read": "read from the database"}[how]
    print(f"wrote {written} ({written.stat().st_size / 1e6:,.0f} MB): {stats['datasets']:,} datasets' search "
          f"columns, {how} in {time.monotonic() - started:.1f} s")
    return 0


def _service_places(args) -> tuple[str | None, str]:
    """The store URL and the snapshot folder: the options, else as the service has them
    from the site file (``--config``, else ``$BEAMHUB_CONFIG`` when set)."""
    from beamhub.catalogue import InvalidInput
    from beamhub.catalogue.stores import STORE_ENV
    from beamhub.config import CONFIG_ENV, SiteConfigError, load_site_config
    from beamhub.config.jupyterhub import catalogue_service, service_settings
    from beamhub.service.settings import STORE_FILE_ENV

    url, folder = args.store, args.snapshot_dir
    if (url is None or folder is None) and (args.config or os.environ.get(CONFIG_ENV)):
        try:
            site = load_site_config(args.config)
        except SiteConfigError as exc:
            raise InvalidInput(str(exc)) from None
        given = catalogue_service(site, port=0)["environment"]  # the store as the hub gives it to the service
        if url is None and given.get(STORE_FILE_ENV):
            try:
                url = Path(given[STORE_FILE_ENV]).read_text().strip()
            except OSError as exc:
                raise InvalidInput(f"cannot read the store URL from {given[STORE_FILE_ENV]}: "
                                   f"{exc.strerror or exc}") from None
        elif url is None:
            url = given.get(STORE_ENV)  # else $BEAMHUB_STORE, as for every command
        folder = folder or service_settings(site).columns_snapshot_dir or None
    if not folder:
        raise InvalidInput("no snapshot folder: give --snapshot-dir DIR, or the site file (--config FILE or "
                           "$BEAMHUB_CONFIG) whose catalogue.columns_snapshot_dir or hub.state_dir names it")
    return url, folder
