"""The catalogue service's template operations (a mixin of
:class:`beamhub.service.logic.CatalogueLogic`, which the route table calls).

The service is the only writer of templates: publishing, rolling back and retiring
append versions through the store, which checks that the caller is staff of the
template's beamline. Facility-wide templates (:mod:`.shipped`) are added to every
listing and read from disk.
"""

from __future__ import annotations

import functools

from beamhub.catalogue.errors import Conflict, NotFound
from beamhub.catalogue.identity import Identity

from .api import (TemplateDiff, TemplateDiffParams, TemplateGetParams, TemplateListParams, TemplatePublish,
                  TemplateRetire, TemplateRollback)
from .model import FACILITY, TemplateDraft, TemplateVersion, check_history_reader, diff, draft_of
from .shipped import read_shipped


@functools.lru_cache(maxsize=1)
def shipped_templates() -> tuple[TemplateVersion, ...]:
    """The shipped templates, read once per process (they change with an install)."""
    return tuple(read_shipped())


class TemplateOperations:
    """Template routes of the catalogue service (``self.store``, ``self._read``, ``self._run``
    come from :class:`~beamhub.service.logic.CatalogueLogic`)."""

    def _shipped(self, name: str) -> TemplateVersion:
        for template in shipped_templates():
            if template.name == name:
                return template
        raise NotFound(f"no template {FACILITY}/{name}")

    async def list_templates(self, identity: Identity, params: TemplateListParams) -> list[TemplateVersion]:
        published = await self._read(self.store.list_templates, identity, params.include_retired)
        return [t.listing() for t in shipped_templates()] + published

    async def get_template(self, identity: Identity, beamline: str, name: str,
                           params: TemplateGetParams) -> TemplateVersion:
        if beamline == FACILITY:
            if params.version not in (None, 1):
                raise NotFound(f"shipped template {FACILITY}/{name} has only version 1")
            return self._shipped(name)
        return await self._read(self.store.get_template, identity, beamline, name, params.version)

    async def template_versions(self, identity: Identity, beamline: str, name: str) -> list[TemplateVersion]:
        if beamline == FACILITY:
            return [self._shipped(name).listing()]
        return await self._read(self.store.template_history, identity, beamline, name)

    async def template_diff(self, identity: Identity, beamline: str, name: str,
                            params: TemplateDiffParams) -> TemplateDiff:
        check_history_reader(identity, beamline)
        old = await self._read(self.store.get_template, identity, beamline, name, params.from_version)
        new = await self._read(self.store.get_template, identity, beamline, name, params.to_version)
        return TemplateDiff(beamline=beamline, name=name, from_version=old.version, to_version=new.version,
                            diff=diff(old, new))

    async def publish_template(self, identity: Identity, body: TemplatePublish) -> TemplateVersion:
        draft = TemplateDraft(**body.model_dump())
        return await self._run(self.store.publish_template, identity, draft)

    async def rollback_template(self, identity: Identity, beamline: str, name: str,
                                body: TemplateRollback) -> TemplateVersion:
        check_history_reader(identity, beamline)
        old = await self._read(self.store.get_template, identity, beamline, name, body.version)
        note = f"rolled back to version {old.version}" + (f": {body.change_note}" if body.change_note else "")
        return await self._run(self.store.publish_template, identity, draft_of(old, note))

    async def retire_template(self, identity: Identity, beamline: str, name: str,
                              body: TemplateRetire) -> TemplateVersion:
        check_history_reader(identity, beamline)
        current = await self._read(self.store.get_template, identity, beamline, name, None)
        if current.retired:
            raise Conflict(f"template {beamline}/{name} is already retired (version {current.version})")
        note = "retired" + (f": {body.change_note}" if body.change_note else "")
        return await self._run(self.store.publish_template, identity, draft_of(current, note, retired=True))

    async def template_opened(self, identity: Identity, beamline: str, name: str) -> None:
        """Counts an "Open in notebook" of the template (for its beamline's staff)."""
        if beamline == FACILITY:
            self._shipped(name)
            return
        await self._run(self.store.record_template_open, identity, beamline, name)
