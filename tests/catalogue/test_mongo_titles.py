"""The MongoDB store's held proposal titles follow SciCat's writes (``mongo.titles``).

Two stores on SciCat's database, as in ``test_mongo_columns``: one as the catalogue
service runs it (search columns loaded, their thread following the proposals too) and
one searching directly (``columns=off``: no thread, each search with words does the
following itself). SciCat's writes to its ``Proposal`` collection are made as its backend
makes them, plain pymongo stamping ``updatedAt``; its deletions leave no stamp. Both
stores must find a proposal's datasets by its title words as the database holds the
proposal now, agree with each other, and never let a user match the title of a
proposal they may not see.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from beamhub.catalogue import Identity
from beamhub.catalogue.stores.mongo import titles as mongo_titles
from beamhub.catalogue.stores.mongo.follow import FOLLOW_BOUND

from . import scicat_documents as scicat
from tests.benchmarks import synthetic

from .test_mongo_columns import answer, pair, same, workers  # noqa: F401 - pair and workers are fixtures
from .test_scicat_follow import MEMBER, OPERATOR, OWNER, STRANGER, scicat_update

pytestmark = pytest.mark.mongodb

STAFF = Identity(user="sam", staff_of=frozenset({"bl-x"}))
"""Staff of beamline ``bl-x``: sees the datasets measured there and its proposals."""


def proposal_update(db, proposal_id: str, **fields) -> None:
    """An update as SciCat's backend makes it: the fields, ``updatedBy`` and ``updatedAt``."""
    db["Proposal"].update_one({"_id": proposal_id}, {"$set": {**fields, "updatedBy": "scicat-admin",
                                                              "updatedAt": datetime.now(timezone.utc)}})


def pids(store, identity, text: str) -> list[str]:
    return sorted(answer(store, identity, text=text)[2])


def agreeing(pair, identity, text: str) -> list[str]:  # noqa: F811
    """The datasets both stores find by ``text`` (the column store from its columns)."""
    columns, direct = pair
    return sorted(same(columns, direct, identity, text=text)[2])


def of_p2001(pair, identity) -> list[str]:  # noqa: F811
    """The datasets of proposal p2001 ("Lysozyme at many temperatures", a title word none
    of them has itself) that ``identity`` sees."""
    every = agreeing(pair, OPERATOR, "temperatures")
    assert len(every) >= 8
    return sorted(set(every) & set(agreeing(pair, identity, "")))


def within_bound(store, identity, text: str, wanted: list[str]) -> float:
    """Seconds until ``store`` finds ``wanted`` by ``text`` (asserted within FOLLOW_BOUND)."""
    started = time.monotonic()
    while pids(store, identity, text) != wanted and time.monotonic() - started < 3 * FOLLOW_BOUND:
        time.sleep(0.05)
    waited = time.monotonic() - started
    assert pids(store, identity, text) == wanted
    assert waited <= FOLLOW_BOUND
    return waited


def following(pair) -> None:  # noqa: F811
    """Wait until the column store's thread follows (then searches leave the count to it)."""
    columns, _ = pair
    started = time.monotonic()
    while not columns.columns.following and time.monotonic() - started < 10:
        time.sleep(0.05)
    assert columns.columns.following


def test_a_title_scicat_changes_is_matched_by_its_new_words_at_the_very_next_search(pair, scicat_db):  # noqa: F811
    _, db = scicat_db
    following(pair)
    titled = agreeing(pair, MEMBER, "buffers")  # p2002 "SAXS of buffers": its datasets
    assert scicat.pid(4) in titled and len(titled) >= 5
    assert agreeing(pair, MEMBER, "goethite") == []
    proposal_update(db, "p2002", title="SAXS of goethite")
    assert agreeing(pair, MEMBER, "goethite") == titled
    assert agreeing(pair, MEMBER, "goeth") == titled  # typed: the prefix too
    assert agreeing(pair, MEMBER, "buffers") == []
    assert agreeing(pair, OWNER, "goethite") == []  # OWNER sees dataset 4, not p2002


def test_a_proposal_scicat_adds_is_matched_only_by_those_who_may_see_it(pair, scicat_db):  # noqa: F811
    _, db = scicat_db
    published = scicat.pid(12)  # of proposal p9999, which SciCat has not written yet
    olga = Identity(user="olga", groups=frozenset({"p9999"}))
    following(pair)
    for identity in (olga, STRANGER, OPERATOR):
        assert agreeing(pair, identity, "hematite") == []
    written = datetime.now(timezone.utc)
    db["Proposal"].insert_one({"_id": "p9999", "proposalId": "p9999", "ownerGroup": "p9999", "accessGroups": [],
                               "title": "Hematite nanoparticles", "email": "olga@uni.edu", "createdAt": written,
                               "updatedAt": written, "__v": 0})
    assert agreeing(pair, olga, "hematite") == [published]
    assert agreeing(pair, OPERATOR, "hematite nano") == [published]
    # STRANGER sees the published dataset, but not its proposal: its title is not theirs to search
    assert published in answer(pair[0], STRANGER)[2]
    assert agreeing(pair, STRANGER, "hematite") == []


