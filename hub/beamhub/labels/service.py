"""The catalogue service's labels endpoint (a mixin of
:class:`beamhub.service.logic.CatalogueLogic`): ``GET /labels`` answers the export's rows
as JSON (columns and rows); ``beamhub labels export`` writes the same as CSV or Parquet."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from beamhub.catalogue.identity import Identity

from . import export
from .overview import BeamlineOverview, overview


class LabelsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: bool = Field(False, description="Voters' user names instead of pseudonyms (operators only).")


class LabelsTable(BaseModel):
    """One row per vote the caller may export (see README.md, "Labels for machine learning")."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str]
    rows: list[list[Any]] = Field(description="Values in the order of columns; null where a dataset has none.")
    count: int


class LabelOperations:
    async def labels(self, identity: Identity, params: LabelsParams) -> LabelsTable:
        rows = await self._read(export.collect, self.store, identity, names=params.names)
        names = export.columns(rows)
        return LabelsTable(columns=names, rows=[[row.get(n) for n in names] for row in rows], count=len(rows))

    async def beamline_overview(self, identity: Identity, beamline: str) -> BeamlineOverview:
        """Staff's view of their beamline (:mod:`.overview`)."""
        return await self._read(overview, self.store, identity, self.operator, beamline)
