"""A facility's SciCat database read as it is (issue 9, the reading half).

The fixture set (``scicat_documents.py``: SciCat's own shapes, v3 and v4 fields, every
scientific-metadata form, odd beamlines and groups, broken documents) is inserted into
the MongoDB server (DocumentDB) as SciCat would have written it, then searched, shown, listed and counted as the
operator, as members of a group and as an outsider, through the store and through the
``beamhub catalogue`` command.
"""

from __future__ import annotations

import json
import logging
import uuid

import pymongo
import pytest

from beamhub.catalogue import Identity, MetadataCondition, NotFound, SearchQuery, open_store
from beamhub.cli.formatting import dataset_details

from . import scicat_documents as scicat
from .test_cli import as_identity, beamhub, ok

pytestmark = pytest.mark.mongodb

OPERATOR = Identity.for_operator()
ERIN = Identity("erin", groups=frozenset({"p2001"}))
"""Member of p2001 (the lysozyme datasets; dataset 4 is also shared with p2002)."""
RAMJET_GROUP = Identity("ramjet", groups=frozenset({"p13388"}))
"""Member of p13388: owns the RAMJET datasets and is in the access groups of 'Odd groups'."""
DAVE = Identity("dave")
"""In no group: sees only what is published."""

PUBLISHED = {scicat.pid(12), scicat.pid(21)}
READABLE = {doc["_id"] for doc in scicat.DATASETS}


def names(items) -> set[str]:
    return {d.datasetName for d in items}


def everything(store, identity, **query) -> list:
    """Every dataset a search gives, following the cursors."""
    result = store.search(identity, SearchQuery(limit=200, **query))
    items = list(result.items)
    while result.next_cursor:
        result = store.search(identity, SearchQuery(limit=200, cursor=result.next_cursor, facets=False, **query))
        items += result.items
    return items


def _load(mongodb_url: str, broken: bool):
    url = mongodb_url.rstrip("/") + f"/scicat_{uuid.uuid4().hex[:12]}"
    client = pymongo.MongoClient(url, tz_aware=True)
    scicat.load(client.get_default_database(), broken=broken)
    client.close()
    store = open_store(url)
    store.reindex(OPERATOR)
    return store


@pytest.fixture(scope="module")
def scicat_store(mongodb_url):
    """The readable fixture set, indexed."""
    store = _load(mongodb_url, broken=False)
    yield store
    store.drop_database()
    store.close()


@pytest.fixture
def broken_store(mongodb_url):
    """The fixture set with the deliberately broken documents, not yet indexed."""
    url = mongodb_url.rstrip("/") + f"/scicat_broken_{uuid.uuid4().hex[:12]}"
    client = pymongo.MongoClient(url, tz_aware=True)
    scicat.load(client.get_default_database(), broken=True)
    client.close()
    store = open_store(url)
    yield store
    store.drop_database()
    store.close()


# --- every document, every identity ------------------------------------------------


def test_the_operator_lists_and_shows_every_scicat_document(scicat_store):
    items = everything(scicat_store, OPERATOR)
    assert {d.pid for d in items} == READABLE
    for pid in sorted(READABLE):
        dataset = scicat_store.get_dataset(OPERATOR, pid)
        assert dataset.pid == pid
        text = dataset_details(dataset)  # what `catalogue show` prints
        assert pid in text and dataset.datasetName in text


@pytest.mark.parametrize("identity, expected", [
    (DAVE, PUBLISHED),
    (ERIN, PUBLISHED | {scicat.pid(n) for n in (4, 5, 6, 7, 8, 9, 10, 11, 27)}),
    (RAMJET_GROUP, PUBLISHED | {scicat.pid(n) for n in (1, 2, 3, 16, 17, 18, 19, 20, 22)}),
], ids=["outsider", "p2001-member", "p13388-member"])
def test_each_identity_sees_exactly_its_datasets(scicat_store, identity, expected):
    assert {d.pid for d in everything(scicat_store, identity)} == expected
    result = scicat_store.search(identity, SearchQuery(limit=1))
    assert result.total == len(expected)
    for pid in sorted(READABLE - expected):
        with pytest.raises(NotFound):
            scicat_store.get_dataset(identity, pid)
    for pid in sorted(expected):
        assert scicat_store.get_dataset(identity, pid).pid == pid


