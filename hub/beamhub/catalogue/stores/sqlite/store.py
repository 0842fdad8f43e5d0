"""The embedded catalogue store: one SQLite file, no server.

``SQLiteStore("sqlite:///PATH")`` opens (and creates, with its directory) the file at
``PATH``, relative to the current directory, or absolute with a fourth slash
(``sqlite:////var/lib/beamhub/catalogue.sqlite``). ``?mode=ro`` opens it read-only;
``?columns_mb=N`` sets the memory searches may use for words and numeric metadata
held as in-memory columns (default 512; 0 answers everything from SQL).

Several threads and processes (the catalogue service, the command line, job runners)
may use one file at once: each thread has its own connection, the file is in WAL mode
(readers never wait for the writer), and every write is one ``BEGIN IMMEDIATE``
transaction that waits up to ``busy_timeout`` seconds for another writer to finish
(votes and edits take milliseconds; an upsert is one transaction however large).
How searches are answered fast is described in ``sqlite.schema``, ``sqlite.search``
and ``sqlite.columns``.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from ...errors import InvalidInput, NotFound, PermissionDenied, StoreUnavailable
from ...identity import Identity, check_name
from ...model import Dataset, Proposal, Selection, Vote, VoteState, check_pid, check_vote
from ...query import SearchQuery, SearchResult
from ... import units
from ...store import SelectionChanges, StatusChange, Store, UpsertSummary
from . import search as sqlite_search
from . import selections as sqlite_selections
from .cells import CellIndex
from .columns import DEFAULT_BUDGET_BYTES, ColumnCache, ColumnWarmer
from .predicates import KEYS_IN
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, create_schema, migrate
from .labels import SQLiteLabelMethods
from .templates import SQLiteTemplateMethods
from .titles import ProposalTitles, bump as proposals_changed
from .writes import DatasetWriter

WARMER_STOP_SECONDS = 10.0
"""How long closing a store waits for its column warmer's thread to stop."""

BATCH = 20_000
"""Datasets validated and written per step of an upsert (all in one transaction)."""


def parse_url(url: str) -> tuple[Path, bool]:
    """``(path, read_only)`` from ``sqlite:///PATH[?mode=ro][&columns_mb=N]``."""
    if not isinstance(url, str) or not url.startswith("sqlite:///"):
        raise InvalidInput(f"not an SQLite store URL: {url!r} (write sqlite:///PATH)")
    path, _, query = url[len("sqlite:///"):].partition("?")
    if not path or path == ":memory:":
        raise InvalidInput("an SQLite store needs a file: write sqlite:///PATH (absolute: sqlite:////PATH)")
    options = _options(url, query)
    return Path(path), options.get("mode") == "ro"


def columns_mb(url: str) -> int | None:
    """The ``columns_mb`` option of a store URL (None: not given)."""
    value = _options(url, url.partition("?")[2]).get("columns_mb")
    return None if value is None else int(value)


