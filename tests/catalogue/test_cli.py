"""``beamhub catalogue ...`` run as an operator runs it: the real command, in a subprocess.

The store is an SQLite file holding the sample catalogue (``sample.py``, whose every
visibility answer is known by hand); previews use a second one holding the demo data.
The repair commands are run against the MongoDB store (DocumentDB) where they apply.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from beamhub.catalogue import open_store

from .sample import IDENTITIES, OPERATOR, PREFIX, VISIBLE, load_sample, numbers, pid

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def beamhub(*args: str, store: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BEAMHUB_STORE"}
    env["PYTHONPATH"] = str(REPO / "hub")
    if store is not None:
        env["BEAMHUB_STORE"] = store
    return subprocess.run([sys.executable, "-m", "beamhub", "catalogue", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def as_identity(identity) -> list[str]:
    args = ["--as-user", identity.user]
    if identity.groups:
        args += ["--groups", ",".join(sorted(identity.groups))]
    if identity.staff_of:
        args += ["--staff-of", ",".join(sorted(identity.staff_of))]
    return args


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stderr
    return done


def failed_with(done: subprocess.CompletedProcess, *words: str) -> str:
    """The one-line message of a failed command (no traceback), checked to hold ``words``."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("beamhub: "), done.stderr
    for word in words:
        assert word in message, message
    return message


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'sample.sqlite'}"
    with open_store(url) as store:
        load_sample(store)
    return url


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> tuple[str, Path]:
    from beamhub.catalogue.ingest import ingest
    from beamhub.demo.data import write_demo_data

    directory = tmp_path_factory.mktemp("cli-demo")
    write_demo_data(directory / "data")
    url = f"sqlite:///{directory / 'demo.sqlite'}"
    with open_store(url) as store:
        report = ingest([directory / "data"], store, OPERATOR, mapping=directory / "data" / "mapping.yaml",
                        proposals=directory / "data" / "proposals.yaml")
        assert report.ok, report.summary()
    return url


def search_json(url: str, *args: str) -> dict:
    return json.loads(ok(beamhub("search", "--json", *args, store=url)).stdout)


# --- who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("identity", [i for i in IDENTITIES if not i.operator], ids=lambda i: i.user)
def test_as_user_sees_exactly_that_identitys_datasets(sample_url, identity):
    result = search_json(sample_url, "--all", "--limit", "3", *as_identity(identity))
    assert numbers(d["pid"] for d in result["items"]) == VISIBLE[identity.user]
    assert result["total"] == len(result["items"]) == len(VISIBLE[identity.user])
    assert result["next_cursor"] is None


def test_without_as_user_the_operator_sees_everything_and_is_told_so(sample_url):
    done = ok(beamhub("search", "--json", "--limit", "200", store=sample_url))
    assert numbers(d["pid"] for d in json.loads(done.stdout)["items"]) == VISIBLE[OPERATOR.user]
    assert "operator" in done.stderr and "--as-user" in done.stderr


def test_a_page_at_a_time_with_the_cursor(sample_url):
    alice = as_identity(IDENTITIES[0])
    first = search_json(sample_url, "--limit", "4", *alice)
    second = search_json(sample_url, "--limit", "4", "--cursor", first["next_cursor"], *alice)
    pids = [d["pid"] for d in first["items"] + second["items"]]
    assert len(set(pids)) == 8 and numbers(pids) <= VISIBLE["alice"]
    assert first["total"] == second["total"] == len(VISIBLE["alice"])


@pytest.mark.parametrize("args, expected", [
    (["--where", "temperature < 200 K"], {1, 3, 4, 14}),
    (["--technique", "SAXS", "--where", "concentration >= 5 mg/mL"], {6, 7}),
    (["--beamline", "b18", "--beamline", "i13"], {9, 10, 11, 12, 13}),
    (["--proposal", "p1001", "--type", "derived"], {5}),
    (["--keyword", "bsa"], {6, 7}),
    (["--year", "2023"], {9, 10, 11}),
    (["--after", "2025-01-01", "--before", "2025-05-05"], {4, 5}),
    (["lysozyme", "--beamline", "i03", "--type", "raw"], {1, 2}),
], ids=["condition", "technique+condition", "beamlines", "derived", "keyword", "year", "dates", "text"])
def test_filters(sample_url, args, expected):
    assert numbers(d["pid"] for d in search_json(sample_url, "--all", *args)["items"]) == expected


