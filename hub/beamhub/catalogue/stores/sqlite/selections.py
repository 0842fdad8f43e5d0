"""Fog-filter selections in the SQLite store: one JSON document per selection.

Each function runs inside the caller's transaction (a write transaction for changes,
so the version check and the write are one atomic step).
"""

from __future__ import annotations

from datetime import datetime

from ...errors import NotFound
from ...identity import Identity
from ...model import Selection, new_selection_id
from ...selections import check_deletable, edited, may_open, new_pids, new_selection, not_visible, status_changed
from ...store import SelectionChanges, StatusChange
from .search import visible_ids

SELECTION_ID_LENGTH = len(new_selection_id())


def require_visible(conn, identity: Identity, pids: list[str]) -> None:
    """``InvalidInput`` naming the pids the identity cannot see (or that do not exist)."""
    if not pids:
        return
    seen = visible_ids(conn, identity, pids)
    missing = [p for p in pids if p not in seen]
    if missing:
        raise not_visible(missing, identity.user)


def create(conn, identity: Identity, name: str, datasets, processing: str, parameters, now: datetime,
           selection_id: str | None = None) -> Selection:
    selection = new_selection(identity.user, name, datasets, processing, parameters, now, selection_id)
    if selection_id is not None and conn.execute("SELECT 1 FROM selections WHERE id = ?", (selection_id,)).fetchone():
        return load(conn, identity, selection_id, operators=False)  # made before: not again
    require_visible(conn, identity, selection.datasets)
    conn.execute("INSERT INTO selections (id, owner, created_at, doc) VALUES (?, ?, ?, ?)",
                 (selection.id, selection.owner, now.isoformat(), selection.model_dump_json()))
    return selection


def load(conn, identity: Identity, selection_id: str, *, operators: bool) -> Selection:
    """The selection if the identity may open it (:func:`~..selections.may_open`)."""
    if not isinstance(selection_id, str) or len(selection_id) != SELECTION_ID_LENGTH:
        raise NotFound(f"no selection {selection_id!r}")
    row = conn.execute("SELECT owner, doc FROM selections WHERE id = ?", (selection_id,)).fetchone()
    if not row or not may_open(identity, row[0], operators=operators):
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
