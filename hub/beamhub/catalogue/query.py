"""Catalogue searches: what can be asked, and what comes back.

A :class:`SearchQuery` combines free text, facet filters (any of the values within a
facet, all facets together), a date range, keywords, the caller's own vote, and
scientific-metadata conditions such as ``temperature > 290 K``. Results come a page at
a time; ``next_cursor`` fetches the following page (keyset pagination: stable while
the catalogue changes, and as fast on page 1,000 as on page 1).

Facet counts are *disjunctive*: the counts of a facet are computed with every filter
but that facet's own, so a user sees how many datasets each other value would give.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, field_validator

from .errors import InvalidInput
from .model import METADATA_NAME_PATTERN, PID_MAX, PID_RULE, Dataset, Name, UtcDatetime, _Model
from .text import MAX_QUERY_CHARS, parse_text_query
from .units import SPACE, UNIT_GRAMMAR, UNIT_PATTERN, check_unit

FACETS = ("beamline", "proposal", "technique", "type", "year")
"""Facet names; ``beamline`` is SciCat's ``creationLocation``."""

SORTS = (
    "-creationTime", "creationTime", "datasetName", "-datasetName",
    "size", "-size", "-likes", "relevance",
)
"""Sort orders; ``-`` is descending; ties always by pid ascending. ``datasetName``
sorts case-insensitively (by ``str.lower``); ``creationTime`` orders and compares at
millisecond precision (what MongoDB stores). ``relevance`` needs free text: datasets
whose name holds every query word first, then the others, newest first within each."""

MAX_PAGE = 200
MAX_FILTER_VALUES = 50
MAX_CONDITIONS = 10
MAX_FACET_VALUES = 100
"""Facet counts list at most this many values per facet, most frequent first (ties by
value ascending); datasets without a value (no proposal) are not listed."""

INT64_MAX = 2**63 - 1
"""Integers a store can hold (SQLite and BSON both stop at 64 bits): larger ones in a
condition compare as floating point numbers, larger ones anywhere else are refused."""

_NUMBER = (r"[+-]?(?:[0-9]{1,20}(?:\.[0-9]{0,17})?|\.[0-9]{1,17})"
           r"(?:[eE][+-]?(?:2[0-8][0-9]|1?[0-9]{1,2}))?")  # always finite: below 1e307
_CONDITION_PARTS = (
    r"[ \t]*(?P<name>[A-Za-z_%][A-Za-z0-9_.%-]{0,255}|\"[^\"'$\x00-\x1f][^\"'\x00-\x1f]{0,255}\"|'[^\"'$\x00-\x1f][^\"'\x00-\x1f]{0,255}')[ \t]*"
    rf"(?:(?P<order><=|>=|<|>)[ \t]*(?P<bound>{_NUMBER})"
    rf"|(?P<equality>!=|=)[ \t]*(?:(?P<number>{_NUMBER})|(?P<boolean>[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])"
    rf"|(?P<quoted>\"[^\"]{{0,200}}\"|'[^']{{0,200}}')|(?P<word>[^{SPACE}\"']{{1,200}})))"
    rf"(?:[ \t]+(?P<unit>{UNIT_PATTERN}))?[ \t]*"
)
_CONDITION = re.compile(_CONDITION_PARTS)
_ORDERED_NOT_NUMBER = re.compile(r"[ \t]*(?P<name>[A-Za-z_%][A-Za-z0-9_.%-]{0,255})[ \t]*(?P<op><=|>=|<|>)[ \t]*"
                                 r"(?P<value>[^0-9+\-.\s][^\s]{0,200})(?:[ \t].{0,400})?")
"""An ordering condition whose value is no number: said so plainly (a bounded pattern)."""
CONDITION_PATTERN = "^" + re.sub(r"\(\?P<\w+>", "(?:", _CONDITION_PARTS) + "$"
"""Every condition the catalogue reads, as one regular expression (the API states it):
``name op value [unit]``; ``< <= >= >`` take a number (at most 20 digits before the
point, exponent at most 289), ``= !=`` also true/false, a quoted string or a word;
the unit as :data:`~.units.UNIT_PATTERN`."""