def test_facets_count_what_the_identity_sees(sample_url):
    result = search_json(sample_url, "--facets", "--as-user", "bob", "--groups", "p1002")
    facets = {name: {c["value"]: c["count"] for c in counts} for name, counts in result["facets"].items()}
    assert facets["beamline"] == {"i22": 3, "i13": 1}
    assert facets["technique"] == {"SAXS": 3, "tomography": 1}
    assert search_json(sample_url, "--as-user", "bob")["facets"] == {}  # only when asked for


def test_sorted_by_name(sample_url):
    items = search_json(sample_url, "--sort=datasetName", "--as-user", "erin", "--groups", "p2001")["items"]
    assert [d["datasetName"] for d in items] == ["bone tomography", "cu_k_edge_01", "cu_k_edge_02", "secret catalyst"]


def test_the_table_lists_each_dataset_on_a_line(sample_url):
    out = ok(beamhub("search", "--facets", "--as-user", "bob", "--groups", "p1002", store=sample_url)).stdout
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["PID", "NAME", "BEAMLINE"]
    rows = [line for line in lines if line.startswith(PREFIX)]
    assert numbers(row.split()[0] for row in rows) == VISIBLE["bob"]
    assert any("bsa_saxs_01" in row and "i22" in row and "p1002" in row for row in rows)
    assert "4 of 4 datasets" in out
    assert "beamline:" in out and "i22 (3)" in out


def test_the_table_says_how_to_get_the_next_page(sample_url):
    out = ok(beamhub("search", "--limit", "2", store=sample_url)).stdout
    assert "2 of 14 datasets" in out and "--cursor " in out and "--all" in out


# --- show, preview, stats --------------------------------------------------------------------


def test_show_as_json_and_as_text(sample_url):
    erin = ["--as-user", "erin", "--groups", "p2001"]
    shown = json.loads(ok(beamhub("show", pid(9), "--json", *erin, store=sample_url)).stdout)
    assert shown["pid"] == pid(9) and shown["scientificMetadata"]["energy"] == {"value": 8.979, "unit": "keV"}
    text = ok(beamhub("show", pid(1), store=sample_url)).stdout
    assert "lysozyme_001" in text and "temperature" in text and "100 K" in text
    assert f"derived datasets: {pid(5)}" in text


def test_show_of_a_dataset_the_user_may_not_see_is_not_found(sample_url):
    done = beamhub("show", pid(9), "--as-user", "bob", "--groups", "p1002", store=sample_url)
    failed_with(done, "no dataset", pid(9))


def test_preview_writes_a_png_of_a_demo_dataset(demo_url, tmp_path):
    stack = next(d for d in search_json(demo_url, "--technique", "MX", "--all")["items"]
                 if d["datasetName"] == "lysozyme_0001")
    out = tmp_path / "frame.png"
    done = ok(beamhub("preview", stack["pid"], "-o", str(out), "--size", "128", "--frame", "3", store=demo_url))
    assert str(out) in done.stdout
    from PIL import Image

    with Image.open(out) as image:
        assert image.format == "PNG" and max(image.size) == 128
    middle = tmp_path / "middle.png"
    ok(beamhub("preview", stack["pid"], "-o", str(middle), "--size", "128", store=demo_url))
    assert middle.read_bytes() != out.read_bytes()  # another frame, another picture


def test_preview_as_a_user_who_may_not_see_it_writes_nothing(demo_url, tmp_path):
    stack = search_json(demo_url, "--technique", "MX", "--limit", "1")["items"][0]
    out = tmp_path / "nope.png"
    failed_with(beamhub("preview", stack["pid"], "-o", str(out), "--as-user", "bob", "--groups", "p1002",
                        store=demo_url), "no dataset")
    failed_with(beamhub("preview", stack["pid"], "-o", str(out), "--frame", "100000", store=demo_url), "no frame")
    assert list(tmp_path.iterdir()) == []


