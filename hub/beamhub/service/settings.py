"""The catalogue service's settings: one JSON document in the environment.

The hub's service definition (see :mod:`beamhub.config.jupyterhub`) sets

- ``BEAMHUB_STORE``: the store URL (``sqlite:///PATH`` or ``mongodb://USER:PASS@HOST/DB``),
  or ``BEAMHUB_STORE_FILE``: a file holding it (for credentials kept out of the
  environment listing). Only this service receives it; single-user servers never do.
- ``BEAMHUB_SERVICE_SETTINGS``: everything else, as JSON matching
  :class:`ServiceSettings` (unknown keys are refused at start-up).

JupyterHub itself sets ``JUPYTERHUB_SERVICE_URL`` (where to listen),
``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_URL`` and ``JUPYTERHUB_API_TOKEN``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from beamhub.auth.staff import DEFAULT_PATTERN, StaffRule
from beamhub.catalogue.stores import DEFAULT_STORE_URL, STORE_ENV
from beamhub.jobs.settings import JobsSettings
from beamhub.suggest.settings import SuggestSettings

SETTINGS_ENV = "BEAMHUB_SERVICE_SETTINGS"
STORE_FILE_ENV = "BEAMHUB_STORE_FILE"


class Limits(BaseModel):
    """Limits the service enforces on top of the catalogue's own (page size 200, search
    text 256 characters and 16 words, 10 metadata conditions, 50 values per filter,
    1000 datasets per selection)."""

    model_config = ConfigDict(extra="forbid")

    max_body_bytes: Annotated[int, Field(ge=1024, le=64 * 2**20)] = Field(
        2**20, description="Largest request body accepted (bytes); larger ones get 413 limit_exceeded.")
    max_query_string_bytes: Annotated[int, Field(ge=256, le=2**20)] = Field(
        8 * 1024, description="Longest query string accepted (bytes); longer ones get 413 limit_exceeded "
        "(the proxy itself refuses request heads over 16 KiB with 431).")
    max_in_flight_per_user: Annotated[int, Field(ge=1, le=1000)] = Field(
        16, description="Requests one user may have in progress at once; more get 429 too_many_requests.")
    max_in_flight_per_worker: Annotated[int, Field(ge=1, le=100_000)] = Field(
        200, description="Requests one service process (worker) works on at once, all users together "
        "(before the hub is asked about them); more wait for a place, first come first served, up to "
        "max_wait_seconds (at most ten times this many wait; beyond that they are refused at once), and are "
        "then answered 503 busy with Retry-After, having done nothing. The default is about a second of the "
        "store's work per worker at the measured CPU per request; the health, version and description "
        "routes do not count.")
    max_wait_seconds: Annotated[float, Field(ge=0, le=300)] = Field(
        10, description="How long a request may wait for a place among its worker's max_in_flight_per_worker "
        "before it is answered 503 busy with Retry-After (waiting costs no CPU: its body is not read yet). "
        "Under overload answers come later instead of failing; 0 refuses at once.")
    max_selections_per_user: Annotated[int, Field(ge=1, le=100_000)] = Field(
        500, description="Selections one user may own; creating more gets 413 limit_exceeded.")


class ServiceSettings(BaseModel):
    """Everything the catalogue service needs besides the store URL."""

    model_config = ConfigDict(extra="forbid")

    staff_group_pattern: str | None = Field(
        DEFAULT_PATTERN, description="Hub groups naming beamline staff, with one '{beamline}' placeholder "
        "(default 'staff-{beamline}': group staff-i03 makes its members staff of i03); null turns it off.")
    staff_groups: dict[str, list[str]] = Field(
        {}, description="Further hub groups whose members are staff of the listed beamlines, "
        "e.g. {'mx-support': ['i03', 'i04']}.")
    limits: Limits = Field(Limits(), description="Request limits (see Limits).")
    workers: Annotated[int, Field(ge=0, le=256)] = Field(
        0, description="Worker processes serving the API behind one listening socket (each with its own "
        "event loop, store connections and search columns; what they share is in the store). 0: one per "
        "core the service may use. Limits such as max_in_flight_per_user apply per worker.")
    store_threads: Annotated[int, Field(ge=1, le=256)] = Field(
        16, description="Threads per worker running store calls (each may hold a database connection). 1, 2, 4 "
        "and 16 cost the same CPU per request (measured, issue 18); with few, searches wait behind previews.")
    preview_max_age: Annotated[int, Field(ge=0, le=86400)] = Field(
        300, description="Cache-Control max-age of previews (seconds); previews also carry an ETag.")
    idempotency_keep_seconds: Annotated[int, Field(ge=60, le=30 * 86400)] = Field(
        86400, description="How long the answer of a write sent with an Idempotency-Key is kept in the store (seconds), so the client's retry within it gets the first answer instead of acting again (after a restart too, on any worker); expired keys are removed by a TTL index on MongoDB/DocumentDB and a periodic purge on both stores.")
    columns_snapshot_dir: str = Field(
        "", description="Directory where the MongoDB store's search columns are kept between starts, so a "
        "starting worker reads them back in seconds and applies what changed since, instead of reading the "
        "whole catalogue (minutes at 1M datasets); '' loads from the database at every start.")
    preview_cache_dir: str = Field(
        "", description="Directory caching rendered previews (keyed by file and modification time); "
        "'' renders every time.")
    hub_auth_cache_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        5, description="How long the hub's answer about a token (the user and groups) is kept, for "
        "the caller's token and for the hub's questions about other users: a revoked token or a group "
        "change takes effect after at most this long. Short on purpose (JupyterHub's own default, 300 s, "
        "would let a revoked token work for five minutes); at least 1, as HubAuth's cache keeps answers "
        "forever at 0.")
    operator_name: str = Field(
        "beamhub-catalogue", description="The operator identity's name in the catalogue, used when the "
        "service registers jobs' derived datasets.")
    spawner_scope: str = Field(
        "custom:beamhub:proposals", description="The hub scope a token needs for /users/{name}/proposals.")
    jobs: JobsSettings = Field(JobsSettings(), description="Fog-filter jobs: runner and directories.")
    suggest: SuggestSettings = Field(SuggestSettings(), description="Suggestions: the feature store and the "
                                     "work they may do (see SuggestSettings).")

    def staff_rule(self) -> StaffRule:
        return StaffRule(self.staff_group_pattern, {g: tuple(b) for g, b in self.staff_groups.items()})

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "ServiceSettings":
        environ = os.environ if environ is None else environ
        raw = environ.get(SETTINGS_ENV, "").strip()
        try:
            return cls.model_validate(json.loads(raw) if raw else {})
        except (ValueError, ValidationError) as exc:
            raise SystemExit(f"beamhub catalogue service: bad ${SETTINGS_ENV}: {exc}") from None


def store_url_from_env(environ: dict | None = None) -> str:
    """The store URL: ``$BEAMHUB_STORE``, else the contents of ``$BEAMHUB_STORE_FILE``."""
    environ = os.environ if environ is None else environ
    if environ.get(STORE_ENV):
        return environ[STORE_ENV]
    if environ.get(STORE_FILE_ENV):
        return Path(environ[STORE_FILE_ENV]).read_text().strip()
    return DEFAULT_STORE_URL
