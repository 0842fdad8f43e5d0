"""The MongoDB store's search columns follow the database (``mongo.columns``).

Each test has a store as the catalogue service runs it (columns loaded, then kept
current) beside a store on the same database that searches directly (``columns=off``):
after SciCat's writes, another worker's deletions and votes, and an ingest, the column
store must give the direct store's answers (totals, every facet count, the page) at the
very next search, and must have answered from its columns.
"""

from __future__ import annotations

import pickle
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import pymongo
import pytest

from beamhub.catalogue import Identity, SearchQuery, open_store
from beamhub.catalogue.model import ScientificValue
from beamhub.catalogue.stores.mongo import columns as mongo_columns
from beamhub.catalogue.stores.mongo.documents import CHANGED
from beamhub.catalogue.stores.mongo.follow import FOLLOW_BOUND
from tests.benchmarks import synthetic

from . import scicat_documents as scicat
from .test_scicat_follow import MEMBER, OPERATOR, OWNER, STRANGER, scicat_update

pytestmark = pytest.mark.mongodb

N = 300
USER = synthetic.user_in_three_proposals(N)
STAFF = synthetic.beamline_staff()


def answer(store, identity, **query) -> tuple:
    result = store.search(identity, SearchQuery(limit=200, **query))
    facets = {name: [(f.value, f.count) for f in counts] for name, counts in result.facets.items()}
    return result.total, facets, [d.pid for d in result.items]


def catalogue(mongodb_url: str, datasets) -> tuple[str, object]:
    """A new catalogue database of N synthetic proposals and ``datasets``: its URL and a
    store searching it directly, through which it is written."""
    url = mongodb_url.rstrip("/") + f"/beamhub_columns_{uuid.uuid4().hex[:8]}"
    direct = open_store(url + "?columns=off")
    operator = Identity.for_operator()
    direct.upsert_proposals(operator, synthetic.proposals(N))
    direct.upsert_datasets(operator, datasets)
    return url, direct


def started_worker(url: str, snapshots, stores: list):
    """A service worker's store on ``url`` (added to ``stores``), its columns loaded from,
    or else written to, the snapshot folder ``snapshots``."""
    store = open_store(url)
    stores.append(store)
    assert store.keep_columns_warm(snapshot_dir=str(snapshots)).warmed.wait(30)
    return store


def same(columns, direct, identity, **query) -> tuple:
    """The column store's answer, checked against the direct store's and to come from its columns."""
    before = columns.columns.paths["columns"]
    got = answer(columns, identity, **query)
    assert columns.columns.paths["columns"] == before + 1, "answered from the columns"
    assert got == answer(direct, identity, **query)
    return got


@pytest.fixture
def pair(scicat_db):  # noqa: F811
    """SciCat's database searched through columns, and directly."""
    url, _ = scicat_db
    columns, direct = open_store(url), open_store(url + "?columns=off")
    assert columns.keep_columns_warm().warmed.wait(30)
    yield columns, direct
    for store in (columns, direct):
        store.close()


def test_an_access_change_by_scicat_is_exact_at_the_very_next_search(pair, scicat_db):  # noqa: F811
    columns, direct = pair
    _, db = scicat_db
    shared = scicat.pid(4)  # MEMBER sees it only through its accessGroups
    total, _, found = same(columns, direct, MEMBER)
    assert shared in found
    scicat_update(db, shared, accessGroups=[])
    revoked = same(columns, direct, MEMBER)
    assert shared not in revoked[2] and revoked[0] == total - 1
    assert same(columns, direct, MEMBER, text="shared")[0] == 0
    scicat_update(db, shared, accessGroups=["p2002"])
    assert shared in same(columns, direct, MEMBER)[2]
    public = scicat.pid(5)
    assert public not in same(columns, direct, STRANGER)[2]
    scicat_update(db, public, isPublished=True)
    assert public in same(columns, direct, STRANGER)[2]


