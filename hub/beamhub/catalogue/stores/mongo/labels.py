"""Votes for the labels export in the MongoDB store (see :mod:`beamhub.labels`).

Votes are read in batches with their datasets' visibility fields and beamline: work
grows with the number of votes (human judgements), never with the datasets."""

from __future__ import annotations

from ...errors import LimitExceeded
from ...identity import Identity
from ...model import Vote
from .documents import VISIBILITY_FIELDS
from .support import batched, guarded

BATCH = 500


class MongoLabelMethods:
    """``export_votes`` of :class:`~beamhub.catalogue.stores.mongo.store.MongoStore`."""

    @guarded
    def export_votes(self, identity: Identity, limit: int = 1_000_000) -> list[Vote]:
        out: list[Vote] = []
        wanted = {} if identity.operator or identity.staff_of else {"user": identity.user}
        cursor = self.votes.find(wanted).sort([("updatedAt", 1), ("pid", 1), ("user", 1)])
        for batch in batched(cursor, BATCH):
            seen = self._by_ids(self.datasets, [v["pid"] for v in batch], VISIBILITY_FIELDS)
            for vote in batch:
                doc = seen.get(vote["pid"])
                if doc is None or not identity.can_see(doc):
                    continue
                if vote["user"] == identity.user or identity.keeps(doc.get("creationLocation")):
                    out.append(Vote.from_document(vote))
                    if len(out) > limit:
                        raise LimitExceeded(f"more than {limit} votes to export")
        return out
