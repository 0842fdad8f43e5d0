"""Previews: what is drawn, what is read, the cache, and clear errors for bad files."""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor

import h5py
import hdf5plugin
import numpy as np
import pytest
from PIL import Image

from beamhub.catalogue.errors import CatalogueError
from beamhub.catalogue.ingest import build_dataset, read_file
from beamhub.catalogue.model import SignalInfo
from beamhub.catalogue.preview import PreviewError, render_from_h5, render_preview
from tests.services.require import missing

from .nexus_builders import (
    SHARED_NEXUS,
    CountingFile,
    frame_chunk_bytes,
    nx_group,
    write_dangling,
    write_entry,
    write_nexus,
    write_not_hdf5,
    write_truncated,
)

VIRIDIS_LOW = np.array([68, 1, 84])     # viridis(0): dark purple
VIRIDIS_HIGH = np.array([253, 231, 37])  # viridis(1): yellow


def picture(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def near(colour, reference, tolerance=40) -> bool:
    return bool(np.abs(np.asarray(colour) - reference).max() <= tolerance)


@pytest.fixture(scope="module")
def shared():
    if not SHARED_NEXUS.is_dir():
        missing("the shared NeXus files", f"{SHARED_NEXUS} does not exist")
    return SHARED_NEXUS


# --- what is drawn -------------------------------------------------------------------


def test_one_dimensional_signal_is_a_line_plot(tmp_path):
    energy = np.linspace(8900, 9100, 300)
    path = write_nexus(tmp_path / "xas.nxs", definition="NXxas",
                       signal=0.5 + np.arctan((energy - 8979) / 3) / np.pi, axes=[("energy", energy, "eV")])
    image = picture(render_preview(path, size=400))
    assert image.shape == (300, 400, 3)  # 4:3
    white = (image == 255).all(axis=2).mean()
    assert white > 0.7  # a plot on white, not an image
    line = (np.abs(image - [31, 119, 180]).max(axis=2) < 30)  # matplotlib's first colour
    rows_with_line = np.flatnonzero(line.any(axis=1))
    assert rows_with_line.size > 50  # the step rises across the plot


def test_two_dimensional_signal_is_an_image_keeping_its_aspect(tmp_path):
    signal = np.zeros((100, 300), dtype=np.uint32)
    signal[:, 150:] = 1000
    image = picture(render_preview(write_nexus(tmp_path / "img.nxs", signal=signal), size=600))
    assert image.shape == (200, 600, 3)
    assert near(image[100, 50], VIRIDIS_LOW) and near(image[100, 550], VIRIDIS_HIGH)


def test_a_stack_shows_its_middle_frame(tmp_path):
    stack = np.zeros((9, 64, 64), dtype=np.float32)
    for index in range(9):
        stack[index, :, index * 7: index * 7 + 7] = 10.0  # a bright band that moves
    image = picture(render_preview(write_nexus(tmp_path / "stack.nxs", signal=stack), size=64))
    bright_columns = np.flatnonzero(near_all(image, VIRIDIS_HIGH).all(axis=0))
    assert bright_columns.min() >= 4 * 7 and bright_columns.max() < 5 * 7


def near_all(image, reference, tolerance=40):
    return np.abs(image - reference).max(axis=2) <= tolerance


def test_higher_dimensions_show_the_middle_of_every_leading_axis(tmp_path):
    data = np.zeros((3, 5, 16, 16), dtype=np.float64)
    data[1, 2, :8] = 5.0  # only frame (1, 2) has a bright top half
    image = picture(render_preview(write_nexus(tmp_path / "4d.nxs", signal=data), size=64))
    assert near(image[5, 32], VIRIDIS_HIGH) and near(image[60, 32], VIRIDIS_LOW)


def test_the_default_attribute_chain_is_followed(tmp_path):
    path = tmp_path / "two-plots.nxs"
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "second"
        write_entry(f, "first", signal=np.zeros((8, 8)))
        second = write_entry(f, "second", signal=np.zeros((8, 8)))
        second.attrs["default"] = "plot"
        plot = nx_group(second, "plot", "NXdata", signal="counts")
        plot["counts"] = np.linspace(0, 1, 32 * 32).reshape(32, 32)
    image = picture(render_preview(path, size=64))
    assert near(image[2, 32], VIRIDIS_LOW) and near(image[61, 32], VIRIDIS_HIGH)  # the gradient, not zeros


def test_without_nxdata_the_first_numeric_dataset_is_drawn(tmp_path):
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f["a_label"] = "text is not plottable"
        f["b_scalar"] = 3.0
        f["c_curve"] = np.sin(np.linspace(0, 6, 100))
    image = picture(render_preview(path, size=200))
    assert (image == 255).all(axis=2).mean() > 0.6  # a line plot


def test_dataset_and_signal_info_sources(tmp_path):
    path = write_nexus(tmp_path / "s.nxs", signal=np.arange(64.0).reshape(8, 8))
    record = read_file(path)
    dataset, _ = build_dataset(record, record.entries[0], owner_group="p1")
    from_dataset = render_preview(dataset, size=64)
    assert from_dataset == render_preview(dataset.signal, size=64)
    assert from_dataset == render_preview(dataset.to_document(), size=64)
    assert from_dataset == render_preview(SignalInfo(file=str(path), path="/entry/data/signal",
                                                     shape=[8, 8], dtype="float64"), size=64)


# --- the real files ------------------------------------------------------------------


def test_real_files_with_data_give_previews(shared):
    for name in ["APS/NXsas/nexus-example.hdf5", "code/NXtest.h5", "hdf5/simple3D.h5"]:
        image = picture(render_preview(shared / name, size=256))
        assert max(image.shape[:2]) == 256


def test_real_files_without_data_give_clear_errors(shared):
    with pytest.raises(PreviewError, match="Therm_6_2_000001.h5"):
        render_preview(shared / "DLS/i03_i04_NXmx/Therm_6_2.nxs")
    with pytest.raises(PreviewError, match="no plottable data"):
        render_preview(shared / "nxdl-examples/NXmx.hdf5")
    with pytest.raises(PreviewError, match="not an HDF5 file"):
        render_preview(shared / "README.md")


# --- bad files -----------------------------------------------------------------------


@pytest.mark.parametrize("make, message", [
    (write_truncated, "truncated HDF5 file"),
    (write_not_hdf5, "not an HDF5 file"),
    (write_dangling, "dangling link"),
])
def test_bad_files_give_a_preview_error(tmp_path, make, message):
    path = make(tmp_path / "bad.nxs")
    with pytest.raises(PreviewError, match=message) as caught:
        render_preview(path)
    assert isinstance(caught.value, CatalogueError)
    assert caught.value.to_dict()["code"] == "preview_unavailable"


def test_a_vanished_file_or_signal_gives_a_preview_error(tmp_path):
    with pytest.raises(PreviewError, match="no such file"):
        render_preview(tmp_path / "gone.nxs")
    path = write_nexus(tmp_path / "x.nxs", signal=np.zeros(10))
    with pytest.raises(PreviewError, match="/entry/data/other is missing"):
        render_preview({"file": str(path), "path": "/entry/data/other"})
    with pytest.raises(PreviewError, match="not plottable"):
        render_preview({"file": str(path), "path": "/entry/title"})


def test_a_dataset_without_signal_gives_a_preview_error(shared):
    record = read_file(shared / "nxdl-examples/NXtomo.hdf5")
    dataset, _ = build_dataset(record, record.entries[0], owner_group="p1")
    with pytest.raises(PreviewError, match=f"dataset {dataset.pid} has no plottable data"):
        render_preview(dataset)


# --- what is read ------------------------------------------------------------------------


def test_only_the_middle_frames_chunks_are_read(tmp_path):
    path = tmp_path / "stack.nxs"
    rng = np.random.default_rng(1)
    frames = 40
    with h5py.File(path, "w") as f:
        entry = write_entry(f)
        data = nx_group(entry, "data", "NXdata", signal="data")
        stack = data.create_dataset("data", shape=(frames, 256, 256), dtype="uint32", chunks=(1, 128, 128),
                                    **hdf5plugin.Bitshuffle(cname="lz4"))
        for index in range(frames):
            stack[index] = rng.poisson(5.0, (256, 256))
        needed = frame_chunk_bytes(stack, frames // 2)
    with CountingFile(path) as counting:
        with h5py.File(counting, "r") as f:
            opened = counting.bytes_read
            png = render_from_h5(f, "/entry/data/data", 128)
        read = counting.bytes_read - opened
    assert picture(png).shape == (128, 128, 3)
    assert needed > 10_000
    assert read <= 2 * needed, (read, needed)
    assert read < os.path.getsize(path) / 10


# --- the cache and threads ------------------------------------------------------------------


def test_previews_are_cached_by_file_time_and_size(tmp_path):
    path = write_nexus(tmp_path / "c.nxs", signal=np.arange(100.0).reshape(10, 10))
    cache = tmp_path / "cache"
    first = render_preview(path, size=64, cache_dir=cache)
    (cached,) = cache.rglob("*.png")
    assert cached.read_bytes() == first
    cached.write_bytes(b"from the cache")
    assert render_preview(path, size=64, cache_dir=cache) == b"from the cache"
    assert render_preview(path, size=128, cache_dir=cache) != b"from the cache"  # another size
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert render_preview(path, size=64, cache_dir=cache) == first  # changed file: drawn again


def test_previews_from_many_threads_match_serial_ones(tmp_path):
    paths = [write_nexus(tmp_path / f"t{i}.nxs", signal=np.random.default_rng(i).random((5, 40, 60)))
             for i in range(4)]
    paths += [write_nexus(tmp_path / f"l{i}.nxs", signal=np.random.default_rng(i).random(200)) for i in range(4)]
    serial = [render_preview(p, size=128) for p in paths]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(lambda p: render_preview(p, size=128), paths * 3))
    assert parallel == serial * 3


def test_preview_sizes_are_bounded(tmp_path):
    path = write_nexus(tmp_path / "x.nxs", signal=np.zeros((4, 4)))
    from beamhub.catalogue.errors import LimitExceeded

    for size in (0, 10_000):
        with pytest.raises(LimitExceeded):
            render_preview(path, size=size)


def test_a_chosen_frame_of_a_stack(tmp_path):
    stack = np.zeros((9, 32, 32), dtype=np.float32)
    stack[2, :16] = 1.0  # frame 2: bright top half
    path = write_nexus(tmp_path / "stack.nxs", signal=stack)
    image = picture(render_preview(path, size=64, frame=2))
    assert near(image[5, 32], VIRIDIS_HIGH) and near(image[60, 32], VIRIDIS_LOW)
    with pytest.raises(PreviewError, match="has 9 frames; no frame 9"):
        render_preview(path, frame=9)


def test_frames_of_a_real_stack_are_read_chunk_by_chunk(shared):
    """The APS NXsas file: 10 frames of 195 x 487, in chunks of 2 frames x 25 x 122.
    Each frame drawn reads only the chunks holding it; frames differ; past the end is refused."""
    path = shared / "APS/NXsas/nexus-example.hdf5"
    with h5py.File(path, "r") as f:
        needed = frame_chunk_bytes(f["entry/data/frames"], 3)
    pictures = {}
    for frame in (0, 3, 9):
        with CountingFile(path) as counting:
            with h5py.File(counting, "r") as f:
                opened = counting.bytes_read
                pictures[frame] = render_from_h5(f, "/entry/data/frames", 256, frame)
            read = counting.bytes_read - opened
        assert read <= 2 * needed + 64_000, (frame, read, needed)  # its chunks, and the small axes
    assert read < os.path.getsize(path) / 3
    assert len(set(pictures.values())) == 3
    with pytest.raises(PreviewError, match="has 10 frames; no frame 10"):
        render_preview(str(path), frame=10)
