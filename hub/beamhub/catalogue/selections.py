"""The rules of fog-filter selections, shared by every store.

Pure functions from a selection and a requested change to the new selection (or an
error); stores only load, check visibility and write. Keeping the rules here is what
makes both backends refuse and record exactly the same things.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .errors import Conflict, IllegalTransition, InvalidInput, LimitExceeded
from .identity import Identity
from .model import MAX_SELECTION, SELECTION_TRANSITIONS, Selection, check_pid, new_selection_id
from .store import SelectionChanges, StatusChange

ACTIVE = ("submitted", "running")
"""Statuses in which a job may still be working on the selection."""


def checked_pids(pids: Sequence[str], what: str = "datasets") -> list[str]:
    """Distinct well-formed pids in order; ``InvalidInput`` otherwise."""
    if isinstance(pids, str) or not isinstance(pids, (list, tuple)):
        raise InvalidInput(f"{what} must be a list of pids")
    if len(pids) > MAX_SELECTION:
        raise LimitExceeded(f"at most {MAX_SELECTION} {what} in a selection (got {len(pids)})")
    return list(dict.fromkeys(check_pid(p) for p in pids))


def new_selection(owner: str, name: str, datasets: Sequence[str], processing: str,
                  parameters: dict | None, now: datetime, selection_id: str | None = None) -> Selection:
    """A new draft (the store checks that the owner sees its datasets before writing it),
    with a new id unless the caller chose one (see ``Store.create_selection``)."""
    return Selection.parse({
        "id": selection_id or new_selection_id(), "owner": owner, "name": name, "datasets": checked_pids(datasets),
        "processing": processing, "parameters": parameters or {}, "createdAt": now, "updatedAt": now,
    })


def may_open(identity: Identity, owner: str, *, operators: bool) -> bool:
    """Whether the identity may open a selection: its owner, or an operator where
    ``operators`` (reading it and moving its status, as the jobs do; never editing it)."""
    return owner == identity.user or (operators and identity.operator)


def not_visible(missing: Sequence[str], user: str) -> InvalidInput:
    """The error for pids that do not exist or that ``user`` may not see."""
    shown = ", ".join(missing[:10]) + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else "")
    return InvalidInput(f"no such dataset, or not visible to {user}: {shown}", details={"pids": list(missing)})


def new_pids(selection: Selection, changes: SelectionChanges) -> list[str]:
    """The pids an edit adds that the selection does not hold yet (their visibility
    must be checked by the store before :func:`edited` is applied)."""
    return [p for p in checked_pids(list(changes.add), "added datasets") if p not in selection.datasets]


def edited(selection: Selection, changes: SelectionChanges, now: datetime) -> Selection:
    """The selection after an edit; ``Conflict`` unless it is a draft at the expected version."""
    if selection.status != "draft":
        raise Conflict(f"selection {selection.id} is {selection.status}: only drafts can be edited")
    if changes.expected_version is not None and changes.expected_version != selection.version:
        raise Conflict(f"selection {selection.id} changed meanwhile (version {selection.version}, "
                       f"not {changes.expected_version}): reload it and try again")
    added = checked_pids(list(changes.add), "added datasets")
    removed = set(checked_pids(list(changes.remove), "removed datasets"))
    pids = [p for p in dict.fromkeys([*selection.datasets, *added]) if p not in removed]
    if len(pids) > MAX_SELECTION:
        raise LimitExceeded(f"at most {MAX_SELECTION} datasets in a selection (would be {len(pids)})")
    fields: dict = {"datasets": pids}
    for field in ("name", "processing", "parameters"):
        value = getattr(changes, field)
        if value is not None:
            fields[field] = value
    return _next_version(selection, fields, now)


def status_changed(selection: Selection, change: StatusChange, now: datetime) -> Selection:
    """The selection after a status change; ``IllegalTransition`` if the move is not allowed."""
    if change.status not in SELECTION_TRANSITIONS:
        raise InvalidInput(f"unknown selection status {change.status!r}")
    if change.status not in SELECTION_TRANSITIONS[selection.status]:
        raise IllegalTransition(f"selection {selection.id} cannot go from {selection.status} to {change.status}")
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
        fields["submittedAt"] = now
    if change.status in ("done", "failed"):
        fields["finishedAt"] = now
    return _next_version(selection, fields, now)


def check_deletable(selection: Selection) -> None:
    """``Conflict`` while a job may still be working on the selection."""
    if selection.status in ACTIVE:
        raise Conflict(f"selection {selection.id} is {selection.status}: it can be deleted once done or failed")


def _next_version(selection: Selection, fields: dict, now: datetime) -> Selection:
    doc = selection.model_dump(mode="python")
    doc.update(fields, version=selection.version + 1, updatedAt=now)
    return Selection.parse(doc)