def test_odd_locations_groups_types_and_inputs_read_as_written(scicat_store):
    ramjet = scicat_store.get_dataset(OPERATOR, scicat.pid(1))
    assert ramjet.creationLocation == "/SU/XQX/RAMJET"
    assert ramjet.proposalId == "20170266" and ramjet.sampleId == scicat.SAMPLE
    assert ramjet.instrumentId == scicat.INSTRUMENT
    spaced = scicat_store.get_dataset(OPERATOR, scicat.pid(12))
    assert spaced.creationLocation == "Swiss Light Source X06DA"
    derived = scicat_store.get_dataset(OPERATOR, scicat.pid(13))
    assert derived.creationLocation is None and derived.type == "derived"
    assert derived.inputDatasets == ["/data/input/file1.dat"]  # not a pid, kept
    assert derived.proposals == [scicat.PROPOSAL_WITH_SLASH]
    assert scicat_store.get_dataset(OPERATOR, scicat.pid(14)).inputDatasets == [scicat.pid(1), "/data/input/file1.dat"]
    assert scicat_store.get_dataset(OPERATOR, scicat.pid(15)).type == "custom"
    odd = scicat_store.get_dataset(OPERATOR, scicat.pid(16))
    assert odd.ownerGroup == "Smith, Jones and Sons" and odd.accessGroups == ["data scientist", "p13388"]
    assert scicat_store.get_dataset(OPERATOR, scicat.pid(17)).technique_names == ["tomography"]  # name null left out
    minimal = scicat_store.get_dataset(OPERATOR, scicat.pid(18))
    assert minimal.datasetName == "local/bin"  # SciCat's own default: the end of sourceFolder
    v4 = scicat_store.get_dataset(OPERATOR, scicat.pid(4))
    assert v4.proposals == ["p2001", "p2002"] and v4.sampleIds == ["sample-a", "sample-b"]
    assert v4.instrumentIds == ["instr-x06sa", "instr-pilatus"]
    assert scicat_store.get_dataset(OPERATOR, scicat.pid(3)).proposals == []  # SciCat's proposalIds [""]


# --- scientific metadata ---------------------------------------------------------------


def test_metadata_in_every_form_is_shown_by_its_decoded_path(scicat_store):
    stored = scicat_store.get_dataset(OPERATOR, scicat.pid(2)).scientificMetadata  # encoded keys, SI values
    assert (stored["beamlineParameters.Ring current"].value, stored["beamlineParameters.Ring current"].unit) \
        == (0.402246, "A")
    assert stored["scanParameters.Number of projections"].value == 1801
    assert stored["approx_distance_range"].value == [1, 2] and stored["approx_distance_range"].unit == "cm"
    assert stored["beamlineParameters.Monostripe"].value == "Ru/C"
    sent = scicat_store.get_dataset(OPERATOR, scicat.pid(1)).scientificMetadata  # {v, u} groups as sent
    assert sent["detectorParameters.Exposure time"].value == 0.4 and sent["detectorParameters.Exposure time"].unit == "s"
    assert scicat_store.get_dataset(OPERATOR, scicat.pid(8)).scientificMetadata["sample.temperature"].value == 250
    odd = scicat_store.get_dataset(OPERATOR, scicat.pid(26)).scientificMetadata
    assert set(odd) == {"$price", "100% done", "flux (photons)"}
    nested = scicat_store.get_dataset(OPERATOR, scicat.pid(20)).scientificMetadata
    assert nested["instrument.detector.distance"].value == 250
    assert nested["instrument.detector.binning"].value == [2, 2]
    assert nested["tags"].value == ["calibration", "good"] and nested["is_good"].value is False
    text = dataset_details(scicat_store.get_dataset(OPERATOR, scicat.pid(2)))
    assert "beamlineParameters.Ring current" in text and "0.402246 A" in text and "1 .. 2 cm" in text
    assert "%20" not in text and "{" not in text


