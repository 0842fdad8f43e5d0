"""Read one NeXus or plain HDF5 file into an extracted record, one per NXentry.

What is read (all optional; a file may lack any of it):

- per entry: ``title``, ``start_time``/``end_time``, ``definition`` (and those of
  its NXsubentry groups) mapped to techniques, the instrument's name and the
  beamline (the instrument's ``short_name``, else its name, as a lower-case slug),
  the sample's ``name``, the default plottable signal (:mod:`.signal`), scientific
  metadata (:mod:`.metadata`) and the values a mapping asks for;
- per file: its size and modification time, the external data files its links and
  virtual datasets use, and the links that dangle (as warnings).

A plain HDF5 file without NXentry groups gives one record with entry name ``""``.
Only metadata and two values of each scan axis are read, never detector data.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import h5py

from .hdf import (
    UnreadableFile,
    attr_text,
    describe_h5_error,
    get_node,
    link_problems,
    nx_class,
    open_h5,
    plain,
    read_value,
    text,
    units,
)
from .metadata import axis_range, canonical_unit, scientific_metadata
from .signal import Signal, find_signal
from .techniques import technique_for

REF_PATTERN = re.compile(r"^(?P<path>/?[^@\s]+?)?(?:@(?P<attr>[A-Za-z_][A-Za-z0-9_.-]*))?$")


@dataclass(frozen=True)
class FileStat:
    """Size and modification time (to the millisecond, as every store keeps it)."""

    size: int
    mtime: datetime

    @classmethod
    def of(cls, path: str | os.PathLike) -> "FileStat":
        st = os.stat(path)
        mtime = datetime.fromtimestamp(st.st_mtime_ns // 1_000_000 / 1000, tz=timezone.utc)
        return cls(size=st.st_size, mtime=mtime)


@dataclass
class EntryRecord:
    name: str
    definition: str | None = None
    techniques: list[str] = field(default_factory=list)
    title: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    instrument: str | None = None
    beamline: str | None = None
    sample: str | None = None
    signal: Signal | None = None
    metadata: dict[str, tuple[Any, str]] = field(default_factory=dict)
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    """``{ref: (value, unit)}`` for the mapping's ``from`` references found here."""
    warnings: list[str] = field(default_factory=list)


@dataclass
class DataFileRecord:
    path: Path
    stat: FileStat


@dataclass
class FileRecord:
    path: Path
    stat: FileStat
    entries: list[EntryRecord]
    data_files: list[DataFileRecord] = field(default_factory=list)
    """External files holding part of the data (existing ones only)."""
    warnings: list[str] = field(default_factory=list)


# --- the file ----------------------------------------------------------------------


def entry_names(f: h5py.File) -> list[str]:
    """The NXentry groups at the root, by name; ``[""]`` for a plain HDF5 file."""
    names = []
    for name in f:
        node = get_node(f, name)
        if isinstance(node, h5py.Group) and nx_class(node) == "NXentry":
            names.append(name)
    return sorted(names) or [""]


def read_file(path: str | os.PathLike, refs: Iterable[str] = ()) -> FileRecord:
    """Open and read a file; :class:`~.hdf.UnreadableFile` if it cannot be read."""
    path = Path(path).absolute()
    stat = FileStat.of(path)
    with open_h5(path) as f:
        return read_open_file(f, path, stat, refs)


def read_open_file(f: h5py.File, path: Path, stat: FileStat, refs: Iterable[str] = ()) -> FileRecord:
    refs = list(refs)
    try:
        problems, external = link_problems(f)
        entries = [read_entry(f, name, refs) for name in entry_names(f)]
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        raise UnreadableFile(f"{path}: {describe_h5_error(exc)}") from None
    data_files = [DataFileRecord(p, FileStat.of(p)) for p in external]
    return FileRecord(path=path, stat=stat, entries=entries, data_files=data_files, warnings=problems)


# --- one entry ---------------------------------------------------------------------


def read_entry(f: h5py.File, name: str, refs: Iterable[str] = ()) -> EntryRecord:
    group = f[name] if name else f
    classes = groups_by_class(group)
    record = EntryRecord(name=name)
    record.title = _text_field(group, "title")
    record.definition = _text_field(group, "definition")
    definitions = [record.definition] + [_text_field(g, "definition") for g in classes.get("NXsubentry", ())]
    record.techniques = list(dict.fromkeys(t for t in map(technique_for, definitions) if t))
    record.start_time = parse_time(_text_field(group, "start_time"))
    record.end_time = parse_time(_text_field(group, "end_time"))
    if record.start_time is None and not name:
        record.start_time = parse_time(attr_text(f, "file_time"))
    record.instrument, record.beamline = _instrument(classes.get("NXinstrument", ()))
    record.sample = _sample_name(classes.get("NXsample", ()))
    try:
        record.signal = find_signal(f, name)
    except UnreadableFile as exc:
        record.warnings.append(f"no preview: {exc.message}")
    record.metadata = scientific_metadata(classes)
    record.metadata.update(_scan_metadata(f, record))
    for ref in refs:
        value, unit = resolve_ref(f, name, ref)
        if value is not None:
            record.values[ref] = (value, unit)
    return record


