"""No number, cursor or pid a client makes up reaches a 5xx: every one is a JSON 4xx.

A tampered cursor with a huge key was a 500 on both stores (SQLite's OverflowError,
MongoDB's TypeError), integers beyond 64 bits in a selection's parameters a 500 on
MongoDB, and an overlong UTF-8 pid (``%C0%AE%C0%AE%2F``) a URIError inside the proxy
(500, an HTML page). Against the really started hub, proxy and service, on both
stores: a table and a fuzz (hypothesis) of cursor keys for every sort, of numbers in
every numeric input, and of malformed percent-encodings in pids; each answer must be
4xx with the catalogue's JSON error body, and nothing is written.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beamhub.catalogue import Identity
from beamhub.catalogue.query import SORTS
from tests.api.conftest import on_both_stores

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB

USER = "alice"
FUZZ = dict(max_examples=40, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck))


def assert_json_4xx(answer) -> dict:
    assert 400 <= answer.status_code < 500, f"{answer.status_code} for {answer.url}: {answer.text[:200]}"
    assert answer.headers.get("Content-Type", "").startswith("application/json"), answer.text[:200]
    body = answer.json()
    assert set(body) <= {"code", "message", "details"} and body["code"] and body["message"], body
    return body


def search_params(sort: str) -> dict:
    return {"sort": sort, "limit": 1, "facets": "false", **({"text": "scan"} if sort == "relevance" else {})}


@pytest.fixture(scope="module")
def cursors(catalogue_hub) -> dict[str, dict]:
    """A real cursor of each sort, decoded: {"q": fingerprint, "k": key, "p": pid}."""
    found = {}
    for sort in SORTS:
        answer = catalogue_hub.get(USER, "/datasets", params=search_params(sort))
        assert answer.status_code == 200, answer.text
        cursor = answer.json()["next_cursor"]
        assert cursor, f"the demo catalogue has one page only for {sort}"
        found[sort] = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return found


def encode(body) -> str:
    raw = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), allow_nan=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture
def nothing_written(operator_store):
    alice = Identity(USER)
    before = (operator_store.list_selections(alice), operator_store.my_votes(alice))
    yield
    assert (operator_store.list_selections(alice), operator_store.my_votes(alice)) == before


def test_a_real_cursor_still_pages(catalogue_hub, cursors):
    for sort, body in cursors.items():
        answer = catalogue_hub.get(USER, "/datasets", params={**search_params(sort), "cursor": encode(body)})
        assert answer.status_code == 200, (sort, answer.text)


REFUSED_KEYS = [2**63, -(2**63) - 1, 2**64, 10**30, 10**400, -(10**400), True, False, [], [1, 2], {},
                {"t": "not a date"}, {"t": 5}, {"t": None}, {"t": [2020]}, {"x": 1}]
"""Keys no store gives out for any sort: beyond 64 bits, booleans, lists, malformed times."""
REFUSED_RELEVANCE_KEYS = ["-1|-99999999999999999999999", "99999|1", "1|2020-01-01", "|", "x", 5,
                          "1|2020-01-01T00:00:00+00:00" + "0" * 50]
"""Relevance keys are 'tier|time' as a store writes them."""
RAW_KEYS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 1000]
"""Keys only writable as raw JSON text: non-finite and overflowing numbers."""
MADE_UP_KEYS = [1e308, None, "x", "", "9" * 1000, 1.5, -0.0, 17, {"t": "2020-01-01T00:00:00"},
                {"t": "9999-12-31T23:59:59+14:00"}, {"t": "0001-01-01T00:00:00-12:00"}, "1|", "-1|5"]
"""Keys that may be of the sort's kind for one store or the other: a page (200) or 400."""


@pytest.mark.parametrize("sort", SORTS)
def test_tampered_cursors_are_400(catalogue_hub, cursors, sort):
    real = cursors[sort]
    refused = [{**real, "k": key} for key in REFUSED_KEYS + (REFUSED_RELEVANCE_KEYS if sort == "relevance" else [])]
    refused += [f'{{"q":{json.dumps(real["q"])},"k":{raw},"p":{json.dumps(real["p"])}}}' for raw in RAW_KEYS]
    refused += [{**real, "p": pid} for pid in (None, 5, 2**70, "", "x" * 1400, ["a"], {"$gt": ""})]
    refused += [{**real, "q": None}, {"k": real["k"], "p": real["p"]}, [real], "null", "{", "[]", '"x"']
    for body in refused:
        answer = catalogue_hub.get(USER, "/datasets", params={**search_params(sort), "cursor": encode(body)})
        assert_json_4xx(answer)
    for key in MADE_UP_KEYS:
        answer = catalogue_hub.get(USER, "/datasets", params={**search_params(sort), "cursor": encode({**real, "k": key})})
        if answer.status_code != 200:
            assert_json_4xx(answer)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=8)