CONDITIONS = [
    # {value, unit}, {v, u}, degC, a number as a string, a range, another proposal's dataset
    ("temperature < 120 K", {5, 4, 10, 23, 29}),
    ("temperature = 100 K", {4, 5, 10, 29}),
    ("temperature >= 150 K", {6, 7}),
    ("temperature > -100 degC", {7}),           # 173.15 K
    ("temperature = 95 K", {10}),                       # inside the range 90..110 K
    ("temperature != 100 K", {6, 7, 10, 23}),           # the range is not exactly 100 K
    # nested groups and URL-encoded keys, by their dotted path (with spaces quoted or as _)
    ("sample.temperature > 200 K", {8, 9}),
    ("sample%2Etemperature >= 260 K", {9}),
    ("beamlineParameters.Ring_current > 0.3 A", {1, 2, 21}),
    ('"beamlineParameters.Ring current" < 400 mA', {21}),
    ("'Ring current' > 0.4 A", {8}),                     # 400.5 mA, stored as Ring%20current
    ("scanParameters.Angular_step = 0.1 deg", {1, 2}),
    ("sample.state = frozen", {9}),
    # SciCat's SI value where beamhub does not know the unit ('Ang')
    ("wavelength < 2e-10 m", {11}),
    ("wavelength < 6 angstrom", {11, 25}),
    # numbers stored as strings
    ("exposure = 0.25", {7}),
    ("frames > 1000", {7}),
    ("approx_file_size_mb = 8500", {1, 2, 3, 7}),
    # quantity_range in cm with SI values, compared in another unit
    ("approx_distance_range > 15 mm", {1, 2}),
    ("approx_distance_range < 5 mm", set()),
    ("instrument.detector.distance = 0.25 m", {20}),
    ("is_good = false", {20}),
]


@pytest.mark.parametrize("condition, numbers", CONDITIONS, ids=[c for c, _ in CONDITIONS])
def test_conditions_reach_metadata_in_every_form(scicat_store, condition, numbers):
    found = everything(scicat_store, OPERATOR, conditions=[MetadataCondition.from_text(condition)])
    assert {d.pid for d in found} == {scicat.pid(n) for n in numbers}


def test_conditions_respect_access(scicat_store):
    found = everything(scicat_store, DAVE, conditions=[MetadataCondition.from_text("temperature < 300 K")])
    assert found == []
    found = everything(scicat_store, ERIN, conditions=[MetadataCondition.from_text("temperature = 100 K")])
    assert {d.pid for d in found} == {scicat.pid(n) for n in (4, 5, 10)}  # not p3001's


def test_free_text_finds_decoded_metadata_names_and_v4_ids(scicat_store):
    assert names(everything(scicat_store, OPERATOR, text="ring current ")) >= {
        "Test raw dataset", "Test raw dataset v4", "Published RAMJET scan", "Encoded dotted key"}
    assert {d.pid for d in everything(scicat_store, OPERATOR, text="sample-b ")} == {scicat.pid(4)}
    assert scicat.pid(24) in {d.pid for d in everything(scicat_store, OPERATOR, text="p2002 ")}
    assert {d.pid for d in everything(scicat_store, OPERATOR, text="20110123 ")} == {
        scicat.pid(n) for n in (13, 14, 15)}


# --- proposals -----------------------------------------------------------------------------


def test_the_proposal_facet_and_filter_see_proposal_id_and_proposal_ids(scicat_store):
    result = scicat_store.search(OPERATOR, SearchQuery(limit=1))
    counts = {c.value: c.count for c in result.facets["proposal"]}
    assert counts == {"p2001": 9, "20170266": 7, "p2002": 7, scicat.PROPOSAL_WITH_SLASH: 3, "p3001": 2, "p9999": 1}
    both = everything(scicat_store, OPERATOR, proposal=["p2002"])
    assert scicat.pid(4) in {d.pid for d in both} and len(both) == 7  # v4 list, and v3+v4 (24) once
    slash = everything(scicat_store, OPERATOR, proposal=[scicat.PROPOSAL_WITH_SLASH])
    assert {d.pid for d in slash} == {scicat.pid(n) for n in (13, 14, 15)}
    mine = scicat_store.search(ERIN, SearchQuery(limit=1))
    assert {c.value: c.count for c in mine.facets["proposal"]} == {
        "p2001": 9, "p2002": 1, "20170266": 1, "p9999": 1}


def test_custom_types_are_a_facet_value_one_can_filter_on(scicat_store):
    result = scicat_store.search(OPERATOR, SearchQuery(limit=1))
    assert {c.value: c.count for c in result.facets["type"]} == {"raw": 27, "derived": 4, "custom": 1}
    assert [d.pid for d in everything(scicat_store, OPERATOR, type=["custom"])] == [scicat.pid(15)]


