"""What the SQLite store derives from a dataset: pure functions, no database.

A dataset is stored once as JSON (``doc``) plus the columns and side rows its searches
need: its *access signature* (the sorted set of its access keys), its *cell* (signature
and facet values: beamline, proposal, technique set, type, year), its words for free
text (with a relevance weight), its scientific-metadata entries in comparable form, its
keywords and the pids it was derived from. Updates and deletes derive the same rows
from the stored document to remove them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ...identity import dataset_access_keys
from ...model import Dataset
from ...text import dataset_words, words
from ...units import normalize

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DOC_EXCLUDE = {"myVote", "myComment", "likes", "dislikes", "createdAt", "updatedAt"}
"""Fields kept in columns (counts, times) or never stored (``myVote``, ``myComment``)."""

# Kinds of scientific-metadata rows (column ``k``): one question each can answer.
BY_DIMENSION = 0
"""Numbers in base units, compared within one dimension (``v`` normalised, ``dim``)."""
RAW_NUMBER = 1
"""Numbers as stored, whatever their unit (conditions without a unit)."""
TEXT_VALUE = 2
"""Strings (``s:`` + lower case) and booleans (``b:true``/``b:false``)."""

MAX_SQLITE_INT = 2**63 - 1


def millis(value: datetime) -> int:
    """A UTC datetime as integer milliseconds since 1970, rounded down: the precision
    MongoDB keeps, so that both backends order and compare times alike."""
    return (value - EPOCH) // timedelta(milliseconds=1)


def year_start(year: int) -> int:
    return millis(datetime(year, 1, 1, tzinfo=timezone.utc))


def iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat()


def name_key(name: str) -> str:
    """The ``datasetName`` sort key: case-insensitive (``str.lower``)."""
    return name.lower()


@dataclass(frozen=True)
class CellKey:
    """The facet values a dataset is counted under, with its access signature."""

    signature: str
    beamline: str
    proposal: str
    techniques: str
    type: str
    year: int


@dataclass
class Derived:
    """Everything stored for one dataset besides its vote counts and times."""

    pid: str
    doc: str
    access_keys: tuple[str, ...]
    cell: CellKey
    ctime: int
    name_key: str
    size: int
    words: dict[str, int]
    """distinct word -> relevance weight (2 if in ``datasetName``, else 1)"""
    metadata: list[tuple[str, int, str, object]]
    """(name, kind, dimension, comparable value) rows"""
    keywords: tuple[str, ...]
    inputs: tuple[str, ...]

    @property
    def words_text(self) -> str:
        """`` w1 w2 ... `` for prefix checks with ``instr``."""
        return " " + " ".join(self.words) + " "


def signature(keys) -> str:
    return json.dumps(sorted(keys), separators=(",", ":"))


def derive(dataset: Dataset, doc: str | None = None) -> Derived:
    """The stored form of a validated dataset (``doc`` if its JSON is at hand)."""
    techniques = sorted({t.name for t in dataset.techniques})
    light = {
        "datasetName": dataset.datasetName,
        "description": dataset.description,
        "sampleId": dataset.sampleId,
        "proposalId": dataset.proposalId,
        "creationLocation": dataset.creationLocation,
        "keywords": dataset.keywords,
        "techniques": [t.name for t in dataset.techniques],
        "scientificMetadata": {k: {"value": v.value} for k, v in dataset.scientificMetadata.items()},
        "ownerGroup": dataset.ownerGroup,
        "accessGroups": dataset.accessGroups,
        "isPublished": dataset.isPublished,
    }
    keys = tuple(sorted(dataset_access_keys(light)))
    strong = set(words(dataset.datasetName))
    return Derived(
        pid=dataset.pid,
        doc=doc if doc is not None else dataset.model_dump_json(exclude=DOC_EXCLUDE),
        access_keys=keys,
        cell=CellKey(
            signature=signature(keys),
            beamline=dataset.creationLocation,
            proposal=dataset.proposalId or "",
            techniques=json.dumps(techniques, separators=(",", ":")),
            type=dataset.type,
            year=dataset.creationTime.year,
        ),
        ctime=millis(dataset.creationTime),
        name_key=name_key(dataset.datasetName),
        size=dataset.size,
        words={w: (2 if w in strong else 1) for w in dataset_words(light)},
        metadata=metadata_rows(dataset),
        keywords=tuple(dict.fromkeys(dataset.keywords)),
        inputs=tuple(dict.fromkeys(dataset.inputDatasets)),
    )


def metadata_rows(dataset: Dataset) -> list[tuple[str, int, str, object]]:
    """Comparable scientific-metadata rows; lists are stored but not searchable."""
    rows = []
    for name, entry in dataset.scientificMetadata.items():
        value = entry.value
        if isinstance(value, bool):
            rows.append((name, TEXT_VALUE, "", bool_key(value)))
        elif isinstance(value, (int, float)):
            normalised, dimension = normalize(value, entry.unit)
            rows.append((name, BY_DIMENSION, dimension, normalised))
            rows.append((name, RAW_NUMBER, "", sqlite_number(value)))
        elif isinstance(value, str):
            rows.append((name, TEXT_VALUE, "", text_key(value)))
    return rows


def sqlite_number(value):
    """Integers SQLite cannot hold (beyond 64 bits) compare as floats."""
    if isinstance(value, int) and not -MAX_SQLITE_INT <= value <= MAX_SQLITE_INT:
        return float(value)
    return value


def text_key(value: str) -> str:
    return "s:" + value.lower()


def bool_key(value: bool) -> str:
    return "b:true" if value else "b:false"


def text_kind_range(key: str) -> tuple[str, str]:
    """The key range holding the values of ``key``'s kind (``s:...`` or ``b:...``)."""
    return key[:2], key[0] + ";"  # ';' follows ':'


def condition_row(condition) -> tuple[int, str, object]:
    """(kind, dimension, value) a :class:`MetadataCondition` compares with."""
    value = condition.value
    if isinstance(value, bool):
        return TEXT_VALUE, "", bool_key(value)
    if isinstance(value, str):
        return TEXT_VALUE, "", text_key(value)
    if condition.unit.strip():
        normalised, dimension = normalize(value, condition.unit)
        return BY_DIMENSION, dimension, normalised
    return RAW_NUMBER, "", sqlite_number(value)
