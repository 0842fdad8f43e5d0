"""Find a NeXus entry's default plottable signal (used by ingestion and previews).

The rules, in order:

1. Follow the ``default`` attribute chain (file -> NXentry -> ... -> NXdata) and take
   that NXdata's ``@signal`` (or, in old files, the dataset whose ``signal``
   attribute is 1), with its ``@axes``.
2. Else the first NXdata group (breadth first, by name) with such a signal.
3. Else the first 1-D or 2-D numeric dataset in the entry (depth first, by name).

A signal must be numeric with at least two values: the scalar placeholders of
template files are not plottable. When a declared signal is a dangling link, that
is an error (:class:`~.hdf.UnreadableFile`), not a reason to show something else.
"""

from __future__ import annotations

from dataclasses import dataclass

import h5py

from .hdf import UnreadableFile, attr_text, get_node, is_numeric, nx_class, text

MAX_DEFAULT_HOPS = 8
MAX_NXDATA_DEPTH = 3


@dataclass(frozen=True)
class Signal:
    """Where a plottable signal is: absolute HDF5 paths of the data and its axes
    (``""`` for a dimension without an axis), its shape and numpy dtype name."""

    path: str
    shape: tuple[int, ...]
    dtype: str
    axes: tuple[str, ...] = ()
    entry: str = ""


def find_signal(f: h5py.File, entry: str = "") -> Signal | None:
    """The default plottable signal of ``entry`` (a root group name; ``""`` for the
    whole file), or ``None`` if it has none."""
    start = f[entry] if entry else f
    group = follow_default(start)
    if group is not None:
        found = nxdata_signal(group, entry)
        if found:
            return found
    for group in nxdata_groups(start):
        found = nxdata_signal(group, entry)
        if found:
            return found
    return first_plottable(start, entry)


def file_signal(f: h5py.File, entries: list[str]) -> Signal | None:
    """The default plottable signal of a whole file: the entry the file's ``default``
    attribute names first, then the other ``entries`` in order."""
    first = attr_text(f, "default")
    ordered = ([first] if first in entries else []) + [e for e in entries if e != first]
    for entry in ordered:
        found = find_signal(f, entry)
        if found is not None:
            return found
    return None


def follow_default(start: h5py.Group) -> h5py.Group | None:
    """The NXdata group the ``default`` attributes lead to from ``start``, if any."""
    group = start
    for _ in range(MAX_DEFAULT_HOPS):
        if nx_class(group) == "NXdata":
            return group
        name = attr_text(group, "default")
        if not name:
            return None
        child = get_node(group, name)
        if not isinstance(child, h5py.Group):
            return None
        group = child
    return None


def nxdata_groups(start: h5py.Group):
    """NXdata groups below ``start``, breadth first, by name, a few levels deep."""
    level = [start]
    for _ in range(MAX_NXDATA_DEPTH):
        following = []
        for group in level:
            for name in group:
                child = get_node(group, name)
                if isinstance(child, h5py.Group):
                    if nx_class(child) == "NXdata":
                        yield child
                    following.append(child)
        level = following


def nxdata_signal(group: h5py.Group, entry: str = "") -> Signal | None:
    """The plottable signal an NXdata group declares, or ``None``."""
    name = attr_text(group, "signal")
    if name is None:
        name = _legacy_signal_name(group)
        if name is None:
            return None
    path = _join(group.name, name)
    if name not in group:
        return None
    node = get_node(group, name)
    if node is None:
        raise UnreadableFile(f"the signal {path} is a dangling link")
    if not plottable(node, min_ndim=1):
        return None
    return Signal(path=path, shape=tuple(int(n) for n in node.shape), dtype=node.dtype.name,
                  axes=tuple(axes_for(group, node)), entry=entry)


def first_plottable(start: h5py.Group, entry: str = "") -> Signal | None:
    """The first 1-D or 2-D numeric dataset below ``start`` (depth first, by name)."""
    found: list[tuple[str, h5py.Dataset]] = []

    def visit(name, node):
        if isinstance(node, h5py.Dataset) and plottable(node, min_ndim=1, max_ndim=2):
            found.append((name, node))
            return True  # stop visiting
        return None

    try:
        start.visititems(visit)
    except (OSError, RuntimeError, KeyError):
        return None
    if not found:
        return None
    name, node = found[0]
    path = _join(start.name, name)
    return Signal(path=path, shape=tuple(int(n) for n in node.shape), dtype=node.dtype.name,
                  axes=("",) * node.ndim, entry=entry)


def plottable(node, min_ndim: int, max_ndim: int = 32) -> bool:
    """A numeric dataset of ``min_ndim`` to ``max_ndim`` dimensions with at least two values."""
    return (is_numeric(node) and min_ndim <= node.ndim <= max_ndim
            and (node.size or 0) >= 2)


def _legacy_signal_name(group: h5py.Group) -> str | None:
    # NeXus before 2014: the signal dataset carries signal=1
    for name in group:
        node = get_node(group, name)
        if isinstance(node, h5py.Dataset) and "signal" in node.attrs:
            value = node.attrs["signal"]
            if text(value) == "1" or (not isinstance(value, (bytes, str)) and _is_one(value)):
                return name
    return None


def _is_one(value) -> bool:
    try:
        return int(value) == 1
    except (TypeError, ValueError):
        return False


def axes_for(group: h5py.Group, signal: h5py.Dataset) -> list[str]:
    """One absolute axis path per signal dimension (``""`` where there is none),
    from the NXdata group's ``@axes`` (or ``AXISNAME_indices``, or the legacy
    ``axes`` attribute of the signal)."""
    ndim = signal.ndim
    names = _axis_names(group, signal)
    axes = [""] * ndim
    if len(names) == ndim:
        for dim, name in enumerate(names):
            axes[dim] = _axis_path(group, name, signal.shape[dim])
    else:
        for name in names:
            indices = group.attrs.get(f"{name}_indices")
            try:
                dims = [int(i) for i in (indices if hasattr(indices, "__len__") else [indices])]
            except (TypeError, ValueError):
                continue
            if len(dims) == 1 and 0 <= dims[0] < ndim:
                axes[dims[0]] = _axis_path(group, name, signal.shape[dims[0]])
    return axes


def _axis_names(group: h5py.Group, signal: h5py.Dataset) -> list[str]:
    raw = group.attrs.get("axes")
    if raw is None:
        raw = signal.attrs.get("axes")  # legacy: "x:y" on the signal
    if raw is None:
        return []
    if isinstance(raw, (bytes, str)) or getattr(raw, "ndim", 1) == 0:
        value = text(raw) or ""
        return [n.strip() for n in value.replace(",", ":").split(":")] if value else []
    return [text(v) or "." for v in raw]


def _axis_path(group: h5py.Group, name: str, length: int) -> str:
    if not name or name == ".":
        return ""
    node = get_node(group, name)
    if isinstance(node, h5py.Dataset) and is_numeric(node) and node.ndim == 1 and node.shape[0] in (length, length + 1):
        return _join(group.name, name)
    return ""


def _join(parent: str, name: str) -> str:
    return name if name.startswith("/") else (parent.rstrip("/") + "/" + name)