def test_a_dataset_scicat_adds_is_found_by_its_words_within_the_bound(pair, scicat_db):  # noqa: F811
    columns, direct = pair
    _, db = scicat_db
    new = scicat._dataset(778, datasetName="Goethite powder", ownerGroup="p2001", creationLocation=scicat.X06SA,
                          proposalIds=["p2001"], _created=datetime.now(timezone.utc).replace(microsecond=0),
                          scientificMetadata={"temperature": {"value": 42, "unit": "K"}})
    same(columns, direct, OWNER, text="goethite")
    db["Dataset"].insert_one(new)
    started = time.monotonic()
    while not answer(columns, OWNER, text="goethite")[2] and time.monotonic() - started < 3 * FOLLOW_BOUND:
        time.sleep(0.05)
    assert time.monotonic() - started <= FOLLOW_BOUND
    assert same(columns, direct, OWNER, text="goethite")[2] == [new["_id"]]
    cold = same(columns, direct, OWNER, conditions=[{"name": "temperature", "op": "<", "value": 50, "unit": "K"}])
    assert cold[2] == [new["_id"]]
    assert same(columns, direct, STRANGER, text="goethite")[0] == 0



def test_scicat_deleting_unstamped_is_found_by_the_count_and_a_swap_by_the_full_comparison(pair, scicat_db):  # noqa: F811
    # SciCat's deletions leave no stamp and nothing in beamhub's deletion log. A count of
    # the database's documents that is not the rows' makes the reconciliation compare every
    # document's stamps; while counts agree it reads none. A deletion and an unstamped
    # insert, which leave the count as it was, are found by the comparison it makes every
    # COMPARE_SECONDS regardless.
    columns, direct = pair
    _, db = scicat_db
    rows = columns.columns
    total, _, found = same(columns, direct, OPERATOR)
    compared = rows.compared
    rows.reconcile()
    assert rows.compared == compared  # counts agree: no document read
    first = db["Dataset"].find_one({"_id": found[0]})
    db["Dataset"].delete_one({"_id": found[0]})
    rows.reconcile()
    assert rows.compared == compared + 1
    after = same(columns, direct, OPERATOR)
    assert after[0] == total - 1 and found[0] not in after[2]
    db["Dataset"].delete_one({"_id": found[1]})
    # back, stamped long ago (its derivation's stamp too): no sync reads it
    db["Dataset"].insert_one({**first, CHANGED: datetime(2020, 1, 1, tzinfo=timezone.utc)})
    rows.reconcile()
    assert rows.compared == compared + 1  # the count alone cannot tell
    rows._compared -= mongo_columns.COMPARE_SECONDS  # an hour on
    rows.reconcile()
    assert rows.compared == compared + 2
    swapped = same(columns, direct, OPERATOR)
    assert swapped[0] == total - 1 and found[0] in swapped[2] and found[1] not in swapped[2]

@pytest.fixture
def workers(mongodb_url):
    """Two workers of the service on one catalogue (each with its own columns), and a
    store searching directly; the catalogue written through the direct one."""
    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    first, second = open_store(url), open_store(url)
    for worker in (first, second):
        assert worker.keep_columns_warm().warmed.wait(30)
    yield first, second, direct
    direct.drop_database()
    for store in (first, second, direct):
        store.close()


def test_another_workers_deletions_and_votes_are_exact_at_the_next_search(workers):
    first, second, direct = workers
    operator = Identity.for_operator()
    _, facets, found = same(first, direct, STAFF)
    same(second, direct, STAFF, sort="-likes")
    gone = found[:3]
    assert second.delete_datasets(operator, gone) == 3
    after = same(first, direct, STAFF)
    assert not set(gone) & set(after[2]) and after[1] != facets
    assert same(first, direct, operator)[0] == N - 3
    liked = after[2][-1]  # the oldest on the page: first by likes once liked
    second.set_vote(STAFF, liked, "like")
    assert same(first, direct, STAFF, sort="-likes")[2][0] == liked


def test_an_ingest_changing_one_percent_reads_just_those_datasets(workers):
    first, _, direct = workers
    operator = Identity.for_operator()
    same(first, direct, USER, text="zzyzx")
    rows = first.columns.stats()["rows"]
    changed = [d.model_copy(update={"description": (d.description or "") + " zzyzx"}) for d in synthetic.datasets(N)][:3]
    direct.upsert_datasets(operator, changed)
    assert same(first, direct, USER, text="zzyzx")[0] == sum(USER.can_see(d.to_stored()) for d in changed)
    assert same(first, direct, operator, text="zzyzx")[0] == 3
    stats = first.columns.stats()
    assert (stats["rows"], stats["datasets"]) == (rows + 3, N)  # three new rows, no reload


