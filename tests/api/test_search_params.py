"""The API's search parameters are the store's SearchQuery (one model of a search): what
the store can search for, the API accepts, and the rules are the same."""

from __future__ import annotations

import pytest

from beamhub.catalogue.errors import InvalidInput
from beamhub.catalogue.query import SearchQuery
from beamhub.service.api_models import SearchParams
from beamhub.service.logic import search_query


def test_every_field_of_a_search_is_a_parameter():
    expected = [("condition" if name == "conditions" else name) for name in SearchQuery.model_fields]
    assert list(SearchParams.model_fields) == expected


def test_scicat_proposal_ids_and_custom_types_are_searchable_through_the_api():
    # SciCat's proposal ids may hold '/', and sites define their own dataset types: the
    # store searched for them while the API refused them (a drift of the two models)
    params = SearchParams.model_validate({"proposal": ["20.500.12269/ab12"], "type": ["custom"],
                                          "condition": ["temperature < 200 K"], "facets": "false"})
    query = search_query(params)
    assert (query.proposal, query.type, query.facets) == (["20.500.12269/ab12"], ["custom"], False)
    assert str(query.conditions[0]) == "temperature < 200 K"


@pytest.mark.parametrize("params", [
    {"proposal": ["$where"]}, {"type": ["$ne"]}, {"beamline": ["i03/../x"]}, {"year": [1800]},
    {"limit": 0}, {"sort": "$natural"},
])
def test_the_same_rules_hold_at_the_api_and_in_the_store(params):
    with pytest.raises(ValueError):
        SearchParams.model_validate(params)
    store_params = {("conditions" if k == "condition" else k): v for k, v in params.items()}
    with pytest.raises((ValueError, InvalidInput)):
        SearchQuery.parse(store_params)
