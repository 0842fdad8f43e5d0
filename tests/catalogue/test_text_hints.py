"""Searches that find nothing say why (catalogue/hints.py) over a real store: the field
list of what a caller may see, and hints naming the word, field or unit no visible
dataset has."""

from __future__ import annotations

import pytest

from beamhub.catalogue import MetadataCondition, SearchQuery
from beamhub.catalogue.hints import explain, summarise_fields

from .sample import ALICE, DAVE, ERIN, pid


def visible(store, identity):
    return store.search(identity, SearchQuery.parse({"limit": 200, "facets": False})).items


def fields_of(store, identity):
    return summarise_fields(visible(store, identity), complete=True)


def hints(store, identity, text="", conditions=()):
    query = SearchQuery.parse({"text": text, "conditions": [MetadataCondition.from_text(c).model_dump()
                                                          for c in conditions]})
    assert store.search(identity, query).total == 0

    def count_text(words: str) -> int:
        return store.search(identity, SearchQuery.parse({"text": words, "facets": False})).total
    return [(h.kind, h.term, h.suggestions) for h in explain(query, fields_of(store, identity), count_text)], \
        explain(query, fields_of(store, identity), count_text)


def test_the_field_list_has_units_counts_and_ranges_of_visible_datasets_only(sample_store):
    fields = {f.name: f for f in fields_of(sample_store, ALICE).fields}
    assert set(fields) == {"temperature", "exposure_time", "sample_state", "concentration", "voxel_size"}
    temperature = fields["temperature"]
    assert temperature.count == 6 and temperature.kinds == ["number"]
    assert {(u.unit, u.count, u.min, u.max) for u in temperature.units} == \
        {("K", 3, 100, 293.15), ("degC", 3, -173.15, 20)}
    assert fields["sample_state"].kinds == ["string"]
    assert "energy" not in fields                      # erin's XAS data is not alice's
    assert {f.name for f in fields_of(sample_store, ERIN).fields} == {"energy", "voxel_size"}
    assert [f.name for f in fields_of(sample_store, DAVE).fields] == ["voxel_size"]  # published only


def test_an_unknown_field_is_named_with_the_nearest_ones(sample_store):
    found, full = hints(sample_store, ALICE, conditions=["foo > 1"])
    assert found == [("field", "foo", [])]
    assert "no dataset you may see has a field 'foo'" in full[0].message
    found, full = hints(sample_store, ALICE, conditions=["temp > 1 K"])
    assert found == [("field", "temp", ["temperature"])]


def test_energy_is_named_when_the_field_is_incident_energy(sample_store, operator):
    from .sample import _ds
    store = sample_store
    store.upsert_datasets(operator, [_ds(30, "scan", "p2001", "b18", ["XAS"], "2025-01-01T00:00:00",
                                         scientificMetadata={"incident_energy": {"value": 9, "unit": "keV"}})])
    found, full = hints(store, ERIN, conditions=["energy > 10 keV"])
    assert found == []                             # erin has 'energy' (d09, d10): below 10 keV, no hint
    found, full = hints(store, ERIN, conditions=["incident_energy > 10 K"])
    assert found == [("unit", "K", ["keV"])]
    found, full = hints(store, ALICE, conditions=["incident_energy > 10 keV"])
    assert found == [("field", "incident_energy", [])]  # alice sees none of erin's fields
    store.delete_datasets(operator, [pid(9), pid(10)])
    found, full = hints(store, ERIN, conditions=["energy > 10 keV"])
    assert found == [("field", "energy", ["incident_energy"])]
    assert "did you mean incident_energy?" in full[0].message
    found, full = hints(store, ERIN, conditions=["incident_energy > 10 furlong_per_fortnight"])
    assert found[0][:2] == ("unit", "furlong_per_fortnight")


def test_a_unit_of_another_kind_is_named(sample_store):
    found, full = hints(sample_store, ALICE, conditions=["temperature > 10 keV"])
    assert found == [("unit", "keV", ["K", "degC"])]
    assert "cannot be converted" in full[0].message
    found, full = hints(sample_store, ALICE, conditions=["temperature > 10 florps"])
    assert found[0][:2] == ("unit", "florps")
    assert "does not know the unit" in full[0].message
    found, full = hints(sample_store, ALICE, conditions=["sample_state > 3"])
    assert found[0][:2] == ("field", "sample_state")


@pytest.mark.parametrize("text, terms", [
    ("лизоцим", ["лизоцим"]),
    ("thaumatin лизоцим", ["лизоцим"]),
    ("溶菌酶", ["溶菌酶"]),
    ("🧪", ["🧪"]),
    ("\\", ["\\"]),
    ("*", ["*"]),
    ("lysozyme *", ["*"]),
])
def test_text_hints_name_the_terms_that_match_nothing(sample_store, text, terms):
    found, full = hints(sample_store, ALICE, text=text)
    assert [t for _, t, _ in found] == terms
    assert all(kind == "text" for kind, _, _ in found)


def test_words_that_each_match_but_not_together_give_no_false_hint(sample_store):
    found, _ = hints(sample_store, ALICE, text="thaumatin bsa")
    assert found == []


@pytest.mark.parametrize("identity, text, expected", [
    (ALICE, "soaking", ["p1001"]),            # "Enzyme soaking series": no dataset says "soaking"
    (ALICE, "protein sol", ["p1002"]),        # the last word as a prefix while typing
    (ALICE, "solutions saxs ", ["p1002"]),
    (ALICE, "catalysts", []),                 # erin's proposal: alice is not in it
    (ERIN, "catalyst", ["p2001"]),
    (ALICE, "p1001", ["p1001"]),
    (ALICE, "*", []),
    (DAVE, "bone", []),                       # in no proposal (d12 is published, not his)
])
def test_proposal_titles_are_searched(sample_store, identity, text, expected):
    from beamhub.catalogue.hints import matching_proposals
    found = matching_proposals(text, sample_store.list_proposals(identity))
    assert [p.proposalId for p in found] == expected
