"""The catalogue service's settings for suggestions (``ServiceSettings.suggest``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class SuggestSettings(BaseModel):
    """Where features are kept and how much work suggestions may do."""

    model_config = ConfigDict(extra="forbid")

    features_file: str = Field(
        "", description="SQLite file keeping every dataset's suggestion features (a cache: safe to delete); "
        "'' puts it at beamhub-suggest/features.sqlite beside the jobs' work root.")
    compute_per_request: Annotated[int, Field(ge=0, le=1000)] = Field(
        50, description="Missing features one request may compute (reading a few frames each); datasets "
        "beyond it are unscored with 'features not computed yet' until the background job reaches them.")
    refresh_seconds: Annotated[int, Field(ge=0, le=86400)] = Field(
        30, description="How often the background job computes missing or stale features (0: never; "
        "`beamhub suggest train` then computes them).")
    refresh_batch: Annotated[int, Field(ge=1, le=10000)] = Field(
        200, description="Features the background job computes per round at most.")
