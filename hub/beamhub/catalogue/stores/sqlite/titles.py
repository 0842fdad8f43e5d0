"""The SQLite store's proposal titles held in memory, for matching query words against
them (``text``'s "Proposal titles").

Reading and matching the titles of every proposal the caller may see at each search cost
staff of a beamline at a million datasets (a thousand proposals) 5-7 ms per text search.
A store instead keeps one :class:`~beamhub.catalogue.text.TitleIndex` of all proposals'
title words, with each proposal's beamline and groups (what ``list_proposals`` decides
visibility by), so a search looks up its few words and keeps the proposals the caller
sees.

The copy is keyed by ``counters.proposals``, which every write transaction that
inserts or changes a proposal increments (``SQLiteStore.upsert_proposals``, the only
writer of ``proposals``), read in the searching transaction: a search never uses titles
older or newer than what its own transaction sees, whichever process wrote them. A file
whose proposals were never written since the counter existed has none (read as 0).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ...identity import Identity
from ...text import TextQuery, TitleIndex

COUNTER = "proposals"


def bump(conn) -> None:
    """Mark the proposals changed (the caller holds the write transaction that changed them)."""
    conn.execute("INSERT INTO counters (name, value) VALUES (?, 1) "
                 "ON CONFLICT (name) DO UPDATE SET value = value + 1", (COUNTER,))


def version(conn) -> int:
    row = conn.execute("SELECT value FROM counters WHERE name = ?", (COUNTER,)).fetchone()
    return row[0] if row else 0


@dataclass(frozen=True)
class _Titles:
    version: int
    index: TitleIndex
    beamlines: dict[str, str | None]
    groups: dict[str, frozenset[str]]

    def visible(self, identity: Identity):
        """Whether ``list_proposals`` shows a proposal to ``identity`` (as
        ``search.proposal_clause``: one of its groups, or staff of its beamline)."""
        if identity.operator:
            return None
        groups, staff_of = identity.groups, identity.staff_of
        return lambda p: self.beamlines.get(p) in staff_of or not self.groups.get(p, frozenset()).isdisjoint(groups)


class ProposalTitles:
    """One store's proposal titles, shared by its threads; rebuilt when a search's
    transaction sees another ``counters.proposals`` than the copy held."""

    def __init__(self):
        self._lock = threading.Lock()
        self._held: _Titles | None = None
        self.builds = 0
        """Copies read from the database (a test checks they follow writes, not searches)."""

    def titled(self, conn, text: TextQuery, identity: Identity) -> dict[str, tuple[str, ...]]:
        """``{query word: ids of the caller's proposals whose title holds it}``
        (``text.titled_proposals``), as the connection's transaction sees them."""
        if text.empty or text.unmatchable:
            return {}
        titles = self.current(conn)
        return titles.index.titled(text, titles.visible(identity))

    def current(self, conn) -> _Titles:
        """The titles as the connection's transaction sees them (read if need be)."""
        now = version(conn)
        held = self._held
        if held is not None and held.version == now:
            return held
        with self._lock:  # one thread reads them; the others wanting the same version wait
            held = self._held
            if held is not None and held.version == now:
                return held
            beamlines, titles = {}, []
            for proposal_id, beamline, title in conn.execute(
                    "SELECT proposal_id, beamline, json_extract(doc, '$.title') FROM proposals"):
                beamlines[proposal_id] = beamline
                titles.append((proposal_id, title or ""))
            groups: dict[str, set[str]] = {}
            for group, proposal_id in conn.execute("SELECT grp, proposal_id FROM proposal_groups"):
                groups.setdefault(proposal_id, set()).add(group)
            found = _Titles(now, TitleIndex(titles), beamlines, {p: frozenset(g) for p, g in groups.items()})
            self.builds += 1
            # a transaction older than the copy held does not replace it (its searches build their own)
            if self._held is None or self._held.version < now:
                self._held = found
            return found
