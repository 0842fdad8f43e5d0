"""The catalogue's data model, with SciCat's field names.

A facility's SciCat database is readable as is: :meth:`Dataset.from_document` and
:meth:`Proposal.from_document` keep the fields beamhub knows and drop the rest.
Everything coming *in* (ingestion, the REST API, the command line) is validated with
``model_validate``: unknown fields, wrong types, malformed pids and names that could
act as query operators are rejected with a clear message.

Reading is lenient where SciCat is: ``from_document`` validates with the context
``{"stored": True}`` (:data:`STORED`), under which the name rules of group names,
beamlines and proposal ids, the ``raw``/``derived`` type and the pid form of
``inputDatasets`` do not apply, ``creationLocation`` may be absent, and
``scientificMetadata`` in any of SciCat's forms is read as flat dotted names
(:mod:`beamhub.catalogue.scientific_metadata`). What SciCat's own schema refuses (no
``ownerGroup``, no ``creationTime``, a field of the wrong type) makes the document
unreadable: :class:`UnreadableDocument` says why, and stores skip and report it.

beamhub adds a few fields SciCat does not have, documented on each model: the
aggregate vote counts (``likes``, ``dislikes``), the data files and the default
plottable signal found at ingestion (``files``, ``signal``).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import InvalidInput
from .identity import NAME_PATTERN

# --- field types -------------------------------------------------------------------

PID_RULE = (r"^[A-Za-z0-9](?:\.?[A-Za-z0-9_:-])*\.?"
            r"(?:/(?:\.|\.?(?:[A-Za-z0-9_:-]\.?)+))*$")
"""The pid rule, written once: segments of letters, digits and . _ : - separated by single
'/', the first starting with a letter or digit, never two dots in a row. One regular
expression, so the API description states it exactly (the ``Pid`` type carries it)."""
PID_PATTERN = re.compile(PID_RULE)
PID_MAX = 256


def _check_pid(value: str) -> str:
    if len(value) > PID_MAX or not PID_PATTERN.match(value):
        raise ValueError(
            "a pid is letters, digits and . _ : - in segments separated by single '/' "
            f"(at most {PID_MAX} characters), like '20.500.12269/1f3a...'"
        )
    return value


def _check_name(value: str) -> str:
    if not NAME_PATTERN.match(value):
        raise ValueError("use letters, digits and . _ @ + - (at most 128 characters)")
    return value


METADATA_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")


def _check_metadata_name(value: str) -> str:
    # These names become document keys in MongoDB: no '$', no '.', nothing odd.
    if not METADATA_NAME_PATTERN.match(value):
        raise ValueError(
            f"scientific metadata name {value!r}: start with a letter or _, then letters, "
            "digits, _ or - (at most 128)"
        )
    return value


STORED = {"stored": True}
"""The validation context of documents read from a store (see the module docstring)."""


def reading(info: ValidationInfo) -> bool:
    """Whether a validator runs on a stored document (lenient) rather than on input."""
    return bool(info.context and info.context.get("stored"))


def _name_on_input(value: str, info: ValidationInfo) -> str:
    return value if reading(info) else _check_name(value)


def _pid_on_input(value: str, info: ValidationInfo) -> str:
    return value if reading(info) else _check_pid(value)


class UnreadableDocument(ValueError):
    """A stored document beamhub cannot read (what SciCat's schema would refuse too)."""

    def __init__(self, key: Any, reason: str):
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


Pid = Annotated[str, AfterValidator(_check_pid),
              Field(json_schema_extra={"pattern": PID_RULE, "minLength": 1, "maxLength": PID_MAX})]
Name = Annotated[str, AfterValidator(_check_name), Field(json_schema_extra={"pattern": NAME_PATTERN.pattern})]
"""A user, group, beamline or proposal id."""
StoredName = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_name_on_input)]
"""A group, beamline or proposal id: a :data:`Name` on input, any string SciCat stored
(``"Smith, Jones and Sons"``, ``/SU/XQX/RAMJET``, ``10.540.16635/20110123``) on reading."""
StoredPid = Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_pid_on_input)]
"""A :data:`Pid` on input; any string on reading (SciCat's ``inputDatasets`` may be paths)."""
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
ShortText = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=10_000)]
ScalarValue = Union[StrictBool, StrictInt, StrictFloat, Annotated[str, Field(max_length=1000)]]

