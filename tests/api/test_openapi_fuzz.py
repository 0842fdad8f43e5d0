"""schemathesis against the running service's own OpenAPI description.

Requests generated from ``/services/catalogue/api/v1/openapi.json`` (valid and
invalid ones) go through the hub's proxy with a real user's token, on both stores;
schemathesis's checks then require: no 5xx, documented status codes and content types,
answers matching their schemas, invalid input rejected, and valid input accepted. One
test per operation of the served description, each with a bounded number of examples,
so the run stays within a few minutes on two cores.

Valid input accepted (schemathesis's ``positive_data_acceptance``): a schema-valid
request must not be refused, except by a rule the description states in words because
JSON Schema cannot: a cursor must be one the service gave out for the same search,
``created_after`` must come before ``created_before``, ``sort=relevance`` needs text,
search text has at most 16 words, a step's parameters follow that step's schema (GET
/processing), a selection holds only datasets the caller can see, and free parameters nest at most 10 deep with integers within 64 bits, a selection is submitted only with datasets and a step, and the
configured size limits. Such a refusal must name its rule (:data:`STATED_RULES`);
anything else (a condition the pattern admits but the service refuses, an unknown
processing name) fails the test.

(schemathesis's lazy ``from_fixture`` loader does not work with pytest 9, so each
test draws its operation's cases with ``as_strategy()`` and hypothesis directly.)
"""

from __future__ import annotations

from urllib.parse import urlencode

import re

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode
from hypothesis import HealthCheck, assume, given, settings

from beamhub.service.routes import ROUTES

from .conftest import on_both_stores
from .hubsetup import API

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB

FUZZER = "fuzzer"
"""A hub user of its own (group p2001), so generated writes touch no other test's data."""
EXAMPLES = 15
"""Per operation and mode and store: about three minutes for the module on two cores."""
STATED_RULES = re.compile("|".join([
    r"the cursor (is not one this catalogue gave out|belongs to another search)",
    r"created_after must be before created_before",
    r"sort=relevance needs search text",
    r"the search text has more than \d+ words",
    r"invalid parameters for [\w-]+:",
    r"the selection has no datasets",
    r"choose a processing step first",
    r"datasets (no longer available|without data to process)",
    r"the (query string|request body) is (longer|larger) than",
    r"integers must fit in 64 bits|nested too deeply",
    r"no such dataset, or not visible to",
    r"only nbformat 4 notebooks can be templates|not a valid notebook|the notebook is larger than",
]))
"""Refusals of schema-valid requests by rules the description states in words."""


def stated_rules_only(ctx, response, case):
    """positive_data_acceptance, except for refusals that name a rule of :data:`STATED_RULES`."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code in (400, 413, 422):
        body = response.json()
        if response.status_code == 422 and body.get("code") == "preview_unavailable":
            return None  # a dataset without a plottable signal: stated in the route's answers
        assert STATED_RULES.search(body.get("message", "")), (
            f"a schema-valid request was refused by a rule the description does not state: "
            f"{response.status_code} {body}")
    return None


@pytest.fixture(scope="module")
def api_schema(catalogue_hub):
    return schemathesis.openapi.from_url(catalogue_hub.hub.url + API + "/openapi.json")


def test_the_served_description_has_every_route(api_schema):
    served = {(method.upper(), path) for path, item in api_schema.raw_schema["paths"].items() for method in item}
    assert served == {(route.method, route.path) for route in ROUTES}


CASES = [(r.method, r.path, GenerationMode.POSITIVE) for r in ROUTES] + [
    (r.method, r.path, GenerationMode.NEGATIVE) for r in ROUTES
    if r.path_names or r.query or r.body or r.idempotency_key]  # others take no input to get wrong


@pytest.mark.parametrize("method, path, mode", CASES, ids=str)
def test_the_api_keeps_its_own_description(api_schema, catalogue_hub, method, path, mode):
    operation = api_schema[path][method]
    headers = catalogue_hub.headers(FUZZER)

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case):
        # The proxy refuses request heads over 16 KiB (431) before the service sees them.
        assume(len(urlencode(case.query or {}, doseq=True)) + len(case.formatted_path) < 12_000)
        case.call_and_validate(base_url=catalogue_hub.url, headers=headers,
                               excluded_checks=[positive_data_acceptance], additional_checks=[stated_rules_only])

    check()
