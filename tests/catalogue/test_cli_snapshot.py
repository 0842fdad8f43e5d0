"""``beamhub catalogue snapshot-columns``: the real command, in a subprocess, against DocumentDB.

An operator runs it before starting the catalogue service (install, upgrade, a long
stop): a worker starting afterwards must take its search columns from the file the
command wrote, and answer as the database does.
"""

from __future__ import annotations

import os
import stat

import pytest

from beamhub.catalogue import open_store
from tests.benchmarks import synthetic

from .test_cli import beamhub, failed_with, ok
from .test_mongo_columns import N, STAFF, USER, catalogue, same

pytestmark = pytest.mark.mongodb


def test_a_worker_starts_from_the_snapshot_the_command_wrote_and_a_second_run_brings_it_up_to_date(
        mongodb_url, tmp_path):
    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    folder = tmp_path / "state" / "search-columns"
    done = ok(beamhub("snapshot-columns", "--snapshot-dir", str(folder), store=url))
    assert f"{N:,} datasets' search columns, read from the database" in done.stdout
    assert "bringing the snapshot" in done.stderr
    [snapshot] = folder.glob("columns-*.pickle")
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    changed = list(synthetic.datasets(N))[7].model_copy(update={"description": "goethite after the snapshot"})
    direct.upsert_datasets(_operator(), [changed])  # a write between two runs
    written = snapshot.stat().st_mtime_ns
    done = ok(beamhub("snapshot-columns", "--snapshot-dir", str(folder), store=url))
    assert "brought up to date from the snapshot" in done.stdout
    assert snapshot.stat().st_mtime_ns != written

    with open_store(url) as worker:  # a service's worker starting
        columns = worker.keep_columns_warm(snapshot_dir=str(folder))
        assert columns.warmed.wait(30)
        assert columns.restored
        assert same(worker, direct, _operator(), text="goethite")[0] == 1
        same(worker, direct, STAFF, facets=True)
        same(worker, direct, USER, facets=True)
    direct.close()


def test_the_store_and_folder_come_from_the_site_file(mongodb_url, tmp_path):
    url, direct = catalogue(mongodb_url, synthetic.datasets(50))
    direct.close()
    (tmp_path / "store-url").write_text(url + "\n")
    site = tmp_path / "site.yaml"
    site.write_text(f"hub:\n  state_dir: {tmp_path / 'state'}\nauth:\n  kind: demo\n  users: {{}}\n"
                    f"catalogue:\n  store_file: {tmp_path / 'store-url'}\n")
    done = ok(beamhub("snapshot-columns", "--config", str(site)))
    assert "50 datasets' search columns" in done.stdout
    assert len(list((tmp_path / "state" / "search-columns").glob("columns-*.pickle"))) == 1


def test_an_unreachable_database_is_one_clear_line_and_nothing_is_written(tmp_path):
    folder = tmp_path / "search-columns"
    message = failed_with(beamhub("snapshot-columns", "--snapshot-dir", str(folder),
                                  store="mongodb://127.0.0.1:9/beamhub?serverSelectionTimeoutMS=500"),
                          "cannot be reached", "retry later")
    assert "127.0.0.1:9" in message
    assert not folder.exists() or not list(folder.iterdir())


def test_a_folder_that_cannot_be_written_is_one_clear_line(mongodb_url, tmp_path):
    url, direct = catalogue(mongodb_url, synthetic.datasets(20))
    direct.close()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    failed_with(beamhub("snapshot-columns", "--snapshot-dir", str(blocked / "search-columns"), store=url),
                "cannot make the snapshot folder")


def test_without_a_folder_it_says_where_to_give_one(tmp_path):
    assert "BEAMHUB_CONFIG" not in os.environ  # (else the site file named there gives one)
    failed_with(beamhub("snapshot-columns", store="mongodb://127.0.0.1:9/beamhub"), "--snapshot-dir", "--config")


def test_the_sqlite_store_has_nothing_to_snapshot(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    open_store(url).close()
    done = ok(beamhub("snapshot-columns", "--snapshot-dir", str(tmp_path / "s"), store=url))
    assert "does not apply to the SQLite store" in done.stderr


def _operator():
    from beamhub.catalogue import Identity

    return Identity.for_operator()


def test_a_snapshot_older_than_20_h_is_brought_up_to_date_with_every_dataset_compared(mongodb_url, tmp_path):
    """After a long stop: beamhub's log of its deletions keeps a day, so a deletion made
    while the service was stopped may be gone from it; the command restores the old
    snapshot anyway and compares every dataset's stamps, which finds it."""
    import pickle
    from datetime import timedelta

    import pymongo

    from beamhub.catalogue.stores.mongo.columns import MongoColumns
    from beamhub.catalogue.stores.mongo.documents import DELETED

    url, direct = catalogue(mongodb_url, synthetic.datasets(N))
    folder = tmp_path / "search-columns"
    ok(beamhub("snapshot-columns", "--snapshot-dir", str(folder), store=url))
    [snapshot] = folder.glob("columns-*.pickle")
    with open(snapshot, "r+b") as file:  # written three days ago (the header's length unchanged)
        header = pickle.load(file)
        length = file.tell()
        header["saved"] -= timedelta(days=3)
        older = pickle.dumps(header, protocol=5)
        assert len(older) == length
        file.seek(0)
        file.write(older)
    gone = answer_pids(direct)[0]
    assert direct.delete_datasets(_operator(), [gone]) == 1
    with pymongo.MongoClient(url) as client:  # the log's entry expired meanwhile
        assert client.get_default_database()[DELETED].delete_many({}).deleted_count == 1

    done = ok(beamhub("snapshot-columns", "--snapshot-dir", str(folder), store=url))
    assert "older than 20 h, every dataset's stamps compared" in done.stdout
    assert f"{N - 1:,} datasets' search columns" in done.stdout
    with open_store(url) as worker:  # the rows as a starting worker reads them back
        columns = MongoColumns(worker)
        columns.snapshot_dir = folder
        assert columns.restore()
        assert gone not in columns.row_of and len(columns.row_of) == N - 1
    direct.close()


def answer_pids(store) -> list[str]:
    from beamhub.catalogue import SearchQuery

    return [d.pid for d in store.search(_operator(), SearchQuery(limit=5)).items]
