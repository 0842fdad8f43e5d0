"""Fog-filter selections in the SQLite store: one JSON document per selection.

Each function runs inside the caller's transaction (a write transaction for changes,
so the version check and the write are one atomic step).
"""

from __future__ import annotations

import json
from datetime import datetime

from ..errors import InvalidInput, NotFound
from ..identity import Identity
from ..model import Selection, new_selection_id
from ..selections import check_deletable, checked_pids, edited, new_pids, status_changed
from ..store import SelectionChanges, StatusChange
from .sqlite_search import visibility_clause

SELECTION_ID_LENGTH = len(new_selection_id())


def require_visible(conn, identity: Identity, pids: list[str]) -> None:
    """``InvalidInput`` naming the pids the identity cannot see (or that do not exist)."""
    if not pids:
        return
    where, params = visibility_clause(identity)
    seen = {row[0] for row in conn.execute(
        f"SELECT d.pid FROM datasets AS d WHERE d.pid IN (SELECT value FROM json_each(?)) AND {where}",
        [json.dumps(pids)] + params)}
    missing = [p for p in pids if p not in seen]
    if missing:
        shown = ", ".join(missing[:10]) + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else "")
        raise InvalidInput(f"no such dataset, or not visible to {identity.user}: {shown}", details={"pids": missing})


def create(conn, identity: Identity, name: str, datasets, processing: str, parameters, now: datetime) -> Selection:
    pids = checked_pids(datasets)
    selection = Selection.parse({
        "id": new_selection_id(), "owner": identity.user, "name": name, "datasets": pids,
        "processing": processing, "parameters": parameters or {}, "createdAt": now, "updatedAt": now,
    })
    require_visible(conn, identity, pids)
    conn.execute("INSERT INTO selections (id, owner, created_at, doc) VALUES (?, ?, ?, ?)",
                 (selection.id, selection.owner, now.isoformat(), selection.model_dump_json()))
    return selection


def load(conn, identity: Identity, selection_id: str, *, operators: bool) -> Selection:
    """The selection if the identity owns it (or is an operator and ``operators``)."""
    if not isinstance(selection_id, str) or len(selection_id) != SELECTION_ID_LENGTH:
        raise NotFound(f"no selection {selection_id!r}")
    row = conn.execute("SELECT owner, doc FROM selections WHERE id = ?", (selection_id,)).fetchone()
    if not row or not (row[0] == identity.user or (operators and identity.operator)):
        raise NotFound(f"no selection {selection_id!r}")
    return Selection.model_validate_json(row[1])


def listed(conn, identity: Identity) -> list[Selection]:
    if identity.operator:
        rows = conn.execute("SELECT doc FROM selections ORDER BY created_at DESC, id").fetchall()
    else:
        rows = conn.execute("SELECT doc FROM selections INDEXED BY selections_by_owner WHERE owner = ? "
                            "ORDER BY created_at DESC, id", (identity.user,)).fetchall()
    return [Selection.model_validate_json(r[0]) for r in rows]


def _write(conn, selection: Selection) -> Selection:
    conn.execute("UPDATE selections SET doc = ? WHERE id = ?", (selection.model_dump_json(), selection.id))
    return selection


def update(conn, identity: Identity, selection_id: str, changes: SelectionChanges, now: datetime) -> Selection:
    selection = load(conn, identity, selection_id, operators=False)
    updated = edited(selection, changes, now)
    require_visible(conn, identity, new_pids(selection, changes))
    return _write(conn, updated)


def delete(conn, identity: Identity, selection_id: str) -> None:
    check_deletable(load(conn, identity, selection_id, operators=False))
    conn.execute("DELETE FROM selections WHERE id = ?", (selection_id,))


def change_status(conn, identity: Identity, selection_id: str, change: StatusChange, now: datetime) -> Selection:
    selection = load(conn, identity, selection_id, operators=True)
    return _write(conn, status_changed(selection, change, now))
