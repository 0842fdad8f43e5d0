"""The request and response bodies the REST API adds to the catalogue's own models.

Datasets, proposals, votes, vote states, selections and search results are the
catalogue's models (``beamhub.catalogue``) as they are; this module holds only what
exists because there is an HTTP API: query parameters, request bodies and small
answers. Field constraints are written as JSON-Schema keywords (``pattern``,
``max_length``) so the OpenAPI description states exactly what is accepted.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model


from beamhub.catalogue.model import MAX_SELECTION, Dataset, Name, Pid, VoteValue
from beamhub.catalogue.query import CONDITION_PATTERN, INT64_MAX, MAX_CONDITIONS, SearchQuery
from beamhub.catalogue.units import UNIT_GRAMMAR
from beamhub.jobs.steps import STEPS

ApiPid = Pid
"""A pid: the catalogue's type, whose rule (one regular expression) the description states."""
ApiName = Name
"""A user, group, beamline or proposal name: the catalogue's type and rule."""
SelectionId = Annotated[str, Field(pattern=r"^sel-[0-9a-f]{32}$")]
PARAMETER_KEY = r"^[^$.\u0000][^.\u0000]{0,199}$"


def _check_keys(value: Any, depth: int = 0) -> Any:
    """Free-form JSON is stored as is (in MongoDB too): keys must be non-empty, must not
    start with '$' nor hold '.' or NUL, nesting is at most 10 deep, integers fit in 64
    bits (BSON's and SQLite's limit) and numbers are finite."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
        raise ValueError("integers must fit in 64 bits (at most 9223372036854775807 in size)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    if depth > 10:
        raise ValueError("nested too deeply (at most 10 levels)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not re.match(PARAMETER_KEY, key):
                raise ValueError(f"key {key[:50]!r}: keys are 1-200 characters, not starting with '$', "
                                 "without '.' or NUL")
            _check_keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_keys(item, depth + 1)
    return value


ProcessingName = Literal[("",) + tuple(sorted(STEPS))]  # type: ignore[valid-type]
"""A processing step's name (GET /processing lists them), or '' for none yet."""
PARAMETER_VALUE = "ParameterValue"
PARAMETER_VALUE_SCHEMA = {
    "description": "Free JSON whose object keys (at every level) are 1-200 characters, not starting with '$', "
                   "without '.' or NUL; nested at most 10 deep; integers within 64 bits.",
    "anyOf": [
        {"type": ["null", "boolean", "number", "string"]},
        {"type": "array", "items": {"$ref": f"#/components/schemas/{PARAMETER_VALUE}"}},
        {"type": "object", "propertyNames": {"pattern": PARAMETER_KEY},
         "additionalProperties": {"$ref": f"#/components/schemas/{PARAMETER_VALUE}"}},
    ],
}
"""The JSON Schema of a value inside ``parameters`` (the API description's components)."""
Parameters = Annotated[dict[str, Any], Field(description="The processing step's parameters (see /processing); "
                                             "free JSON, nested at most 10 deep, integers within 64 bits.",
                                             json_schema_extra={"propertyNames": {"pattern": PARAMETER_KEY},
                                                                "additionalProperties": {
                                                                    "$ref": f"#/components/schemas/{PARAMETER_VALUE}"}}),
                       AfterValidator(_check_keys)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _search_parameters() -> dict[str, Any]:
    """The fields of the store's :class:`SearchQuery` (the one model of a search), with the
    conditions as text (``condition``, parsed by ``MetadataCondition.from_text``) and
    ``facets`` a query-string boolean."""
    fields: dict[str, Any] = {}
    for name, info in SearchQuery.model_fields.items():
        if name == "conditions":
            fields["condition"] = (
                Annotated[list[Annotated[str, Field(min_length=1, max_length=400,
                                                    json_schema_extra={"pattern": CONDITION_PATTERN})]],
                          Field(max_length=MAX_CONDITIONS)],
                Field([], description="Scientific-metadata condition 'name op value [unit]', op one of "
                      "< <= = >= > != (< <= >= > take a number: at most 20 digits before the point, exponent "
                      "at most 289; = and != also true, false, a quoted string or a word), e.g. "
                      "'temperature < 200 K'; " + UNIT_GRAMMAR + ". The pattern states it exactly."))
        elif name == "facets":
            fields[name] = (bool, Field(True, description=info.description))
        else:
            fields[name] = (info.annotation, info)
    return fields


SearchParams = create_model(
    "SearchParams", __base__=_Body, **_search_parameters(),
    __doc__="""Query parameters of ``GET /datasets``. Repeat a list parameter for several values
    (``?beamline=i03&beamline=i04``): values of one filter are alternatives, different
    filters must all hold.""")


class PreviewParams(_Body):
    size: Literal["thumb", "large"] = "thumb"
    frame: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = Field(
        None, description="A stack's frame to draw (index along its first axis); default: the middle one. "
        "A frame past the stack's end is answered 422 naming how many frames there are.")


class VoteBody(_Body):
    """``PUT /datasets/{pid}/vote``: set (or change) the caller's vote."""

    value: VoteValue
    comment: Annotated[str, Field(max_length=2000)] = ""


class SelectionCreate(_Body):
    """``POST /selections``: a new draft selection of datasets the caller can see."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    datasets: Annotated[list[ApiPid], Field(max_length=MAX_SELECTION)] = []
    processing: ProcessingName = ""
    parameters: Parameters = {}


class SelectionPatch(_Body):
    """``PATCH /selections/{id}``: edit a draft; absent fields are left as they are."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    add: Annotated[list[ApiPid], Field(max_length=MAX_SELECTION)] = []
    remove: Annotated[list[ApiPid], Field(max_length=MAX_SELECTION)] = []
    processing: ProcessingName | None = None
    parameters: Parameters | None = None
    expected_version: Annotated[int, Field(ge=1, le=INT64_MAX)] | None = Field(
        None, description="Refuse the edit (409 conflict) unless the selection is at this version.")


class Me(_Body):
    """Who the caller is to the catalogue (from the hub, never from the request)."""

    name: str
    groups: list[str]
    staff_of: list[str]


class ProcessingStep(_Body):
    """A processing step a selection can be submitted to."""

    name: str
    title: str
    description: str
    techniques: list[str] = Field(description="Techniques whose datasets it takes (a dataset needs one of "
                                              "them); empty: any technique.")
    dimensions: list[int] = Field(description="Signal dimensions it takes (1 a curve, 2 an image, 3 a stack); "
                                              "a dataset without a recorded signal is checked by the job.")
    accepts: str = Field(description="What it takes, in one sentence for people (the start of its refusal).")
    parameters_schema: dict[str, Any] = Field(description="JSON Schema of the step's parameters.")


class Health(_Body):
    status: Literal["ok", "degraded"]
    store: Literal["ok", "unavailable"]
    message: str = ""


class Version(_Body):
    version: str
    api: Literal["v1"] = "v1"


class ErrorBody(_Body):
    """Every error answer: ``code`` is stable (see the API description), ``message`` is
    for people, ``details`` (optional) lists the problems, e.g. one per invalid field."""

    code: str
    message: str
    details: Any = None




# -- suggestions (issue 16: the AI-assisted fog filter) ------------------------------------

_NOT_SUGGEST_PARAMS = {"sort", "limit", "cursor", "facets"}
SUGGEST_PAGE = 200
SUGGEST_WINDOW = 5000
"""Suggestions rank at most this many matching datasets (``beamhub.suggest.suggester.MAX_DATASETS``)."""

SuggestParams = create_model(
    "SuggestParams", __base__=_Body, __doc__="Query parameters of ``GET /suggestions``: the search's filters "
    "(as GET /datasets) and which part of the ranking to return.",
    **{name: (info.annotation, info) for name, info in SearchParams.model_fields.items()
       if name not in _NOT_SUGGEST_PARAMS},
    limit=(Annotated[int, Field(ge=1, le=SUGGEST_PAGE)], 25),
    offset=(Annotated[int, Field(ge=0, le=SUGGEST_WINDOW)], Field(0, description="Skip this many of the ranking.")),
    min_score=(Annotated[float, Field(ge=0, le=1)] | None, Field(
        None, description="'Worth processing': only datasets scored at least this (unscored ones left out).")),
)


class SuggestedNeighbour(_Body):
    """A voted dataset the caller may see, near this one in the model's feature space."""

    pid: str
    datasetName: str
    likes: int
    dislikes: int
    similarity: float


class FeatureWeight(_Body):
    """How much one feature moved the score (coefficient times standardised value)."""

    feature: str
    contribution: float
    direction: Literal["for", "against"]


class SuggestionItem(_Body):
    """A suggestion, never applied by itself: the predicted chance (0-1) that the caller's
    group would like the dataset, with why; ``score`` is null with ``reason`` saying why
    (e.g. not enough votes yet)."""

    pid: str
    technique: str
    score: Annotated[float, Field(ge=0, le=1)] | None
    reason: str
    neighbours: list[SuggestedNeighbour] = []
    features: list[FeatureWeight] = []
    label: Literal["suggestion"] = "suggestion"
    dataset: Dataset | None = Field(None, description="The dataset as the caller sees it (GET /suggestions).")


class SuggestionPage(_Body):
    """Part of the ranking of the datasets matching a search, best first."""

    items: list[SuggestionItem]
    total: int = Field(description="Datasets ranked (matching, visible, within min_score; at most 5000).")
    scored: int = Field(description="How many of them have a score.")
    offset: int
    label: Literal["suggestion"] = "suggestion"


class GroupMember(_Body):
    pid: str
    datasetName: str


class SimilarityGroup(_Body):
    """The datasets of the same technique, among those the caller may see, whose frames look
    alike, with their average frame score and like ratio (null without votes)."""

    pid: str
    technique: str
    size: int
    members: list[GroupMember]
    averageFrameScore: float
    likeRatio: float | None
    votes: int


class ParameterParams(_Body):
    """Query parameters of ``GET /suggestions/parameters``."""

    processing: Literal[tuple(sorted(STEPS))]  # type: ignore[valid-type]
    pid: Annotated[list[ApiPid], Field(min_length=1, max_length=SUGGEST_PAGE)]


class SuggestedParameters(_Body):
    """Parameters pre-filled from what was chosen for the most similar liked datasets the
    caller may see; ``sources`` names them per parameter. Empty ``values`` with a
    ``reason`` when there is nothing to learn from."""

    processing: str
    values: dict[str, Any]
    sources: dict[str, list[str]]
    reason: str
    label: Literal["suggestion"] = "suggestion"