def groups_by_class(group: h5py.Group) -> dict[str, list[h5py.Group]]:
    """Groups below ``group`` by ``NX_class``, nearest first, then by name."""
    names: list[str] = []
    # the low-level visitor lists groups without opening every dataset on the way
    h5py.h5o.visit(group.id, lambda name, info: names.append(name.decode("utf-8", errors="replace"))
                   if info.type == h5py.h5o.TYPE_GROUP and name != b"." else None, info=True)
    out: dict[str, list[h5py.Group]] = defaultdict(list)
    for name in sorted(names, key=lambda n: (n.count("/"), n)):
        node = get_node(group, name)
        cls = nx_class(node) if node is not None else None
        if cls:
            out[cls].append(node)
    return out


def _text_field(group: h5py.Group, name: str) -> str | None:
    node = get_node(group, name)
    if not isinstance(node, h5py.Dataset):
        return None
    value = read_value(node)
    return value if isinstance(value, str) and value else None


def _instrument(instruments) -> tuple[str | None, str | None]:
    for instrument in instruments:
        name_node = get_node(instrument, "name")
        name = _text_field(instrument, "name")
        short = (attr_text(name_node, "short_name") if name_node is not None else None) \
            or attr_text(instrument, "short_name")
        beamline = slug(short or name or "")
        if name or short:
            return name or short, beamline or None
    return None, None


def _sample_name(samples) -> str | None:
    for sample in samples:
        for field_name in ("name", "sample_name", "short_title"):
            value = _text_field(sample, field_name)
            if value:
                return value[:200]
    return None


def _scan_metadata(f: h5py.File, record: EntryRecord) -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    if record.start_time:
        out["start_time"] = (record.start_time.isoformat(), "")
    if record.end_time:
        out["end_time"] = (record.end_time.isoformat(), "")
    if record.start_time and record.end_time and record.end_time >= record.start_time:
        out["duration"] = ((record.end_time - record.start_time).total_seconds(), "s")
    if record.definition:
        out["definition"] = (record.definition, "")
    if record.instrument:
        out["instrument"] = (record.instrument[:1000], "")
    signal = record.signal
    if signal is not None:
        if len(signal.shape) >= 3:
            out["number_of_frames"] = (signal.shape[0], "")
        if signal.axes and signal.axes[0]:
            found = axis_range(f, signal.axes[0])
            if found:
                axis, first, last, unit = found
                out["scan_axis"] = (axis, "")
                out["scan_start"] = (first, unit)
                out["scan_end"] = (last, unit)
    return out


# --- values the mapping asks for ---------------------------------------------------


def parse_ref(ref: str) -> tuple[str, str | None]:
    """Split ``"entry/instrument/name@short_name"`` into path and attribute.

    ``entry/...`` is relative to the entry being read, ``/...`` absolute in the
    file; ``@attr`` alone is an attribute of the entry. ``ValueError`` if malformed.
    """
    match = REF_PATTERN.match(ref.strip()) if isinstance(ref, str) else None
    if not match or not (match["path"] or match["attr"]):
        raise ValueError(f"{ref!r} is not an HDF5 path like entry/instrument/name or entry/instrument@short_name")
    path = match["path"] or "entry"
    if not path.startswith("/") and path.split("/", 1)[0] != "entry":
        raise ValueError(f"{ref!r}: start with 'entry/' (the entry being ingested) or '/' (absolute)")
    if "//" in path or path.endswith("/") and path != "/":
        raise ValueError(f"{ref!r}: empty path segment")
    return path, match["attr"]


def resolve_ref(f: h5py.File, entry: str, ref: str) -> tuple[Any, str]:
    """``(value, unit)`` a reference points to in ``entry``; value ``None`` if absent."""
    path, attr = parse_ref(ref)
    if not path.startswith("/"):
        rest = path[len("entry"):].lstrip("/")
        path = "/" + "/".join(p for p in (entry, rest) if p)
    node = get_node(f, path)
    if node is None:
        return None, ""
    if attr:
        try:
            return (plain(node.attrs[attr]) if attr in node.attrs else None), ""
        except (OSError, TypeError):
            return None, ""
    if not isinstance(node, h5py.Dataset):
        return None, ""
    return read_value(node), canonical_unit(units(node))


# --- small helpers -----------------------------------------------------------------


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time; times without a zone are taken as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


_SLUG = re.compile(r"[^a-z0-9._-]+")


def slug(value: str) -> str:
    """A catalogue name from free text: ``"I04"`` -> ``"i04"``,
    ``"APS 9-ID-C USAXS"`` -> ``"aps-9-id-c-usaxs"``."""
    out = _SLUG.sub("-", (text(value) or "").lower()).strip("-._")
    return out[:128].rstrip("-._")