def test_a_bulk_write_goes_direct_until_the_background_applied_it(workers, monkeypatch):
    first, _, direct = workers
    operator = Identity.for_operator()
    monkeypatch.setattr(mongo_columns, "SYNC_IN_SEARCH", 5)
    first.columns.stop()  # the background thread's part is done by hand below
    first.columns._thread.join(5)
    direct.upsert_datasets(operator, [d.model_copy(update={"description": "bulk qwerty"})
                                      for d in synthetic.datasets(N)][:20])
    before = dict(first.columns.paths)
    assert answer(first, operator, text="qwerty") == answer(direct, operator, text="qwerty")
    assert first.columns.paths == {**before, "direct": before["direct"] + 1}  # 20 changes > 5
    assert first.columns.sync(None)  # what the background thread does
    assert same(first, direct, operator, text="qwerty")[0] == 20


def test_a_background_sync_in_chunks_leaves_the_rest_to_the_next_search(workers, monkeypatch):
    # The background thread applies a burst a chunk at a time, letting searches in between.
    # The marks stay where they were until every change found is applied, so the next
    # search (which applies what is left) still finds the changes the chunk did not reach.
    first, _, direct = workers
    operator = Identity.for_operator()
    monkeypatch.setattr(mongo_columns, "OVERLAP", timedelta(0))  # the marks alone find changes
    first.columns.stop()  # the background thread's part is done by hand below
    first.columns._thread.join(5)
    marks = (first.columns.mark, first.columns.changed_mark)
    direct.upsert_datasets(operator, [d.model_copy(update={"description": "chunked asdfgh"})
                                      for d in synthetic.datasets(N)][:20])
    assert not first.columns.sync(None, chunk=5)  # what the background thread does, a chunk of it
    assert (first.columns.mark, first.columns.changed_mark) == marks
    before = first.columns.stats()["rows"]
    assert same(first, direct, operator, text="asdfgh")[0] == 20
    assert first.columns.stats()["rows"] == before + 15  # the search applied the other 15
    same(first, direct, STAFF, text="chunked")
    for more in (2, 3):  # the same word's entries grow, in the room kept for them
        direct.upsert_datasets(operator, [d.model_copy(update={"description": "chunked anew"})
                                          for d in synthetic.datasets(N)][20 * more - 20:20 * more])
        assert same(first, direct, operator, text="chunked")[0] == 20 * more
        assert same(first, direct, operator, text="asdfgh")[0] == 20


def test_a_columns_option_other_than_on_or_off_is_refused(mongodb_url):
    with pytest.raises(Exception, match="columns=on or columns=off"):
        open_store(mongodb_url.rstrip("/") + "/beamhub_x?columns=maybe")


def test_the_direct_store_has_no_columns_and_the_columns_option_is_not_passed_on(mongodb_url):
    store = open_store(mongodb_url.rstrip("/") + f"/beamhub_{uuid.uuid4().hex[:8]}?columns=off")
    try:
        assert store.columns is None and store.keep_columns_warm() is None
        store.ping()
        assert isinstance(store._client, pymongo.MongoClient)
    finally:
        store.drop_database()
        store.close()


