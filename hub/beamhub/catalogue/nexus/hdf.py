"""Safe reading of HDF5 files: opening with clear errors, small values, units, links.

Real facility files are often incomplete: external links and virtual datasets whose
data files were never copied, files truncated by a full disk, files that are not
HDF5 at all. Everything here turns those into an :class:`UnreadableFile` with a
message an operator understands, or into a list of problems, never a crash.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import h5py
import hdf5plugin  # noqa: F401  (registers the compression filters detector data uses)
import numpy as np

from ..errors import CatalogueError

MAX_VALUE_ELEMENTS = 64
"""Datasets larger than this are never read as metadata values."""


class UnreadableFile(CatalogueError):
    """A file (or the part of it asked for) cannot be read: missing, not HDF5,
    truncated, corrupt, or its data behind a dangling link."""

    code = "unreadable_file"
    http_status = 422


def open_h5(path: str | os.PathLike, shown: str | os.PathLike | None = None) -> h5py.File:
    """Open an HDF5 file read-only, or raise :class:`UnreadableFile` saying why (naming the
    file as ``shown``, e.g. the path the user gave rather than where it resolved to).

    File locking is off: files are only read, often on read-only or network storage
    where HDF5's lock fails.
    """
    path, shown = os.fspath(path), os.fspath(shown if shown is not None else path)
    try:
        return h5py.File(path, "r", locking=False)
    except FileNotFoundError:
        raise UnreadableFile(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{shown}: is a directory") from None
    except PermissionError:
        raise UnreadableFile(f"{shown}: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(f"{shown}: {describe_h5_error(exc)}") from None


def stat_file(path: str | os.PathLike, shown: str | os.PathLike | None = None) -> os.stat_result:
    """``os.stat``, or :class:`UnreadableFile` saying why (``shown`` as in :func:`open_h5`)."""
    shown = os.fspath(shown if shown is not None else path)
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile(f"{shown}: no such file") from None
    except OSError as exc:
        raise UnreadableFile(f"{shown}: {exc.strerror}") from None


def describe_h5_error(exc: BaseException) -> str:
    """A short human explanation of an h5py/HDF5 error."""
    text = str(exc)
    if "file signature not found" in text:
        return "not an HDF5 file"
    if "truncated file" in text:
        return f"truncated HDF5 file ({text.split('truncated file:', 1)[1].strip(' )')})"
    if "can't open file" in text or "unable to open external file" in text:
        return "its data is in an external file that is missing (dangling link)"
    if "Can't decompress" in text or "filter" in text.lower():
        return f"compressed data cannot be decoded ({text})"
    return f"corrupt or unreadable HDF5 data ({text})"


# --- values ------------------------------------------------------------------------


def text(value: Any) -> str | None:
    """A str from an HDF5 string attribute or value (bytes, numpy, 1-element arrays)."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace").strip("\x00").strip()
    if isinstance(value, str):
        return value.strip("\x00").strip()
    return None


def attr_text(node: h5py.HLObject, name: str) -> str | None:
    try:
        return text(node.attrs[name]) if name in node.attrs else None
    except (OSError, KeyError, TypeError):
        return None


def nx_class(node: h5py.HLObject) -> str | None:
    return attr_text(node, "NX_class")


def units(node: h5py.HLObject) -> str:
    """The ``units`` attribute, without NeXus's placeholder units (``NX_LENGTH``...)."""
    unit = attr_text(node, "units") or ""
    return "" if unit.startswith("NX_") else unit[:64]


def read_value(node: h5py.Dataset) -> Any:
    """A small dataset's value as plain Python: str, int, float, bool or a list of
    them; ``None`` for anything large, empty or unreadable."""
    try:
        if node.size is None or node.size == 0 or node.size > MAX_VALUE_ELEMENTS:
            return None
        raw = node[()]
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return plain(raw)


def plain(raw: Any) -> Any:
    """numpy/bytes values as JSON-friendly Python values (1-element arrays unwrapped)."""
    if isinstance(raw, np.ndarray):
        if raw.size == 1:
            return plain(raw.reshape(-1)[0])
        return [plain(v) for v in raw.reshape(-1)]
    if isinstance(raw, (bytes, np.bytes_, str)):
        return text(raw)
    if isinstance(raw, (np.bool_, bool)):
        return bool(raw)
    if isinstance(raw, (np.integer, int)):
        return int(raw)
    if isinstance(raw, (np.floating, float)):
        value = float(raw)
        return value if np.isfinite(value) else None
    return None


