"""schemathesis against the running service's own OpenAPI description.

Requests generated from ``/services/catalogue/api/v1/openapi.json`` (valid and
invalid ones) go through the hub's proxy with a real user's token; schemathesis's
checks then require: no 5xx, documented status codes and content types, answers
matching their schemas, invalid input rejected. One test per operation of the served
description, each with a bounded number of examples, so the run stays within a
minute or two.

Left out: schemathesis's ``positive_data_acceptance`` check (a schema-valid request
must not get 400). Some rules cannot be written in JSON Schema: a cursor must be one
the service gave out, a metadata condition must parse, ``created_after`` must come
before ``created_before``, a selection may only hold datasets the caller can see, an
edit needs a draft. Such requests rightly get 400 with the reason.

(schemathesis's lazy ``from_fixture`` loader does not work with pytest 9, so each
test draws its operation's cases with ``as_strategy()`` and hypothesis directly.)
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode
from hypothesis import HealthCheck, assume, given, settings

from beamhub.service.routes import ROUTES

from .hubsetup import API

pytestmark = pytest.mark.hub

FUZZER = "fuzzer"
"""A hub user of its own (group p2001), so generated writes touch no other test's data."""
EXAMPLES = 30


@pytest.fixture(scope="session")
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
                               excluded_checks=[positive_data_acceptance])

    check()
