"""``beamhub templates ...`` run as operators and scripts run it: the real command, in a
subprocess, on an SQLite catalogue holding the sample data (tests/catalogue/sample.py:
carol is staff of i03; alice is in p1001 at i03 and p1002 at i22; bob only in p1002)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from beamhub.catalogue import open_store
from tests.catalogue.sample import load_sample

REPO = Path(__file__).resolve().parents[2]
CAROL = ["--as-user", "carol", "--staff-of", "i03"]
ALICE = ["--as-user", "alice", "--groups", "p1001,p1002"]
BOB = ["--as-user", "bob", "--groups", "p1002"]


def beamhub(store: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BEAMHUB_STORE"}
    env["PYTHONPATH"] = str(REPO / "hub")
    return subprocess.run([sys.executable, "-m", "beamhub", "templates", *args, "--store", store], env=env,
                          capture_output=True, text=True, timeout=120)


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def store_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    with open_store(url) as store:
        load_sample(store)
    return url


@pytest.fixture
def notebook(tmp_path) -> Path:
    """The shipped MX template with an edit, as staff would publish it."""
    source = json.loads((REPO / "notebooks" / "mx" / "rotation-frames.ipynb").read_text())
    source["cells"][0]["source"] = "# MX screening at i03\n"
    path = tmp_path / "mx-screening.ipynb"
    path.write_text(json.dumps(source))
    return path


def test_publish_list_show_history_diff_rollback_retire(store_url, notebook, tmp_path):
    first = json.loads(ok(beamhub(store_url, "publish", str(notebook), "--beamline", "i03", "--technique", "MX",
                                  "--note", "first cut", "--json", *CAROL)))[0]
    assert (first["beamline"], first["name"], first["version"], first["publishedBy"]) == (
        "i03", "mx-screening", 1, "carol")
    edited = json.loads(notebook.read_text())
    edited["cells"][0]["source"] = "# MX screening at i03, version 2\n"
    notebook.write_text(json.dumps(edited))
    ok(beamhub(store_url, "publish", str(notebook), "--beamline", "i03", "--technique", "MX",
               "--note", "clearer title", *CAROL))

    # alice (p1001 at i03) is offered version 2 beside the shipped ones; bob is not
    alice = json.loads(ok(beamhub(store_url, "list", "--json", *ALICE)))
    assert [(t["key"] if "key" in t else f"{t['beamline']}/{t['name']}", t["version"]) for t in alice
            if t["beamline"] == "i03"] == [("i03/mx-screening", 2)]
    assert {t["beamline"] for t in alice} >= {"facility", "i03"}
    bob = json.loads(ok(beamhub(store_url, "list", "--json", *BOB)))
    assert "i03" not in {t["beamline"] for t in bob} and "facility" in {t["beamline"] for t in bob}

    out = tmp_path / "got.ipynb"
    ok(beamhub(store_url, "show", "i03/mx-screening", "-o", str(out), *ALICE))
    assert json.loads(out.read_text())["cells"][0]["source"] == "# MX screening at i03, version 2\n"

    history = ok(beamhub(store_url, "show", "i03/mx-screening", "--history", *CAROL))
    assert "clearer title" in history and "first cut" in history
    refused = beamhub(store_url, "show", "i03/mx-screening", "--history", *ALICE)
    assert refused.returncode == 1 and "only staff of i03" in refused.stderr

    diff = ok(beamhub(store_url, "diff", "i03/mx-screening", "1", "2", *CAROL))
    assert "-# MX screening at i03" in diff and "+# MX screening at i03, version 2" in diff

    rolled = json.loads(ok(beamhub(store_url, "rollback", "i03/mx-screening", "--to", "1", "--json", *CAROL)))[0]
    assert rolled["version"] == 3 and rolled["change_note"] == "rolled back to version 1"
    ok(beamhub(store_url, "show", "i03/mx-screening", "-o", str(out), *ALICE))
    assert json.loads(out.read_text())["cells"][0]["source"] == "# MX screening at i03\n"

    ok(beamhub(store_url, "retire", "i03/mx-screening", "--note", "replaced", *CAROL))
    assert "i03" not in {t["beamline"] for t in json.loads(ok(beamhub(store_url, "list", "--json", *ALICE)))}
    gone = beamhub(store_url, "show", "i03/mx-screening", *ALICE)
    assert gone.returncode == 1 and "no template i03/mx-screening" in gone.stderr


def test_only_staff_of_the_beamline_publish(store_url, notebook):
    for who, beamline in ((ALICE, "i03"), (CAROL, "i22")):
        refused = beamhub(store_url, "publish", str(notebook), "--beamline", beamline, "--technique", "MX",
                          "--note", "x", *who)
        assert refused.returncode == 1 and f"only staff of {beamline} publish" in refused.stderr
    assert "i03" not in ok(beamhub(store_url, "list", *CAROL))


def test_bad_notebook_is_a_clear_error(store_url, tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps({"cells": "nope", "nbformat": 4}))
    done = beamhub(store_url, "publish", str(bad), "--beamline", "i03", "--technique", "MX", "--note", "x", *CAROL)
    assert done.returncode == 1 and "not a valid notebook" in done.stderr and "Traceback" not in done.stderr
