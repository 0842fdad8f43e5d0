"""The catalogue service's template operations (a mixin of
:class:`beamhub.service.logic.CatalogueLogic`, which the route table calls).

The service is the only writer of templates: publishing, rolling back and retiring
append versions through the store, which checks that the caller is staff of the
template's beamline. Facility-wide templates (:mod:`.shipped`) are added to every
listing and read from disk.
"""

from __future__ import annotations

from beamhub.catalogue.identity import Identity

from . import actions
from .api import (TemplateDiff, TemplateDiffParams, TemplateGetParams, TemplateListParams, TemplatePublish,
                  TemplateRetire, TemplateRollback)
from .model import FACILITY, TemplateDraft, TemplateVersion


class TemplateOperations:
    """Template routes of the catalogue service (``self.store``, ``self._read``, ``self._run``
    come from :class:`~beamhub.service.logic.CatalogueLogic`)."""

    async def list_templates(self, identity: Identity, params: TemplateListParams) -> list[TemplateVersion]:
        return await self._read(actions.offered, self.store, identity, params.include_retired)

    async def get_template(self, identity: Identity, beamline: str, name: str,
                           params: TemplateGetParams) -> TemplateVersion:
        return await self._read(actions.get, self.store, identity, beamline, name, params.version)

    async def template_versions(self, identity: Identity, beamline: str, name: str) -> list[TemplateVersion]:
        return await self._read(actions.history, self.store, identity, beamline, name)

    async def template_diff(self, identity: Identity, beamline: str, name: str,
                            params: TemplateDiffParams) -> TemplateDiff:
        old, new, text = await self._read(actions.versions_diff, self.store, identity, beamline, name,
                                          params.from_version, params.to_version)
        return TemplateDiff(beamline=beamline, name=name, from_version=old.version, to_version=new.version, diff=text)

    async def publish_template(self, identity: Identity, body: TemplatePublish) -> TemplateVersion:
        return await self._run(self.store.publish_template, identity, TemplateDraft(**body.model_dump()))

    async def rollback_template(self, identity: Identity, beamline: str, name: str,
                                body: TemplateRollback) -> TemplateVersion:
        return await self._run(actions.rollback, self.store, identity, beamline, name, body.version, body.change_note)

    async def retire_template(self, identity: Identity, beamline: str, name: str,
                              body: TemplateRetire) -> TemplateVersion:
        return await self._run(actions.retire, self.store, identity, beamline, name, body.change_note)

    async def template_opened(self, identity: Identity, beamline: str, name: str) -> None:
        """Counts an "Open in notebook" of the template (for its beamline's staff)."""
        if beamline == FACILITY:
            actions.shipped(name)
            return
        await self._run(self.store.record_template_open, identity, beamline, name)