def test_a_worker_starts_from_the_snapshot_and_is_exact_about_what_changed_since(mongodb_url, tmp_path, caplog):
    # A worker writes its rows to the snapshot folder; while no worker runs, datasets are
    # deleted through beamhub, re-worded, and one's access is changed as SciCat does it.
    # The next worker starts from the snapshot (not the database) and its first
    # searches give the database's own totals, facets and pages.
    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    operator = Identity.for_operator()
    snapshots = tmp_path / "columns"
    stores = []
    try:
        first = open_store(url)
        stores.append(first)
        assert first.keep_columns_warm(snapshot_dir=str(snapshots)).warmed.wait(30)
        assert not first.columns.restored and first.columns.snapshot_file().exists()
        seen = same(first, direct, USER)
        first.close()  # a service stopping writes its rows again

        gone = seen[2][:3]
        assert direct.delete_datasets(operator, gone) == 3
        direct.upsert_datasets(operator, [d.model_copy(update={"description": "snapshot zzyzx"})
                                          for d in synthetic.datasets(N)][10:13])
        revoked = seen[2][5]
        raw = pymongo.MongoClient(url, tz_aware=True)
        raw.get_default_database()["Dataset"].update_one(
            {"_id": revoked}, {"$set": {"ownerGroup": "p9999", "accessGroups": [], "isPublished": False,
                                        "updatedAt": datetime.now(timezone.utc)}})
        raw.close()

        second = open_store(url)
        stores.append(second)
        assert second.keep_columns_warm(snapshot_dir=str(snapshots)).warmed.wait(30)
        assert second.columns.restored  # from the snapshot, then what changed since
        after = same(second, direct, USER)
        assert not set(gone) & set(after[2]) and revoked not in after[2] and after[0] == seen[0] - 4
        same(second, direct, STAFF)
        assert same(second, direct, operator)[0] == N - 3
        assert same(second, direct, operator, text="zzyzx")[0] == 3
        second.close()

        # A damaged snapshot, and one of another database, are ignored: the rows are read anew.
        path = second.columns.snapshot_file()
        other = open_store(mongodb_url.rstrip("/") + f"/beamhub_columns_{uuid.uuid4().hex[:8]}")
        stores.append(other)
        other.columns.snapshot_dir = snapshots
        other.columns.snapshot_file().write_bytes(path.read_bytes())  # a foreign one under its name
        path.write_bytes(path.read_bytes()[:1000])  # truncated
        for store in (open_store(url), other):
            stores.append(store)
            with caplog.at_level("WARNING", logger="beamhub.catalogue.stores.mongo.columns"):
                caplog.clear()
                assert store.keep_columns_warm(snapshot_dir=str(snapshots)).warmed.wait(30)
            assert not store.columns.restored and "loading anew" in caplog.text
        assert same(stores[-2], direct, USER) == after
    finally:
        for store in stores:
            store.close()
        direct.drop_database()
        direct.close()


def test_a_restored_workers_snapshot_is_read_back_exactly_and_one_cut_short_is_not(mongodb_url, tmp_path, caplog,
                                                                                   monkeypatch):
    # A snapshot's arrays follow its pickles and are mapped, not read, at the next start;
    # the rows' pids and stamps stay in arrays there, what changes after beside them. A
    # worker started from a snapshot writes its own (those merged), and the worker after
    # it starts from that one exactly. A file whose arrays are cut short (its pickles
    # whole) is ignored: the rows are read anew.
    monkeypatch.setattr(mongo_columns, "IN_BAND", 1)  # every array mapped, as at 1M datasets
    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    operator = Identity.for_operator()
    snapshots = tmp_path / "columns"
    stores = []

    def worker(restored: bool):
        store = open_store(url)
        stores.append(store)
        assert store.keep_columns_warm(snapshot_dir=str(snapshots)).warmed.wait(30)
        assert store.columns.restored == restored
        return store

    def change(round_: int, deleted: list[str]) -> None:
        assert direct.delete_datasets(operator, deleted) == len(deleted)
        direct.upsert_datasets(operator, [d.model_copy(update={"description": f"round{round_} qwerty"})
                                          for d in synthetic.datasets(N)][20 + 3 * round_:23 + 3 * round_])

    try:
        first = worker(restored=False)
        found = same(first, direct, operator)[2]
        first.close()
        change(1, found[:2])
        second = worker(restored=True)
        assert same(second, direct, operator, text="qwerty")[0] == 3
        second.close()  # its rows written again: the first snapshot's and what changed since
        change(2, found[2:3])
        third = worker(restored=True)
        for identity in (USER, STAFF, operator):
            same(third, direct, identity)
        assert same(third, direct, operator)[0] == N - 3
        assert same(third, direct, operator, text="round1")[0] == 3
        assert same(third, direct, operator, text="qwerty", sort="datasetName")[0] == 6
        third.close()
        path = third.columns.snapshot_file()
        assert path.stat().st_mode & 0o777 == 0o600
        with open(path, "r+b") as cut:
            cut.truncate(path.stat().st_size - 1)  # within the last array
        with caplog.at_level("WARNING", logger="beamhub.catalogue.stores.mongo.columns"):
            caplog.clear()
            fourth = worker(restored=False)
        assert "loading anew" in caplog.text and "not the" in caplog.text
        same(fourth, direct, USER)
    finally:
        for store in stores:
            store.close()
        direct.drop_database()
        direct.close()


