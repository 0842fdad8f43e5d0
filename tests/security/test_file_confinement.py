"""A dataset's preview, ``open`` and registration read only that dataset's own data.

A fog-filter job writes its outputs as the user, into a folder the user controls. bob
(p1002) runs one through the real hub and service; then, as his job could, his output
is replaced AFTER registration by each way out of his folder: an HDF5 external link to
frank's p3001 file, a soft link through one, a virtual dataset, external raw storage,
a symbolic link to the file, the outputs (or selection) folder replaced by a link, a
hard link. Every one gives bob the same neutral 422 (no PNG, no path, no hint whether
the target exists or is HDF5), through the proxy exactly as his browser would see it,
and the notebook client's ``open`` refuses it too. Registration refuses the same
outputs. Links that stay inside the dataset's own folder keep working.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest

from beamhub.catalogue.files import OUTSIDE, DataRoots, OutsideRoots, job_output_roots, roots_for
from beamhub.catalogue.preview import PreviewError, render_preview
from beamhub.client import Catalogue
from beamhub.client.errors import ApiError
from beamhub.jobs.register import derived_datasets
from beamhub.jobs.spec import Manifest, OutputFile
from beamhub.catalogue.model import Dataset, Selection
from tests.api.conftest import catalogue_hub, demo_data, service_store_url  # noqa: F401  (fixtures)
from tests.api.hubsetup import quote_pid
from tests.api.test_jobs_local import wait_finished

SECRET = np.arange(4096, dtype=np.float64)[::-1].copy()
"""What 'another proposal's data' holds where a test needs a file of its own making."""


# --- bob's derived dataset and frank's data -------------------------------------------


@pytest.fixture(scope="module")
def bobs_derived(catalogue_hub):
    found = catalogue_hub.get("bob", "/datasets", params={"proposal": "p1002", "type": "raw"}).json()["items"]
    source = next(d for d in found if len(d["signal"]["shape"]) >= 3 and d["signal"]["shape"][0] >= 2)  # a stack
    selection = catalogue_hub.request("bob", "POST", "/selections", json={
        "name": "confinement", "datasets": [source["pid"]], "processing": "frame-score"}).json()
    assert catalogue_hub.request("bob", "POST", f"/selections/{selection['id']}/submit").status_code == 202
    finished, _ = wait_finished(catalogue_hub, "bob", selection["id"])
    assert finished["status"] == "done", finished["message"]
    [pid] = finished["derivedDatasets"]
    return catalogue_hub.get("bob", f"/datasets/{quote_pid(pid)}").json()


@pytest.fixture(scope="module")
def franks(catalogue_hub):
    """A p3001 dataset (frank's; bob may not see it)."""
    [dataset] = catalogue_hub.get("frank", "/datasets", params={"proposal": "p3001", "limit": 1}).json()["items"]
    assert catalogue_hub.get("bob", f"/datasets/{quote_pid(dataset['pid'])}").status_code == 404
    return dataset


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A folder outside bob's job holding a file at bob's signal path (so today's code
    would draw it), a non-HDF5 file, and a folder shaped like bob's outputs."""
    folder = tmp_path_factory.mktemp("elsewhere")
    with h5py.File(folder / "secret.nxs", "w") as f:
        f["entry/data/score"] = SECRET
    (folder / "notes.txt").write_text("not HDF5 at all\n" * 100)
    return folder


@pytest.fixture
def bobs_output(bobs_derived):
    """bob's output file; whatever a test does to it and its folders is undone after."""
    file = Path(bobs_derived["signal"]["file"])
    outputs = file.parent
    selection_dir = outputs.parent
    backup = selection_dir.parent / (selection_dir.name + ".backup")
    shutil.copytree(selection_dir, backup, symlinks=True)
    yield file
    if selection_dir.is_symlink():
        selection_dir.unlink()
    else:
        shutil.rmtree(selection_dir)
    os.rename(backup, selection_dir)


def preview(hub, user: str, dataset: dict):
    return hub.get(user, f"/datasets/{quote_pid(dataset['pid'])}/preview.png", params={"size": "thumb"})


def assert_refused(answer) -> None:
    """The one neutral answer: a JSON 422 with the one message, and no picture."""
    assert not answer.content.startswith(b"\x89PNG"), "another proposal's data was drawn"
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["code"] == "preview_unavailable"
    assert body["message"] == OUTSIDE, body["message"]


def rewrite(path: Path, make) -> None:
    """bob's output replaced by a new HDF5 file whose /entry/data/score ``make`` writes."""
    if path.is_symlink() or path.exists():
        path.unlink()
    with h5py.File(path, "w") as f:
        f.create_group("entry/data")
        make(f)


def external_link(target: str, inside: str = "/entry/data/score"):
    return lambda f: f.__setitem__("entry/data/score", h5py.ExternalLink(target, inside))