def _options(url: str, query: str) -> dict[str, str]:
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = set(options) - {"mode", "columns_mb"}
    if unknown or options.get("mode", "rw") not in ("rw", "ro") or not options.get("columns_mb", "0").isdigit():
        raise InvalidInput(f"unknown SQLite store option in {url!r}: the options are ?mode=ro and "
                           "&columns_mb=N (memory for search columns, 0: none)")
    return options


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SQLiteStore(SQLiteTemplateMethods, SQLiteLabelMethods, Store):
    """A catalogue in one SQLite file (see the module's docstring).

    ``busy_timeout``: seconds a write waits for another process's write to finish
    before failing with ``StoreUnavailable`` (writes are short; a bulk load of a
    million datasets holds the file for minutes).
    ``column_cache_mb``: memory for the words and numeric fields searches keep in
    memory (``sqlite.columns``); 0 reads everything from SQL. The URL's
    ``columns_mb=N`` option overrides it.
    """

    def __init__(self, url: str, *, busy_timeout: float = 30.0, column_cache_mb: int = DEFAULT_BUDGET_BYTES >> 20):
        self.url = url
        self.path, self.read_only = parse_url(url)
        self.busy_timeout = busy_timeout
        self.cells = CellIndex()
        self.titles = ProposalTitles()
        from_url = columns_mb(url)
        column_cache_mb = from_url if from_url is not None else column_cache_mb
        self.columns = ColumnCache(column_cache_mb << 20) if column_cache_mb > 0 else None
        self._warmer: ColumnWarmer | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[weakref.ref, sqlite3.Connection]] = []
        self._closed = False
        self._initialise()

    # -- connections and errors -------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if not self.read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(f"cannot create the directory of the catalogue {self.path}: "
                                       f"{exc.strerror or exc}") from None
        if self.path.is_dir():
            raise InvalidInput(f"the catalogue path {self.path} is a directory, not a file")
        uri = f"file:{quote(str(self.path.absolute()))}?mode={'ro' if self.read_only else 'rwc'}"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False, cached_statements=256)
            conn.execute("PRAGMA synchronous = NORMAL")  # durable at each commit in WAL mode, fsync at checkpoints
            conn.execute("PRAGMA mmap_size = 2147418112")  # the OS page cache, shared by every connection
            conn.execute("PRAGMA cache_size = -16384")
            conn.execute("PRAGMA temp_store = FILE")
        except sqlite3.Error as exc:
            raise self._unavailable(exc) from None
        return conn

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailable("the catalogue store was closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._close_orphans()
                self._connections.append((weakref.ref(threading.current_thread()), conn))
        return conn

    def _close_orphans(self) -> None:
        """Close the connections of threads that have ended."""
        alive = []
        for thread, conn in self._connections:
            if thread() is None or not thread().is_alive():
                conn.close()
            else:
                alive.append((thread, conn))
        self._connections = alive

    def _unavailable(self, exc: sqlite3.Error) -> StoreUnavailable:
        text = str(exc)
        if "locked" in text or "busy" in text:
            message = (f"the catalogue {self.path} is busy: another writer held it for more than "
                       f"{self.busy_timeout:g} s; nothing was written, try again")
        elif "readonly" in text or "read-only" in text:
            message = f"the catalogue {self.path} is read-only here: it cannot be changed ({text})"
        elif "not a database" in text or "malformed" in text or "corrupt" in text:
            message = (f"the catalogue file {self.path} is damaged or not an SQLite database ({text}); "
                       "restore it from a backup or point the store URL elsewhere")
        elif "unable to open" in text:
            message = f"cannot open the catalogue file {self.path} ({text}): check the path and its permissions"
        else:
            message = f"the catalogue {self.path} failed: {text}"
        return StoreUnavailable(message)

    @contextmanager
    def atomic(self):
        """One write transaction around every store call this thread makes inside it
        (theirs become savepoints of it): all of them are kept, or none. The service
        writes a request and its idempotency key's answer so (issue 18)."""
        if getattr(self._local, "atomic", False):
            yield
            return
        with self._transaction(write=True):
            self._local.atomic = True
            try:
                yield
            finally:
                self._local.atomic = False

    @contextmanager
    def _transaction(self, write: bool = False):
        """One transaction on this thread's connection; errors become ``StoreUnavailable``.
        Inside :meth:`atomic`, a savepoint of its transaction."""
        if write and self.read_only:
            raise StoreUnavailable(f"the catalogue {self.path} was opened read-only (?mode=ro): it cannot be changed")
        conn = self._connection()
        if getattr(self._local, "atomic", False):
            conn.execute("SAVEPOINT nested")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK TO nested")
                conn.execute("RELEASE nested")
                raise
            conn.execute("RELEASE nested")
            return
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise self._unavailable(exc) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if isinstance(exc, (sqlite3.OperationalError, sqlite3.DatabaseError)) and not isinstance(
                    exc, sqlite3.IntegrityError):
                raise self._unavailable(exc) from None
            raise

    def _initialise(self) -> None:
        """Check the file is a beamhub catalogue this version can read; create the
        schema in a new (empty) file."""
        conn = self._connection()
        try:
            writable = not self.read_only
            if writable:
                conn.execute("PRAGMA journal_mode = WAL")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    if "readonly" not in str(exc):
                        raise
                    writable = False  # a read-only file: reads work, writes will say why not
            if not writable:
                conn.execute("BEGIN")
            try:
                self._check_schema(conn, create=writable)
                conn.execute("COMMIT")
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            self.close()
            raise self._unavailable(exc) from None
        except Exception:
            self.close()
            raise

    def _check_schema(self, conn, create: bool) -> None:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id == 0 and version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]:
                raise StoreUnavailable(f"{self.path} is an SQLite database but not a beamhub catalogue")
            if not create:
                raise StoreUnavailable(f"{self.path} is not a beamhub catalogue yet, and it cannot be written here")
            create_schema(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif application_id != APPLICATION_ID:
            raise StoreUnavailable(f"{self.path} is an SQLite database but not a beamhub catalogue")
        elif version > SCHEMA_VERSION:
            raise StoreUnavailable(f"the catalogue {self.path} was written by a newer beamhub "
                                   f"(schema {version}; this one knows {SCHEMA_VERSION}): upgrade beamhub")
        elif version in MIGRATIONS and not create:
            raise StoreUnavailable(f"the catalogue {self.path} has schema {version} (now {SCHEMA_VERSION}): "
                                   "open it once where it can be written to upgrade it")
        elif version in MIGRATIONS:
            migrate(conn, version)
        elif version < SCHEMA_VERSION:
            raise StoreUnavailable(f"the catalogue {self.path} was written by a development version of beamhub "
                                   f"(schema {version}, now {SCHEMA_VERSION}): ingest the data into a new file")

    # -- lifecycle --------------------------------------------------------------------
    def keep_columns_warm(self, interval: float = 1.0, snapshot_dir: str | None = None):
        """Load the search columns ahead of searches in a background thread, and reload
        those that changed every ``interval`` seconds (``sqlite.columns.ColumnWarmer``):
        for a long-running process (the catalogue service), so no user's first search
        waits for a column to load. Returns the warmer (its ``warmed`` event is set once
        the start-up loading is done); None without columns. ``snapshot_dir`` is not
        used: the columns are read from the catalogue file itself."""
        if self.columns is None:
            return None
        if self._warmer is None:
            self._warmer = ColumnWarmer(self.columns, self._transaction, interval, prepare=self._prepare).start()
        return self._warmer

    def _prepare(self, conn) -> None:
        """Read what every search reads first: the cells and the proposal titles; and
        build pint's unit registry, which the first condition with a unit would wait for
        (1-3 s at a service start)."""
        self.cells.snapshot(conn)
        self.titles.current(conn)
        units.prepare()

    def close(self) -> None:
        """Stop the warmer, then close every connection. The warmer's statement running
        is interrupted and its thread waited for (up to :data:`WARMER_STOP_SECONDS`):
        closing a connection while another thread reads through it crashed the process
        (a segmentation fault, found closing a store while its warmer loaded columns);
        if it has not stopped by then, its connection is left to close with the thread."""
        busy = None
        if self._warmer is not None:
            busy = self._warmer.stop_and_wait(self._interrupt_thread, WARMER_STOP_SECONDS)
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for thread, conn in self._connections:
                if busy is not None and thread() is busy:
                    continue
                try:
                    if not self.read_only:
                        conn.execute("PRAGMA optimize")
                except sqlite3.Error:
                    pass
                conn.close()
            self._connections = []

    def _interrupt_thread(self, thread: threading.Thread) -> None:
        """Abort the statement ``thread`` runs on its connection (sqlite3 allows it from
        another thread)."""
        with self._lock:
            for owner, conn in self._connections:
                if owner() is thread:
                    conn.interrupt()

    def ping(self) -> None:
        with self._transaction() as conn:
            conn.execute("SELECT count(*) FROM cells").fetchone()

    # -- datasets and proposals: writes ------------------------------------------------
    @staticmethod
    def _require_operator(identity: Identity, what: str) -> None:
        if not identity.operator:
            raise PermissionDenied(f"only operators may {what}")

    def upsert_datasets(self, identity: Identity, datasets: Iterable[Dataset | dict]) -> UpsertSummary:
        self._require_operator(identity, "write datasets")
        if isinstance(datasets, (dict, Dataset)):
            datasets = [datasets]
        items = iter(datasets)
        totals = [0, 0, 0]
        with self._transaction(write=True) as conn:
            writer = DatasetWriter(conn, _now().isoformat())
            while batch := list(islice(items, BATCH)):
                done = writer.upsert([_dataset(item) for item in batch])
                totals = [a + b for a, b in zip(totals, done)]
            writer.finish_bulk()
        return UpsertSummary(*totals)

    def delete_datasets(self, identity: Identity, pids: Iterable[str]) -> int:
        self._require_operator(identity, "delete datasets")
        pids = list(dict.fromkeys(check_pid(p) for p in pids))
        with self._transaction(write=True) as conn:
            return DatasetWriter(conn, _now().isoformat()).delete(pids)

    def upsert_proposals(self, identity: Identity, proposals: Iterable[Proposal | dict]) -> UpsertSummary:
        self._require_operator(identity, "write proposals")
        parsed = {}
        for item in proposals:
            proposal = item if isinstance(item, Proposal) else Proposal.parse(item)
            parsed[proposal.proposalId] = proposal
        inserted = updated = unchanged = 0
        with self._transaction(write=True) as conn:
            for proposal in parsed.values():
                doc = proposal.model_dump_json()
                row = conn.execute("SELECT doc FROM proposals WHERE proposal_id = ?", (proposal.proposalId,)).fetchone()
                if row and row[0] == doc:
                    unchanged += 1
                    continue
                inserted, updated = inserted + (not row), updated + bool(row)
                conn.execute("INSERT OR REPLACE INTO proposals (proposal_id, beamline, doc) VALUES (?, ?, ?)",
                             (proposal.proposalId, proposal.beamline, doc))
                conn.execute("DELETE FROM proposal_groups WHERE proposal_id = ?", (proposal.proposalId,))
                conn.executemany("INSERT OR IGNORE INTO proposal_groups (grp, proposal_id) VALUES (?, ?)",
                                 [(g, proposal.proposalId) for g in {proposal.ownerGroup, *proposal.accessGroups}])
            if inserted or updated:  # searches' title words follow (``sqlite.titles``)
                proposals_changed(conn)
        return UpsertSummary(inserted, updated, unchanged)

    # -- datasets and proposals: reads -------------------------------------------------
    def search(self, identity: Identity, query: SearchQuery) -> SearchResult:
        if not isinstance(query, SearchQuery):
            query = SearchQuery.parse(query)
        with self._transaction() as conn:
            return sqlite_search.search(conn, self.cells, identity, query, self.columns, self.titles)

    def get_dataset(self, identity: Identity, pid: str) -> Dataset:
        pid = check_pid(pid)
        with self._transaction() as conn:
            found = sqlite_search.visible_ids(conn, identity, [pid])
            if not found:
                raise NotFound(f"no dataset {pid}")
            return sqlite_search.fetch_datasets(conn, [found[pid]], identity.user)[found[pid]]

    def get_datasets(self, identity: Identity, pids: Sequence[str]) -> list[Dataset]:
        pids = list(dict.fromkeys(check_pid(p) for p in pids))
        with self._transaction() as conn:
            found = sqlite_search.visible_ids(conn, identity, pids)
            datasets = sqlite_search.fetch_datasets(conn, list(found.values()), identity.user)
        return [datasets[found[p]] for p in pids if p in found]

    def derived_from(self, identity: Identity, pid: str) -> list[Dataset]:
        pid = check_pid(pid)
        where, params = sqlite_search.visibility_clause(identity)
        with self._transaction() as conn:
            ids = [r[0] for r in conn.execute(
                f"SELECT d.id FROM inputs AS i CROSS JOIN datasets AS d ON d.id = i.id WHERE i.input = ? AND {where} "
                "ORDER BY d.ctime, d.pid", [pid] + params)]
            datasets = sqlite_search.fetch_datasets(conn, ids, identity.user)
        return [datasets[i] for i in ids]

    _proposal_filter = staticmethod(sqlite_search.proposal_clause)

    def list_proposals(self, identity: Identity) -> list[Proposal]:
        where, params = self._proposal_filter(identity)
        with self._transaction() as conn:
            rows = conn.execute(f"SELECT doc FROM proposals WHERE {where} ORDER BY proposal_id", params).fetchall()
        return [Proposal.model_validate_json(r[0]) for r in rows]

    def get_proposal(self, identity: Identity, proposal_id: str) -> Proposal:
        check_name(proposal_id, "proposal id")
        where, params = self._proposal_filter(identity)
        with self._transaction() as conn:
            row = conn.execute(f"SELECT doc FROM proposals WHERE proposal_id = ? AND {where}",
                               [proposal_id] + params).fetchone()
        if not row:
            raise NotFound(f"no proposal {proposal_id}")
        return Proposal.model_validate_json(row[0])

    def stats(self, identity: Identity) -> dict[str, Any]:
        where, params = self._proposal_filter(identity)
        with self._transaction() as conn:
            if identity.operator:
                cells = "1"
                cell_params: list = []
            else:
                cells = f"signature IN (SELECT signature FROM signature_keys WHERE key {KEYS_IN})"
                cell_params = [sqlite_search.visible_keys(identity)]
            rows = conn.execute(f"SELECT beamline, sum(n), sum(size), sum(votes) FROM cells WHERE {cells} "
                                "GROUP BY beamline ORDER BY sum(n) DESC, beamline", cell_params).fetchall()
            proposals = conn.execute(f"SELECT count(*) FROM proposals WHERE {where}", params).fetchone()[0]
            if identity.operator:
                selections = conn.execute("SELECT count(*) FROM selections").fetchone()[0]
            else:
                selections = conn.execute("SELECT count(*) FROM selections WHERE owner = ?",
                                          (identity.user,)).fetchone()[0]
        return {
            "datasets": sum(r[1] for r in rows),
            "proposals": proposals,
            "votes": sum(r[3] for r in rows),
            "selections": selections,
            "size": sum(r[2] for r in rows),
            "by_beamline": {r[0]: r[1] for r in rows if r[1]},
        }

    # -- votes ----------------------------------------------------------------------------
    def set_vote(self, identity: Identity, pid: str, value: str | None, comment: str = "") -> VoteState:
        check_vote(value)
        if not isinstance(comment, str) or len(comment) > 2000:
            raise InvalidInput("a vote's comment is text of at most 2000 characters")
        pid = check_pid(pid)
        now = _now().isoformat()
        with self._transaction(write=True) as conn:
            found = sqlite_search.visible_ids(conn, identity, [pid])
            if not found:
                raise NotFound(f"no dataset {pid}")
            dataset_id = found[pid]
            row = conn.execute("SELECT value FROM votes WHERE dataset = ? AND user = ?",
                               (dataset_id, identity.user)).fetchone()
            before = row[0] if row else None
            if value is None:
                conn.execute("DELETE FROM votes WHERE dataset = ? AND user = ?", (dataset_id, identity.user))
            else:
                conn.execute(
                    "INSERT INTO votes (dataset, user, value, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (dataset, user) DO UPDATE SET value = excluded.value, comment = excluded.comment, "
                    "updated_at = excluded.updated_at", (dataset_id, identity.user, value, comment, now, now))
            likes = (value == "like") - (before == "like")
            dislikes = (value == "dislike") - (before == "dislike")
            if likes or dislikes:
                conn.execute("UPDATE datasets SET likes = likes + ?, dislikes = dislikes + ? WHERE id = ?",
                             (likes, dislikes, dataset_id))
                conn.execute("UPDATE cells SET votes = votes + ? WHERE id = (SELECT cell FROM datasets WHERE id = ?)",
                             (likes + dislikes, dataset_id))
            counts = conn.execute("SELECT likes, dislikes FROM datasets WHERE id = ?", (dataset_id,)).fetchone()
        return VoteState(pid=pid, likes=counts[0], dislikes=counts[1], myVote=value,
                         myComment=comment if value is not None else "")

    def my_votes(self, identity: Identity, limit: int = 1000) -> list[Vote]:
        where, params = sqlite_search.visibility_clause(identity)
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT d.pid, v.user, v.value, v.comment, v.created_at, v.updated_at "
                f"FROM votes AS v INDEXED BY votes_by_user_time CROSS JOIN datasets AS d ON d.id = v.dataset "
                f"WHERE v.user = ? AND {where} ORDER BY v.updated_at DESC, d.pid DESC LIMIT ?",
                [identity.user] + params + [max(0, int(limit))]).fetchall()
        return [_vote(r) for r in rows]

    def votes_for_dataset(self, identity: Identity, pid: str) -> list[Vote]:
        pid = check_pid(pid)
        with self._transaction() as conn:
            found = sqlite_search.visible_ids(conn, identity, [pid])
            if not found:
                raise NotFound(f"no dataset {pid}")
            beamline = conn.execute("SELECT c.beamline FROM datasets AS d JOIN cells AS c ON c.id = d.cell "
                                    "WHERE d.id = ?", (found[pid],)).fetchone()[0]
            if not identity.keeps(beamline):
                raise PermissionDenied(f"only staff of {beamline} see every vote on {pid}")
            rows = conn.execute("SELECT ?, user, value, comment, created_at, updated_at FROM votes "
                                "WHERE dataset = ? ORDER BY user", (pid, found[pid])).fetchall()
        return [_vote(r) for r in rows]

    # -- selections -------------------------------------------------------------------
    def create_selection(self, identity: Identity, name: str, datasets: Sequence[str] = (),
                         processing: str = "", parameters: dict[str, Any] | None = None,
                         selection_id: str | None = None) -> Selection:
        with self._transaction(write=True) as conn:
            return sqlite_selections.create(conn, identity, name, list(datasets), processing, parameters, _now(),
                                            selection_id)

    def get_selection(self, identity: Identity, selection_id: str) -> Selection:
        with self._transaction() as conn:
            return sqlite_selections.load(conn, identity, selection_id, operators=True)

    def list_selections(self, identity: Identity) -> list[Selection]:
        with self._transaction() as conn:
            return sqlite_selections.listed(conn, identity)

    def update_selection(self, identity: Identity, selection_id: str, changes: SelectionChanges) -> Selection:
        with self._transaction(write=True) as conn:
            return sqlite_selections.update(conn, identity, selection_id, changes, _now())

    def delete_selection(self, identity: Identity, selection_id: str) -> None:
        with self._transaction(write=True) as conn:
            sqlite_selections.delete(conn, identity, selection_id)

    def change_selection_status(self, identity: Identity, selection_id: str, change: StatusChange) -> Selection:
        with self._transaction(write=True) as conn:
            return sqlite_selections.change_status(conn, identity, selection_id, change, _now())


def _dataset(item) -> Dataset:
    if isinstance(item, Dataset):
        return item
    if isinstance(item, dict):
        return Dataset.parse(item)
    raise InvalidInput(f"a dataset is a JSON object, not {type(item).__name__}")


def _vote(row) -> Vote:
    pid, user, value, comment, created, updated = row
    return Vote(pid=pid, user=user, value=value, comment=comment,
                createdAt=datetime.fromisoformat(created), updatedAt=datetime.fromisoformat(updated))