def test_a_snapshot_others_could_have_written_is_not_read(mongodb_url, tmp_path, caplog):
    # Reading a snapshot unpickles it, which runs what it names: a file or folder another
    # user could write (a folder given on the command line) is ignored, with a warning.
    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    snapshots = tmp_path / "columns"
    stores = []

    try:
        started_worker(url, snapshots, stores).close()
        path = next(snapshots.glob("columns-*.pickle"))
        for what, mode in ((snapshots, 0o777), (path, 0o622)):
            original = what.stat().st_mode & 0o777
            what.chmod(mode)
            with caplog.at_level("WARNING", logger="beamhub.catalogue.stores.mongo.columns"):
                caplog.clear()
                store = started_worker(url, snapshots, stores)
            assert not store.columns.restored and "writable by others" in caplog.text
            same(store, direct, STAFF)
            store.close()
            what.chmod(original)
        assert started_worker(url, snapshots, stores).columns.restored  # as the service left it: read back
    finally:
        for store in stores:
            store.close()
        direct.drop_database()
        direct.close()


def test_after_a_restore_and_a_burst_no_search_copies_a_fields_entries(mongodb_url, tmp_path, monkeypatch):
    # A field read back from a snapshot (mapped) has no room to grow, so the first search
    # with a condition on it after a sync appended to it copied its entries (1M at 1M
    # datasets: 100-130 ms, the p99 right after a burst). The background thread gives it
    # room when it applies changes to it: after a restore, and after a burst larger than
    # the room left, a search copies no field's entries, and its answers stay exact.
    monkeypatch.setattr(mongo_columns, "IN_BAND", 1)  # every array mapped, as at 1M datasets
    monkeypatch.setattr(mongo_columns, "ROOM_AHEAD", 8)  # these fields given room as at 1M
    datasets = list(synthetic.datasets(N))
    url, direct = catalogue(mongodb_url, datasets)
    operator = Identity.for_operator()
    snapshots = tmp_path / "columns"
    stores = []
    key = mongo_columns.index_key("temperature")
    cold = [{"name": "temperature", "op": "<", "value": 50, "unit": "K"}]

    def cooled(few: slice, value: float) -> None:
        direct.upsert_datasets(operator, [d.model_copy(update={"scientificMetadata": {
            **d.scientificMetadata, "temperature": ScientificValue(value=value, unit="K")}}) for d in datasets[few]])

    def given_room(store, appended: int) -> None:
        # the background thread applied the changes and gave the field room for them
        metadata, started = store.columns.metadata, time.monotonic()
        while time.monotonic() - started < 10:
            with store.columns._lock:
                new, spare = metadata._new.get(key), metadata._spare.get(key)
                if (new is not None and len(new[0]) >= appended and spare is not None
                        and len(spare["row"]) >= len(metadata._rows[key]["row"]) + len(new[0])):
                    return
            time.sleep(0.05)
        raise AssertionError("the field was not given room")

    try:
        started_worker(url, snapshots, stores).close()  # its rows written to the snapshot
        cooled(slice(0, 5), 42)
        second = started_worker(url, snapshots, stores)
        assert second.columns.restored
        given_room(second, 5)
        assert same(second, direct, operator, conditions=cold)[0] == 5
        assert second.columns.metadata.copies == 0
        cooled(slice(100, 170), 43)  # more than the room given (an eighth)
        given_room(second, 70)
        assert same(second, direct, operator, conditions=cold)[0] == 75
        same(second, direct, USER, conditions=cold, text="crystal")
        assert second.columns.metadata.copies == 0
    finally:
        for store in stores:
            store.close()
        direct.drop_database()
        direct.close()