# --- the ways out, each after registration ---------------------------------------------


def test_bobs_own_preview_works_and_franks_is_his_own(catalogue_hub, bobs_derived, franks, bobs_output):
    assert preview(catalogue_hub, "bob", bobs_derived).content.startswith(b"\x89PNG")
    assert preview(catalogue_hub, "frank", franks).content.startswith(b"\x89PNG")
    assert preview(catalogue_hub, "bob", franks).status_code == 404


def test_an_external_link_to_another_proposals_file(catalogue_hub, bobs_derived, franks, bobs_output):
    rewrite(bobs_output, external_link(franks["signal"]["file"], franks["signal"]["path"]))
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_a_soft_link_through_an_external_link(catalogue_hub, bobs_derived, franks, bobs_output):
    def make(f):
        f["frank"] = h5py.ExternalLink(franks["signal"]["file"], "/")
        f["entry/data/score"] = h5py.SoftLink("/frank" + franks["signal"]["path"])
    rewrite(bobs_output, make)
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_a_virtual_dataset_whose_source_is_another_proposals_file(catalogue_hub, bobs_derived, franks,
                                                                   bobs_output):
    shape, dtype = tuple(franks["signal"]["shape"]), franks["signal"]["dtype"]

    def make(f):
        layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
        layout[...] = h5py.VirtualSource(franks["signal"]["file"], franks["signal"]["path"], shape=shape)
        f.create_virtual_dataset("entry/data/score", layout)
    rewrite(bobs_output, make)
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_a_virtual_dataset_whose_source_was_copied_into_bobs_folder(catalogue_hub, bobs_derived, bobs_output,
                                                                     elsewhere):
    # the source is inside his folder now, but he could swap it while it is read
    shutil.copy(elsewhere / "secret.nxs", bobs_output.parent / "part.h5")

    def make(f):
        layout = h5py.VirtualLayout(shape=SECRET.shape, dtype=SECRET.dtype)
        layout[...] = h5py.VirtualSource("part.h5", "/entry/data/score", shape=SECRET.shape)
        f.create_virtual_dataset("entry/data/score", layout)
    rewrite(bobs_output, make)
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_external_raw_storage_in_another_proposals_file(catalogue_hub, bobs_derived, franks, bobs_output):
    size = min(os.path.getsize(franks["signal"]["file"]), 1 << 16)
    rewrite(bobs_output, lambda f: f.create_dataset(
        "entry/data/score", shape=(size,), dtype="u1", external=[(franks["signal"]["file"], 0, size)]))
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_a_symlinked_file(catalogue_hub, bobs_derived, bobs_output, elsewhere):
    bobs_output.unlink()
    bobs_output.symlink_to(elsewhere / "secret.nxs")
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_a_hard_linked_file(catalogue_hub, bobs_derived, bobs_output, elsewhere):
    bobs_output.unlink()
    try:
        os.link(elsewhere / "secret.nxs", bobs_output)
    except OSError as exc:  # another file system, or protected hard links: nothing to test
        pytest.skip(f"cannot hard-link here: {exc}")
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


@pytest.mark.parametrize("level", ["outputs", "selection"])
def test_a_symlinked_folder(catalogue_hub, bobs_derived, bobs_output, elsewhere, tmp_path, level):
    outputs = bobs_output.parent
    replaced = outputs if level == "outputs" else outputs.parent
    fake = tmp_path / "fake" / replaced.name
    (fake / "outputs" if level == "selection" else fake).mkdir(parents=True)
    shutil.copy(elsewhere / "secret.nxs", (fake / "outputs" if level == "selection" else fake) / bobs_output.name)
    shutil.rmtree(replaced)
    replaced.symlink_to(fake)
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


def test_a_swap_after_a_preview_was_drawn_and_cached(catalogue_hub, bobs_derived, bobs_output, elsewhere):
    assert preview(catalogue_hub, "bob", bobs_derived).content.startswith(b"\x89PNG")
    bobs_output.unlink()
    bobs_output.symlink_to(elsewhere / "secret.nxs")
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))
    bobs_output.unlink()
    rewrite(bobs_output, external_link(str(elsewhere / "secret.nxs")))
    assert_refused(preview(catalogue_hub, "bob", bobs_derived))


# --- one message, whatever is there ------------------------------------------------------