def test_a_proposal_scicat_deletes_is_no_longer_matched_within_the_bound(pair, scicat_db):  # noqa: F811
    columns, direct = pair
    _, db = scicat_db
    following(pair)
    titled = of_p2001(pair, OWNER)
    assert agreeing(pair, OWNER, "temperatures") == titled
    db["Proposal"].delete_one({"_id": "p2001"})  # no stamp anywhere
    assert pids(direct, OWNER, "temperatures") == []  # it counts the proposals at each search
    within_bound(columns, OWNER, "temperatures", [])  # its thread counts them every second
    assert agreeing(pair, OWNER, "temperatures") == []
    own = agreeing(pair, OWNER, "lysozyme")  # by their own words alone now
    assert scicat.pid(5) in own and len(own) < len(titled)


def test_an_access_change_to_a_proposal_is_exact_at_the_very_next_search(pair, scicat_db):  # noqa: F811
    _, db = scicat_db
    following(pair)
    # MEMBER sees dataset 4 of p2001 (its accessGroups), not p2001 itself
    assert agreeing(pair, MEMBER, "temperatures") == []
    proposal_update(db, "p2001", accessGroups=["p2002"])
    assert agreeing(pair, MEMBER, "temperatures") == of_p2001(pair, MEMBER) == [scicat.pid(4)]
    proposal_update(db, "p2001", accessGroups=[])
    assert agreeing(pair, MEMBER, "temperatures") == []
    scicat_update(db, scicat.pid(5), creationLocation="bl-x")  # STAFF sees dataset 5
    assert agreeing(pair, STAFF, "temperatures") == []  # p2001 names no beamline
    proposal_update(db, "p2001", beamline="bl-x")
    assert agreeing(pair, STAFF, "temperatures") == [scicat.pid(5)]
    proposal_update(db, "p2001", ownerGroup="p3003")
    assert agreeing(pair, OWNER, "temperatures") == []
    assert agreeing(pair, STAFF, "temperatures") == [scicat.pid(5)]


def test_an_unstamped_access_change_is_found_by_the_periodic_read_of_every_proposal(pair, scicat_db):  # noqa: F811
    columns, direct = pair
    _, db = scicat_db
    following(pair)
    titled = of_p2001(pair, OWNER)
    assert agreeing(pair, OWNER, "temperatures") == titled
    db["Proposal"].update_one({"_id": "p2001"}, {"$set": {"ownerGroup": "p3003"}})  # updatedAt as it was
    assert agreeing(pair, OWNER, "temperatures") == titled  # nothing tells: the count agrees
    for store in (columns, direct):
        store._titles._reread -= mongo_titles.REREAD_SECONDS  # that long on
    assert pids(direct, OWNER, "temperatures") == []  # its next search reads them all
    within_bound(columns, OWNER, "temperatures", [])  # its thread does, within a second
    assert agreeing(pair, OWNER, "temperatures") == []


def test_searches_read_only_what_changed_and_build_the_word_index_only_for_a_title(pair, scicat_db):  # noqa: F811
    columns, direct = pair
    _, db = scicat_db
    following(pair)
    titled = of_p2001(pair, OWNER)
    held = [(store._titles.full_reads, store._titles.indexes_built) for store in pair]
    for text in ("temperatures", "lysozyme tem", "buffers", "many"):
        agreeing(pair, OWNER, text)
    assert [(store._titles.full_reads, store._titles.indexes_built) for store in pair] == held
    proposal_update(db, "p2001", accessGroups=["p2002"])  # access only: the word index stays
    assert agreeing(pair, MEMBER, "temperatures") == [scicat.pid(4)]
    assert [(store._titles.full_reads, store._titles.indexes_built) for store in pair] == held
    proposal_update(db, "p2001", title="Lysozyme at a few pressures")  # read alone, words indexed again
    assert agreeing(pair, OWNER, "pressures") == titled
    assert [(store._titles.full_reads, store._titles.indexes_built) for store in pair] == [
        (reads, built + 1) for reads, built in held]


def test_a_title_another_worker_writes_is_matched_at_the_next_search(workers):  # noqa: F811
    first, second, direct = workers
    operator = Identity.for_operator()
    retitled = synthetic.proposals(300)[0]
    assert same(first, direct, operator, text="goethite")[0] == 0
    second.upsert_proposals(operator, [retitled.model_copy(update={"title": "Goethite at i03"})])
    assert same(first, direct, operator, text="goethite")[0] == synthetic.PER_PROPOSAL  # its datasets
    assert same(first, direct, operator, text="goeth")[0] == synthetic.PER_PROPOSAL
    assert same(second, direct, Identity("stranger", groups=frozenset({"p7777777"})), text="goethite")[0] == 0


@pytest.mark.parametrize("columns", ["on", "off"])
def test_a_start_reads_the_titles_and_the_first_search_with_words_does_not_read_them_again(scicat_db, columns):
    """A service start (``keep_columns_warm``) reads every proposal's title in a thread
    beside the columns' load: with the columns off, nothing else would ever read them
    before a search; with them on, their thread would only after the rows are ready."""
    from beamhub.catalogue import open_store

    url, _ = scicat_db
    with open_store(url + ("?columns=off" if columns == "off" else "")) as store, \
            open_store(url + "?columns=off") as direct:
        titles = store._titles
        assert titles.full_reads == 0
        warm = store.keep_columns_warm()  # a service start
        started = time.monotonic()
        while titles.full_reads == 0 and time.monotonic() - started < 10:
            time.sleep(0.01)
        assert titles.full_reads == 1, "read at the start"
        if warm is not None:
            assert warm.warmed.wait(30)
        assert pids(store, OWNER, "temperatures") == pids(direct, OWNER, "temperatures") != []
        assert (titles.full_reads, titles.indexes_built) == (1, 1), "the first search with words read none"
