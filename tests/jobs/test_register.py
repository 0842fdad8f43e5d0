"""Derived datasets from a job's manifest: lineage, access from the inputs, untrusted manifests."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from beamhub.catalogue import Dataset
from beamhub.catalogue.model import Selection
from beamhub.jobs.register import derived_datasets
from beamhub.jobs.spec import Manifest, OutputFile

NOW = datetime(2026, 1, 2, tzinfo=timezone.utc)


def dataset(pid: str, proposal: str, beamline: str = "i03", access=()) -> Dataset:
    return Dataset.parse({"pid": pid, "datasetName": pid, "ownerGroup": proposal, "proposalId": proposal,
                          "accessGroups": list(access), "creationLocation": beamline, "techniques": ["MX"],
                          "creationTime": NOW, "sourceFolder": "/data"})


def selection(pids) -> Selection:
    return Selection(id="sel-" + "a" * 32, owner="alice", name="best", datasets=list(pids), processing="frame-score",
                     parameters={"sigma": 4}, createdAt=NOW, updatedAt=NOW)


def manifest(outputs) -> Manifest:
    return Manifest(status="ok", step="frame-score", outputs=outputs, finished=NOW)


def output(path: str, pid: str, score: float = 0.5) -> OutputFile:
    return OutputFile(path=path, input_pid=pid, signal="/entry/data/score", shape=[3], dtype="float64",
                      axes=["/entry/data/frame"], summary={"mean_score": score, "frames": 3})


def files(tmp_path: Path, *names: str) -> Path:
    out = tmp_path / "outputs"
    out.mkdir()
    for name in names:
        (out / name).write_bytes(b"x" * 10)
    return out


def build(tmp_path, inputs, outputs, names):
    return derived_datasets(selection=selection([d.pid for d in inputs]), inputs=inputs, manifest=manifest(outputs),
                            output_dir=files(tmp_path, *names), parameters={"sigma": 4, "threshold": None},
                            step_title="Frame score", pid_prefix="beamhub.derived")


def test_one_proposal_gives_one_derived_dataset_with_lineage(tmp_path):
    inputs = [dataset("p/1", "p1001"), dataset("p/2", "p1001")]
    [derived] = build(tmp_path, inputs, [output("a.nxs", "p/1", 0.2), output("b.nxs", "p/2", 0.6)], ["a.nxs", "b.nxs"])
    assert derived.pid == "beamhub.derived/sel-" + "a" * 32 + "-1"
    assert derived.type == "derived" and derived.inputDatasets == ["p/1", "p/2"]
    assert derived.jobParameters == {"sigma": 4, "threshold": None}
    assert (derived.ownerGroup, derived.proposalId, derived.creationLocation) == ("p1001", "p1001", "i03")
    assert derived.owner == "alice" and derived.numberOfFiles == 2 and derived.size == 20
    assert derived.scientificMetadata["mean_score"].value == 0.4
    assert derived.scientificMetadata["mean_frames"].value == 3
    assert derived.scientificMetadata["processing_step"].value == "frame-score"
    assert derived.signal.file == str((tmp_path / "outputs" / "a.nxs").resolve())


def test_two_proposals_are_never_mixed_in_one_derived_dataset(tmp_path):
    inputs = [dataset("p/1", "p1001"), dataset("q/1", "p2001", "b18", access=["collab-x"]), dataset("p/2", "p1001")]
    derived = build(tmp_path, inputs, [output("a", "p/1"), output("b", "q/1"), output("c", "p/2")], ["a", "b", "c"])
    assert [(d.ownerGroup, d.accessGroups, d.inputDatasets) for d in derived] == [
        ("p1001", [], ["p/1", "p/2"]), ("p2001", ["collab-x"], ["q/1"])]
    assert len({d.pid for d in derived}) == 2


def test_manifest_entries_outside_the_outputs_or_for_other_datasets_are_ignored(tmp_path):
    (tmp_path / "secret").write_text("not an output")
    inputs = [dataset("p/1", "p1001")]
    outputs = [output("../secret", "p/1"), output(str(tmp_path / "secret"), "p/1"), output("a", "other/9"),
               output("missing", "p/1"), output("a", "p/1")]
    [derived] = build(tmp_path, inputs, outputs, ["a"])
    assert [f.path for f in derived.files] == ["a"]
    assert derived.inputDatasets == ["p/1"]


def test_registering_again_gives_the_same_pids(tmp_path):
    inputs = [dataset("p/1", "p1001")]
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = build(tmp_path / "one", inputs, [output("a", "p/1")], ["a"])
    second = build(tmp_path / "two", inputs, [output("a", "p/1")], ["a"])
    assert [d.pid for d in first] == [d.pid for d in second]
