"""Build catalogue datasets from extracted records (pure functions, no I/O).

One dataset per NXentry (one per file for plain HDF5). Its pid is derived from the
file's resolved path and the entry name, so the same file and entry always give the
same pid: re-ingesting replaces, never duplicates.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..model import Dataset
from .mapping import Mapping
from ..nexus.read import EntryRecord, FileRecord

DEFAULT_PID_PREFIX = "beamhub"
PID_NAMESPACE = uuid.UUID("6f3b1c2e-8d1a-5e7b-9a41-2c5d0b7e9f10")
"""Fixed forever: changing it would give every ingested dataset a new pid."""

UNKNOWN_BEAMLINE = "unknown"
"""The ``creationLocation`` of datasets whose file and mapping name no beamline."""
MAX_TEXT = 1000
MAX_LIST_TEXT = 200


def dataset_pid(path: str | Path, entry: str, prefix: str = DEFAULT_PID_PREFIX) -> str:
    """``PREFIX/UUID5(resolved path + "#" + entry)``: stable and deterministic."""
    key = f"{Path(path).resolve()}#{entry}"
    return f"{prefix}/{uuid.uuid5(PID_NAMESPACE, key)}"


PROCESSED_DEFINITIONS = frozenset({"NXcanSAS", "NXiqproc", "NXtomoproc", "NXxasproc"})
"""NeXus application definitions of processed (reduced) data: such an entry is a
``derived`` dataset made from the file's other entries (issue 15: the demo's reduced I(q)
showed as raw data with no inputs)."""


def template_variables(record: FileRecord, entry: EntryRecord, root: Path | None,
                       captures: dict[str, str]) -> dict[str, str]:
    """The mapping's placeholders for one entry: path captures and built-ins."""
    relative_dir = ""
    if root is not None:
        try:
            relative_dir = record.path.parent.relative_to(root).as_posix()
        except ValueError:
            relative_dir = ""
    return {**captures, "file": record.path.name, "stem": record.path.stem,
            "entry": entry.name, "dir": "" if relative_dir == "." else relative_dir}


def build_dataset(record: FileRecord, entry: EntryRecord, *, mapping: Mapping | None = None,
                  variables: dict[str, str] | None = None, owner_group: str | None = None,
                  pid_prefix: str = DEFAULT_PID_PREFIX, several_entries: bool = False,
                  default_beamline: str | None = None) -> tuple[Dataset, list[str]]:
    """The catalogue dataset of one entry and warnings about it; :class:`InvalidInput`
    saying what is missing.

    ``owner_group`` overrides the mapping; ``default_beamline`` is used only when
    neither the file nor the mapping names a beamline (else ``"unknown"``, with a
    warning).
    """
    warnings: list[str] = []
    variables = variables or {}
    fields, extra_metadata = mapping.apply(variables, entry.values) if mapping else ({}, {})
    name = record.path.stem + (f" {entry.name}" if several_entries and entry.name else "")
    files = [{"path": str(record.path), "size": record.stat.size, "time": record.stat.mtime}]
    files += [{"path": str(f.path), "size": f.stat.size, "time": f.stat.mtime} for f in record.data_files]
    metadata = {**entry.metadata, **extra_metadata}
    doc: dict[str, Any] = {
        "pid": dataset_pid(record.path, entry.name, pid_prefix),
        "datasetName": name,
        "description": (entry.title or "")[:10_000],
        "type": "raw",
        "ownerGroup": None,
        "creationLocation": entry.beamline,
        "sampleId": entry.sample,
        "techniques": entry.techniques,
        "keywords": [entry.definition] if entry.definition else [],
        "creationTime": entry.start_time or record.stat.mtime,
        "sourceFolder": str(record.path.parent),
        "size": sum(f["size"] for f in files),
        "numberOfFiles": len(files),
        "files": files,
        "signal": _signal(record, entry),
        "scientificMetadata": {k: {"value": _metadata_value(v), "unit": u or ""}
                               for k, (v, u) in metadata.items() if _metadata_value(v) is not None},
    }
    if entry.definition in PROCESSED_DEFINITIONS:  # reduced data beside its raw entries
        doc["type"] = "derived"
        doc["inputDatasets"] = [dataset_pid(record.path, other.name, pid_prefix) for other in record.entries
                                if other.name != entry.name and other.definition not in PROCESSED_DEFINITIONS]
    doc.update(fields)
    if owner_group:
        doc["ownerGroup"] = owner_group
    where = f"{record.path}" + (f" entry {entry.name}" if several_entries else "")
    if not doc.get("ownerGroup"):
        raise InvalidInput(f"{where}: no ownerGroup: give --owner-group, or a mapping that sets "
                           "fields.ownerGroup (every dataset needs a group that may see it)")
    if not doc.get("creationLocation"):
        doc["creationLocation"] = default_beamline or UNKNOWN_BEAMLINE
        if not default_beamline:
            warnings.append(f"{entry.name + ': ' if several_entries else ''}the file names no instrument: "
                            f"beamline set to {UNKNOWN_BEAMLINE!r} (use --beamline or the mapping's "
                            "fields.creationLocation)")
    try:
        return Dataset.parse(doc), warnings
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}", details=exc.details) from None


def _signal(record: FileRecord, entry: EntryRecord) -> dict | None:
    signal = entry.signal
    if signal is None:
        return None
    return {"file": str(record.path), "path": signal.path, "shape": list(signal.shape),
            "dtype": signal.dtype, "axes": list(signal.axes), "entry": signal.entry}


def _metadata_value(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list):
        items = [v[:MAX_LIST_TEXT] if isinstance(v, str) else v for v in value[:64]]
        return items if all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in items) else None
    if isinstance(value, float) and value != value:
        return None
    return value