def test_the_error_says_nothing_about_what_is_outside(catalogue_hub, bobs_derived, franks, bobs_output,
                                                      elsewhere):
    targets = {"existing HDF5": franks["signal"]["file"], "existing, not HDF5": str(elsewhere / "notes.txt"),
               "missing": str(elsewhere / "no-such-file.h5"), "a folder": str(elsewhere)}
    answers = {}
    for what, target in targets.items():
        rewrite(bobs_output, external_link(target))
        answers[f"external link to {what}"] = preview(catalogue_hub, "bob", bobs_derived)
        bobs_output.unlink()
        bobs_output.symlink_to(target)
        answers[f"symlink to {what}"] = preview(catalogue_hub, "bob", bobs_derived)
    for what, answer in answers.items():
        assert answer.status_code == 422, (what, answer.status_code)
    texts = {what: (a.json()["code"], a.json()["message"]) for what, a in answers.items()}
    assert set(texts.values()) == {("preview_unavailable", OUTSIDE)}, texts
    for answer in answers.values():
        assert str(elsewhere) not in answer.text and "p3001" not in answer.text


# --- the notebook client ---------------------------------------------------------------


def test_the_clients_open_reads_only_bobs_own_data(catalogue_hub, bobs_derived, franks, bobs_output):
    bob = Catalogue(catalogue_hub.url, catalogue_hub.token("bob"))
    data = bob.open(bobs_derived["pid"])
    assert data.shape == tuple(bobs_derived["signal"]["shape"])
    rewrite(bobs_output, external_link(franks["signal"]["file"], franks["signal"]["path"]))
    with pytest.raises(ApiError) as refused:
        bob.open(bobs_derived["pid"]).values
    assert refused.value.message == OUTSIDE


def test_the_clients_open_catches_a_swap_after_opening(catalogue_hub, bobs_derived, bobs_output, elsewhere):
    bob = Catalogue(catalogue_hub.url, catalogue_hub.token("bob"))
    data = bob.open(bobs_derived["pid"])
    bobs_output.unlink()
    rewrite(bobs_output, external_link(str(elsewhere / "secret.nxs")))
    data.variable._data.array.manager.close()  # xarray reopens the file on the next read
    with pytest.raises(ApiError) as refused:
        data.values
    assert refused.value.message == OUTSIDE


# --- registration -------------------------------------------------------------------------


def job_folder(root: Path) -> Path:
    outputs = root / "jobs" / "bob" / "sel-1" / "outputs"
    outputs.mkdir(parents=True)
    return outputs


NOW = datetime(2026, 1, 2, tzinfo=timezone.utc)


def register(outputs: Path, names: list[str]) -> list[Dataset]:
    source = Dataset.parse({"pid": "t/raw-1", "datasetName": "raw", "ownerGroup": "p1002", "proposalId": "p1002",
                            "creationLocation": "i22", "creationTime": NOW, "sourceFolder": "/data"})
    selection = Selection(id="sel-" + "a" * 32, owner="bob", name="s", datasets=["t/raw-1"],
                          processing="frame-score", createdAt=NOW, updatedAt=NOW)
    manifest = Manifest(status="ok", step="frame-score", finished=NOW, outputs=[
        OutputFile(path=n, input_pid="t/raw-1", signal="/entry/data/score", shape=[4096], dtype="float64")
        for n in names])
    return derived_datasets(selection=selection, inputs=[source], manifest=manifest, output_dir=outputs,
                            parameters={}, step_title="Frame score", pid_prefix="t")


def test_registration_refuses_outputs_that_lead_outside(tmp_path, elsewhere):
    outputs = job_folder(tmp_path)
    with h5py.File(outputs / "linked.h5", "w") as f:
        f["entry/data/score"] = h5py.ExternalLink(str(elsewhere / "secret.nxs"), "/entry/data/score")
    with h5py.File(outputs / "virtual.h5", "w") as f:
        layout = h5py.VirtualLayout(shape=SECRET.shape, dtype=SECRET.dtype)
        layout[...] = h5py.VirtualSource(str(elsewhere / "secret.nxs"), "/entry/data/score", shape=SECRET.shape)
        f.create_virtual_dataset("entry/data/score", layout)
    (outputs / "symlinked.h5").symlink_to(elsewhere / "secret.nxs")
    assert register(outputs, ["linked.h5", "virtual.h5", "symlinked.h5", "../../../../elsewhere.h5"]) == []
    with h5py.File(outputs / "own.h5", "w") as f:
        f["entry/data/score"] = np.ones(4096)
    [derived] = register(outputs, ["linked.h5", "own.h5"])
    assert [f.path for f in derived.files] == ["own.h5"]


def test_registration_refuses_a_symlinked_outputs_folder(tmp_path, elsewhere):
    outputs = job_folder(tmp_path)
    outputs.rmdir()
    fake = tmp_path / "fake"
    fake.mkdir()
    shutil.copy(elsewhere / "secret.nxs", fake / "out.h5")
    outputs.symlink_to(fake)
    assert register(outputs, ["out.h5"]) == []


# --- the rule itself, and what keeps working --------------------------------------------------


