"""Selections (the fog filter) in the MongoDB store: ``beamhub_selections``, ``_id`` = id.

Every change is a compare-and-set on ``{_id, version, status}``, which the server applies
atomically (MongoDB and DocumentDB alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from ...errors import Conflict, NotFound
from ...identity import Identity
from ...model import Selection
from ...selections import check_deletable, edited, may_open, new_pids, new_selection, not_visible, status_changed
from ...store import SelectionChanges, StatusChange
from .documents import VISIBILITY_FIELDS, truncate_to_millis
from .support import guarded, now

class SelectionMethods:
    """The selection methods of :class:`~beamhub.catalogue.stores.mongo.store.MongoStore`."""

    def _own_selection(self, identity: Identity, selection_id: str, *, operators: bool) -> dict:
        doc = self.selections.find_one({"_id": selection_id}) if isinstance(selection_id, str) else None
        if doc is None or not may_open(identity, doc.get("owner"), operators=operators):
            raise NotFound(f"no selection {selection_id}")
        return doc

    def _check_visible(self, identity: Identity, pids: Sequence[str]) -> None:
        found = self._by_ids(self.datasets, pids, VISIBILITY_FIELDS)
        hidden = [pid for pid in pids if pid not in found or not identity.can_see(found[pid])]
        if hidden:
            raise not_visible(hidden, identity.user)

    @guarded
    def create_selection(self, identity: Identity, name: str, datasets: Sequence[str] = (),
                         processing: str = "", parameters: dict[str, Any] | None = None,
                         selection_id: str | None = None) -> Selection:
        selection = new_selection(identity.user, name, datasets, processing, parameters, now(), selection_id)
        self._check_visible(identity, selection.datasets)
        try:
            self.selections.insert_one(_selection_document(selection))
        except DuplicateKeyError:
            if selection_id is None:
                raise
            return _selection(self._own_selection(identity, selection_id, operators=False))  # made before
        return selection

    @guarded
    def get_selection(self, identity: Identity, selection_id: str) -> Selection:
        return _selection(self._own_selection(identity, selection_id, operators=True))

    @guarded
    def list_selections(self, identity: Identity) -> list[Selection]:
        wanted = {} if identity.operator else {"owner": identity.user}
        return [_selection(doc) for doc in self.selections.find(wanted).sort([("createdAt", -1), ("_id", -1)])]

    @guarded
    def update_selection(self, identity: Identity, selection_id: str, changes: SelectionChanges) -> Selection:
        return self._change(identity, selection_id, lambda current: self._edited(identity, current, changes),
                            operators=False)

    def _edited(self, identity: Identity, current: Selection, changes: SelectionChanges) -> Selection:
        updated = edited(current, changes, now())
        self._check_visible(identity, new_pids(current, changes))
        return updated

    def _change(self, identity: Identity, selection_id: str, change, *, operators: bool) -> Selection:
        """Apply ``change(current) -> updated`` as a compare-and-set, retried on a race."""
        for _ in range(10):
            current = _selection(self._own_selection(identity, selection_id, operators=operators))
            updated = change(current)
            if self._replace_selection(current, updated):
                return updated
        raise Conflict(f"selection {selection_id} keeps changing; retry")

    def _replace_selection(self, current: Selection, updated: Selection) -> bool:
        """Write ``updated`` if the stored selection is still ``current`` (version and status)."""
        result = self.selections.replace_one({"_id": current.id, "version": current.version,
                                              "status": current.status}, _selection_document(updated))
        return result.matched_count == 1

    @guarded
    def delete_selection(self, identity: Identity, selection_id: str) -> None:
        doc = self._own_selection(identity, selection_id, operators=False)
        check_deletable(_selection(doc))
        result = self.selections.delete_one({"_id": selection_id, "version": doc["version"]})
        if result.deleted_count != 1:
            raise Conflict(f"selection {selection_id} changed meanwhile; reload it")

    @guarded
    def change_selection_status(self, identity: Identity, selection_id: str, change: StatusChange) -> Selection:
        return self._change(identity, selection_id, lambda current: status_changed(current, change, now()),
                            operators=True)


def _selection_document(selection: Selection) -> dict:
    doc = truncate_to_millis(selection.to_document())
    doc["_id"] = selection.id
    return doc


def _selection(doc: dict) -> Selection:
    return Selection.from_document(doc)
