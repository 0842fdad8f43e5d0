"""Votes for the labels export in the SQLite store (see :mod:`beamhub.labels`)."""

from __future__ import annotations

import json
from datetime import datetime

from ...errors import LimitExceeded
from ...identity import Identity
from ...model import Vote
from .search import visibility_clause


class SQLiteLabelMethods:
    """``export_votes`` of :class:`~beamhub.catalogue.stores.sqlite.store.SQLiteStore`."""

    def export_votes(self, identity: Identity, limit: int = 1_000_000) -> list[Vote]:
        where, params = visibility_clause(identity)
        scope, scope_params = "1", []
        if not identity.operator:
            scope = f"(v.user = ? OR c.beamline IN (SELECT value FROM json_each(?)))"
            scope_params = [identity.user, json.dumps(sorted(identity.staff_of))]
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT d.pid, v.user, v.value, v.comment, v.created_at, v.updated_at FROM votes AS v "
                "JOIN datasets AS d ON d.id = v.dataset JOIN cells AS c ON c.id = d.cell "
                f"WHERE {scope} AND {where} ORDER BY v.updated_at, d.pid, v.user LIMIT ?",
                scope_params + params + [limit + 1]).fetchall()
        if len(rows) > limit:
            raise LimitExceeded(f"more than {limit} votes to export")
        return [Vote(pid=p, user=u, value=v, comment=c, createdAt=datetime.fromisoformat(a),
                     updatedAt=datetime.fromisoformat(b)) for p, u, v, c, a, b in rows]
