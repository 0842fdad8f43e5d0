"""Beamline templates in the MongoDB store (see :mod:`beamhub.templates.model`).

``beamhub_templates`` holds one document per version, ``_id`` = ``beamline/name/version``:
the unique ``_id`` is what keeps version numbers unique without transactions (two
publishers racing for the same number: the second insert fails and it takes the next).
The version is kept as its JSON text in ``doc`` (a notebook's keys may hold '.' or
'$', which documents should not). ``beamhub_template_opens`` gets one small document
per "Open in notebook" of a template: appends are exact on MongoDB and FerretDB alike.
"""

from __future__ import annotations

from collections import Counter

import pymongo
import pymongo.errors

from beamhub.templates.model import (TemplateDraft, TemplateVersion, check_history_reader, check_publisher,
                                     check_template_reader, latest, listed, new_version, readable,
                                     visible_beamlines)

from ...errors import Conflict, NotFound
from ...identity import Identity
from .support import guarded, now

TEMPLATES = "beamhub_templates"
TEMPLATE_OPENS = "beamhub_template_opens"
PUBLISH_ATTEMPTS = 20


def _id(beamline: str, name: str, version: int) -> str:
    return f"{beamline}/{name}/{version:09d}"


def _version(doc: dict) -> TemplateVersion:
    return TemplateVersion.model_validate_json(doc["doc"])


class MongoTemplateMethods:
    """The template methods of :class:`~beamhub.catalogue.stores.mongo.store.MongoStore`."""

    @property
    def _templates(self):
        return self.db[TEMPLATES]

    def _offered(self, identity: Identity) -> frozenset[str] | None:
        return visible_beamlines(identity, (p.beamline for p in self.list_proposals(identity)))

    @guarded
    def publish_template(self, identity: Identity, draft: TemplateDraft) -> TemplateVersion:
        check_publisher(identity, draft.beamline)
        if not getattr(self, "_template_indexes_made", False):
            for collection, models in template_indexes().items():
                self.db[collection].create_indexes(models)
            self._template_indexes_made = True
        for _ in range(PUBLISH_ATTEMPTS):
            last = self._templates.find_one({"beamline": draft.beamline, "name": draft.name},
                                            {"version": 1}, sort=[("version", -1)])
            version = new_version(draft, (last["version"] if last else 0) + 1, identity.user, now())
            try:
                self._templates.insert_one({"_id": _id(version.beamline, version.name, version.version),
                                            "beamline": version.beamline, "name": version.name,
                                            "version": version.version, "retired": version.retired,
                                            "doc": version.model_dump_json()})
                return version
            except pymongo.errors.DuplicateKeyError:
                continue  # another publisher took this number: take the next
        raise Conflict(f"template {draft.beamline}/{draft.name} is being published by others; retry")

    @guarded
    def list_templates(self, identity: Identity, include_retired: bool = False) -> list[TemplateVersion]:
        offered = self._offered(identity)
        wanted = {} if offered is None else {"beamline": {"$in": sorted(offered)}}
        newest: dict[tuple[str, str], dict] = {}
        for doc in self._templates.find(wanted, {"beamline": 1, "name": 1, "version": 1}):
            key = (doc["beamline"], doc["name"])
            if key not in newest or doc["version"] > newest[key]["version"]:
                newest[key] = doc
        docs = {d["_id"]: d for d in self._templates.find({"_id": {"$in": [d["_id"] for d in newest.values()]}})} \
            if newest else {}
        versions = [_version(docs[d["_id"]]).listing() for d in newest.values() if d["_id"] in docs]
        return [v for v in latest(versions, include_retired=True)
                if listed(identity, v, include_retired)]

    @guarded
    def template_history(self, identity: Identity, beamline: str, name: str) -> list[TemplateVersion]:
        check_history_reader(identity, beamline)
        docs = list(self._templates.find({"beamline": beamline, "name": name}).sort([("version", -1)]))
        if not docs:
            raise NotFound(f"no template {beamline}/{name}")
        return [_version(d).listing() for d in docs]

    @guarded
    def get_template(self, identity: Identity, beamline: str, name: str,
                     version: int | None = None) -> TemplateVersion:
        missing = check_template_reader(identity, self._offered(identity), beamline, name, version)
        if version is None:
            doc = self._templates.find_one({"beamline": beamline, "name": name}, sort=[("version", -1)])
        else:
            doc = self._templates.find_one({"_id": _id(beamline, name, version)})
        if doc is None:
            raise missing
        found = _version(doc)
        if not readable(identity, found, version):
            raise missing
        return found

    @guarded
    def record_template_open(self, identity: Identity, beamline: str, name: str) -> None:
        self.get_template(identity, beamline, name)  # NotFound unless offered to the caller
        self.db[TEMPLATE_OPENS].insert_one({"beamline": beamline, "name": name, "user": identity.user, "at": now()})

    @guarded
    def template_opens(self, identity: Identity, beamline: str) -> dict[str, int]:
        check_history_reader(identity, beamline)
        counts = Counter(d["name"] for d in self.db[TEMPLATE_OPENS].find({"beamline": beamline}, {"name": 1}))
        return dict(sorted(counts.items()))


def template_indexes() -> dict[str, list[pymongo.IndexModel]]:
    """Indexes for the template collections (``mongo.server`` creates them)."""
    return {
        TEMPLATES: [pymongo.IndexModel([("beamline", 1), ("name", 1), ("version", -1)], name="template_versions")],
        TEMPLATE_OPENS: [pymongo.IndexModel([("beamline", 1), ("name", 1)], name="template_opens")],
    }