def test_the_rows_dicts_and_lists_as_a_snapshot_holds_them_behave_as_dicts_and_lists():
    # Read back from a snapshot, the pid -> row and pid -> stamps dicts stay sorted arrays
    # with what changed since beside them, and are written again merged: through random
    # sets, deletions and writes they must answer as a dict does.
    rng = random.Random(7)
    for trial in range(200):
        strings = trial % 2 == 1  # pid -> stamps, else pid -> row
        value = (lambda: f"d{rng.randrange(100)}|None") if strings else (lambda: rng.randrange(100))
        expected = {f"20.500/{rng.randrange(50)}": value() for _ in range(rng.randrange(40))}
        expected[rng.randrange(3)] = value()  # a key the arrays cannot hold (an ObjectId-like _id)
        held = mongo_columns._Frozen.of(expected, strings=strings)
        for _ in range(100):
            key, step = f"20.500/{rng.randrange(60)}", rng.random()
            if step < .4:
                assert held.pop(key, None) == expected.pop(key, None)
            elif step < .8:
                held[key] = expected[key] = value()
            else:
                assert held.get(key) == expected.get(key) and (key in held) == (key in expected)
            assert len(held) == len(expected)
            if rng.random() < .05:  # written to a snapshot and read back
                held = mongo_columns._Frozen.of(held, strings=strings)
        assert dict(held.items()) == expected
    names = mongo_columns._Strings.of(["copper", "sérum", ""])
    names.append("zinc")
    assert list(mongo_columns._Strings.of(names)) == ["copper", "sérum", "", "zinc"] and names[-1] == "zinc"


def test_postings_and_cells_written_packed_read_back_and_grow_as_before():
    # A snapshot writes a postings' keys packed (one array per part) and the cells without
    # their ids: read back, every key answers its entries, keeps growing, and a dataset of
    # a combination already held joins its cell (the ids made again), not a new one.
    rng = random.Random(3)
    postings = mongo_columns._Postings(("v", "w", "r", "x", "d", "s", "b"))
    expected: dict[str, list] = {}
    for row in range(2000):
        for key in rng.sample([f"k{i}" for i in range(40)], 3):
            values = (float(row), 1.0, 2.0, 3.0, rng.choice(["a", "b"]), None, rng.choice([True, False]))
            postings.add(key, row, values)
            expected.setdefault(key, []).append(row)
        if row % 700 == 0:
            postings.get("k1")  # some keys made arrays before the snapshot, some not
            postings = pickle.loads(pickle.dumps(postings, protocol=5))
    postings = pickle.loads(pickle.dumps(postings, protocol=5))
    for key, rows in expected.items():
        got = postings.get(key)
        assert got["row"].tolist() == rows and got["v"].tolist() == [float(r) for r in rows]
    assert postings.get("nothing") is None and postings.keys() == set(expected)

    cells = mongo_columns._Cells()
    docs = [{"ownerGroup": f"p{i % 3}", "accessGroups": [], "creationLocation": "i03", "type": "raw",
             mongo_columns.YEAR: 2020 + i % 2} for i in range(12)]
    before = [cells.of(doc) for doc in docs]
    restored = pickle.loads(pickle.dumps(cells, protocol=5))
    assert [restored.of(doc) for doc in docs] == before and len(restored) == len(cells) == 6
    assert restored.of({**docs[0], "type": "derived"}) == 6


