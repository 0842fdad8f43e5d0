"""SciCat writes its database on its own; beamhub's searches follow, with no operator action.

A SciCat database is made here as SciCat's backend leaves it (the fixture set, inserted
with plain pymongo), then SciCat's writes are made the way its backend makes them: a
plain pymongo update that also sets ``updatedAt`` (mongoose ``timestamps``). Access is
checked by the very next request; new content within ``FOLLOW_BOUND`` seconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from beamhub.catalogue import Identity, NotFound, SearchQuery
from beamhub.catalogue.stores.mongo.store import MongoStore
from beamhub.catalogue.stores.mongo.follow import FOLLOW_BOUND

from . import scicat_documents as scicat

pytestmark = pytest.mark.mongodb

OPERATOR = Identity.for_operator("test-operator")
MEMBER = Identity(user="frank", groups=frozenset({"p2002"}))
"""In ``p2002``: sees dataset 4 only through its ``accessGroups``."""
OWNER = Identity(user="erin", groups=frozenset({"p2001"}))
STRANGER = Identity(user="mallory", groups=frozenset({"p7777"}))


@pytest.fixture
def store(scicat_db):
    store = MongoStore(scicat_db[0])
    yield store
    store.close()


def scicat_update(db, pid: str, **fields) -> None:
    """An update as SciCat's backend makes it: the fields, ``updatedBy`` and ``updatedAt``."""
    db["Dataset"].update_one({"_id": pid}, {"$set": {**fields, "updatedBy": "scicat-admin",
                                                     "updatedAt": datetime.now(timezone.utc)}})


def pids(store, identity, **query) -> list[str]:
    return [d.pid for d in store.search(identity, SearchQuery(limit=200, **query)).items]


def test_a_revoked_group_sees_nothing_from_the_very_next_request(store, scicat_db):
    _, db = scicat_db
    shared = scicat.pid(4)
    before = store.search(MEMBER, SearchQuery(limit=200))
    assert shared in [d.pid for d in before.items]
    assert shared in pids(store, MEMBER, text="shared beamtime")
    assert store.get_dataset(MEMBER, shared).pid == shared
    assert store.set_vote(MEMBER, shared, "like").likes == 1

    scicat_update(db, shared, accessGroups=[])  # SciCat removes p2002

    after = store.search(MEMBER, SearchQuery(limit=200))  # no pause, no reindex
    assert shared not in [d.pid for d in after.items]
    assert after.total == before.total - 1
    beamlines = {f.value: f.count for f in after.facets["beamline"]}
    assert beamlines.get(scicat.X06SA, 0) == {f.value: f.count for f in before.facets["beamline"]}[scicat.X06SA] - 1
    assert pids(store, MEMBER, text="shared beamtime") == []
    with pytest.raises(NotFound):
        store.get_dataset(MEMBER, shared)
    with pytest.raises(NotFound):
        store.set_vote(MEMBER, shared, None)
    with pytest.raises(Exception) as refused:
        store.create_selection(MEMBER, "after revocation", [shared])
    assert shared in str(refused.value)
    assert store.get_datasets(MEMBER, [shared]) == []
    assert store.stats(MEMBER)["datasets"] == after.total
    # the owner group still sees it, with its content
    assert shared in pids(store, OWNER, text="shared beamtime")


def test_access_follows_sciCat_even_when_a_write_bypasses_updated_at(store, scicat_db):
    _, db = scicat_db
    private = scicat.pid(5)
    assert private not in pids(store, STRANGER)
    db["Dataset"].update_one({"_id": private}, {"$set": {"isPublished": True}})  # no updatedAt
    assert private in pids(store, STRANGER)
    assert private in pids(store, STRANGER, text="lysozyme warm")  # its words were derived already
    db["Dataset"].update_one({"_id": private}, {"$set": {"isPublished": False}})
    assert private not in pids(store, STRANGER)
    assert private not in pids(store, STRANGER, text="lysozyme warm")


def _seen_within(store, identity, query: dict, expected: bool) -> float:
    """Seconds until the search's answer about the query has ``expected`` presence."""
    started = time.monotonic()
    while True:
        found = bool(pids(store, identity, **query))
        elapsed = time.monotonic() - started
        if found == expected or elapsed > 3 * FOLLOW_BOUND:
            return elapsed if found == expected else float("inf")
        time.sleep(0.05)