FilterValue = Annotated[str, Field(min_length=1, max_length=200)]
"""Free text to filter by (a technique, a keyword): compared as text, never an operator."""
ProposalFilter = Annotated[str, Field(min_length=1, max_length=200, pattern=PID_RULE)]
"""A proposal id to filter by: letters, digits and . _ : - in segments separated by single
'/' (SciCat's DOI-like ids such as ``10.540.16635/20110123``), the pid rule."""
FilterId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^$\x00-\x1f][^\x00-\x1f]*$")]
"""A dataset type to filter by: raw, derived or a site's custom SciCat type, but not
starting with '$' nor holding control characters."""

METADATA_PATH_PATTERN = r"^[^\x00-\x1f\"'$][^\x00-\x1f\"']{0,255}$"
"""A scientific-metadata name in a condition (see :mod:`~.scientific_metadata`)."""


class MetadataCondition(_Model):
    """``name op value [unit]`` over scientific metadata.

    Numbers compare numerically (in base units when ``unit`` is given and known);
    strings and booleans allow only ``=`` and ``!=`` (strings compare lower-cased).
    ``!=`` matches datasets that have the entry with another value of the same kind
    (a string condition never matches a number or a boolean, and so on).
    """

    name: Annotated[str, Field(pattern=METADATA_PATH_PATTERN)]
    """An entry's name; SciCat's nested or URL-encoded keys by their dotted, decoded path
    (``beamlineParameters.Ring current``), quoted in text when it holds other characters."""
    op: Literal["<", "<=", "=", ">=", ">", "!="]
    value: Union[StrictBool, StrictInt, StrictFloat, Annotated[str, Field(max_length=200)]]
    unit: Annotated[str, Field(max_length=400)] = ""

    @field_validator("unit")
    @classmethod
    def _unit(cls, value):
        check_unit(value)
        return value

    @field_validator("value")
    @classmethod
    def _number(cls, value):
        """Numbers the stores can compare: finite, and integers beyond 64 bits as floats."""
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and abs(value) > INT64_MAX:
            try:
                value = float(value)
            except OverflowError:
                raise ValueError("the number is too large") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("the number must be finite")
        return value

    def model_post_init(self, __context: Any) -> None:
        if not self.numeric and self.op not in ("=", "!="):
            raise InvalidInput(f"condition on {self.name!r}: {self.op} needs a number")

    @property
    def numeric(self) -> bool:
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)

    @classmethod
    def from_text(cls, text: str) -> "MetadataCondition":
        """Parse ``"temperature > 290 K"``, ``"sample_state = 'frozen'"``, ``"ok = true"``."""
        if len(text) > 400:
            raise InvalidInput("a metadata condition is longer than 400 characters")
        match = _CONDITION.fullmatch(text[:-1] if text.endswith("\n") else text)  # as '$' does
        if not match:
            ordered = _ORDERED_NOT_NUMBER.fullmatch(text)
            if ordered:
                raise InvalidInput(f"condition on {ordered['name']!r}: {ordered['op']} needs a number, "
                                   f"not {ordered['value'][:100]!r}", details={"pattern": CONDITION_PATTERN})
            raise InvalidInput(
                f"cannot read the condition {text[:100]!r}: write 'name op value [unit]' with op "
                "one of < <= = >= > != (< <= >= > need a number), for example 'temperature > 290 K'; "
                + UNIT_GRAMMAR, details={"pattern": CONDITION_PATTERN})
        raw = match["bound"] or match["number"]
        value: Any
        if raw is not None:
            value = int(raw) if re.fullmatch(r"[+-]?[0-9]+", raw) else float(raw)
        elif match["boolean"]:
            value = match["boolean"].lower() == "true"
        elif match["quoted"]:
            value = match["quoted"][1:-1]
        else:
            value = match["word"]
        name = match["name"][1:-1] if match["name"][0] in "\"'" else match["name"]
        return cls.parse({"name": name, "op": match["order"] or match["equality"], "value": value,
                          "unit": match["unit"] or ""})

    def __str__(self) -> str:
        value = json.dumps(self.value) if isinstance(self.value, str) else str(self.value).lower() \
            if isinstance(self.value, bool) else repr(self.value)
        name = self.name if re.fullmatch(r"[A-Za-z_%][A-Za-z0-9_.%-]*", self.name) else json.dumps(self.name)
        return f"{name} {self.op} {value}{' ' + self.unit if self.unit else ''}"