DatasetType = Literal["raw", "derived"]
DATASET_TYPES = ("raw", "derived")


def _type_on_input(value: str, info: ValidationInfo) -> str:
    if not reading(info) and value not in DATASET_TYPES:
        raise ValueError("the type is 'raw' or 'derived' (SciCat's custom types are only read)")
    return value

VoteValue = Literal["like", "dislike"]
SelectionStatus = Literal["draft", "submitted", "running", "done", "failed"]

MAX_LIST = 1000
"""Longest list accepted in a dataset field (access groups, keywords, inputs...)."""
MAX_FILES = 100_000


def now() -> datetime:
    return datetime.now(timezone.utc)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, populate_by_name=True)

    @classmethod
    def parse(cls, data: Any):
        """Validate input and raise :class:`InvalidInput` with every problem listed."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(f"invalid {cls.__name__.lower()}: {describe_errors(exc)}",
                               details=error_list(exc)) from None

    @classmethod
    def from_document(cls, doc: dict):
        """Build from a stored document: unknown fields (SciCat's others, ``_id``) dropped.

        Documents beamhub wrote were validated on the way in. Documents another program
        wrote (SciCat itself) may not fit beamhub's input rules: they are still readable,
        with what does not fit made to fit (see :meth:`_readable`) or, for an optional
        field, left at its default, so one odd document never breaks a search.
        """
        known = {k: v for k, v in doc.items() if k in cls.model_fields and v is not None}
        try:
            return cls.model_validate(known, context=STORED)
        except ValidationError:
            pass
        known = cls._readable(known)
        for _ in range(len(known) + 1):
            try:
                return cls.model_validate(known, context=STORED)
            except ValidationError as exc:
                bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
                optional = {name for name in bad if name in known and not cls.model_fields[name].is_required()}
                if not optional or not cls._drop_invalid_optional:
                    raise UnreadableDocument(doc.get("_id", "(no _id)"), describe_errors(exc)) from None
                for name in optional:
                    del known[name]
        raise AssertionError("not reached")

    _drop_invalid_optional = True
    """Whether an optional field that does not fit is left at its default (else the
    document is unreadable)."""

    @classmethod
    def _readable(cls, doc: dict) -> dict:
        """Adapt another program's document to this model where it can (override)."""
        return doc

    def to_document(self) -> dict:
        """The JSON-compatible dict stored and sent (datetimes stay datetimes)."""
        return self.model_dump(mode="python", exclude_none=False)


def error_list(exc: ValidationError) -> list[dict]:
    """Every problem of a validation error as ``{"field": "a.b", "message": ...}``."""
    return [
        {"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"]}
        for err in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def describe_errors(exc: ValidationError) -> str:
    """The first five problems of a validation error, in one line for people."""
    errors = error_list(exc)
    shown = "; ".join(f"{e['field'] or '(body)'}: {e['message']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return shown + more


# --- parts -------------------------------------------------------------------------


class ScientificValue(_Model):
    """One scientific-metadata entry: ``{"value": 293.2, "unit": "K"}``.

    Numeric values are searchable with ``<, <=, =, >=, >, !=`` and, where the unit is
    known, converted (a condition in ``degC`` finds values stored in ``K``). Strings and
    booleans are searchable with ``=`` and ``!=``. Lists (for example a shape) are
    stored and shown but not searched.
    """

    value: Union[ScalarValue, list[Union[StrictInt, StrictFloat, Annotated[str, Field(max_length=200)]]]]
    unit: Annotated[str, Field(max_length=64)] = ""

    @field_validator("value")
    @classmethod
    def _finite(cls, value):
        if isinstance(value, float) and value != value:
            raise ValueError("NaN is not a value")
        if isinstance(value, list) and len(value) > 64:
            raise ValueError("at most 64 items in a list value")
        return value


def _metadata_name_on_input(value: str, info: ValidationInfo) -> str:
    # On reading: SciCat's dotted, decoded names ("beamlineParameters.Ring current").
    return value[:300] if reading(info) else _check_metadata_name(value)


MetadataName = Annotated[str, AfterValidator(_metadata_name_on_input)]


def _technique_from_str(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class Technique(_Model):
    """A SciCat technique: ``{"name": "MX", "pid": "..."}`` (pid optional)."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    pid: Annotated[str, Field(max_length=PID_MAX)] = ""


class DataFile(_Model):
    """One file of a dataset (beamhub; SciCat keeps these in its origdatablocks)."""

    path: Annotated[str, Field(min_length=1, max_length=4096)]
    size: Annotated[int, Field(ge=0)] = 0
    time: UtcDatetime | None = None


class SignalInfo(_Model):
    """The default plottable signal found at ingestion (beamhub)."""

    file: Annotated[str, Field(max_length=4096)]
    path: Annotated[str, Field(max_length=1024)]
    shape: list[Annotated[int, Field(ge=0)]]
    dtype: Annotated[str, Field(max_length=64)]
    axes: list[Annotated[str, Field(max_length=1024)]] = []
    entry: Annotated[str, Field(max_length=1024)] = ""


# --- the four documents ------------------------------------------------------------


SCICAT_READ_ONLY = ("proposalIds", "sampleIds", "instrumentIds", "instrumentId")
"""Dataset fields read from SciCat's documents and never written by beamhub."""


class Dataset(_Model):
    """A SciCat dataset.

    Access: visible to identities in ``ownerGroup`` or ``accessGroups``, to everyone
    when ``isPublished``, and to staff of ``creationLocation`` (the beamline).
    """

    pid: Pid
    datasetName: Annotated[str, Field(min_length=1, max_length=500)]
    description: LongText = ""
    type: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_type_on_input)] = "raw"
    """``raw`` or ``derived``; SciCat's custom types (``custom``...) are read, not written."""
    owner: Annotated[str, Field(max_length=200)] = ""
    ownerGroup: StoredName
    accessGroups: Annotated[list[StoredName], Field(max_length=MAX_LIST)] = []
    isPublished: StrictBool = False
    proposalId: StoredName | None = None
    proposalIds: Annotated[list[StoredName], Field(max_length=MAX_LIST)] = []
    """SciCat v4's proposals of the dataset (read only; beamhub writes ``proposalId``)."""
    sampleId: Annotated[str, Field(max_length=200)] | None = None
    sampleIds: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=MAX_LIST)] = []
    """SciCat v4's samples (read only)."""
    instrumentId: Annotated[str, Field(max_length=200)] | None = None
    instrumentIds: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=MAX_LIST)] = []
    """SciCat's instrument ids, v3 and v4 (read only)."""
    creationLocation: StoredName | None = None
    """The beamline; required on input, absent in some SciCat documents (derived data)."""
    techniques: Annotated[
        list[Annotated[Technique, BeforeValidator(_technique_from_str)]], Field(max_length=50)
    ] = []
    creationTime: UtcDatetime
    sourceFolder: Annotated[str, Field(max_length=4096)] = ""
    size: Annotated[int, Field(ge=0)] = 0
    numberOfFiles: Annotated[int, Field(ge=0)] = 0
    keywords: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=MAX_LIST)] = []
    scientificMetadata: Annotated[dict[MetadataName, ScientificValue], Field(max_length=500)] = {}
    inputDatasets: Annotated[list[StoredPid], Field(max_length=MAX_LIST)] = []
    """Pids of the inputs; SciCat's may be anything (paths, other catalogues' ids)."""
    jobParameters: dict[str, Any] = {}
    usedSoftware: Annotated[list[str], Field(max_length=MAX_LIST)] = []
    """SciCat's: the software that made a derived dataset (URLs or names with versions)."""
    # beamhub's own fields
    files: Annotated[list[DataFile], Field(max_length=MAX_FILES)] = []
    signal: SignalInfo | None = None
    likes: Annotated[int, Field(ge=0)] = 0
    dislikes: Annotated[int, Field(ge=0)] = 0
    myVote: VoteValue | None = None
    """The calling identity's vote; filled in on reads, never stored."""
    myComment: Annotated[str, Field(max_length=2000)] = ""
    """The calling identity's comment on its vote ('' without one); filled in on reads,
    never stored here (it is the vote's)."""
    createdAt: UtcDatetime | None = None
    updatedAt: UtcDatetime | None = None

    _drop_invalid_optional = False

    @field_validator("jobParameters")
    @classmethod
    def _no_operator_keys(cls, value, info: ValidationInfo):
        if not reading(info):
            _reject_dollar_keys(value, "jobParameters")
        return value

    @model_validator(mode="before")
    @classmethod
    def _input_rules(cls, data: Any, info: ValidationInfo):
        """On input (not on reading, not for a Dataset already made): a beamline, and
        none of SciCat's read-only fields."""
        if reading(info) or not isinstance(data, dict):
            return data
        if data.get("creationLocation") is None:
            raise ValueError("creationLocation (the beamline) is required")
        if any(data.get(field) for field in SCICAT_READ_ONLY):
            raise ValueError("proposalIds, sampleIds, instrumentIds and instrumentId are SciCat's, read "
                             "from its documents; beamhub writes proposalId and sampleId")
        return data

    @classmethod
    def from_document(cls, doc: dict) -> "Dataset":
        """Read a stored dataset (SciCat's own documents included; see the module
        docstring). Raises :class:`UnreadableDocument` if SciCat's schema would refuse it."""
        known = {k: v for k, v in doc.items() if k in cls.model_fields and v is not None}
        try:
            return cls.model_validate(cls._readable(known), context=STORED)
        except ValidationError as exc:
            raise UnreadableDocument(doc.get("pid", doc.get("_id", "(no pid)")), describe_errors(exc)) from None

    @classmethod
    def _readable(cls, doc: dict) -> dict:
        """SciCat's values made to fit beamhub's read model where SciCat allows them:
        free-form metadata flattened, empty ids and techniques without a name dropped,
        a missing name made as SciCat makes it, over-long texts cut."""
        doc = dict(doc)
        metadata = doc.get("scientificMetadata")
        if isinstance(metadata, dict):
            doc["scientificMetadata"] = readable_metadata(metadata)
        techniques = doc.get("techniques")
        if isinstance(techniques, list):
            doc["techniques"] = [t for t in techniques if (isinstance(t, str) and t) or (
                isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"])]
            doc["techniques"] = [{k: v for k, v in t.items() if k in ("name", "pid") and isinstance(v, str)}
                                 if isinstance(t, dict) else t for t in doc["techniques"]]
        for field in ("proposalId", "sampleId", "instrumentId"):
            if doc.get(field) == "":
                del doc[field]
        for field in ("proposalIds", "sampleIds", "instrumentIds", "accessGroups", "keywords", "inputDatasets"):
            values = doc.get(field)
            if isinstance(values, list):
                doc[field] = list(dict.fromkeys(v for v in values if not isinstance(v, str) or v))
        if not isinstance(doc.get("datasetName"), str) or not doc["datasetName"].strip():
            doc["datasetName"] = _scicat_default_name(doc)
        for field, limit in (("datasetName", 500), ("description", 10_000), ("owner", 200), ("sourceFolder", 4096)):
            if isinstance(doc.get(field), str):
                doc[field] = doc[field][:limit]
        if isinstance(doc.get("keywords"), list):
            doc["keywords"] = [k[:200] if isinstance(k, str) else k for k in doc["keywords"]]
        return doc

    @property
    def proposals(self) -> list[str]:
        """Every proposal of the dataset: ``proposalId`` and SciCat v4's ``proposalIds``."""
        return list(dict.fromkeys([*([self.proposalId] if self.proposalId else []), *self.proposalIds]))

    @property
    def technique_names(self) -> list[str]:
        return [t.name for t in self.techniques]

    def to_stored(self) -> dict:
        """The document as stored: without the per-caller ``myVote``."""
        doc = self.to_document()
        doc.pop("myVote", None)
        doc.pop("myComment", None)
        for field in SCICAT_READ_ONLY:  # SciCat's, only read: never written when empty
            if not doc.get(field):
                doc.pop(field, None)
        return doc


class Proposal(_Model):
    """A proposal (an experiment's allocation): its group decides who sees its data.

    ``members`` and ``beamline``, ``dataPath`` are beamhub's: the identity provider's
    group members, the beamline, and the directory holding the proposal's data (what
    the spawner mounts read-only).
    """

    proposalId: StoredName
    title: Annotated[str, Field(max_length=1000)] = ""
    abstract: LongText = ""
    ownerGroup: StoredName
    accessGroups: Annotated[list[StoredName], Field(max_length=MAX_LIST)] = []
    members: Annotated[list[Name], Field(max_length=MAX_LIST)] = []
    beamline: StoredName | None = None
    startTime: UtcDatetime | None = None
    endTime: UtcDatetime | None = None
    dataPath: Annotated[str, Field(max_length=4096)] = ""


class Vote(_Model):
    """One user's judgement of one dataset: a training label, so it must be exact."""

    pid: Pid
    user: Name
    value: VoteValue
    comment: Annotated[str, Field(max_length=2000)] = ""
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class VoteState(_Model):
    """A dataset's vote counts and the caller's own vote, after a vote was set."""

    pid: Pid
    likes: int
    dislikes: int
    myVote: VoteValue | None = None
    myComment: Annotated[str, Field(max_length=2000)] = ""


SELECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted"}),
    "submitted": frozenset({"running", "failed"}),
    "running": frozenset({"done", "failed"}),
    "done": frozenset(),
    "failed": frozenset(),
}
"""Legal status changes of a selection; anything else raises IllegalTransition."""

MAX_SELECTION = 1000
"""Most datasets in one selection."""


def new_selection_id() -> str:
    return "sel-" + uuid.uuid4().hex


class Selection(_Model):
    """A fog-filter selection: datasets worth processing, with the parameters to use.

    Editable (name, datasets, processing, parameters) only while ``draft``. ``version``
    increases with every change and can guard concurrent edits.
    """

    id: Annotated[str, Field(pattern=r"^sel-[0-9a-f]{32}$")]
    owner: Name
    name: Annotated[str, Field(min_length=1, max_length=200)]
    datasets: Annotated[list[Pid], Field(max_length=MAX_SELECTION)] = []
    processing: Annotated[str, Field(max_length=100)] = ""
    parameters: dict[str, Any] = {}
    status: SelectionStatus = "draft"
    jobId: Annotated[str, Field(max_length=200)] | None = None
    logPath: Annotated[str, Field(max_length=4096)] | None = None
    message: Annotated[str, Field(max_length=10_000)] = ""
    derivedDatasets: Annotated[list[Pid], Field(max_length=MAX_LIST)] = []
    version: Annotated[int, Field(ge=1)] = 1
    createdAt: UtcDatetime
    updatedAt: UtcDatetime
    submittedAt: UtcDatetime | None = None
    finishedAt: UtcDatetime | None = None

    @field_validator("parameters")
    @classmethod
    def _no_operator_keys(cls, value):
        _reject_dollar_keys(value, "parameters")
        return value


def _reject_dollar_keys(value: Any, where: str, depth: int = 0) -> None:
    """Free-form JSON is stored as is in MongoDB: keys must not act as operators."""
    if depth > 10:
        raise ValueError(f"{where} is nested too deeply (at most 10 levels)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\x00" in key:
                raise ValueError(f"{where}: key {key!r} may not start with '$' or contain '.'")
            _reject_dollar_keys(item, where, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _reject_dollar_keys(item, where, depth + 1)


def readable_metadata(metadata: dict) -> dict:
    """SciCat's free-form scientific metadata as ``{dotted name: {"value", "unit"}}``
    (:func:`beamhub.catalogue.scientific_metadata.readable`)."""
    from .scientific_metadata import readable

    return readable(metadata)


def _scicat_default_name(doc: dict) -> str:
    """SciCat's own default ``datasetName``: the last two parts of ``sourceFolder``,
    else (beamhub) the pid."""
    folder = doc.get("sourceFolder")
    if isinstance(folder, str) and folder.strip("/"):
        return "/".join(folder.rstrip("/").split("/")[-2:]).lstrip("/") or folder
    return str(doc.get("pid") or doc.get("_id") or "unnamed")


def check_vote(value: object) -> VoteValue | None:
    """Validate a vote from a request (``None`` clears it); the one rule every way in uses."""
    if value is not None and value not in get_args(VoteValue):
        raise InvalidInput(f"a vote is 'like', 'dislike' or none (to clear it), not {value!r}")
    return value  # type: ignore[return-value]


def check_pid(value: str) -> str:
    """Validate a pid from a request; raise :class:`InvalidInput` if malformed."""
    try:
        return _check_pid(value) if isinstance(value, str) else _raise_type()
    except ValueError as exc:
        raise InvalidInput(f"malformed pid {value!r}: {exc}") from None


def _raise_type():
    raise ValueError("a pid is a string")
