"""What the steps share: opening an input's signal, finding NeXus fields near it, and
writing a result as a NeXus file whose default plot is the result (pure helpers over
h5py; used inside the job, as the user)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..spec import JobInput, OutputFile


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "dataset"


def output_name(index: int, item: JobInput, suffix: str) -> str:
    """``003_<dataset name>_<suffix>``: unique per input, safe as a file name."""
    return f"{index:03d}_{safe_name(item.name)}_{suffix}"


@contextmanager
def open_signal(item: JobInput) -> Iterator:
    """The input's signal dataset (h5py), its file open for reading."""
    import h5py
    import hdf5plugin  # noqa: F401  (the compression filters detector data uses)

    with h5py.File(item.file, "r", locking=False) as source:
        if item.path not in source:
            raise ValueError(f"{item.path} is not in {item.file} (or its link dangles)")
        node = source[item.path]
        if not isinstance(node, h5py.Dataset):
            raise ValueError(f"{item.path} in {item.file} is a group, not a dataset")
        yield node


def nx_class(node) -> str:
    value = node.attrs.get("NX_class", b"")
    return value.decode() if isinstance(value, bytes) else str(value)


def entry_of(node):
    """The NXentry holding ``node`` (its top-level group)."""
    parts = [p for p in node.name.split("/") if p]
    return node.file["/" + parts[0]] if parts else node.file


def groups_of_class(root, cls: str) -> list:
    """Every group of NeXus class ``cls`` under ``root`` (links not followed out of the file)."""
    import h5py

    found = []

    def visit(_name, obj):
        if isinstance(obj, h5py.Group) and nx_class(obj) == cls:
            found.append(obj)

    root.visititems(visit)
    return found


def field_value(group, name: str, unit_to: str | None = None) -> float | None:
    """A scalar field of ``group`` in ``unit_to`` (converted with pint), or None if absent."""
    if group is None or name not in group:
        return None
    node = group[name]
    if getattr(node, "shape", None) not in ((), (1,)):
        return None
    value = float(np.asarray(node[()]).reshape(-1)[0])
    unit = node.attrs.get("units", b"")
    unit = unit.decode() if isinstance(unit, bytes) else str(unit)
    if unit_to and unit and unit not in ("pixel", "pixels"):
        value = float(_units().Quantity(value, unit).to(unit_to).magnitude)
    return value


_REGISTRY = None


def _units():
    global _REGISTRY
    if _REGISTRY is None:
        from pint import UnitRegistry

        _REGISTRY = UnitRegistry()
    return _REGISTRY


def axis_of(node, dimension: int):
    """The NXdata axis dataset of ``node``'s dimension ``dimension`` (from the parent's
    ``@axes``), or None."""
    parent = node.parent
    axes = parent.attrs.get("axes")
    if axes is None:
        return None
    if isinstance(axes, (bytes, str)):
        axes = [axes.decode() if isinstance(axes, bytes) else axes]
    names = [a.decode() if isinstance(a, bytes) else str(a) for a in np.atleast_1d(axes)]
    if len(names) == 1 and ":" in names[0]:
        names = names[0].split(":")
    if dimension >= len(names) or names[dimension] in (".", "") or names[dimension] not in parent:
        return None
    return parent[names[dimension]]


def write_result(output_dir: Path, index: int, item: JobInput, suffix: str, *, program: str, params: BaseModel,
                 signal: str, fields: Mapping[str, np.ndarray], axes: Sequence[str], summary: dict,
                 units: Mapping[str, str] | None = None,
                 long_names: Mapping[str, str] | None = None) -> OutputFile:
    """The step's result for input ``index``: one NeXus file in ``output_dir`` (named by
    :func:`output_name` with ``suffix``), ``/entry`` (title, program, input pid,
    parameters) with an NXdata ``/entry/data`` holding ``fields``, ``signal`` plotted
    over ``axes`` by default; and its :class:`OutputFile` (signal, shape, dtype and axes as
    written, with ``summary``), which the job registers."""
    import h5py

    relative = output_name(index, item, suffix)
    with h5py.File(output_dir / relative, "w") as out:
        out.attrs["default"] = "entry"
        entry = out.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.attrs["default"] = "data"
        entry["title"] = f"{program} of {item.name}"
        entry["program_name"] = f"beamhub {program}"
        entry["input_pid"] = item.pid
        entry["input_file"] = item.file
        entry["parameters"] = json.dumps(params.model_dump(mode="json"))
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = signal
        data.attrs["axes"] = list(axes)
        for name, values in fields.items():
            data[name] = values
            if units and name in units:
                data[name].attrs["units"] = units[name]
            if long_names and name in long_names:
                data[name].attrs["long_name"] = long_names[name]
        written = data[signal]
        shape, dtype = list(written.shape), written.dtype.name
    return OutputFile(path=relative, input_pid=item.pid, signal=f"/entry/data/{signal}", shape=shape, dtype=dtype,
                      axes=[f"/entry/data/{a}" for a in axes], summary=summary)