def test_proposals_with_slashes_and_odd_groups_are_listed(scicat_store):
    listed = [p.proposalId for p in scicat_store.list_proposals(OPERATOR)]
    assert listed == sorted(doc["_id"] for doc in scicat.PROPOSALS)
    assert [p.proposalId for p in scicat_store.list_proposals(Identity("x", groups=frozenset({"p34123"})))] == [
        scicat.PROPOSAL_WITH_SLASH]


# --- broken documents --------------------------------------------------------------------


def test_broken_documents_are_skipped_counted_and_reported(broken_store, caplog):
    with caplog.at_level(logging.WARNING):
        rewritten = broken_store.reindex(OPERATOR)
    assert rewritten == len(scicat.DATASETS)  # reindex went on past every broken document
    for pid in scicat.BROKEN_PIDS:
        assert pid in caplog.text
    assert broken_store.stats(OPERATOR)["unreadable"] == len(scicat.BROKEN_DATASETS)
    assert broken_store.stats(OPERATOR)["datasets"] == len(scicat.DATASETS)
    assert {d.pid for d in everything(broken_store, OPERATOR)} == READABLE
    assert broken_store.search(OPERATOR, SearchQuery(limit=1)).total == len(READABLE)
    for pid in scicat.BROKEN_PIDS:
        with pytest.raises(NotFound, match="cannot be read"):
            broken_store.get_dataset(OPERATOR, pid)
    assert [d.pid for d in broken_store.get_datasets(OPERATOR, [scicat.BROKEN_PIDS[0], scicat.pid(1)])] == [
        scicat.pid(1)]
    assert "broken-proposal" not in [p.proposalId for p in broken_store.list_proposals(OPERATOR)]


def test_a_listing_before_any_reindex_leaves_broken_documents_out(broken_store):
    # SciCat wrote them; beamhub has derived nothing yet: the listing still serves the rest.
    assert {d.pid for d in everything(broken_store, OPERATOR)} == READABLE
    assert [d.pid for d in broken_store.get_datasets(OPERATOR, [*scicat.BROKEN_PIDS, scicat.pid(2)])] == [
        scicat.pid(2)]


# --- the command line --------------------------------------------------------------------


SHOWN = (1, 2, 3, 8, 12, 13, 15, 16, 17, 18, 19, 20, 26)


def test_catalogue_commands_over_every_document_never_trace_back(mongodb_url):
    store = _load(mongodb_url, broken=True)
    try:
        url = store.url
        listed = json.loads(ok(beamhub("search", "--all", "--json", "--facets", store=url)).stdout)
        assert {d["pid"] for d in listed["items"]} == READABLE
        table = ok(beamhub("search", "--all", store=url))
        assert "Traceback" not in table.stderr and f"{len(READABLE)} of {len(READABLE)} datasets" in table.stdout
        for number in SHOWN:
            shown = ok(beamhub("show", scicat.pid(number), store=url))
            assert "Traceback" not in shown.stderr and scicat.pid(number) in shown.stdout
        broken = beamhub("show", scicat.BROKEN_PIDS[0], store=url)
        assert broken.returncode == 1 and "Traceback" not in broken.stderr and "cannot be read" in broken.stderr
        reindexed = ok(beamhub("reindex", "--everything", store=url))
        assert f"{len(scicat.BROKEN_DATASETS)} dataset documents cannot be read" in reindexed.stdout
        assert scicat.BROKEN_PIDS[0] in reindexed.stderr and "Traceback" not in reindexed.stderr
        stats = ok(beamhub("stats", store=url)).stdout
        assert f"unreadable  {len(scicat.BROKEN_DATASETS)} " in stats and "Swiss Light Source X06DA" in stats
        mine = json.loads(ok(beamhub("search", "--all", "--json", *as_identity(ERIN), "--where",
                                     "temperature = 100 K", "--proposal", "p2001", store=url)).stdout)
        assert {d["pid"] for d in mine["items"]} == {scicat.pid(n) for n in (4, 5, 10)}
        slash = json.loads(ok(beamhub("search", "--json", "--proposal", scicat.PROPOSAL_WITH_SLASH, store=url)).stdout)
        assert slash["total"] == 3
    finally:
        store.drop_database()
        store.close()
