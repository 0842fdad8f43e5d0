"""Beamline templates in the SQLite store (see :mod:`beamhub.templates.model`).

Two tables of their own, created on first write (a catalogue file made before
templates existed needs no migration): ``templates``, one row per version with the
version's JSON, and ``template_opens``, how often each user opened each template.
A publish is one ``BEGIN IMMEDIATE`` transaction: the next version number is read and
written under the write lock, so two publishers never get the same number.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from beamhub.templates.model import (TemplateDraft, TemplateVersion, check_history_reader, check_publisher,
                                     check_template_reader, latest, listed, new_version, readable,
                                     visible_beamlines)

from ...errors import NotFound
from ...identity import Identity

TABLES = (
    "CREATE TABLE IF NOT EXISTS templates (beamline TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, "
    "retired INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (beamline, name, version)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS template_opens (beamline TEXT NOT NULL, name TEXT NOT NULL, user TEXT NOT NULL, "
    "opens INTEGER NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY (beamline, name, user)) WITHOUT ROWID",
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _exists(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'templates'").fetchone() is not None


def _ensure(conn) -> None:
    for statement in TABLES:
        conn.execute(statement)


class SQLiteTemplateMethods:
    """The template methods of :class:`~beamhub.catalogue.stores.sqlite.store.SQLiteStore`."""

    def _offered(self, identity: Identity) -> frozenset[str] | None:
        return visible_beamlines(identity, (p.beamline for p in self.list_proposals(identity)))

    def publish_template(self, identity: Identity, draft: TemplateDraft) -> TemplateVersion:
        check_publisher(identity, draft.beamline)
        with self._transaction(write=True) as conn:
            _ensure(conn)
            last = conn.execute("SELECT max(version) FROM templates WHERE beamline = ? AND name = ?",
                                (draft.beamline, draft.name)).fetchone()[0] or 0
            version = new_version(draft, last + 1, identity.user, _now())
            conn.execute("INSERT INTO templates (beamline, name, version, retired, doc) VALUES (?, ?, ?, ?, ?)",
                         (version.beamline, version.name, version.version, int(version.retired),
                          version.model_dump_json()))
        return version

    def list_templates(self, identity: Identity, include_retired: bool = False) -> list[TemplateVersion]:
        offered = self._offered(identity)
        with self._transaction() as conn:
            if not _exists(conn):
                return []
            rows = conn.execute(
                "SELECT t.doc FROM templates AS t JOIN (SELECT beamline, name, max(version) AS v FROM templates "
                "GROUP BY beamline, name) AS m ON m.beamline = t.beamline AND m.name = t.name AND m.v = t.version "
                "ORDER BY t.beamline, t.name").fetchall()
        versions = [TemplateVersion.model_validate_json(r[0]).listing() for r in rows]
        return [v for v in latest(versions, include_retired=True)
                if (offered is None or v.beamline in offered)
                and listed(identity, v, include_retired)]

    def template_history(self, identity: Identity, beamline: str, name: str) -> list[TemplateVersion]:
        check_history_reader(identity, beamline)
        with self._transaction() as conn:
            rows = conn.execute("SELECT doc FROM templates WHERE beamline = ? AND name = ? ORDER BY version DESC",
                                (beamline, name)).fetchall() if _exists(conn) else []
        if not rows:
            raise NotFound(f"no template {beamline}/{name}")
        return [TemplateVersion.model_validate_json(r[0]).listing() for r in rows]

    def get_template(self, identity: Identity, beamline: str, name: str,
                     version: int | None = None) -> TemplateVersion:
        missing = check_template_reader(identity, self._offered(identity), beamline, name, version)
        with self._transaction() as conn:
            if not _exists(conn):
                raise missing
            if version is None:
                row = conn.execute("SELECT doc FROM templates WHERE beamline = ? AND name = ? "
                                   "ORDER BY version DESC LIMIT 1", (beamline, name)).fetchone()
            else:
                row = conn.execute("SELECT doc FROM templates WHERE beamline = ? AND name = ? AND version = ?",
                                   (beamline, name, version)).fetchone()
        if row is None:
            raise missing
        found = TemplateVersion.model_validate_json(row[0])
        if not readable(identity, found, version):
            raise missing
        return found

    def record_template_open(self, identity: Identity, beamline: str, name: str) -> None:
        self.get_template(identity, beamline, name)  # NotFound unless offered to the caller
        now = _now().isoformat()
        with self._transaction(write=True) as conn:
            _ensure(conn)
            conn.execute("INSERT INTO template_opens (beamline, name, user, opens, last_at) VALUES (?, ?, ?, 1, ?) "
                         "ON CONFLICT (beamline, name, user) DO UPDATE SET opens = opens + 1, last_at = excluded.last_at",
                         (beamline, name, identity.user, now))

    def template_opens(self, identity: Identity, beamline: str) -> dict[str, int]:
        check_history_reader(identity, beamline)
        with self._transaction() as conn:
            try:
                rows = conn.execute("SELECT name, sum(opens) FROM template_opens WHERE beamline = ? GROUP BY name "
                                    "ORDER BY name", (beamline,)).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
                rows = []
        return {name: int(count) for name, count in rows}
