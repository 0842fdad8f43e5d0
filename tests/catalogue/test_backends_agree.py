"""The two backends give the same answers on a realistic catalogue.

The same 1,000 synthetic datasets (``tests/benchmarks/synthetic.py``;
``BEAMHUB_AGREE_DATASETS`` for more) and the same votes go into an SQLite store and a
MongoDB store (DocumentDB, or ``BEAMHUB_TEST_MONGODB_URL``); a battery of searches (the benchmark's query
mix, every sort, paging, hand-picked filters) must give the same totals, the same facet
counts and the same items in the same order, for both benchmark identities. Relevance order is each backend's own: there only the matched sets must be
equal. MongoDB is searched twice: directly (``$facet`` and the page query) and through
the search columns of a second store on the same database, opened (and loaded, empty)
before the data was written through the first, as another worker of the service
(``mongo.columns``): it has to follow every write.
"""

from __future__ import annotations

import os
import random
import uuid

import pytest

from beamhub.catalogue import Identity, SearchQuery, open_store
from beamhub.catalogue.query import SORTS
from tests.benchmarks import synthetic

N_DATASETS = int(os.environ.get("BEAMHUB_AGREE_DATASETS", "1000"))
PAGES = 2

pytestmark = pytest.mark.mongodb

USER = synthetic.user_in_three_proposals(N_DATASETS)
STAFF = synthetic.beamline_staff()
IDENTITIES = [USER, STAFF]


def _votes() -> list[tuple[Identity, str, str]]:
    """Votes by the two identities and a few colleagues, on datasets they can see."""
    rng = random.Random(11)
    visible_to_user = [d.pid for d in synthetic.datasets(N_DATASETS) if USER.can_see(d.to_stored())]
    visible_to_staff = [d.pid for d in synthetic.datasets(N_DATASETS) if STAFF.can_see(d.to_stored())]
    votes = []
    voters = [(USER, visible_to_user), (STAFF, visible_to_staff)]
    voters += [(Identity(f"colleague{i}", groups=USER.groups), visible_to_user) for i in range(4)]
    voters += [(Identity(f"staff{i}", staff_of=STAFF.staff_of), visible_to_staff) for i in range(4)]
    for identity, pool in voters:
        for pid in rng.sample(pool, min(40, len(pool))):
            votes.append((identity, pid, rng.choice(["like", "like", "dislike"])))
    return votes


def _load(store) -> None:
    operator = Identity.for_operator()
    store.upsert_proposals(operator, synthetic.proposals(N_DATASETS))
    store.upsert_datasets(operator, synthetic.datasets(N_DATASETS))
    for identity, pid, value in _votes():
        store.set_vote(identity, pid, value)


@pytest.fixture(scope="module")
def all_stores(tmp_path_factory, mongodb_url):
    sqlite = open_store(f"sqlite:///{tmp_path_factory.mktemp('agree') / 'catalogue.sqlite'}")
    url = mongodb_url.rstrip("/") + f"/beamhub_agree_{uuid.uuid4().hex[:8]}"
    mongo = open_store(url + "?columns=off")
    columns = open_store(url)
    try:
        assert columns.keep_columns_warm().warmed.wait(30)
        for store in (sqlite, mongo):
            _load(store)
        yield sqlite, mongo, columns
    finally:
        mongo.drop_database()
        for store in (sqlite, mongo, columns):
            store.close()


@pytest.fixture(scope="module", params=["direct", "columns"])
def stores(request, all_stores):
    """SQLite, and the MongoDB store searching directly or through its columns."""
    sqlite, mongo, columns = all_stores
    return sqlite, (mongo if request.param == "direct" else columns)


def test_the_columns_answer_the_battery(all_stores):
    """The column store answered (not the direct path) every search it can: those not
    sorted by relevance, without keywords or ``my_vote``."""
    _, _, columns = all_stores
    for identity in IDENTITIES:
        for body in BATTERY:
            query = SearchQuery.parse(body)
            before = dict(columns.columns.paths)
            columns.search(identity, query)
            took = "columns" if columns.columns.paths["columns"] > before["columns"] else "direct"
            can = query.sort != "relevance" and not query.keyword and not query.my_vote
            assert took == ("columns" if can else "direct"), body