def get_node(group: h5py.Group, path: str) -> h5py.HLObject | None:
    """``group[path]``, or ``None`` if missing, dangling or unreadable."""
    try:
        return group.get(path)
    except (OSError, KeyError, ValueError, RuntimeError):
        return None


def is_numeric(node: h5py.HLObject) -> bool:
    return isinstance(node, h5py.Dataset) and node.dtype.kind in "iuf"


# --- links and data files ----------------------------------------------------------


def resolve_external(h5_path: str, target_file: str) -> Path | None:
    """Where HDF5 would find an external file named in ``h5_path``, if anywhere.

    Relative names are looked up beside the referring file only: HDF5 would then try
    the current directory, but a file found there belongs to whoever runs the reader,
    not to the data (see :mod:`beamhub.catalogue.files`).
    """
    if target_file in (".", ""):
        return Path(h5_path)
    target = Path(target_file)
    candidate = target if target.is_absolute() else Path(h5_path).parent / target
    return candidate.resolve() if candidate.is_file() else None


def link_problems(f: h5py.File) -> tuple[list[str], list[Path]]:
    """Dangling soft/external links and missing virtual-dataset sources in a file,
    as messages, and the external data files that do exist.

    Uses h5py's low-level visitors: opening every object through the high-level API
    costs more than the rest of the extraction.
    """
    problems: list[str] = []
    found: dict[Path, None] = {}
    links: list[tuple[bytes, int]] = []
    objects: list[bytes] = []
    try:
        f.id.links.visit(lambda name, info: links.append((name, info.type)), info=True)
        h5py.h5o.visit(f.id, lambda name, info: objects.append(name) if info.type == h5py.h5o.TYPE_DATASET
                       else None, info=True)
    except (OSError, RuntimeError, KeyError) as exc:
        problems.append(f"could not list all links: {describe_h5_error(exc)}")
    for raw, kind in links:
        name = raw.decode("utf-8", errors="replace")
        if kind == h5py.h5l.TYPE_EXTERNAL:
            target_file, target_path = (v.decode("utf-8", errors="replace") for v in f.id.links.get_val(raw))
            where = resolve_external(f.filename, target_file)
            if where is None:
                problems.append(f"dangling external link /{name} -> {target_file}:{target_path}")
            else:
                found[where] = None
        elif kind == h5py.h5l.TYPE_SOFT and get_node(f, name) is None:
            problems.append(f"dangling soft link /{name} -> {f.id.links.get_val(raw).decode(errors='replace')}")
    for raw in objects:
        try:
            virtual = h5py.h5d.open(f.id, raw).get_create_plist().get_layout() == h5py.h5d.VIRTUAL
        except (OSError, RuntimeError, KeyError):
            continue
        if virtual:
            name = raw.decode("utf-8", errors="replace")
            for source_file, problem in _virtual_sources(f, f[name]):
                if problem:
                    problems.append(f"/{name}: {problem}")
                elif source_file is not None and source_file != Path(f.filename).resolve():
                    found[source_file] = None
    return list(dict.fromkeys(problems)), list(found)


def _virtual_sources(f: h5py.File, node: h5py.Dataset, frame: int | None = None):
    """(source file, problem) for each source of a virtual dataset, optionally only
    those holding ``frame`` (an index along the first axis)."""
    seen = set()
    for source in node.virtual_sources():
        if frame is not None:
            start, end = source.vspace.get_select_bounds()
            if not start[0] <= frame <= end[0]:
                continue
        key = (source.file_name, source.dset_name)
        if key in seen:
            continue
        seen.add(key)
        if source.file_name == ".":
            target = get_node(f, source.dset_name)
            if target is None:
                yield None, (f"virtual dataset source {source.dset_name} is missing "
                             f"({_link_text(f, source.dset_name)})")
            else:
                yield Path(target.file.filename).resolve(), ""
        else:
            where = resolve_external(f.filename, source.file_name)
            if where is None:
                yield None, f"virtual dataset source file {source.file_name} is missing"
            else:
                yield where, ""


def _link_text(f: h5py.File, name: str) -> str:
    try:
        link = f.get(name, getlink=True)
    except (OSError, KeyError):
        link = None
    if isinstance(link, h5py.ExternalLink):
        return f"dangling external link to {link.filename}:{link.path}"
    if isinstance(link, h5py.SoftLink):
        return f"dangling soft link to {link.path}"
    return "no such object"


def missing_frame_sources(node: h5py.Dataset, frame: int | None = None) -> list[str]:
    """Why the data of a (virtual) dataset, or one frame of it, cannot be read: [] if it can."""
    if not node.is_virtual:
        return []
    return [problem for _, problem in _virtual_sources(node.file, node, frame) if problem]