def test_links_inside_the_datasets_own_folder_keep_working(tmp_path):
    outputs = job_folder(tmp_path)
    with h5py.File(outputs / "part.h5", "w") as f:
        f["data"] = np.linspace(0, 1, 50)
    with h5py.File(outputs / "out.h5", "w") as f:
        f["entry/data/linked"] = h5py.ExternalLink("part.h5", "/data")
        f["entry/data/score"] = h5py.SoftLink("/entry/data/linked")
    os.symlink("out.h5", outputs / "latest.h5")
    for name in ("out.h5", "latest.h5"):
        dataset = {"pid": "t/1", "type": "derived", "sourceFolder": str(outputs),
                   "signal": {"file": str(outputs / name), "path": "/entry/data/score", "shape": [50],
                              "dtype": "float64"}}
        assert render_preview(dataset, size=64).startswith(b"\x89PNG")


def test_a_chain_of_links_is_followed_to_its_end(tmp_path, elsewhere):
    outputs = job_folder(tmp_path)
    with h5py.File(outputs / "part.h5", "w") as f:  # inside, but itself a way out
        f["data"] = h5py.ExternalLink(str(elsewhere / "secret.nxs"), "/entry/data/score")
    with h5py.File(outputs / "out.h5", "w") as f:
        f["entry/data/score"] = h5py.ExternalLink("part.h5", "/data")
    dataset = {"pid": "t/1", "type": "derived", "sourceFolder": str(outputs),
               "signal": {"file": str(outputs / "out.h5"), "path": "/entry/data/score", "shape": [4096],
                          "dtype": "float64"}}
    with pytest.raises(PreviewError, match="^" + OUTSIDE + "$"):
        render_preview(dataset)
    assert register(outputs, ["out.h5"]) == []


def test_raw_data_may_link_within_its_folder_but_not_beyond(tmp_path, elsewhere):
    scan = tmp_path / "p1002" / "scan1"
    scan.mkdir(parents=True)
    with h5py.File(scan / "frames_000001.h5", "w") as f:
        f["data"] = np.arange(64.0).reshape(8, 8)
    with h5py.File(scan / "master.nxs", "w") as f:
        f["entry/data/data"] = h5py.ExternalLink("frames_000001.h5", "/data")
        f["entry/data/other"] = h5py.ExternalLink(str(elsewhere / "secret.nxs"), "/entry/data/score")
    raw = {"pid": "t/raw", "type": "raw", "sourceFolder": str(scan),
           "signal": {"file": str(scan / "master.nxs"), "path": "/entry/data/data", "shape": [8, 8],
                      "dtype": "float64"}}
    with pytest.raises(PreviewError, match="^" + OUTSIDE + "$"):  # a link elsewhere in the file
        render_preview(raw)
    with h5py.File(scan / "master.nxs", "a") as f:
        del f["entry/data/other"]
    assert render_preview(raw, size=64).startswith(b"\x89PNG")
    assert roots_for(raw) == DataRoots((str(scan.resolve()),))
    # a link whose file is missing here is not looked for anywhere else (HDF5 would try
    # its working directory): the service's own directory is not the dataset's data
    cwd = os.getcwd()
    try:
        os.chdir(elsewhere)
        with h5py.File(scan / "master.nxs", "a") as f:
            del f["entry/data/data"]
            f["entry/data/data"] = h5py.ExternalLink("secret.nxs", "/entry/data/score")
        raw["signal"]["shape"] = list(SECRET.shape)
        with pytest.raises(PreviewError, match="dangling link"):
            render_preview(raw)
    finally:
        os.chdir(cwd)


def test_an_opened_file_is_checked_where_it_really_is(tmp_path, elsewhere):
    # what a swap between the path check and HDF5's open leaves: a handle on another file
    roots = job_output_roots(job_folder(tmp_path))
    with h5py.File(elsewhere / "secret.nxs", "r") as other:
        with pytest.raises(OutsideRoots):
            roots.check_file(other.id)
        with pytest.raises(OutsideRoots):
            roots.check_node(other["entry/data/score"])


def test_the_work_root_may_be_reached_through_a_link_but_the_users_folders_may_not(tmp_path):
    real_root = tmp_path / "gpfs"
    (real_root / "jobs" / "bob" / "sel-1" / "outputs").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real_root)
    configured = tmp_path / "link" / "jobs" / "bob" / "sel-1" / "outputs"
    roots = job_output_roots(configured)
    assert roots.roots == (str(real_root.resolve() / "jobs" / "bob" / "sel-1" / "outputs"),)
    with h5py.File(configured / "out.h5", "w") as f:
        f["entry/data/score"] = np.ones(10)
    assert roots.resolve(configured / "out.h5") == str(real_root.resolve() / "jobs/bob/sel-1/outputs/out.h5")