def test_facet_counts_beyond_the_listed_hundred_and_their_ties_are_as_a_full_sort():
    # 2,000 proposal values over 3,000 cells, many counting the same: the columns pick
    # the candidates for the first 100 by partition; the answer must be the full sort's.
    import random

    import numpy as np

    rng = random.Random(7)
    cells = mongo_columns._Cells()
    docs = [{"_id": i, "ownerGroup": "g", "creationLocation": rng.choice(["i03", "i22", 7]), "type": "raw",
             mongo_columns.YEAR: 2020, mongo_columns.TECHNIQUES: ["MX"],
             mongo_columns.PROPOSAL_IDS: rng.sample([f"p{k}" for k in range(2000)] + list(range(50)), 2)}
            for i in range(3000)]
    ids = [cells.of(doc) for doc in docs]
    counts = np.bincount(ids, minlength=len(cells)).astype(np.int64) * np.array(
        [rng.choice([0, 1, 1, 2]) for _ in range(len(cells))])
    per_value: dict = {}
    for cell in range(len(cells)):
        for value in cells.values["proposal"][cell]:
            per_value[value] = per_value.get(value, 0) + int(counts[cell])
    full = sorted(((c, v) for v, c in per_value.items() if c > 0), key=lambda cv: (-cv[0], mongo_columns._order(cv[1])))
    got = cells.facet_counts("proposal", counts)
    assert [(f.value, f.count) for f in got] == [(v, c) for c, v in full[:100]]
    wanted = ["p5", 3, "nope"]
    mask = cells.passing("proposal", wanted)
    assert mask.tolist() == [bool(set(v) & set(wanted)) for v in cells.values["proposal"]]
    assert cells.passing("beamline", [7]).tolist() == [v == 7 for v in cells.values["beamline"]]


def test_pages_along_every_sort_with_ties_and_cursors_are_the_direct_ones(workers, monkeypatch):
    # Small pages of many matches are found by walking a sort order (not by reading every
    # match); the ties of a page's last key (no dataset has likes: all tie) and the
    # cursor's own ties must come out as the database orders them, page after page.
    first, second, direct = workers
    operator = Identity.for_operator()
    monkeypatch.setattr(mongo_columns, "WALK_STEP", 4)  # steps of 4, 8, 16... rows: many ends within ties
    liked = next(d.pid for d in synthetic.datasets(N) if STAFF.can_see(d.to_stored()))
    second.set_vote(STAFF, liked, "like")
    first.columns._renew_orders()  # the sort orders the background thread makes after a load
    walks = first.columns.walks
    for identity in (operator, STAFF):
        for sort in mongo_columns.SORTS:
            for filters in ({}, {"type": ["raw"]}):
                query = {"sort": sort, "limit": 7, **filters}
                cursor, seen = None, []
                for _ in range(3):
                    got = first.search(identity, SearchQuery(**query, cursor=cursor))
                    want = direct.search(identity, SearchQuery(**query, cursor=cursor))
                    assert ([d.pid for d in got.items], got.total) == ([d.pid for d in want.items], want.total)
                    seen += [d.pid for d in got.items]
                    cursor = got.next_cursor
                assert len(set(seen)) == 21
    assert first.columns.walks > walks + 40, "the pages were walked along the orders"