class SearchQuery(_Model):
    """One catalogue search. Every field is optional; the empty query lists everything
    the caller may see, newest first."""

    # The API's query parameters (beamhub.service.api_models.SearchParams) are these fields,
    # with the conditions as text and facets as a query-string boolean: the descriptions
    # here are the API description's.
    text: Annotated[str, Field(max_length=MAX_QUERY_CHARS)] = Field(
        "", description="Free text: every word must occur; the last also as a prefix.")
    beamline: Annotated[list[Name], Field(max_length=MAX_FILTER_VALUES)] = []
    proposal: Annotated[list[ProposalFilter], Field(max_length=MAX_FILTER_VALUES)] = Field(
        [], description="Proposal ids (SciCat's may hold '/'); a dataset matches by proposalId or proposalIds.")
    technique: Annotated[list[FilterValue], Field(max_length=MAX_FILTER_VALUES)] = []
    type: Annotated[list[FilterId], Field(max_length=MAX_FILTER_VALUES)] = Field(
        [], description="raw, derived, or a site's custom SciCat type (the type facet lists them).")
    year: Annotated[list[Annotated[int, Field(ge=1900, le=2200)]], Field(max_length=MAX_FILTER_VALUES)] = []
    keyword: Annotated[list[FilterValue], Field(max_length=MAX_FILTER_VALUES)] = []
    created_after: UtcDatetime | None = Field(
        None, description="Inclusive lower bound on creationTime: ISO 8601 date-time (UTC if no zone).")
    created_before: UtcDatetime | None = Field(
        None, description="Exclusive upper bound on creationTime: ISO 8601 date-time (UTC if no zone).")
    my_vote: Literal["like", "dislike", "any", "none"] | None = Field(
        None, description="Only datasets the caller liked, disliked, voted on at all, or not voted on.")
    conditions: Annotated[list[MetadataCondition], Field(max_length=MAX_CONDITIONS)] = []
    sort: Literal[SORTS] = "-creationTime"  # type: ignore[valid-type]
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 25
    cursor: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="next_cursor of the previous page, with the same other parameters.")
    facets: StrictBool = Field(True, description="Whether to compute facet counts (the first page usually wants them).")

    def model_post_init(self, __context: Any) -> None:
        text = parse_text_query(self.text)  # raises on over-long text
        if self.sort == "relevance" and text.empty:
            raise InvalidInput("sort=relevance needs search text")
        if self.created_after and self.created_before and self.created_after >= self.created_before:
            raise InvalidInput("created_after must be before created_before")

    @property
    def text_query(self):
        return parse_text_query(self.text)

    def fingerprint(self) -> str:
        """What a cursor is bound to: the query without cursor, limit and facets."""
        body = self.model_dump(mode="json", exclude={"cursor", "limit", "facets"})
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


class FacetCount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Union[str, int]
    count: int


class SearchHint(BaseModel):
    """Why a search found nothing: a ``term`` of the query (a text word, a field name or
    a unit) that no visible dataset has, said in ``message``, with ``suggestions`` (the
    nearest field names, or the field's units) when there are some."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["text", "field", "unit"]
    term: str
    message: str
    suggestions: list[str] = []


class ProposalMatch(BaseModel):
    """A proposal the caller is in whose title (or id) holds the search words."""

    model_config = ConfigDict(extra="forbid")
    proposalId: str
    title: str


class SearchResult(BaseModel):
    """A page of results: ``items`` in sort order, ``total`` matching datasets the
    caller may see, ``facets`` (empty when not asked for) and ``next_cursor`` (None on
    the last page). ``hints`` (the service fills them when nothing matched) name what
    no visible dataset has; ``proposals`` are the caller's proposals titled so."""

    model_config = ConfigDict(extra="forbid")
    items: list[Dataset]
    total: int
    facets: dict[str, list[FacetCount]] = {}
    next_cursor: str | None = None
    hints: list[SearchHint] = []
    proposals: list[ProposalMatch] = []
    """The caller's proposals whose title holds the search words (the service fills
    them on the first page): the panel offers them as the proposal filter."""


