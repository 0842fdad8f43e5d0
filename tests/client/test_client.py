"""``beamhub.client`` against the running service, as a notebook would use it.

The first test starts alice's single-user server through the hub (a local spawner),
takes the environment the hub gave it (``JUPYTERHUB_API_TOKEN``,
``BEAMHUB_CATALOGUE_URL``; read from /proc as root) and runs a client script with
exactly that environment: search, open data lazily, vote, select, process. The
others use a token of alice's directly, for the client's errors.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from beamhub.client import Catalogue, Conflict, InvalidInput, NotFound, PermissionDenied, Unauthorized
from beamhub.catalogue.model import DataFile
from beamhub.client.data import open_dataset, open_signal
from tests.api.hubsetup import REPO, CatalogueHub, demo_users

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def client_hub(tmp_path_factory, service_store_url, demo_data):
    workdir = tmp_path_factory.mktemp("client-hub")
    spawner = {"kind": "demo", "home": str(workdir / "homes" / "{username}"), "data_roots": [str(demo_data)]}
    with CatalogueHub(service_store_url, demo_users(demo_data / "proposals.yaml"), workdir, spawner=spawner) as hub:
        yield hub


@pytest.fixture(scope="module")
def alice(client_hub) -> Catalogue:
    return Catalogue(client_hub.url, client_hub.token("alice"))


SCRIPT = r'''
import json, numpy as np
from beamhub.client import Catalogue, NotFound
out = {}
cat = Catalogue()                                   # URL and token from the server's environment
out["url"] = cat.url
page = cat.search("lysozyme", technique="MX")
out["total"] = page.total
out["facets"] = {f.value: f.count for f in page.facets["proposal"]}
ds = page.items[0]
data = cat.open(ds)
out["lazy"] = type(data.variable._data).__name__
out["dims"] = list(data.dims)
out["shape"] = list(data.shape)
out["coords"] = sorted(data.coords)
frame = data[5].values
out["frame_sum"] = float(frame.sum())
out["pid"] = ds.pid
out["like"] = cat.like(ds, comment="from a notebook").likes
out["my_votes"] = [v.pid for v in cat.my_votes()]
out["cleared"] = cat.clear_vote(ds).myVote
try:
    cat.dataset("beamhub/does-not-exist")
except NotFound as exc:
    out["not_found"] = exc.code
raw = cat.search(technique="MX", type="raw").items
out["raw"] = {d.pid: d.signal.shape[0] for d in raw}
sel = cat.create_selection("from a notebook", [d.pid for d in raw], processing="frame-score",
                           parameters={"sigma": 5})
cat.submit(sel)
done = cat.wait(sel, timeout=180, poll=0.5)
out["status"] = done.status
out["derived"] = done.derivedDatasets
derived = cat.open(done.derivedDatasets[0])      # one output file per selected dataset
out["derived_repr"] = repr(derived).splitlines()[0]
out["derived_loaded"] = [derived.attrs["files_loaded"], derived.attrs["files_total"]]
out["derived_dims"] = {pid: list(a.dims) for pid, a in derived.items()}
out["derived_frames"] = {pid: a.sizes["frame"] for pid, a in derived.items()}
out["derived_max"] = [float(a.max()) for a in derived.values()]
combined = derived.combined()
out["combined"] = [list(combined.dims), list(combined.shape), sorted(map(str, combined["input"].values))]
print(json.dumps(out))
'''


def server_environment(hub: CatalogueHub, user: str) -> dict[str, str]:
    assert hub.hub.api("POST", f"/users/{user}/server").status_code in (201, 202)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        model = hub.hub.api("GET", f"/users/{user}").json()
        server = model["servers"].get("")
        if server and server.get("ready"):
            pid = server["state"]["pid"]
            raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            return dict(item.decode().split("=", 1) for item in raw if b"=" in item)
        time.sleep(0.5)
    raise AssertionError(f"{user}'s server did not start:\n{hub.hub.log_tail()}")


def test_the_client_in_a_spawned_servers_environment(client_hub, demo_data):
    env = server_environment(client_hub, "alice")
    try:
        assert env["BEAMHUB_CATALOGUE_URL"].endswith("/services/catalogue/api/v1")
        assert "BEAMHUB_STORE" not in env and "BEAMHUB_STORE_FILE" not in env  # no store credentials
        run_env = {k: v for k, v in env.items() if k.startswith(("JUPYTERHUB_", "BEAMHUB_"))}
        run_env.update(PATH="/usr/bin:/bin", PYTHONPATH=str(REPO / "hub"), HOME=env.get("HOME", "/tmp"))
        done = subprocess.run([sys.executable, "-c", SCRIPT], env=run_env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.splitlines()[-1])
    finally:
        client_hub.hub.api("DELETE", "/users/alice/server")
    assert out["total"] >= 2 and out["facets"] == {"p1001": out["total"]}
    assert out["lazy"] == "LazilyIndexedArray"
    assert len(out["shape"]) == 3 and out["dims"][0] in out["coords"]
    import h5py

    dataset = Catalogue(client_hub.url, client_hub.token("alice")).dataset(out["pid"])
    with h5py.File(dataset.signal.file, "r") as f:
        import hdf5plugin  # noqa: F401

        assert out["frame_sum"] == pytest.approx(float(f[dataset.signal.path][5].sum()))
    assert out["like"] >= 1 and out["pid"] in out["my_votes"] and out["cleared"] is None
    assert out["not_found"] == "not_found"
    # every output file of the derived dataset is loaded, and it says so
    assert out["status"] == "done" and len(out["derived"]) == 1
    assert len(out["raw"]) == 3 and out["derived_loaded"] == [3, 3]
    assert out["derived_repr"].endswith("3 of 3 files loaded>")
    assert out["derived_dims"] == {pid: ["frame"] for pid in out["raw"]}
    assert out["derived_frames"] == out["raw"] and out["derived_max"] == [1.0, 1.0, 1.0]
    assert out["combined"] == [["input", "frame"], [3, max(out["raw"].values())], sorted(out["raw"])]
    derived = Catalogue(client_hub.url, client_hub.token("alice")).dataset(out["derived"][0])
    assert derived.numberOfFiles == 3
    # a file that is gone (or unreadable) is named, not silently dropped
    gone = derived.model_copy(update={"files": [*derived.files, DataFile(path="999_gone_frame_score.nxs")]})
    opened = open_dataset(gone)
    assert (opened.attrs["files_loaded"], opened.attrs["files_total"]) == (3, 4)
    assert repr(opened).splitlines()[0].endswith("3 of 4 files loaded>") and "999_gone_frame_score.nxs" in repr(opened)
    # one of them alone is a DataArray that says it is 1 of 1
    single = open_dataset(derived.model_copy(update={"files": derived.files[:1]}))
    assert single.dims == ("frame",) and (single.attrs["files_loaded"], single.attrs["files_total"]) == (1, 1)


def test_search_pages_and_filters(alice):
    everything = list(alice.iter_search(page_size=2))
    assert len(everything) == alice.search(limit=1).total
    assert len({d.pid for d in everything}) == len(everything)
    assert {d.proposalId for d in everything} <= {"p1001", "p1002"}
    saxs = alice.search(technique="SAXS", beamline=["i22"], facets=False)
    assert saxs.total >= 1 and saxs.facets == {}
    assert all(d.creationLocation == "i22" for d in saxs.items)


def test_search_says_why_nothing_matched_and_offers_proposals_by_title(alice):
    offered = alice.search("nanoparticle")
    assert [(p.proposalId, p.title) for p in offered.proposals] == [("p1002", "Silica nanoparticle growth in situ")]
    assert alice.search("nanoparticle", cursor=None, limit=1).proposals  # the first page carries them
    empty = alice.search("thaumatin лизоцим")
    assert empty.total == 0 and [h.term for h in empty.hints] == ["лизоцим"]
    assert empty.hints[0].kind == "text" and "лизоцим" in empty.hints[0].message
    unknown = alice.search(condition="energy > 10 keV")
    assert unknown.total == 0 and unknown.hints[0].kind == "field" and unknown.hints[0].term == "energy"
    assert "incident_energy" in unknown.hints[0].suggestions
    assert alice.search("thaumatin").hints == []  # it matched: nothing to explain


def test_open_is_lazy_and_reads_only_what_is_indexed(alice, tmp_path):
    [dataset] = alice.search(technique="MX", type="raw", limit=1).items
    data = alice.open(dataset)
    reads = []
    original = type(data.variable._data.array)._read
    type(data.variable._data.array)._read = lambda self, key: (reads.append(key), original(self, key))[1]
    try:
        frame = data.isel({data.dims[0]: 3}).values
        assert len(reads) == 1 and reads[0][0] == 3           # one read: frame 3 only
        assert frame.shape == tuple(data.shape[1:])
        assert np.array_equal(data[2:4, :10, :10].values.shape, (2, 10, 10))
    finally:
        type(data.variable._data.array)._read = original
    assert data.attrs["pid"] == dataset.pid


def test_open_maps_facility_paths_to_where_the_data_is_mounted(alice, tmp_path, demo_data):
    [dataset] = alice.search(technique="MX", type="raw", limit=1).items
    mounted = tmp_path / "mnt"
    mounted.symlink_to(demo_data)
    moved = dataset.model_copy(update={"signal": dataset.signal.model_copy(
        update={"file": "/facility/data/" + str(Path(dataset.signal.file).relative_to(demo_data))})})
    data = open_signal(moved, path_map={"/facility/data": str(mounted)})
    assert data.shape == tuple(dataset.signal.shape)


def test_errors_are_exceptions_named_after_the_api_codes(client_hub, alice):
    with pytest.raises(NotFound):
        alice.dataset("beamhub/no-such-dataset")
    with pytest.raises(InvalidInput) as raised:
        alice.search(limit=1000)
    assert raised.value.details[0]["field"] == "limit" and raised.value.status == 400
    bob_pid = Catalogue(client_hub.url, client_hub.token("bob")).search(limit=1).items[0].pid
    with pytest.raises(PermissionDenied):
        alice.votes(bob_pid)
    with pytest.raises(Unauthorized):
        Catalogue(client_hub.url, "not-a-token").me()
    selection = alice.create_selection("conflict", [bob_pid])
    try:
        alice.update_selection(selection, name="first", expected_version=1)
        with pytest.raises(Conflict):
            alice.update_selection(selection, name="second", expected_version=1)
        assert alice.selection(selection).name == "first"
    finally:
        alice.delete_selection(selection)


def test_the_client_needs_a_url_and_token(monkeypatch):
    monkeypatch.delenv("BEAMHUB_CATALOGUE_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_API_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    with pytest.raises(Exception, match="BEAMHUB_CATALOGUE_URL"):
        Catalogue()
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://hub.example.org/hub/api")
    with pytest.raises(Exception, match="JUPYTERHUB_API_TOKEN"):
        Catalogue()
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    assert Catalogue().url == "http://hub.example.org/services/catalogue/api/v1"


def test_staff_read_their_beamlines_overview(client_hub, alice):
    grace = Catalogue(client_hub.url, client_hub.token("grace"))
    [dataset] = alice.search(beamline="i22", type="raw", limit=1).items
    alice.like(dataset, comment="from the client")
    overview = grace.beamline_overview("i22")
    votes = {(d["pid"], v["user"]): v for d in overview["datasets"] for v in d["votes"]}
    assert votes[(dataset.pid, "alice")]["comment"] == "from the client"
    with pytest.raises(PermissionDenied):
        alice.beamline_overview("i22")
