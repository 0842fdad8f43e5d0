"""Fog-filter selections in the SQLite store: one JSON document per selection.

Each function runs inside the caller's transaction (a write transaction for changes,
so the version check and the write are one atomic step).
"""

from __future__ import annotations

import json
from datetime import datetime

from ..errors import Conflict, IllegalTransition, InvalidInput, LimitExceeded, NotFound
from ..identity import Identity
from ..model import MAX_SELECTION, SELECTION_TRANSITIONS, Selection, check_pid, new_selection_id
from ..store import SelectionChanges, StatusChange
from .sqlite_search import visibility_clause

SELECTION_ID_LENGTH = len(new_selection_id())


def checked_pids(pids, what: str = "datasets") -> list[str]:
    """Distinct well-formed pids in order; ``InvalidInput`` otherwise."""
    if isinstance(pids, str) or not isinstance(pids, (list, tuple)):
        raise InvalidInput(f"{what} must be a list of pids")
    if len(pids) > MAX_SELECTION:
        raise LimitExceeded(f"at most {MAX_SELECTION} {what} in a selection (got {len(pids)})")
    return list(dict.fromkeys(check_pid(p) for p in pids))


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


def _save(conn, selection: Selection, changes: dict, now: datetime) -> Selection:
    doc = selection.model_dump(mode="json")
    doc.update(changes, version=selection.version + 1, updatedAt=now.isoformat())
    updated = Selection.parse(doc)
    conn.execute("UPDATE selections SET doc = ? WHERE id = ?", (updated.model_dump_json(), updated.id))
    return updated


def update(conn, identity: Identity, selection_id: str, changes: SelectionChanges, now: datetime) -> Selection:
    selection = load(conn, identity, selection_id, operators=False)
    if selection.status != "draft":
        raise Conflict(f"selection {selection_id} is {selection.status}: only drafts can be edited")
    if changes.expected_version is not None and changes.expected_version != selection.version:
        raise Conflict(f"selection {selection_id} changed meanwhile (version {selection.version}, "
                       f"not {changes.expected_version}): reload it and try again")
    add = checked_pids(list(changes.add), "added datasets")
    remove = set(checked_pids(list(changes.remove), "removed datasets"))
    require_visible(conn, identity, [p for p in add if p not in selection.datasets])
    pids = [p for p in dict.fromkeys([*selection.datasets, *add]) if p not in remove]
    if len(pids) > MAX_SELECTION:
        raise LimitExceeded(f"at most {MAX_SELECTION} datasets in a selection (would be {len(pids)})")
    fields = {"datasets": pids}
    for field in ("name", "processing", "parameters"):
        value = getattr(changes, field)
        if value is not None:
            fields[field] = value
    return _save(conn, selection, fields, now)


def delete(conn, identity: Identity, selection_id: str) -> None:
    selection = load(conn, identity, selection_id, operators=False)
    if selection.status in ("submitted", "running"):
        raise Conflict(f"selection {selection_id} is {selection.status}: wait until it is done or failed")
    conn.execute("DELETE FROM selections WHERE id = ?", (selection_id,))


def change_status(conn, identity: Identity, selection_id: str, change: StatusChange, now: datetime) -> Selection:
    selection = load(conn, identity, selection_id, operators=True)
    if change.status not in SELECTION_TRANSITIONS:
        raise InvalidInput(f"unknown selection status {change.status!r}")
    if change.status not in SELECTION_TRANSITIONS[selection.status]:
        raise IllegalTransition(f"selection {selection_id} cannot go from {selection.status} to {change.status}")
    fields: dict = {"status": change.status}
    if change.job_id is not None:
        fields["jobId"] = change.job_id
    if change.log_path is not None:
        fields["logPath"] = change.log_path
    if change.message is not None:
        fields["message"] = change.message
    if change.derived_datasets:
        derived = checked_pids(list(change.derived_datasets), "derived datasets")
        fields["derivedDatasets"] = list(dict.fromkeys([*selection.derivedDatasets, *derived]))
    if change.status == "submitted":
        fields["submittedAt"] = now.isoformat()
    if change.status in ("done", "failed"):
        fields["finishedAt"] = now.isoformat()
    return _save(conn, selection, fields, now)