class FieldUnit(BaseModel):
    """One unit a metadata field's numbers are given in: how many datasets, and the
    smallest and largest value in that unit."""

    model_config = ConfigDict(extra="forbid")
    unit: str
    count: int
    min: float
    max: float


class MetadataField(BaseModel):
    """A scientific-metadata field of the caller's datasets: its name as conditions
    write it, how many datasets have it, its kinds of value and its units."""

    model_config = ConfigDict(extra="forbid")
    name: str
    count: int
    kinds: list[Literal["number", "string", "boolean"]]
    units: list[FieldUnit] = []


class FieldList(BaseModel):
    """The fields of the datasets the caller may see, most common first; ``complete``
    is false when only the newest ``scanned`` datasets were read."""

    model_config = ConfigDict(extra="forbid")
    fields: list[MetadataField]
    scanned: int
    complete: bool


# --- cursors -----------------------------------------------------------------------
#
# A cursor carries the sort key of the last item of a page and its pid (the tie
# breaker), bound to the query's fingerprint so it cannot be replayed on another query.


def encode_cursor(query: SearchQuery, key: Any, pid: str) -> str:
    if isinstance(key, datetime):
        key = {"t": key.isoformat()}
    raw = json.dumps({"q": query.fingerprint(), "k": key, "p": pid}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


_RELEVANCE_KEY = re.compile(r"^-?\d{1,2}\|(?:-?\d{1,19}|\d{4}-\d\d-\d\dT[0-9:.]{8,15}(?:[+-]\d\d:\d\d)?)?$")
"""The relevance sort's keys: tier and time, as the SQLite store (``-1|-1700000000000``)
or the MongoDB store (``1|2024-05-01T10:00:00+00:00``) writes them."""


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number")


def decode_cursor(query: SearchQuery, *, time_key: type = int) -> tuple[Any, str] | None:
    """The (sort key, pid) after which the page starts, or None for the first page.

    Only keys of the kind the store gave out for the query's sort get through (a
    tampered cursor is 400 invalid_input, never a store error): ``time_key`` is the
    type of creation-time keys in the calling store (``int`` milliseconds for SQLite,
    ``datetime`` for MongoDB); integers fit in 64 bits, floats are finite, datetimes are
    UTC."""
    if not query.cursor:
        return None
    gave_out = InvalidInput("the cursor is not one this catalogue gave out")
    try:
        padded = query.cursor + "=" * (-len(query.cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode()), parse_constant=_reject_constant)
        fingerprint, key, pid = body["q"], body["k"], body["p"]
        if isinstance(key, dict):
            key = datetime.fromisoformat(key["t"])
            key = key.replace(tzinfo=timezone.utc) if key.tzinfo is None else key.astimezone(timezone.utc)
    except Exception:
        raise gave_out from None
    if fingerprint != query.fingerprint():
        raise InvalidInput("the cursor belongs to another search; start again from the first page")
    if not isinstance(pid, str) or not 0 < len(pid) <= PID_MAX or not _key_fits(query.sort, key, time_key):
        raise gave_out
    return key, pid


def _key_fits(sort: str, key: Any, time_key: type) -> bool:
    if isinstance(key, bool) or (isinstance(key, int) and abs(key) > INT64_MAX) \
            or (isinstance(key, float) and not math.isfinite(key)):
        return False
    if sort == "relevance":
        return isinstance(key, str) and bool(_RELEVANCE_KEY.match(key))
    if "datasetName" in sort:
        return key is None or isinstance(key, str)
    if "creationTime" in sort:
        return key is None or isinstance(key, time_key)
    return key is None or isinstance(key, (int, float))  # size, likes
