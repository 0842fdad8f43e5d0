"""NeXus building blocks shared by the writers, and the atomic write of one file."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import h5py

from .facility import INSTRUMENTS, PROPOSALS, Scan


def write_atomically(path: Path, write: Callable[[h5py.File], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with h5py.File(partial, "w") as f:
            f.attrs["creator"] = "beamhub demo-data"
            f.attrs["HDF5_Version"] = h5py.version.hdf5_version
            f.attrs["h5py_version"] = h5py.version.version
            f.attrs["default"] = "entry"
            write(f)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def nx_group(parent: h5py.Group, name: str, nx_class: str, **attrs) -> h5py.Group:
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    for key, value in attrs.items():
        group.attrs[key] = value
    return group


def nx_field(parent: h5py.Group, name: str, value, units: str | None = None, **attrs) -> h5py.Dataset:
    node = parent.create_dataset(name, data=value)
    if units is not None:
        node.attrs["units"] = units
    for key, item in attrs.items():
        node.attrs[key] = item
    return node


def nx_entry(f: h5py.File, scan: Scan, definition: str, title: str, seconds: float, name: str = "entry") -> h5py.Group:
    entry = nx_group(f, name, "NXentry", default="data")
    nx_field(entry, "definition", definition)
    nx_field(entry, "title", title)
    nx_field(entry, "start_time", scan.start.isoformat())
    nx_field(entry, "end_time", (scan.start + timedelta(seconds=seconds)).isoformat())
    nx_field(entry, "experiment_identifier", scan.proposal)
    user = nx_group(entry, "user", "NXuser")
    owner = scan.params.get("owner") or next(p["members"][0] for p in PROPOSALS if p["proposalId"] == scan.proposal)
    nx_field(user, "name", owner)
    nx_field(user, "role", "principal_investigator")
    return entry


def nx_instrument(entry: h5py.Group, scan: Scan) -> h5py.Group:
    instrument = nx_group(entry, "instrument", "NXinstrument")
    nx_field(instrument, "name", INSTRUMENTS[scan.beamline], short_name=scan.beamline)
    source = nx_group(instrument, "source", "NXsource")
    nx_field(source, "name", "Diamond Light Source", short_name="DLS")
    nx_field(source, "type", "Synchrotron X-ray Source")
    nx_field(source, "probe", "x-ray")
    nx_field(source, "current", 300.2, "mA")
    nx_field(source, "energy", 3.0, "GeV")
    return instrument


def nx_data(entry: h5py.Group, signal: str, axes: list[str], name: str = "data", **links) -> h5py.Group:
    data = nx_group(entry, name, "NXdata", signal=signal, axes=axes)
    for index, axis in enumerate(axes):
        if axis != ".":
            data.attrs[f"{axis}_indices"] = index
    for link_name, target in links.items():
        data[link_name] = target  # hard links, as NeXus writers do
    return data
