"""Features come from a few frames' chunks, never the whole stack, and are kept."""

from __future__ import annotations

import os

import h5py
import hdf5plugin
import numpy as np

from beamhub.catalogue.ingest import build_dataset, read_file
from beamhub.suggest.features import FRAME_FEATURES, FRAMES, PROFILE_BINS, FeatureCache, compute_features
from tests.catalogue.nexus_builders import CountingFile, frame_chunk_bytes, nx_group, write_entry


def write_stack(path, frames: int = 40):
    rng = np.random.default_rng(1)
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        entry = write_entry(f)
        data = nx_group(entry, "data", "NXdata", signal="data")
        stack = data.create_dataset("data", shape=(frames, 256, 256), dtype="uint32", chunks=(1, 128, 128),
                                    **hdf5plugin.Bitshuffle(cname="lz4"))
        for index in range(frames):
            stack[index] = rng.poisson(5.0 + index, (256, 256))
        largest = max(frame_chunk_bytes(stack, i) for i in range(frames))
    record = read_file(path)
    dataset, _ = build_dataset(record, record.entries[0], owner_group="p1")
    return dataset, largest


def test_features_read_a_few_frames_chunks_not_the_stack(tmp_path):
    path = tmp_path / "stack.nxs"
    dataset, largest = write_stack(path)
    assert dataset.signal is not None and dataset.signal.shape == [40, 256, 256]
    counting = []

    def open_counting(file):
        counting.append(CountingFile(file))
        return h5py.File(counting[-1], "r")

    features = compute_features(dataset, open_file=open_counting)
    read = counting[0].bytes_read
    counting[0].close()
    assert set(features.frames) == set(FRAME_FEATURES)
    assert len(features.descriptor) == PROFILE_BINS
    assert features.problem == ""
    # FRAMES frames' chunks, plus the file's metadata: far from the 40-frame stack
    assert read <= FRAMES * largest + 200_000, (read, largest)
    assert read < os.path.getsize(path) / 4


def test_features_are_kept_and_recomputed_when_the_file_changes(tmp_path):
    path = tmp_path / "stack.nxs"
    dataset, _ = write_stack(path, frames=8)
    cache = FeatureCache(tmp_path / "state" / "suggest" / "features.sqlite")
    first = cache.get(dataset)
    again = FeatureCache(cache.path).get(dataset)  # another process: from the file
    assert cache.computed == 1 and again.frames == first.frames
    write_stack(path, frames=12)
    os.utime(path, ns=(1, 1))  # a changed file
    cache.get(dataset)
    assert cache.computed == 2


def test_a_dataset_without_frames_is_described_by_its_metadata(tmp_path):
    path = tmp_path / "stack.nxs"
    dataset, _ = write_stack(path, frames=4)
    broken = dataset.model_copy(update={"signal": dataset.signal.model_copy(update={"path": "/entry/nothing"})})
    features = compute_features(broken)
    assert features.frames == {} and "missing" in features.problem
    assert features.metadata  # the temperature etc.
