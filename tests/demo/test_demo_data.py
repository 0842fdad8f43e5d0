"""The demo data: valid NeXus files, in the documented layout, that ingest into the
expected proposals and groups."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from beamhub.catalogue import Identity, SearchQuery, open_store
from beamhub.catalogue.ingest import ingest, load_mapping, load_proposals, read_file
from beamhub.catalogue.preview import render_preview
from beamhub.cli import main
from beamhub.demo.data import write_demo_data

BITSHUFFLE = 32008  # the HDF5 filter id detector data uses


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo_data(tmp_path_factory.mktemp("demo"), seed=7)


def layout(demo) -> list[str]:
    return sorted(p.relative_to(demo.directory).as_posix() for p in demo.files)


def test_layout_is_beamline_proposal_sample_scan(demo):
    assert layout(demo) == [
        "b18/p2001/cu2o/cu2o_0001.nxs", "b18/p2001/cu_foil/cu_foil_0001.nxs", "b18/p2001/cuo/cuo_0001.nxs",
        "i03/p1001/lysozyme/lysozyme_0001.nxs", "i03/p1001/lysozyme/lysozyme_0002.nxs",
        "i03/p1001/thaumatin/thaumatin_0001.nxs",
        "i13/p3001/bone/bone_0001.nxs", "i13/p3001/bone/bone_0002.nxs",
        "i22/p1002/micelles/micelles_0001.nxs", "i22/p1002/silica/silica_growth_0001.nxs",
        "i22/p1002/silica/silica_growth_0002.nxs",
    ]
    assert 2e6 < demo.bytes < 30e6  # small by default
    assert not list(demo.directory.rglob("*.partial"))


def test_every_file_is_nexus_with_a_definition_and_a_default_plot(demo):
    expected = {"i03": "NXmx", "i22": "NXsas", "b18": "NXxas", "i13": "NXtomo"}
    for path in demo.files:
        record = read_file(path)
        beamline = path.relative_to(demo.directory).parts[0]
        entry = record.entries[0]
        assert entry.definition == expected[beamline]
        assert entry.beamline == beamline
        assert entry.signal is not None and entry.start_time is not None
        assert record.warnings == []
        with h5py.File(path) as f:
            assert f.attrs["default"] == "entry" and f["entry"].attrs["default"] == "data"


def test_mx_sweep_is_a_chunked_compressed_stack_with_omega(demo):
    with h5py.File(demo.benchmark_stack) as f:
        data = f["entry/instrument/detector/data"]
        assert data.chunks == (1,) + data.shape[1:]
        plist = data.id.get_create_plist()
        assert BITSHUFFLE in [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        omega = f["entry/sample/transformations/omega"]
        assert omega.shape == (data.shape[0],) and omega.attrs["units"] == "deg"
        assert np.allclose(np.diff(omega[()]), 0.1)
        assert f["entry/data/data"] == data  # NXdata links the detector's data
        middle = data[data.shape[0] // 2]
        assert middle.max() > 100 * np.median(middle)  # Bragg spots over background


def test_tomography_has_darks_flats_projections_and_angles(demo):
    with h5py.File(demo.directory / "i13/p3001/bone/bone_0001.nxs") as f:
        keys = f["entry/instrument/detector/image_key"][()]
        assert set(keys) == {0, 1, 2}
        angles = f["entry/sample/rotation_angle"][()]
        assert angles[keys == 0].min() == 0 and angles[keys == 0].max() == 180
        data = f["entry/data/data"]
        assert data.shape[0] == len(keys) == len(angles)
        flat, dark = data[np.flatnonzero(keys == 1)[0]], data[np.flatnonzero(keys == 2)[0]]
        projection = data[np.flatnonzero(keys == 0)[len(np.flatnonzero(keys == 0)) // 2]]
        assert flat.mean() > projection.mean() > dark.mean()  # the sample absorbs


def test_saxs_has_patterns_and_a_reduced_curve(demo):
    record = read_file(demo.directory / "i22/p1002/silica/silica_growth_0001.nxs")
    raw, reduced = record.entries
    assert (raw.name, raw.definition, len(raw.signal.shape)) == ("entry", "NXsas", 3)
    assert (reduced.name, reduced.definition, len(reduced.signal.shape)) == ("reduced", "NXcanSAS", 1)
    assert reduced.signal.axes == ("/reduced/sasdata/Q",)
    with h5py.File(record.path) as f:
        intensity = f["reduced/sasdata/I"][()]
    assert intensity[:5].mean() > 50 * intensity[-5:].mean()  # it falls off with q


def test_xas_is_energy_against_absorption_with_an_edge(demo):
    (entry,) = read_file(demo.directory / "b18/p2001/cu_foil/cu_foil_0001.nxs").entries
    assert entry.signal.axes == ("/entry/data/energy",)
    assert entry.metadata["scan_start"][1] == "eV"
    with h5py.File(demo.directory / "b18/p2001/cu_foil/cu_foil_0001.nxs") as f:
        energy, mu = f["entry/data/energy"][()], f["entry/data/mu"][()]
    assert mu[energy > 9100].mean() - mu[energy < 8950].mean() > 0.5  # the Cu K edge jump


def test_every_file_previews(demo):
    for path in demo.files:
        assert render_preview(path, size=128)[:4] == b"\x89PNG"


def test_same_seed_same_data_other_seed_other_data(demo, tmp_path):
    again = write_demo_data(tmp_path / "again", seed=7)
    other = write_demo_data(tmp_path / "other", seed=8)
    name = "i03/p1001/lysozyme/lysozyme_0002.nxs"

    def frame(root: Path):
        with h5py.File(root / name) as f:
            return f["entry/data/data"][10]

    assert np.array_equal(frame(demo.directory), frame(again.directory))
    assert not np.array_equal(frame(demo.directory), frame(other.directory))


def test_mapping_and_proposals_files_describe_the_groups(demo):
    mapping = load_mapping(demo.mapping)
    assert mapping.root == demo.directory
    proposals = load_proposals(demo.proposals)
    assert {p.proposalId: (p.beamline, p.ownerGroup) for p in proposals.proposals} == {
        "p1001": ("i03", "p1001"), "p1002": ("i22", "p1002"),
        "p2001": ("b18", "p2001"), "p3001": ("i13", "p3001")}
    assert proposals.proposals[0].dataPath == str(demo.directory / "i03" / "p1001")
    alice, bob, carol = (proposals.identity(u) for u in ("alice", "bob", "carol"))
    assert alice.groups == {"p1001", "p1002"}
    assert bob.groups == {"p1002"}
    assert carol.staff_of == {"i03"} and not carol.groups


def test_the_command_writes_the_demo(tmp_path, capsys):
    assert main(["demo-data", str(tmp_path / "d"), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "wrote 11 NeXus files" in out and "beamhub ingest" in out
    assert (tmp_path / "d" / "mapping.yaml").is_file()


def test_demo_ingests_into_its_proposals_with_the_right_groups(demo, tmp_path):
    proposals = load_proposals(demo.proposals)
    with open_store(f"sqlite:///{tmp_path / 'demo.sqlite'}") as store:
        report = ingest([demo.directory], store, Identity.for_operator("demo-test"),
                        mapping=demo.mapping, proposals=demo.proposals)
        assert report.ok and report.counts()["inserted"] == 11
        assert report.datasets.inserted == 14  # three SAXS files carry a reduced entry too
        assert report.proposals.inserted == 4
        assert [f.warnings for f in report.files if f.warnings] == []

        def seen(user: str) -> dict[str, int]:
            page = store.search(proposals.identity(user), SearchQuery(limit=100))
            counts: dict[str, int] = {}
            for item in page.items:
                counts[item.proposalId] = counts.get(item.proposalId, 0) + 1
            return counts

        assert seen("alice") == {"p1001": 3, "p1002": 6}
        assert seen("bob") == {"p1002": 6}
        assert seen("carol") == {"p1001": 3}  # staff of i03
        assert seen("dave") == {}
        assert seen("erin") == {"p2001": 3}
        assert seen("frank") == {"p3001": 2}
        alice = proposals.identity("alice")
        assert [p.proposalId for p in store.list_proposals(alice)] == ["p1001", "p1002"]
        mx = store.search(alice, SearchQuery(technique=["MX"], limit=10)).items
        assert {d.ownerGroup for d in mx} == {"p1001"} and all(d.owner == "alice" for d in mx)
        assert render_preview(store.get_dataset(alice, mx[0].pid), size=64)[:4] == b"\x89PNG"
