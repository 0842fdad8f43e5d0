"""The route table: one entry per operation of the REST API.

The table is read twice: by :mod:`.handlers` to build the tornado handlers and by
:mod:`.openapi` to write the OpenAPI description, so the two cannot disagree. Each
route names the :class:`~.logic.CatalogueLogic` method it calls; the handler passes
the caller's identity (for ``access="user"``), the path parameters in order, then the
query model and the body model if the route has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from beamhub.catalogue.model import Dataset, Proposal, Selection, Vote, VoteState
from beamhub.catalogue.query import FieldList, SearchResult
from beamhub.labels.overview import BeamlineOverview
from beamhub.labels.service import LabelsParams, LabelsTable
from beamhub.templates.api import (TemplateDiff, TemplateDiffParams, TemplateGetParams, TemplateListParams,
                                   TemplatePublish, TemplateRetire, TemplateRollback)
from beamhub.templates.model import TemplateName, TemplateVersion

from .api_models import (ApiName, ApiPid, Health, Me, ParameterParams, PreviewParams, ProcessingStep, SearchParams,
                         SelectionCreate, SelectionId, SelectionPatch, Version, VoteBody,
                         SimilarityGroup, SuggestedParameters, SuggestionItem, SuggestionPage, SuggestParams)

API_PREFIX = "api/v1"

PATH_PARAMETERS: dict[str, tuple[Any, str]] = {
    "pid": (ApiPid, "A dataset pid, percent-encoded ('/' as %2F)."),
    "id": (SelectionId, "A selection id."),
    "name": (ApiName, "A hub user name."),
    "beamline": (ApiName, "A beamline ('facility' for the templates shipped with beamhub)."),
    "template": (TemplateName, "A template's name within its beamline."),
}

PNG = "image/png"


@dataclass(frozen=True)
class Route:
    method: Literal["GET", "PUT", "POST", "PATCH", "DELETE"]
    path: str
    operation: str
    summary: str
    tag: str
    response: Any = None
    """A model, ``list[Model]``, ``PNG``, ``dict`` (free JSON) or None (no body)."""
    status: int = 200
    query: Any = None
    body: Any = None
    access: Literal["user", "public", "spawner"] = "user"
    errors: tuple[int, ...] = ()
    description: str = ""
    idempotency_key: bool = False
    """Write routes that honour an ``Idempotency-Key`` header (a retried request with the
    same key gets the first answer again instead of acting twice; keys are kept in the
    store, see service.idempotency)."""
    path_names: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self):
        object.__setattr__(self, "path_names", tuple(re.findall(r"\{(\w+)\}", self.path)))


def tornado_pattern(path: str) -> str:
    """``/datasets/{pid}/vote`` -> ``/datasets/(?P<pid>[^/]+)/vote``."""
    return re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))


COMMON_ERRORS = (400, 413)
"""Any request can be malformed (400) or too long (413)."""
AUTHENTICATED_ERRORS = (401, 403, 429, 503)
"""Any authenticated request: no login, not allowed, too many in flight, hub or store down."""

_READ = (404,)
_WRITE = (404, 409)

ROUTES: tuple[Route, ...] = (
    Route("GET", "/datasets", "search", "Search the datasets you may see", "datasets",
          response=SearchResult, query=SearchParams, 
          description="Filters, free text, metadata conditions, facet counts (over exactly what you "
                      "may see) and keyset pagination (next_cursor)."),
    Route("GET", "/fields", "fields", "Metadata fields of the datasets you may see", "datasets",
          response=FieldList,
          description="Each scientific-metadata field of your visible datasets (the newest 2,000): how many "
                      "have it, its kinds of value, its units with counts and value ranges. The panel offers "
                      "them as autocomplete for conditions."),
    Route("GET", "/datasets/{pid}", "get_dataset", "One dataset, with its vote counts and your vote",
          "datasets", response=Dataset, errors=_READ),
    Route("GET", "/datasets/{pid}/derived", "derived_from", "Datasets derived from this one", "datasets",
          response=list[Dataset], errors=_READ,
          description="Lineage downwards; upwards is the dataset's inputDatasets."),
    Route("GET", "/datasets/{pid}/preview.png", "preview", "A PNG of the dataset's default plot", "datasets",
          response=PNG, query=PreviewParams, errors=(404, 422),
          description="Carries an ETag and 'Cache-Control: private'; send If-None-Match for a 304."),
    Route("PUT", "/datasets/{pid}/vote", "set_vote", "Like or dislike a dataset (idempotent)", "votes",
          response=VoteState, body=VoteBody, errors=_WRITE),
    Route("DELETE", "/datasets/{pid}/vote", "clear_vote", "Clear your vote (idempotent)", "votes",
          response=VoteState, errors=_WRITE),
    Route("GET", "/datasets/{pid}/votes", "dataset_votes", "Every vote on a dataset (beamline staff only)",
          "votes", response=list[Vote], errors=_READ),
    Route("GET", "/me", "me", "Who you are to the catalogue", "me", response=Me),
    Route("GET", "/me/proposals", "my_proposals", "Your proposals", "me", response=list[Proposal]),
    Route("GET", "/me/votes", "my_votes", "Your votes, newest first", "me", response=list[Vote]),
    Route("GET", "/processing", "processing", "Processing steps and their parameters' JSON Schema",
          "selections", response=list[ProcessingStep]),
    Route("GET", "/selections", "list_selections", "Your selections, newest first", "selections",
          response=list[Selection]),
    Route("POST", "/selections", "create_selection", "Create a draft selection", "selections",
          response=Selection, status=201, body=SelectionCreate, errors=_WRITE, idempotency_key=True),
    Route("GET", "/selections/{id}", "get_selection", "One of your selections", "selections",
          response=Selection, errors=_READ),
    Route("PATCH", "/selections/{id}", "update_selection", "Edit a draft selection", "selections",
          response=Selection, body=SelectionPatch, errors=_WRITE),
    Route("DELETE", "/selections/{id}", "delete_selection", "Delete a selection (not while it runs)",
          "selections", status=204, errors=_WRITE, idempotency_key=True),
    Route("POST", "/selections/{id}/submit", "submit_selection", "Submit a draft selection for processing",
          "selections", response=Selection, status=202, errors=_WRITE, idempotency_key=True,
          description="Starts the job as you; the selection then moves submitted -> running -> done | "
                      "failed (poll GET /selections/{id}); done registers derived datasets. Only a draft "
                      "(else 409 illegal_transition) with at least one dataset, a processing step and "
                      "parameters that step accepts (else 400 invalid_input) can be submitted; every "
                      "dataset must still be visible to you and have data to process (400)."),
    Route("GET", "/suggestions", "suggestions", "Datasets worth processing, suggested from the votes",
          "suggestions", response=SuggestionPage, query=SuggestParams,
          description="The datasets matching the search (filters as GET /datasets) ranked by a model of "
                      "their technique (and beamline) trained only on the votes you may see, each with a "
                      "score (0-1) and why: the most similar voted datasets and the weightiest features. "
                      "With too few votes, score is null and reason says so. Suggestions only: nothing is "
                      "selected for you."),
    Route("GET", "/suggestions/parameters", "suggested_parameters",
          "Processing parameters chosen for similar liked datasets", "suggestions",
          response=SuggestedParameters, query=ParameterParams,
          description="For each parameter, the value most often chosen in the derived datasets of that "
                      "step made from the liked datasets (that you may see) most similar to the given ones, "
                      "and which they were."),
    Route("GET", "/datasets/{pid}/suggestion", "suggestion", "A dataset's suggestion, explained",
          "suggestions", response=SuggestionItem, errors=_READ),
    Route("GET", "/datasets/{pid}/similar", "similarity_group",
          "A dataset's similarity group: alike datasets, their average quality and like ratio", "suggestions",
          response=SimilarityGroup, errors=_READ,
          description="Datasets of the same technique whose frames look alike, among those you may see."),
    Route("GET", "/templates", "list_templates", "Templates offered to you, newest versions", "templates",
          response=list[TemplateVersion], query=TemplateListParams,
          description="The facility-wide templates shipped with beamhub (beamline 'facility') and those "
                      "published for the beamlines of your proposals (and those you are staff of); "
                      "without notebooks. Retired ones are left out unless include_retired (staff)."),
    Route("POST", "/templates", "publish_template", "Publish a notebook as a beamline template's next version",
          "templates", response=TemplateVersion, status=201, body=TemplatePublish, errors=_WRITE,
          description="Staff of the beamline only (else 403). Outputs are cleared; who published and when "
                      "are recorded. Publishing under an existing name makes its next version."),
    Route("GET", "/templates/{beamline}/{template}", "get_template", "A template with its notebook",
          "templates", response=TemplateVersion, query=TemplateGetParams, errors=_READ),
    Route("GET", "/templates/{beamline}/{template}/versions", "template_versions",
          "Every version of a template, newest first (staff of the beamline)", "templates",
          response=list[TemplateVersion], errors=_READ),
    Route("GET", "/templates/{beamline}/{template}/diff", "template_diff",
          "A unified diff of two versions (staff of the beamline)", "templates", response=TemplateDiff,
          query=TemplateDiffParams, errors=_READ),
    Route("POST", "/templates/{beamline}/{template}/rollback", "rollback_template",
          "Publish an earlier version again, as a new version (staff)", "templates", response=TemplateVersion,
          status=201, body=TemplateRollback, errors=_WRITE),
    Route("POST", "/templates/{beamline}/{template}/retire", "retire_template",
          "Retire a template: users no longer get it (staff; a rollback brings it back)", "templates",
          response=TemplateVersion, status=201, body=TemplateRetire, errors=_WRITE),
    Route("POST", "/templates/{beamline}/{template}/opened", "template_opened",
          "Count an opening of a template (for its beamline's staff)", "templates", status=204, errors=_READ),
    Route("GET", "/beamlines/{beamline}/overview", "beamline_overview",
          "A beamline's voted datasets with every vote, its selections and jobs, its templates' opens",
          "votes", response=BeamlineOverview, errors=_READ,
          description="Staff of the beamline (and operators) only: the datasets of the beamline that have "
                      "votes, with who voted what and their comments; the selections holding its datasets "
                      "with their status; how often each of its templates was opened."),
    Route("GET", "/labels", "labels", "The votes you may export as training labels, one row per vote", "votes",
          response=LabelsTable, query=LabelsParams,
          description="Operators: every vote; beamline staff: the votes on their beamlines' datasets and "
                      "their own; others: their own. Voters are pseudonymised unless an operator asks for "
                      "names; numeric scientific metadata (SI base units) and frame-score quality as "
                      "columns. beamhub labels export writes the same as CSV or Parquet."),
    Route("GET", "/health", "health", "Service and store health (no authentication)", "service",
          response=Health, access="public", errors=(503,)),
    Route("GET", "/version", "version", "Service and API version (no authentication)", "service",
          response=Version, access="public"),
    Route("GET", "/openapi.json", "openapi", "This description (no authentication)", "service",
          response=dict, access="public"),
    Route("GET", "/users/{name}/proposals", "user_proposals", "Proposals a user may mount (hub only)",
          "hub", response=list[Proposal], access="spawner", errors=(404,),
          description="For the hub's spawner: needs a token with the custom:beamhub:proposals scope."),
)