def test_changed_content_and_new_datasets_are_found_within_the_bound(store, scicat_db):
    _, db = scicat_db
    changed = scicat.pid(6)
    assert pids(store, OWNER, text="lysozyme v-u") == [changed]  # the first search derives everything
    assert store.reindex(OPERATOR) == 0

    written = time.monotonic()
    scicat_update(db, changed, description="now soaked in zeolite", datasetName="Zeolite soak")
    new = scicat._dataset(777, datasetName="Hematite powder", ownerGroup="p2001", creationLocation=scicat.X06SA,
                          proposalIds=["p2001"], _created=datetime.now(timezone.utc).replace(microsecond=0),
                          scientificMetadata={"temperature": {"value": 42, "unit": "K"}})
    db["Dataset"].insert_one(new)

    assert _seen_within(store, OWNER, {"text": "zeolite"}, True) <= FOLLOW_BOUND
    assert _seen_within(store, OWNER, {"text": "hematite"}, True) <= FOLLOW_BOUND
    assert time.monotonic() - written <= 2 * FOLLOW_BOUND
    assert pids(store, OWNER, text="zeolite") == [changed]
    assert pids(store, OWNER, text="lysozyme v-u") == []  # the old name no longer matches
    cold = pids(store, OWNER, conditions=[{"name": "temperature", "op": "<", "value": 50, "unit": "K"}])
    assert cold == [new["_id"]]
    assert pids(store, STRANGER, text="hematite") == []
    assert store.get_dataset(OWNER, new["_id"]).datasetName == "Hematite powder"
    # nothing was left for an operator to do
    assert store.reindex(OPERATOR) == 0


def test_a_plain_reindex_reports_what_sciCat_changed(store, scicat_db):
    """The issue: after SciCat's change a plain reindex reported 0."""
    _, db = scicat_db
    store.reindex(OPERATOR)
    scicat_update(db, scicat.pid(7), description="re-measured")
    scicat_update(db, scicat.pid(8), accessGroups=["p2002"])
    assert store.reindex(OPERATOR) == 2
    assert store.reindex(OPERATOR) == 0


def test_broken_documents_never_stop_the_follower(store, scicat_db):
    _, db = scicat_db
    assert pids(store, OWNER, text="lysozyme warm") == [scicat.pid(5)]
    report = store._follower.catch_up(since_watermark=False, everything=True)
    assert set(report.unreadable) == set(scicat.BROKEN_PIDS)
    assert report.rewritten == len(scicat.DATASETS)
    # a broken document SciCat repairs is searchable after its next write
    scicat_update(db, scicat.BROKEN_PIDS[1], creationTime=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert _seen_within(store, Identity(user="ramjet", groups=frozenset({"p13388"})),
                        {"text": "broken creationtime"}, True) <= FOLLOW_BOUND


def test_every_visibility_branch_has_an_index_in_every_sort_order_on_mongodb():
    """On MongoDB each branch of the live visibility ``$or`` is read in sort order from its
    own index and the branches merged: the filter and the index plan must agree."""
    from beamhub.catalogue.stores.mongo.queries import SORT_FIELDS, visibility_filter
    from beamhub.catalogue.stores.mongo.server import detect, index_plan

    plan = index_plan(detect({"version": "7.0.4", "versionArray": [7, 0, 4, 0]}))["Dataset"]
    keys = [list(model.document["key"].items()) for model in plan]
    branches = visibility_filter(Identity(user="u", groups=frozenset({"g"}), staff_of=frozenset({"b"})))["$or"]
    assert len(branches) == 4
    for field, direction in SORT_FIELDS.values():
        for branch in branches:
            (name,) = branch
            assert [(name, 1), (field, direction), ("_id", 1)] in keys, (name, field)
    assert [("updatedAt", 1)] in keys and [("beamhub_indexVersion", 1)] in keys


def test_a_beamhub_clock_ahead_of_sciCats_does_not_hide_sciCats_writes(store, scicat_db):
    """beamhub's derived datasets in SciCat's database carry beamhub's clock; an hour ahead
    of SciCat's, they must not move the watermark past SciCat's next writes."""
    from datetime import timedelta

    from beamhub.catalogue.stores.mongo.documents import SOURCE_UPDATED
    from beamhub.catalogue.stores.mongo.scicat import CREATED_BY

    _, db = scicat_db
    assert pids(store, OWNER, text="lysozyme warm") == [scicat.pid(5)]
    ahead = datetime.now(timezone.utc) + timedelta(hours=1)
    future = scicat._dataset(778, datasetName="Written by beamhub", ownerGroup="p2001", type="derived",
                             _created=ahead.replace(microsecond=0))
    db["Dataset"].insert_one({**future, CREATED_BY: "beamhub-jobs", SOURCE_UPDATED: future["updatedAt"]})
    store._follower.catch_up()
    scicat_update(db, scicat.pid(5), datasetName="Lysozyme hot")
    assert _seen_within(store, OWNER, {"text": "lysozyme hot"}, True) <= FOLLOW_BOUND