@pytest.mark.parametrize("sort", ["-creationTime", "size", "relevance"])
def test_fuzzed_cursor_keys_never_reach_a_5xx(catalogue_hub, cursors, sort):
    real = cursors[sort]

    @given(key=JSON | st.integers(min_value=2**62) | st.integers(max_value=-(2**62)), pid=JSON)
    @settings(**FUZZ)
    def check(key, pid):
        body = {**real, "k": key, "p": pid if not isinstance(pid, str) else real["p"]}
        answer = catalogue_hub.get(USER, "/datasets", params={**search_params(sort), "cursor": encode(body)})
        if answer.status_code != 200:
            assert_json_4xx(answer)

    check()


@pytest.mark.parametrize("parameters", [
    {"threshold": 2**64}, {"threshold": -(2**63) - 1}, {"a": [{"b": 10**30}]}, {"deep": [[[[[2**100]]]]]},
    "RAW:{\"threshold\": 1e400}", "RAW:{\"threshold\": -1e999}", "RAW:{\"threshold\": 1" + "0" * 400 + "}",
])
def test_selection_parameters_beyond_64_bits_are_400(catalogue_hub, nothing_written, parameters):
    for processing in ("", "frame-score"):
        if isinstance(parameters, str):
            raw = f'{{"name": "big", "processing": "{processing}", "parameters": {parameters[4:]}}}'
        else:
            raw = json.dumps({"name": "big", "processing": processing, "parameters": parameters})
        answer = catalogue_hub.request(USER, "POST", "/selections", data=raw,
                                       headers={"Content-Type": "application/json"})
        assert_json_4xx(answer)


def test_numbers_beyond_64_bits_elsewhere_are_400(catalogue_hub, nothing_written):
    created = catalogue_hub.request(USER, "POST", "/selections", json={"name": "versions"})
    assert created.status_code == 201, created.text
    selection = created.json()["id"]
    try:
        for version in (2**63, 2**64, 10**400, -(2**70)):
            answer = catalogue_hub.request(USER, "PATCH", f"/selections/{selection}",
                                           data=f'{{"expected_version": {version}}}',
                                           headers={"Content-Type": "application/json"})
            assert_json_4xx(answer)
        assert_json_4xx(catalogue_hub.request(USER, "PATCH", f"/selections/{selection}",
                                              json={"processing": "no-such-step"}))
    finally:
        assert catalogue_hub.request(USER, "DELETE", f"/selections/{selection}").status_code == 204
    for params in ({"limit": 2**64}, {"limit": 10**400}, {"year": 2**64}, {"year": -(2**70)},
                   {"condition": "temperature > " + "9" * 30}, {"condition": "temperature > 1e400"},
                   {"condition": "temperature < -1e999 K"}, {"condition": "temperature > " + "9" * 4500},
                   {"created_after": "99999999-01-01"}, {"created_after": "2020-01-01T00:00:00+99:00"}):
        assert_json_4xx(catalogue_hub.get(USER, "/datasets", params=params))


MALFORMED = ["%C0%AE%C0%AE%2F", "%C0%AE", "%FF", "%E0%A4%A", "%ED%A0%80", "%", "%zz", "%F4%90%80%80", "%00",
             "a%2F..%2F..%2Fetc", "%C0%AF", "%E2%82", "..%C0%AF"]


def raw_request(hub, method: str, path: str, **kwargs) -> requests.Response:
    """A request whose path is sent exactly as written (requests would re-quote '%zz')."""
    prepared = requests.Request(method, hub.url + path, headers=hub.headers(USER), **kwargs).prepare()
    prepared.url = hub.url + path
    with requests.Session() as session:
        return session.send(prepared, timeout=60)


@pytest.mark.parametrize("pid", MALFORMED)
def test_malformed_pids_are_json_4xx_through_the_proxy(catalogue_hub, nothing_written, pid):
    for method, path in (("GET", f"/datasets/{pid}"), ("GET", f"/datasets/{pid}/preview.png"),
                         ("PUT", f"/datasets/{pid}/vote"), ("GET", f"/datasets/{pid}/derived")):
        kwargs = {"json": {"value": "like"}} if method == "PUT" else {}
        assert_json_4xx(raw_request(catalogue_hub, method, path, **kwargs))
    assert_json_4xx(raw_request(catalogue_hub, "GET", f"/datasets?proposal={pid}"))


@given(raw=st.binary(min_size=1, max_size=12))
@settings(**FUZZ)
def _fuzzed_pid(hub, raw):
    pid = "".join(f"%{byte:02X}" for byte in raw)
    answer = raw_request(hub, "GET", f"/datasets/{pid}")
    if answer.status_code != 200:
        assert_json_4xx(answer)


def test_fuzzed_percent_encodings_are_never_a_5xx(catalogue_hub):
    _fuzzed_pid(catalogue_hub)
