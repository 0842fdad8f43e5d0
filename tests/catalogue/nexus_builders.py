"""Small NeXus/HDF5 files written with h5py for the ingestion and preview tests,
including the broken kinds real storage holds: truncated, not HDF5, dangling links."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[2]


def _shared_nexus() -> Path:
    """``$BEAMHUB_SHARED_NEXUS``, else ``shared/data/nexus`` beside this work tree, else
    beside the local work tree it was cloned from (a clean clone made elsewhere)."""
    if os.environ.get("BEAMHUB_SHARED_NEXUS"):
        return Path(os.environ["BEAMHUB_SHARED_NEXUS"])
    beside = REPO.parent / "shared" / "data" / "nexus"
    if beside.is_dir():
        return beside
    origin = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin.startswith("/") and (Path(origin).parent / "shared" / "data" / "nexus").is_dir():
        return Path(origin).parent / "shared" / "data" / "nexus"
    return beside


SHARED_NEXUS = _shared_nexus()
"""The real facility files (../shared/data/nexus beside the work tree)."""


def nx_group(parent, name: str, nx_class: str, **attrs):
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    for key, value in attrs.items():
        group.attrs[key] = value
    return group


def write_entry(f, name: str = "entry", *, definition: str = "NXmx", title: str = "a scan",
                beamline: str = "i03", sample: str = "lysozyme", signal=None, axes=None,
                start: str = "2026-03-02T10:00:00Z", temperature: float | None = 100.0):
    """An NXentry with instrument, sample and an NXdata holding ``signal``."""
    entry = nx_group(f, name, "NXentry", default="data")
    entry["definition"] = definition
    entry["title"] = title
    entry["start_time"] = start
    entry["end_time"] = "2026-03-02T10:05:00Z"
    instrument = nx_group(entry, "instrument", "NXinstrument")
    instrument["name"] = f"DIAMOND BEAMLINE {beamline.upper()}"
    instrument["name"].attrs["short_name"] = beamline
    mono = nx_group(instrument, "monochromator", "NXmonochromator")
    mono["energy"] = 12.7
    mono["energy"].attrs["units"] = "keV"
    sample_group = nx_group(entry, "sample", "NXsample")
    sample_group["name"] = sample
    if temperature is not None:
        sample_group["temperature"] = temperature
        sample_group["temperature"].attrs["units"] = "K"
    if signal is not None:
        data = nx_group(entry, "data", "NXdata", signal="signal")
        data["signal"] = signal
        if axes:
            data.attrs["axes"] = [a[0] for a in axes] + ["."] * (np.ndim(signal) - len(axes))
            for axis_name, values, unit in axes:
                data[axis_name] = values
                data[axis_name].attrs["units"] = unit
    return entry


def write_nexus(path: Path, **entry) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        write_entry(f, **entry)
    return path


def write_truncated(path: Path, keep: float = 0.5) -> Path:
    """A valid NeXus file cut short, as a full disk or an interrupted copy leaves it."""
    write_nexus(path, signal=np.arange(20000, dtype=np.float64).reshape(100, 200))
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_not_hdf5(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("This is a log file that happens to be called .nxs\n" * 20)
    return path


def write_dangling(path: Path) -> Path:
    """A master file whose detector data is an external link to a file never copied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        entry = write_entry(f, title="master without its data file")
        data = nx_group(entry, "data", "NXdata", signal="data")
        data["data"] = h5py.ExternalLink(path.stem + "_000001.h5", "/data")
    return path


class CountingFile:
    """A read-only file object for ``h5py.File(CountingFile(path))`` that counts the
    bytes HDF5 reads through it (h5py's "fileobj" driver). Close the h5py file first."""

    def __init__(self, path):
        self._file = open(path, "rb", buffering=0)
        self.bytes_read = 0
        self.reads = 0

    def readinto(self, buffer) -> int:
        count = self._file.readinto(buffer)
        self.bytes_read += count or 0
        self.reads += 1
        return count

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self.bytes_read += len(data)
        self.reads += 1
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def frame_chunk_bytes(dataset, frame: int) -> int:
    """Bytes on disk (compressed) of the chunks holding one frame of a 3-D dataset."""
    chunk_rows, chunk_columns = dataset.chunks[1:]
    total = 0
    for row in range(0, dataset.shape[1], chunk_rows):
        for column in range(0, dataset.shape[2], chunk_columns):
            origin = (frame - frame % dataset.chunks[0], row, column)
            total += dataset.id.get_chunk_info_by_coord(origin).size
    return total
