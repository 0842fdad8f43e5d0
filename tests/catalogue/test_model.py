"""Validation on the way in: what a user or an ingestion run sends is checked whole."""

from __future__ import annotations

import pytest

from beamhub.catalogue import Dataset, Identity, InvalidInput, MetadataCondition, SearchQuery
from beamhub.catalogue.model import check_pid
from beamhub.catalogue.text import parse_text_query, words

from .sample import DATASETS, pid


def valid(**changes) -> dict:
    doc = DATASETS[0].to_stored()
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"colour": "blue"}, "colour"),                          # unknown field
        ({"pid": "has space"}, "pid"),
        ({"pid": "a/../b"}, "pid"),
        ({"pid": "$gt"}, "pid"),
        ({"pid": "x" * 300}, "pid"),
        ({"datasetName": {"$gt": ""}}, "datasetName"),            # an operator where a string belongs
        ({"ownerGroup": "p1001; drop"}, "ownerGroup"),
        ({"type": "processed"}, "type"),
        ({"size": -1}, "size"),
        ({"creationTime": "yesterday"}, "creationTime"),
        ({"scientificMetadata": {"$where": {"value": 1}}}, "scientificMetadata"),
        ({"scientificMetadata": {"a.b": {"value": 1}}}, "scientificMetadata"),
        ({"scientificMetadata": {"t": {"value": {"$gt": 1}}}}, "scientificMetadata"),
        ({"jobParameters": {"nested": {"$set": 1}}}, "jobParameters"),
        ({"isPublished": "yes"}, "isPublished"),
    ],
)
def test_bad_datasets_are_refused_with_the_field_named(changes, field):
    with pytest.raises(InvalidInput) as raised:
        Dataset.parse(valid(**changes))
    assert field in raised.value.message
    assert any(field in d["field"] for d in raised.value.details)


def test_techniques_accept_scicat_objects_and_plain_names():
    dataset = Dataset.parse(valid(techniques=["MX", {"name": "SAXS", "pid": "PaNET01188"}]))
    assert dataset.technique_names == ["MX", "SAXS"]


def test_naive_times_are_utc():
    dataset = Dataset.parse(valid(creationTime="2024-03-01T10:00:00"))
    assert dataset.creationTime.utcoffset().total_seconds() == 0


def test_a_scicat_document_with_extra_fields_is_readable():
    doc = valid(contactEmail="pi@example.org", history=[], datasetlifecycle={"archivable": True}, _id="x")
    dataset = Dataset.from_document(doc)
    assert dataset.pid == pid(1) and "contactEmail" not in dataset.model_dump()


@pytest.mark.parametrize("value", ["20.500.12269/abc-1", "abc", "a:b/c.d_e-f"])
def test_good_pids(value):
    assert check_pid(value) == value


@pytest.mark.parametrize("value", ["", "/abc", "abc/", "a//b", "a b", "a$b", "ü", 5])
def test_bad_pids(value):
    with pytest.raises(InvalidInput):
        check_pid(value)


@pytest.mark.parametrize("name", ["", "a b", "$gt", "x" * 200, "a/b"])
def test_identity_names_are_checked(name):
    with pytest.raises(InvalidInput):
        Identity(name)
    with pytest.raises(InvalidInput):
        Identity("alice", groups=frozenset({name}))


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("temperature > 290 K", ("temperature", ">", 290, "K")),
        ("temperature>=-20.5 degC", ("temperature", ">=", -20.5, "degC")),
        ("concentration <= 5 mg/mL", ("concentration", "<=", 5, "mg/mL")),
        ("sample_state = 'room temperature'", ("sample_state", "=", "room temperature", "")),
        ('state != "frozen"', ("state", "!=", "frozen", "")),
        ("ok = true", ("ok", "=", True, "")),
        ("energy = 1e4 eV", ("energy", "=", 1e4, "eV")),
    ],
)
def test_conditions_parse(text, parsed):
    condition = MetadataCondition.from_text(text)
    assert (condition.name, condition.op, condition.value, condition.unit) == parsed


@pytest.mark.parametrize("text", ["temperature", "temperature ~ 3", "$where = 1", "\"a.b = 1", "name > 'text'",
                                  "t = 1 ${x}"])
def test_bad_conditions_are_explained(text):
    with pytest.raises(InvalidInput):
        MetadataCondition.from_text(text)


@pytest.mark.parametrize(
    "query",
    [
        {"colour": "blue"},
        {"text": "x" * 300},
        {"text": " ".join(["w"] * 20)},
        {"limit": 0},
        {"limit": 201},
        {"beamline": [{"$ne": ""}]},
        {"beamline": ["i03"] * 51},
        {"sort": "random"},
        {"sort": "relevance"},
        {"conditions": [{"name": "t", "op": "<", "value": 1}] * 11},
        {"created_after": "2025-01-01", "created_before": "2024-01-01"},
        {"my_vote": "love"},
        {"facets": "yes"},
    ],
)
def test_bad_queries_are_refused(query):
    with pytest.raises(InvalidInput):
        SearchQuery.parse(query)


def test_text_words_and_prefix():
    assert words("Lysozyme_001 at 100K, Müller") == ["lysozyme", "001", "at", "100k", "muller"]
    query = parse_text_query("bsa prot")
    assert query.whole == ("bsa",) and query.prefix == "prot"
    query = parse_text_query("bsa prot ")
    assert query.whole == ("bsa", "prot") and query.prefix is None
    assert not parse_text_query("...").empty   # a term with no word: it matches nothing (issue 15)
    assert parse_text_query("...").unmatchable == ("...",)
    assert parse_text_query("  ").empty


def test_a_scicat_document_beamhub_would_not_accept_is_still_readable():
    doc = valid(
        scientificMetadata={
            "beam.energy": {"value": 12.4, "unit": "keV"},               # a '.' in the name
            "detector": {"value": {"name": "Eiger", "pixels": [2068, 2164]}},  # nested value
            "operator notes": "tuned at 3am",                            # no {value, unit}
            "2theta": {"value": 14.2, "unit": "deg"},                    # starts with a digit
        },
        keywords=["x" * 300],                                            # longer than beamhub allows
    )
    dataset = Dataset.from_document(doc)
    metadata = {name: (entry.value, entry.unit) for name, entry in dataset.scientificMetadata.items()}
    # read as SciCat means them: names by their path, as written (tests/catalogue/test_scicat_read.py)
    assert metadata["beam.energy"] == (12.4, "keV")
    assert metadata["detector"] == ('{"name": "Eiger", "pixels": [2068, 2164]}', "")
    assert metadata["operator notes"] == ("tuned at 3am", "")
    assert metadata["2theta"] == (14.2, "deg")
    assert dataset.keywords == ["x" * 200]                              # cut to what beamhub shows
    assert dataset.pid == pid(1)


def test_input_rules_still_hold_for_what_comes_in():
    with pytest.raises(InvalidInput):
        Dataset.parse(valid(scientificMetadata={"beam.energy": {"value": 1}}))