def test_preview_to_standard_output(demo_url):
    stack = search_json(demo_url, "--technique", "XAS", "--limit", "1")["items"][0]
    env = {**os.environ, "PYTHONPATH": str(REPO / "hub"), "BEAMHUB_STORE": demo_url}
    done = subprocess.run([sys.executable, "-m", "beamhub", "catalogue", "preview", stack["pid"], "-o", "-"],
                          env=env, capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith(PNG_MAGIC)


def test_stats_count_what_the_identity_sees(sample_url):
    everything = json.loads(ok(beamhub("stats", "--json", store=sample_url)).stdout)
    assert (everything["datasets"], everything["proposals"]) == (14, 5)
    bob = json.loads(ok(beamhub("stats", "--json", "--as-user", "bob", "--groups", "p1002", store=sample_url)).stdout)
    assert bob["datasets"] == len(VISIBLE["bob"]) and bob["by_beamline"] == {"i22": 3, "i13": 1}
    text = ok(beamhub("stats", store=sample_url)).stdout
    assert "datasets" in text and "14" in text and "i03" in text


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["show", "not//a pid"], ["malformed pid"]),
    (["show", "20.500.12269/no-such"], ["no dataset"]),
    (["search", "--where", "temperature >> 3"], ["temperature"]),
    (["search", "--where", "sample_state < frozen"], ["needs a number"]),
    (["search", "--where", "temperature"], ["cannot read the condition"]),
    (["search", "--after", "2024-13-40"], ["--after", "not a date"]),
    (["search", "--after", "2025-01-01", "--before", "2024-01-01"], ["before"]),
    (["search", "--limit", "1000"], ["limit"]),
    (["search", "--cursor", "garbage"], ["cursor"]),
    (["search", "--as-user", "eve", "--groups", "p1001,bad group"], ["invalid group"]),
    (["search", "--groups", "p1001"], ["--as-user"]),
    (["preview", pid(1), "-o", "x.png"], ["no plottable data"]),
], ids=["pid", "missing", "condition", "string-order", "no-operator", "date", "date-order", "limit", "cursor",
        "group", "groups-alone", "no-signal"])
def test_bad_input_is_one_clear_line(sample_url, tmp_path, args, words):
    failed_with(beamhub(*args, store=sample_url, cwd=tmp_path), *words)
    assert list(tmp_path.iterdir()) == []


def test_unknown_store_url(tmp_path):
    failed_with(beamhub("search", "--store", "postgres://db.example.org/catalogue", cwd=tmp_path),
                "unknown store URL", "sqlite:///PATH")


def test_a_missing_sqlite_file_is_an_error_not_a_new_empty_catalogue(tmp_path):
    failed_with(beamhub("stats", store=f"sqlite:///{tmp_path / 'typo.sqlite'}"), "no catalogue at", "typo.sqlite")
    failed_with(beamhub("search", cwd=tmp_path), "no catalogue at", "BEAMHUB_STORE")  # the default, here
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_exit_2(sample_url):
    assert beamhub(store=sample_url).returncode == 2
    assert beamhub("search", "--year", "last", store=sample_url).returncode == 2
    # Any type is a filter now (SciCat sites define custom types): an unknown one finds nothing.
    assert beamhub("search", "--type", "cooked", store=sample_url).returncode == 0


# --- maintenance ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["reindex", "recount-votes"])
def test_repairs_say_they_do_not_apply_to_sqlite(sample_url, command):
    done = ok(beamhub(command, store=sample_url))
    assert "does not apply to the SQLite store" in done.stderr and "Nothing done" in done.stderr


@pytest.mark.mongodb
def test_repairs_on_the_mongodb_store(mongodb_url):
    import pymongo

    from beamhub.catalogue.stores.mongo.documents import DATASETS, VOTES, vote_id

    from .test_mongo_store import SCICAT_DATASET

    url = mongodb_url.rstrip("/") + f"/beamhub_cli_{uuid.uuid4().hex[:12]}"
    store = open_store(url)
    client = pymongo.MongoClient(url, tz_aware=True)
    raw = client.get_default_database()
    try:
        load_sample(store)
        store.set_vote(OPERATOR, pid(6), "like")
        raw[VOTES].delete_one({"_id": vote_id(pid(6), OPERATOR.user)})  # a vote lost after its count moved
        assert search_json(url, "--where", "concentration = 5 mg/mL")["items"][0]["likes"] == 1
        assert ok(beamhub("recount-votes", store=url)).stdout.strip() == "corrected the vote counts of 1 dataset"
        assert json.loads(ok(beamhub("show", pid(6), "--json", store=url)).stdout)["likes"] == 0

        raw[DATASETS].insert_one(dict(SCICAT_DATASET))  # written by SciCat: no search fields yet
        assert [d["pid"] for d in search_json(url, "ferritin")["items"]] == [SCICAT_DATASET["_id"]]  # followed
        assert ok(beamhub("reindex", store=url)).stdout.strip() == "reindexed 0 datasets"
        raw[DATASETS].update_one({"_id": SCICAT_DATASET["_id"]}, {"$set": {  # as SciCat writes: updatedAt too
            "datasetName": "Apoferritin soak", "updatedAt": datetime.now(timezone.utc)}})
        assert ok(beamhub("reindex", store=url)).stdout.strip() == "reindexed 1 dataset"
        assert [d["pid"] for d in search_json(url, "apoferritin")["items"]] == [SCICAT_DATASET["_id"]]
        assert ok(beamhub("reindex", store=url)).stdout.strip() == "reindexed 0 datasets"
    finally:
        store.drop_database()
        store.close()
        client.close()