def _battery() -> list[dict]:
    queries = [q.model_dump(exclude_defaults=True) for q in synthetic.query_mix(random.Random(2024), 30)]
    queries += [{"sort": sort, "limit": 20} for sort in SORTS if sort != "relevance"]
    queries += [
        {"text": "lysozyme", "sort": "relevance"},
        {"text": "ferr", "sort": "relevance", "limit": 10},
        {"text": "soak ligand", "sort": "datasetName"},
        {"text": "xas energy", "sort": "-size"},
        {"text": "at ", "sort": "datasetName"},  # a word of every proposal's title ("<sample> at <beamline>")
        {"text": "concrete at i0", "limit": 10},  # a title's words and a dataset's prefix
        {"beamline": ["i22", "i03", "b21"], "type": ["derived"], "sort": "creationTime"},
        {"technique": ["SAXS", "WAXS"], "year": [2019, 2020, 2021], "sort": "-likes"},
        {"keyword": ["native", "apo", "soak"], "sort": "-datasetName"},
        {"created_after": "2018-01-01T00:00:00Z", "created_before": "2022-06-30T00:00:00Z", "sort": "size"},
        {"my_vote": "like", "sort": "-likes"},
        {"my_vote": "any"},
        {"my_vote": "none", "limit": 50},
        {"conditions": [{"name": "temperature", "op": "!=", "value": 100, "unit": "K"}]},
        {"conditions": [{"name": "temperature", "op": "<", "value": -100, "unit": "degC"}]},
        {"conditions": [{"name": "energy", "op": ">=", "value": 12000, "unit": "eV"},
                        {"name": "energy", "op": "<", "value": 20, "unit": "keV"}]},
        {"conditions": [{"name": "sample_state", "op": "!=", "value": "FROZEN"}], "sort": "datasetName"},
        {"conditions": [{"name": "detector_distance", "op": "=", "value": 3, "unit": "m"}]},
        {"conditions": [{"name": "exposure_time", "op": "<=", "value": 0.01}], "text": "buffer"},
        {"proposal": [synthetic.proposal_id(0), synthetic.proposal_id(15)], "sort": "-size", "limit": 7},
    ]
    return queries


BATTERY = _battery()


def _run(store, identity, body: dict, pages: int = PAGES) -> dict:
    """Totals, facets and the pids of the first pages, following the store's own cursors."""
    query = SearchQuery.parse(body)
    page = store.search(identity, query)
    result = {
        "total": page.total,
        "facets": {name: {(f.value, f.count) for f in counts} for name, counts in page.facets.items()},
        "facet_order": {name: [f.count for f in counts] for name, counts in page.facets.items()},
        "pids": [d.pid for d in page.items],
    }
    cursor = page.next_cursor
    for _ in range(pages - 1):
        if cursor is None:
            break
        page = store.search(identity, SearchQuery.parse({**body, "cursor": cursor, "facets": False}))
        assert page.total == result["total"]
        result["pids"] += [d.pid for d in page.items]
        cursor = page.next_cursor
    return result


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: i.user)
@pytest.mark.parametrize("body", BATTERY, ids=[f"q{i:02d}" for i in range(len(BATTERY))])
def test_backends_agree(stores, identity, body):
    sqlite, mongo = stores
    pages = 1000 if body.get("sort") == "relevance" else PAGES  # relevance: compare whole sets
    expected, got = _run(sqlite, identity, body, pages), _run(mongo, identity, body, pages)
    assert got["total"] == expected["total"]
    assert got["facets"] == expected["facets"]
    for counts in got["facet_order"].values():
        assert counts == sorted(counts, reverse=True), "facet values are most frequent first"
    if body.get("sort") == "relevance":
        assert len(got["pids"]) == got["total"]
        assert sorted(got["pids"]) == sorted(expected["pids"])
    else:
        assert got["pids"] == expected["pids"]


def test_the_battery_is_not_trivial(stores):
    """Guards the battery itself: most searches find something, some find many pages."""
    sqlite, _ = stores
    totals = [sqlite.search(USER, SearchQuery.parse({**body, "facets": False})).total for body in BATTERY]
    assert sum(1 for t in totals if t > 0) >= 0.7 * len(totals)
    assert sum(1 for t in totals if t > 25 * PAGES) >= 5


def test_vote_counts_agree(stores):
    sqlite, mongo = stores
    pids = sorted({pid for _, pid, _ in _votes()})
    operator = Identity.for_operator()
    for a, b in zip(sqlite.get_datasets(operator, pids), mongo.get_datasets(operator, pids)):
        assert (a.pid, a.likes, a.dislikes) == (b.pid, b.likes, b.dislikes)
