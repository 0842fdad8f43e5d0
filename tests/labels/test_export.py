"""The labels export on both store backends (SQLite, MongoDB): one row per vote the
exporter may export, pseudonymised voters, metadata columns; CSV and Parquet round-trip;
and the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from beamhub.catalogue import Identity, PermissionDenied, open_store
from beamhub.labels import export
from tests.catalogue.sample import ALICE, BOB, CAROL, DAVE, OPERATOR, load_sample, pid

REPO = Path(__file__).resolve().parents[2]
GINA = Identity("gina", groups=frozenset({"p4001"}))
KEY = b"test key"

VOTES = [  # (who, dataset number, vote, comment)
    (ALICE, 1, "like", "sharp spots"),
    (ALICE, 6, "dislike", "aggregated"),
    (BOB, 6, "like", ""),
    (BOB, 7, "dislike", "radiation damage"),
    (CAROL, 2, "dislike", "ice rings"),
    (GINA, 14, "like", ""),
]


def cast(store) -> None:
    load_sample(store)
    for who, n, value, comment in VOTES:
        store.set_vote(who, pid(n), value, comment)


def expected(identity) -> set[tuple[str, str, str]]:
    """(pid, user, vote) an identity may export, by the rule: operators all; staff their
    beamlines' (carol: i03 = d01-d05, d14) and their own; others their own."""
    i03 = {pid(n) for n in (1, 2, 3, 4, 5, 14)}
    return {(pid(n), who.user, value) for who, n, value, _ in VOTES
            if identity.operator or who.user == identity.user or (CAROL.user == identity.user and pid(n) in i03)}


def test_rows_are_the_votes_the_exporter_may_export(store):
    cast(store)
    for identity in (OPERATOR, CAROL, ALICE, BOB, DAVE):
        rows = export.collect(store, identity, key=KEY)
        by_pseudonym = {export.pseudonym(u.user, KEY): u.user for u in (ALICE, BOB, CAROL, GINA)}
        got = {(r["pid"], by_pseudonym[r["voter"]], r["vote"]) for r in rows}
        assert got == expected(identity), identity.user
        assert len(rows) == len(expected(identity))
    rows = {(r["pid"], r["voter"]): r for r in export.collect(store, OPERATOR, key=KEY)}
    alice_d1 = rows[(pid(1), export.pseudonym("alice", KEY))]
    assert (alice_d1["beamline"], alice_d1["technique"], alice_d1["proposal"], alice_d1["dataset_type"]) == (
        "i03", "MX", "p1001", "raw")
    assert alice_d1["comment"] == "sharp spots" and alice_d1["label"] == 1
    assert alice_d1["sm.temperature"] == 100.0 and alice_d1["sm.exposure_time"] == 0.01
    bob_d6 = rows[(pid(6), export.pseudonym("bob", KEY))]
    assert bob_d6["sm.temperature"] == 293.15  # 20 degC in SI base units
    assert "alice" not in json.dumps(list(rows.values()))  # pseudonymised by default


def test_names_only_for_operators(store):
    cast(store)
    assert {r["voter"] for r in export.collect(store, OPERATOR, names=True)} == {"alice", "bob", "carol", "gina"}
    with pytest.raises(PermissionDenied):
        export.collect(store, CAROL, names=True)


def test_csv_and_parquet_round_trip(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'c.sqlite'}") as store:
        cast(store)
        rows = export.collect(store, CAROL, key=KEY)
    table = pq.read_table(io.BytesIO(export.encode(rows, "parquet")))
    assert table.num_rows == len(expected(CAROL)) == 3
    assert table.column_names[:10] == list(export.FIXED_COLUMNS)
    assert sorted(table.column("pid").to_pylist()) == sorted(r["pid"] for r in rows)
    assert str(table.schema.field("sm.temperature").type) == "double"
    read = list(csv.DictReader(io.StringIO(export.encode(rows, "csv").decode())))
    assert len(read) == 3 and {r["comment"] for r in read} >= {"sharp spots", "ice rings"}


def test_command_line_export(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    with open_store(url) as store:
        cast(store)
    env = {**{k: v for k, v in os.environ.items() if k != "BEAMHUB_STORE"}, "PYTHONPATH": str(REPO / "hub")}
    for who, count in ((["--as-user", "carol", "--staff-of", "i03"], 3), (["--as-user", "bob", "--groups", "p1002"], 2),
                       ([], len(VOTES))):
        out = tmp_path / "labels.parquet"
        done = subprocess.run([sys.executable, "-m", "beamhub", "labels", "export", "-o", str(out), "--store", url,
                               *who], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert pq.read_table(out).num_rows == count and f"{count} votes written as parquet" in done.stderr