def test_a_lone_range_condition_from_a_value_order_is_exact_through_appends_kills_and_a_new_sort(workers,
                                                                                                   monkeypatch):
    # A condition on a field every dataset has is answered from the field's value order
    # (made by the background thread once a search asks): its matches are one slice of
    # it, counted per cell. Rows appended since it was sorted (its tail) and rows dropped
    # since (a dataset changed or deleted) must count as the direct store counts, the
    # pages (walked, gathered or taken from the slice) must be the direct ones, before
    # and after the order is sorted again.
    first, second, direct = workers
    operator = Identity.for_operator()
    monkeypatch.setattr(mongo_columns, "VALUE_ORDER_LEAST", 8)  # these fields ordered as at 1M
    first.columns.stop()  # the background thread's part is done by hand below
    first.columns._thread.join(5)
    rows = first.columns
    datasets = list(synthetic.datasets(N))
    conditions = [{"name": "temperature", "op": "<", "value": 150, "unit": "K"},
                  {"name": "temperature", "op": ">=", "value": 100, "unit": "K"},
                  {"name": "exposure_time", "op": ">", "value": 10, "unit": "ms"},
                  {"name": "exposure_time", "op": "<=", "value": 0.01},  # no unit: the values as written
                  {"name": "temperature", "op": "<", "value": 150, "unit": "m"},  # another dimension: none
                  {"name": "sample_state", "op": "=", "value": "Frozen"}]

    def searches() -> int:
        ranges = rows.ranges
        for identity in (operator, STAFF, USER):
            for condition in conditions:
                same(first, direct, identity, conditions=[condition])
                same(first, direct, identity, conditions=[condition], type=["raw"], sort="datasetName")
        for sort in mongo_columns.SORTS:  # small pages after a cursor
            query = {"sort": sort, "limit": 7, "conditions": [conditions[0]]}
            cursor = None
            for _ in range(3):
                got = first.search(STAFF, SearchQuery(**query, cursor=cursor))
                want = direct.search(STAFF, SearchQuery(**query, cursor=cursor))
                assert ([d.pid for d in got.items], got.total) == ([d.pid for d in want.items], want.total)
                cursor = got.next_cursor
        return rows.ranges - ranges

    assert searches() == 0  # no order yet: every entry compared, and the orders asked for
    rows._renew_orders()  # what the background thread does
    assert set(rows._value_orders) == {("temperature", "v"), ("temperature", "w"), ("exposure_time", "w"),
                                       ("exposure_time", "r"), ("sample_state", "s")}
    walks = rows.walks
    assert searches() == 3 * len(conditions) * 2 + 3 * len(mongo_columns.SORTS)
    assert rows.walks > walks, "pages walked along a sort order, testing the rows walked"
    direct.upsert_datasets(operator, [d.model_copy(update={"scientificMetadata": {
        **d.scientificMetadata, "temperature": ScientificValue(value=value, unit="K")}})
        for d, value in zip(datasets[:60], [20, 400, 120] * 20)])
    assert second.delete_datasets(operator, [d.pid for d in datasets[100:130]]) == 30
    assert searches() > 0  # 60 rows appended (the tail), 90 dropped
    order = rows._value_orders[("temperature", "v")]
    assert order.m < len(rows.metadata.get(mongo_columns.index_key("temperature"))["row"])
    monkeypatch.setattr(mongo_columns, "ORDER_TAIL", 1)
    rows._renew_orders()  # sorted again, the changed datasets' new rows in it
    assert rows._value_orders[("temperature", "v")] is not order
    assert searches() > 0


def test_a_restart_applies_a_burst_beyond_the_snapshots_room_exactly(mongodb_url, tmp_path, monkeypatch):
    # A snapshot's arrays are written with room for more rows, and a restart writes what
    # changed since into that room (mapped, not copied); a burst beyond the room grows them
    # in the middle of a batch. Either way the first searches are the database's answers,
    # a dataset changed twice since is held once, as it is now, and a write after the
    # restart is found by the next search.
    monkeypatch.setattr(mongo_columns, "IN_BAND", 1)  # every array mapped, as at 1M datasets
    monkeypatch.setattr(mongo_columns, "ROWS_ROOM", 5)
    monkeypatch.setattr(mongo_columns, "ROWS_ROOM_SHARE", 0)
    monkeypatch.setattr(mongo_columns, "OVERLAP", timedelta(0))  # only what changed is read again
    datasets = list(synthetic.datasets(N))
    url, direct = catalogue(mongodb_url, datasets)
    operator = Identity.for_operator()
    snapshots = tmp_path / "columns"
    stores = []

    try:
        before = started_worker(url, snapshots, stores)
        first = before.columns.stats()
        before.close()  # its rows written to the snapshot, with room for 5 more
        direct.upsert_datasets(operator, [d.model_copy(update={"description": "burst plover"}) for d in datasets[:60]])
        direct.upsert_datasets(operator, [d.model_copy(update={"description": "burst plover again", "size": 7})
                                          for d in datasets[:10]])
        second = started_worker(url, snapshots, stores)
        assert second.columns.restored
        stats = second.columns.stats()
        assert (stats["datasets"], stats["rows"]) == (N, first["rows"] + 60)  # the 60 changed read again
        assert same(second, direct, operator, text="plover")[0] == 60
        assert same(second, direct, operator, text="again")[0] == 10
        # the marks moved past what the restart read, not past what is written after it
        direct.upsert_datasets(operator, [datasets[100].model_copy(update={"description": "later plover"})])
        assert same(second, direct, operator, text="plover")[0] == 61
        for identity in (USER, STAFF, operator):
            for sort in ("datasetName", "-size", "-creationTime"):
                same(second, direct, identity, text="burst", sort=sort)
                same(second, direct, identity, sort=sort)
    finally:
        for store in stores:
            store.close()
        direct.drop_database()
        direct.close()
