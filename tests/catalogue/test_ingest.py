"""Ingestion of NeXus/HDF5 files: extraction, the mapping, broken files, the store runs."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from beamhub.catalogue import Identity, SearchQuery, open_store
from beamhub.catalogue.errors import InvalidInput
from beamhub.catalogue.ingest import (
    EXAMPLE_MAPPING,
    UnreadableFile,
    build_dataset,
    dataset_pid,
    ingest,
    load_mapping,
    load_proposals,
    parse_mapping,
    read_file,
)
from beamhub.catalogue.ingest.walk import Candidate, Skipped, walk
from beamhub.cli import main
from tests.services.require import missing

from .nexus_builders import (
    SHARED_NEXUS,
    nx_group,
    write_dangling,
    write_entry,
    write_nexus,
    write_not_hdf5,
    write_truncated,
)


@pytest.fixture(scope="module")
def shared() -> Path:
    if not SHARED_NEXUS.is_dir():
        missing("the shared NeXus files", f"{SHARED_NEXUS} does not exist")
    return SHARED_NEXUS.resolve()  # ingest reports resolved paths (../shared may be a symlink)


def shared_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- extraction from the real files --------------------------------------------------


def test_every_shared_file_is_read_or_reported_with_a_reason(shared):
    files = shared_files(shared)
    assert len(files) >= 39
    read, refused = {}, {}
    for path in files:
        try:
            read[path.relative_to(shared).as_posix()] = read_file(path)
        except UnreadableFile as exc:
            refused[path.relative_to(shared).as_posix()] = exc.message
    assert refused == {"README.md": f"{shared / 'README.md'}: not an HDF5 file"}
    assert len(read) == len(files) - 1


def test_the_diamond_master_file_keeps_its_metadata_and_reports_the_missing_frames(shared):
    record = read_file(shared / "DLS/i03_i04_NXmx/Therm_6_2.nxs")
    (entry,) = record.entries
    assert (entry.definition, entry.techniques, entry.beamline) == ("NXmx", ["MX"], "i04")
    assert entry.start_time.isoformat() == "2019-02-14T14:25:57+00:00"
    assert entry.signal.path == "/entry/data/data"
    assert entry.signal.shape == (488, 4362, 4148)
    assert entry.metadata["incident_wavelength"] == (pytest.approx(0.98027, abs=1e-5), "angstrom")
    assert entry.metadata["detector"] == ("Eiger 16M", "")
    assert entry.metadata["number_of_frames"] == (488, "")
    assert any("Therm_6_2_000001.h5" in w and "dangling external link" in w for w in record.warnings)


def test_the_aps_saxs_file_gives_title_times_energy_and_the_frame_stack(shared):
    (entry,) = read_file(shared / "APS/NXsas/nexus-example.hdf5").entries
    assert entry.title == "NeXus NXsas example"
    assert entry.techniques == ["SAXS"]
    assert entry.start_time.isoformat() == "2016-06-23T18:02:31+00:00"  # -06:00 in the file
    assert entry.end_time.isoformat() == "2016-06-23T22:00:20+00:00"
    assert entry.metadata["incident_energy"] == (pytest.approx(21.0, abs=1e-3), "keV")
    assert entry.metadata["incident_wavelength"][1] == "angstrom"  # "Angstroms" in the file
    assert entry.signal.path == "/entry/data/frames"
    assert entry.signal.shape == (10, 195, 487)
    assert entry.signal.axes == ("/entry/data/sample_times", "/entry/data/vertical", "/entry/data/horizontal")
    assert entry.metadata["scan_start"] == (3.0, "minutes")


@pytest.mark.parametrize("definition, technique", [
    ("NXmx", "MX"), ("NXtomo", "tomography"), ("NXsas", "SAXS"), ("NXcanSAS", "SAXS"),
    ("NXxas", "XAS"), ("NXarpes", "ARPES"), ("NXfluo", "XRF"), ("NXmonopd", "powder diffraction"),
])
def test_application_definitions_map_to_techniques(shared, definition, technique):
    (entry,) = read_file(shared / f"nxdl-examples/{definition}.hdf5").entries
    assert entry.definition == definition
    assert entry.techniques == [technique]


def test_template_files_have_no_plottable_signal_and_no_placeholder_units(shared):
    (entry,) = read_file(shared / "nxdl-examples/NXmx.hdf5").entries
    assert entry.signal is None  # their "data" are scalars
    assert all(not unit.startswith("NX_") for _, unit in entry.metadata.values())


def test_a_file_with_two_entries_gives_two_records(shared):
    record = read_file(shared / "code/NXtest.h5")
    assert [e.name for e in record.entries] == ["entry", "link"]
    assert record.entries[0].signal.path == "/entry/data/comp_data"  # first 2-D numeric dataset


def test_plain_hdf5_without_entries_is_one_record(tmp_path):
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f["meta/counter"] = 3
        f["images/frame"] = np.ones((4, 5))
    (entry,) = read_file(path).entries
    assert entry.name == ""
    assert entry.signal.path == "/images/frame"


# --- broken files --------------------------------------------------------------------


def test_truncated_file_is_refused_with_a_clear_message(tmp_path):
    path = write_truncated(tmp_path / "cut.nxs")
    with pytest.raises(UnreadableFile, match="truncated HDF5 file"):
        read_file(path)


def test_non_hdf5_file_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(UnreadableFile, match="not an HDF5 file"):
        read_file(write_not_hdf5(tmp_path / "log.nxs"))


def test_dangling_external_link_is_a_warning_not_a_failure(tmp_path):
    record = read_file(write_dangling(tmp_path / "master.nxs"))
    assert record.entries[0].signal is None
    assert any("master_000001.h5" in w for w in record.warnings)
    assert any("dangling link" in w for w in record.entries[0].warnings)


def test_existing_external_data_files_are_part_of_the_dataset(tmp_path):
    with h5py.File(tmp_path / "scan_000001.h5", "w") as f:
        f["data"] = np.zeros((2, 8, 8), dtype=np.uint16)
    master = tmp_path / "scan.nxs"
    with h5py.File(master, "w") as f:
        entry = write_entry(f)
        data = nx_group(entry, "data", "NXdata", signal="data")
        data["data"] = h5py.ExternalLink("scan_000001.h5", "/data")
    record = read_file(master)
    assert [f.path.name for f in record.data_files] == ["scan_000001.h5"]
    dataset, _ = build_dataset(record, record.entries[0], owner_group="p1")
    assert dataset.numberOfFiles == 2
    assert dataset.size == sum(p.stat().st_size for p in tmp_path.iterdir())
    assert dataset.signal.shape == [2, 8, 8]


# --- pids and datasets ---------------------------------------------------------------


def test_pids_depend_only_on_the_file_and_entry(tmp_path, monkeypatch):
    path = write_nexus(tmp_path / "a" / "scan.nxs")
    monkeypatch.chdir(tmp_path)
    link = tmp_path / "alias.nxs"
    link.symlink_to(path)
    same = {dataset_pid(path, "entry"), dataset_pid(Path("a/scan.nxs"), "entry"), dataset_pid(link, "entry")}
    assert len(same) == 1
    assert dataset_pid(path, "entry2") not in same
    assert same.pop().startswith("beamhub/")


def test_dataset_fields_without_a_mapping(tmp_path):
    path = write_nexus(tmp_path / "lyso_0001.nxs", signal=np.zeros((3, 4, 5), dtype=np.uint32),
                       axes=[("omega", np.arange(3) * 0.1, "deg")])
    record = read_file(path)
    dataset, warnings = build_dataset(record, record.entries[0], owner_group="p1001")
    assert warnings == []
    assert dataset.datasetName == "lyso_0001"
    assert dataset.description == "a scan"
    assert (dataset.ownerGroup, dataset.creationLocation, dataset.sampleId) == ("p1001", "i03", "lysozyme")
    assert dataset.technique_names == ["MX"]
    assert dataset.creationTime.isoformat() == "2026-03-02T10:00:00+00:00"
    assert dataset.scientificMetadata["temperature"].value == 100.0
    assert dataset.scientificMetadata["temperature"].unit == "K"
    assert dataset.scientificMetadata["scan_end"].unit == "deg"
    assert dataset.signal.shape == [3, 4, 5] and dataset.signal.dtype == "uint32"
    assert dataset.files[0].size == path.stat().st_size
    assert dataset.sourceFolder == str(tmp_path)


def test_a_dataset_without_owner_group_is_refused_clearly(tmp_path):
    record = read_file(write_nexus(tmp_path / "x.nxs"))
    with pytest.raises(InvalidInput, match="no ownerGroup: give --owner-group"):
        build_dataset(record, record.entries[0])


def test_a_file_without_instrument_gets_unknown_beamline_and_a_warning(tmp_path, shared):
    record = read_file(shared / "hdf5/simple3D.h5")
    dataset, warnings = build_dataset(record, record.entries[0], owner_group="staff")
    assert dataset.creationLocation == "unknown"
    assert "names no instrument" in warnings[0]
    dataset, warnings = build_dataset(record, record.entries[0], owner_group="staff", default_beamline="b18")
    assert (dataset.creationLocation, warnings) == ("b18", [])


# --- the mapping -------------------------------------------------------------------------


def test_the_example_mapping_is_valid():
    mapping = load_mapping(EXAMPLE_MAPPING)
    assert mapping.captures == ("beamline", "proposalId", "sample")
    assert mapping.match("i03/p1001/lysozyme/run/scan_0001.nxs") == {
        "beamline": "i03", "proposalId": "p1001", "sample": "lysozyme"}
    assert mapping.match("i03/p1001/scan_0001.nxs") is None


def test_mapping_applied_to_a_file(tmp_path):
    path = write_nexus(tmp_path / "i04" / "mx2024-7" / "thaumatin" / "scan_0003.nxs", beamline="I04-1")
    mapping = parse_mapping({
        "path": "{beamline}/{proposalId}-{visit}/{sample}/*.nxs",
        "fields": {
            "creationLocation": {"from": "entry/instrument/name@short_name", "transform": "lower"},
            "proposalId": "{proposalId}",
            "ownerGroup": "{proposalId}",
            "accessGroups": ["{proposalId}-{visit}", {"from": "entry/missing", "default": ""}],
            "datasetName": "{sample} {stem}",
            "keywords": ["{sample}", "visit {visit}"],
            "isPublished": True,
        },
        "scientificMetadata": {
            "energy_setting": {"from": "entry/instrument/monochromator/energy"},
            "sample_temp": {"from": "entry/sample/temperature", "unit": "degC"},
            "visit": "{visit}",
        },
    }, source="test-mapping")
    relative = path.relative_to(tmp_path).as_posix()
    captures = mapping.match(relative)
    assert captures == {"beamline": "i04", "proposalId": "mx2024", "visit": "7", "sample": "thaumatin"}
    record = read_file(path, mapping.refs())
    from beamhub.catalogue.ingest.build import template_variables

    variables = template_variables(record, record.entries[0], tmp_path, captures)
    dataset, _ = build_dataset(record, record.entries[0], mapping=mapping, variables=variables)
    assert dataset.creationLocation == "i04-1"
    assert (dataset.proposalId, dataset.ownerGroup, dataset.accessGroups) == ("mx2024", "mx2024", ["mx2024-7"])
    assert dataset.datasetName == "thaumatin scan_0003"
    assert dataset.keywords == ["thaumatin", "visit 7"]
    assert dataset.isPublished is True
    assert dataset.scientificMetadata["energy_setting"].model_dump() == {"value": 12.7, "unit": "keV"}
    assert dataset.scientificMetadata["sample_temp"].unit == "degC"
    assert dataset.scientificMetadata["visit"].value == "7"


def test_mapping_errors_are_all_reported_with_their_place(tmp_path):
    bad = tmp_path / "mapping.yaml"
    bad.write_text(
        'path: "{beamline}/{beamline}/**"\n'
        "fields:\n"
        '  ownerGroup: "{proposal}"\n'
        '  pid: "x"\n'
        '  creationLocation: {from: "instrument/name"}\n'
        "  sampleId: {from: entry/sample/name, transform: title}\n"
        "colour: blue\n")
    with pytest.raises(InvalidInput) as caught:
        load_mapping(bad)
    message = caught.value.message
    for expected in ["unknown key 'colour'", "{beamline} is captured twice",
                     "fields.ownerGroup: unknown placeholder {proposal}",
                     "fields.pid: not a field a mapping can set",
                     "fields.creationLocation.from: 'instrument/name': start with 'entry/'",
                     "fields.sampleId.transform: one of lower, upper, slug"]:
        assert expected in message
    assert str(bad) in message


def test_mapping_yaml_syntax_errors_give_the_line(tmp_path):
    bad = tmp_path / "mapping.yaml"
    bad.write_text("fields:\n  ownerGroup: [unclosed\n")
    with pytest.raises(InvalidInput, match=r"not valid YAML at line \d+"):
        load_mapping(bad)
    with pytest.raises(InvalidInput, match="does not exist"):
        load_mapping(tmp_path / "nope.yaml")


# --- the proposals file ----------------------------------------------------------------


def test_proposals_file_is_validated_and_paths_resolved(tmp_path):
    good = tmp_path / "proposals.yaml"
    good.write_text(
        "proposals:\n"
        "  - {proposalId: p1, ownerGroup: p1, members: [alice], beamline: i03, dataPath: i03/p1}\n"
        "users:\n"
        "  - {name: alice, groups: [p1]}\n"
        "  - {name: carol, staff_of: [i03]}\n")
    loaded = load_proposals(good)
    assert loaded.proposals[0].dataPath == str(tmp_path / "i03" / "p1")
    assert loaded.identity("carol").staff_of == frozenset({"i03"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("proposals:\n  - {proposalId: p1, ownerGroup: p1, members: [alice]}\n"
                   "users:\n  - {name: alice, groups: [p2]}\n")
    with pytest.raises(InvalidInput, match="alice is a member of p1 but not in its group p1"):
        load_proposals(bad)
    bad.write_text("proposals:\n  - {proposalId: 'p 1', ownerGroup: p1}\n")
    with pytest.raises(InvalidInput, match=r"proposals\[0\]"):
        load_proposals(bad)


# --- walking -------------------------------------------------------------------------------


def test_walk_reads_hdf5_names_skips_others_and_detector_frame_files(tmp_path):
    write_nexus(tmp_path / "b" / "scan.nxs")
    write_nexus(tmp_path / "a" / "scan_000001.h5")
    write_not_hdf5(tmp_path / "a" / "notes.txt")
    write_nexus(tmp_path / ".hidden" / "x.nxs")
    found = list(walk([tmp_path]))
    candidates = [c.path.relative_to(tmp_path).as_posix() for c in found if isinstance(c, Candidate)]
    skipped = {s.path.name: s.reason for s in found if isinstance(s, Skipped)}
    assert candidates == ["b/scan.nxs"]
    assert skipped == {"scan_000001.h5": "excluded by '*_[0-9][0-9][0-9][0-9][0-9][0-9].h5'",
                       "notes.txt": "not an HDF5/NeXus file name"}
    assert [c.path.name for c in walk([tmp_path / "a" / "notes.txt"])] == ["notes.txt"]  # named: read
    assert isinstance(next(walk([tmp_path / "missing.nxs"])), Skipped)


# --- runs into the SQLite store ---------------------------------------------------------

OPERATOR = Identity.for_operator("test-ingest")


@pytest.fixture
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'catalogue.sqlite'}") as opened:
        yield opened


def all_datasets(store, **filters) -> list:
    found, cursor = [], None
    while True:
        page = store.search(OPERATOR, SearchQuery(limit=200, cursor=cursor, facets=False, **filters))
        found += page.items
        cursor = page.next_cursor
        if not cursor:
            return found


def test_every_shared_file_is_ingested_or_reported_and_reruns_change_nothing(shared, store):
    report = ingest([shared], store, OPERATOR, owner_group="staff")
    by_name = {Path(f.path).relative_to(shared).as_posix(): f for f in report.files}
    assert set(by_name) == {p.relative_to(shared).as_posix() for p in shared_files(shared)}
    assert by_name["README.md"].status == "skipped"
    assert report.failed == []
    assert {f.status for n, f in by_name.items() if n != "README.md"} == {"inserted"}
    assert report.datasets.inserted == len(shared_files(shared)) - 1 + 1  # NXtest.h5 has two entries
    therm = by_name["DLS/i03_i04_NXmx/Therm_6_2.nxs"]
    assert any("Therm_6_2_000001.h5" in w for w in therm.warnings)
    dataset = store.get_dataset(OPERATOR, therm.pids[0])
    assert (dataset.creationLocation, dataset.technique_names, dataset.ownerGroup) == ("i04", ["MX"], "staff")
    assert dataset.signal.shape == [488, 4362, 4148]
    pids = sorted(d.pid for d in all_datasets(store))
    assert len(pids) == report.datasets.inserted

    again = ingest([shared], store, OPERATOR, owner_group="staff")
    assert again.counts()["unchanged"] == len(shared_files(shared)) - 1
    assert (again.datasets.inserted, again.datasets.updated) == (0, 0)
    assert sorted(d.pid for d in all_datasets(store)) == pids

    forced = ingest([shared], store, OPERATOR, owner_group="staff", force=True)
    assert forced.counts()["updated"] == len(shared_files(shared)) - 1
    assert (forced.datasets.inserted, forced.datasets.updated) == (0, 0)  # read again, identical
    assert forced.datasets.unchanged == len(pids)


def test_a_changed_file_is_updated_in_place(tmp_path, store):
    path = write_nexus(tmp_path / "data" / "scan.nxs", title="first title", signal=np.zeros(10))
    first = ingest([tmp_path / "data"], store, OPERATOR, owner_group="p1")
    (pid,) = first.files[0].pids
    store.set_vote(Identity("alice", groups=frozenset({"p1"})), pid, "like")
    write_nexus(path, title="second title", signal=np.zeros(20))
    second = ingest([tmp_path / "data"], store, OPERATOR, owner_group="p1")
    assert second.files[0].status == "updated" and second.files[0].pids == [pid]
    assert (second.datasets.inserted, second.datasets.updated) == (0, 1)
    dataset = store.get_dataset(OPERATOR, pid)
    assert dataset.description == "second title"
    assert dataset.signal.shape == [20]
    assert dataset.likes == 1  # the judgement survives re-ingestion
    assert len(all_datasets(store)) == 1


def test_broken_files_are_reported_and_the_run_goes_on(tmp_path, store):
    root = tmp_path / "beamline"
    good = write_nexus(root / "a_good.nxs", signal=np.ones((4, 4)))
    write_truncated(root / "b_truncated.nxs")
    write_not_hdf5(root / "c_not_hdf5.nxs")
    write_dangling(root / "d_dangling.nxs")
    write_not_hdf5(root / "e_notes.txt")
    write_nexus(root / "f_good.h5", signal=np.ones(4))
    report = ingest([root], store, OPERATOR, owner_group="p1")
    status = {Path(f.path).name: (f.status, f.message) for f in report.files}
    assert status["a_good.nxs"] == ("inserted", "")
    assert status["f_good.h5"] == ("inserted", "")
    assert status["b_truncated.nxs"][0] == "failed" and "truncated HDF5 file" in status["b_truncated.nxs"][1]
    assert status["c_not_hdf5.nxs"] == ("failed", "not an HDF5 file")
    assert status["d_dangling.nxs"][0] == "inserted"  # its metadata is there; the warning says what is missing
    assert status["e_notes.txt"] == ("skipped", "not an HDF5/NeXus file name")
    names = sorted(d.datasetName for d in all_datasets(store))
    assert names == ["a_good", "d_dangling", "f_good"]
    assert not report.ok
    summary = report.summary()
    assert f"FAILED   {root / 'b_truncated.nxs'}: truncated HDF5 file" in summary
    assert f"FAILED   {root / 'c_not_hdf5.nxs'}: not an HDF5 file" in summary
    assert f"warning  {root / 'd_dangling.nxs'}: dangling external link" in summary
    assert str(good) not in summary


def test_without_owner_group_nothing_is_written_and_each_file_says_why(tmp_path, store):
    write_nexus(tmp_path / "data" / "x.nxs")
    report = ingest([tmp_path / "data"], store, OPERATOR)
    assert report.files[0].status == "failed"
    assert "no ownerGroup: give --owner-group" in report.files[0].message
    assert all_datasets(store) == []


def test_the_mapping_sets_groups_and_rejects_files_outside_its_pattern(tmp_path, store):
    root = tmp_path / "data"
    write_nexus(root / "i03" / "p1001" / "lyso" / "scan_1.nxs")
    write_nexus(root / "i22" / "p1002" / "silica" / "scan_1.nxs", definition="NXsas", beamline="i22")
    write_nexus(root / "i22" / "stray.nxs")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('path: "{beamline}/{proposalId}/{sample}/*.nxs"\n'
                       'fields:\n  proposalId: "{proposalId}"\n  ownerGroup: "{proposalId}"\n'
                       '  sampleId: "{sample}"\n  creationLocation: "{beamline}"\n')
    report = ingest([root], store, OPERATOR, mapping=mapping)
    stray = next(f for f in report.files if f.path.endswith("stray.nxs"))
    assert stray.status == "failed" and "does not match the mapping's path" in stray.message
    found = {(d.proposalId, d.ownerGroup, d.sampleId, d.creationLocation) for d in all_datasets(store)}
    assert found == {("p1001", "p1001", "lyso", "i03"), ("p1002", "p1002", "silica", "i22")}
    alice = Identity("alice", groups=frozenset({"p1001"}))
    assert [d.proposalId for d in store.search(alice, SearchQuery()).items] == ["p1001"]


def test_a_bad_mapping_stops_before_anything_is_written(tmp_path, store):
    write_nexus(tmp_path / "data" / "x.nxs")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("fields:\n  ownerGroup: '{nope}'\n")
    with pytest.raises(InvalidInput, match="unknown placeholder"):
        ingest([tmp_path / "data"], store, OPERATOR, mapping=mapping)
    assert all_datasets(store) == []


# --- the command line ------------------------------------------------------------------------


def test_the_command_prints_a_summary_and_its_exit_status_tells_failures(tmp_path, capsys, monkeypatch):
    root = tmp_path / "data"
    write_nexus(root / "good.nxs", signal=np.ones(5))
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["ingest", str(root), "--store", url, "--owner-group", "p1"]) == 0
    captured = capsys.readouterr()
    assert "1 file(s) read" in captured.out and "1 inserted" in captured.out
    assert "datasets: 1 inserted, 0 updated, 0 unchanged" in captured.out
    assert "%|" not in captured.err  # no progress bar when not on a terminal

    write_truncated(root / "bad.nxs")
    monkeypatch.setenv("BEAMHUB_STORE", url)  # the store from the environment
    assert main(["ingest", str(root), "--owner-group", "p1"]) == 3
    out = capsys.readouterr().out
    assert "1 unchanged" in out and "1 failed" in out
    assert f"FAILED   {root / 'bad.nxs'}: truncated HDF5 file" in out

    assert main(["ingest", str(root), "--owner-group", "p1", "--json"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["counts"]["failed"] == 1 and len(document["files"]) == 2

    (tmp_path / "bad-mapping.yaml").write_text("colour: blue\n")
    assert main(["ingest", str(root), "--mapping", str(tmp_path / "bad-mapping.yaml")]) == 1
    assert "unknown key 'colour'" in capsys.readouterr().err


def test_the_command_loads_proposals(tmp_path, capsys):
    (tmp_path / "proposals.yaml").write_text(
        "proposals:\n  - {proposalId: p7, ownerGroup: p7, members: [alice], beamline: i03}\n")
    write_nexus(tmp_path / "data" / "x.nxs")
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["ingest", str(tmp_path / "data"), "--store", url, "--owner-group", "p7",
                 "--proposals", str(tmp_path / "proposals.yaml")]) == 0
    assert "proposals: 1 inserted" in capsys.readouterr().out
    with open_store(url) as store:
        assert [p.proposalId for p in store.list_proposals(Identity("alice", groups=frozenset({"p7"})))] == ["p7"]


def test_bad_options_are_refused_before_reading_anything(tmp_path, store):
    write_nexus(tmp_path / "data" / "x.nxs")
    for options in ({"owner_group": "two words"}, {"pid_prefix": "bad prefix"}, {"pid_prefix": "a//b"},
                    {"owner_group": "p1", "default_beamline": "$where"}):
        with pytest.raises(InvalidInput):
            ingest([tmp_path / "data"], store, OPERATOR, **options)
    assert all_datasets(store) == []
    report = ingest([tmp_path / "data"], store, OPERATOR, owner_group="p1", pid_prefix="20.500.12269")
    assert report.files[0].pids[0].startswith("20.500.12269/")
