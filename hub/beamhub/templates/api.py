"""The REST API's request bodies and answers for templates (routes in
``beamhub.service.routes``; the logic in :mod:`.service`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .model import BeamlineName, Kind, Notebook, Technique, TemplateName


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplatePublish(_Body):
    """``POST /templates``: publish a notebook as the next version of a beamline's template
    (staff of that beamline only)."""

    beamline: BeamlineName
    name: TemplateName = Field(description="The template's name within the beamline; publishing "
                                           "under an existing name makes its next version.")
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=4000)] = ""
    techniques: Annotated[list[Technique], Field(min_length=1, max_length=20)]
    accepts: Annotated[list[Kind], Field(min_length=1, max_length=20)] = Field(
        ["raw"], description="Dataset kinds the template reads: 'raw', or 'derived:<processing step>'.")
    change_note: Annotated[str, Field(min_length=1, max_length=2000)]
    notebook: Notebook


class TemplateListParams(_Body):
    include_retired: bool = Field(False, description="Also retired templates (staff of their beamline only).")


class TemplateGetParams(_Body):
    version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(
        None, description="A given version (staff of the beamline only); default the latest.")


class TemplateDiffParams(_Body):
    from_version: Annotated[int, Field(ge=1, le=2**31)]
    to_version: Annotated[int, Field(ge=1, le=2**31)] | None = Field(None, description="Default: the latest.")


class TemplateRollback(_Body):
    """``POST .../rollback``: publish an earlier version's content again, as a new version."""

    version: Annotated[int, Field(ge=1, le=2**31)]
    change_note: Annotated[str, Field(max_length=2000)] = ""


class TemplateRetire(_Body):
    """``POST .../retire``: users no longer get the template (a rollback brings it back)."""

    change_note: Annotated[str, Field(max_length=2000)] = ""


class TemplateDiff(_Body):
    beamline: str
    name: str
    from_version: int
    to_version: int
    diff: str = Field(description="A unified diff of the two versions' settings and cell sources.")


__all__ = ["Kind", "TemplateDiff", "TemplateDiffParams", "TemplateGetParams", "TemplateListParams",
           "TemplatePublish", "TemplateRetire", "TemplateRollback"]
