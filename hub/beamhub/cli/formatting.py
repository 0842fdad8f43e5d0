"""How the command line shows the catalogue to people: tables, one dataset's details,
sizes and metadata values. (``--json`` prints the catalogue's own models instead.)"""

from __future__ import annotations

import json
import shutil
from datetime import timezone

NAME_WIDTH = 40
"""Longest dataset name shown in a table on a terminal (longer ones end in '...')."""


def dataset_table(datasets, fit: bool = False) -> str:
    """A plain-text table of datasets; ``fit`` shortens names to the terminal's width."""
    headers = ["PID", "NAME", "BEAMLINE", "PROPOSAL", "TECHNIQUES", "TYPE", "CREATED (UTC)", "SIZE", "VOTES"]
    rows = [[d.pid, d.datasetName, d.creationLocation or "-", ",".join(d.proposals) or "-",
             ",".join(d.technique_names) or "-",
             d.type, d.creationTime.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M"), human_bytes(d.size),
             f"+{d.likes}/-{d.dislikes}"] for d in datasets]
    if fit:
        others = sum(max(len(h), *(len(r[i]) for r in rows)) + 2 for i, h in enumerate(headers) if i != 1) \
            if rows else 0
        room = max(NAME_WIDTH // 2, shutil.get_terminal_size().columns - others)
        for row in rows:
            row[1] = shorten(row[1], min(room, NAME_WIDTH))
    return format_table(headers, rows)


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in [headers, *rows]]
    return "\n".join(lines)


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 3)] + "..."


def facet_lines(facets: dict) -> str:
    lines = []
    for name, counts in facets.items():
        values = ", ".join(f"{c.value} ({c.count})" for c in counts) or "-"
        lines.append(f"{name + ':':<11} {values}")
    return "\n".join(lines)


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("not reached")


def dataset_details(d, derived: list[str] = ()) -> str:
    """A dataset as ``field  value`` lines, scientific metadata and lineage last."""
    access = ", ".join(d.accessGroups) or "-"
    fields = [
        ("pid", d.pid), ("name", d.datasetName), ("type", d.type), ("beamline", d.creationLocation or "-"),
        ("proposal", ", ".join(d.proposals) or "-"),
        ("sample", ", ".join(dict.fromkeys([*([d.sampleId] if d.sampleId else []), *d.sampleIds])) or "-"),
        ("techniques", ", ".join(d.technique_names) or "-"),
        ("created", d.creationTime.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("owner", f"{d.owner or '-'} (group {d.ownerGroup}; access groups {access})"),
        ("published", "yes" if d.isPublished else "no"),
        ("size", f"{human_bytes(d.size)} in {d.numberOfFiles} file{'s' if d.numberOfFiles != 1 else ''}"),
        ("folder", d.sourceFolder or "-"), ("keywords", ", ".join(d.keywords) or "-"),
        ("votes", f"{d.likes} like{'s' if d.likes != 1 else ''}, {d.dislikes} dislike{'s' if d.dislikes != 1 else ''}"),
    ]
    if d.signal is not None:
        shape = " x ".join(str(n) for n in d.signal.shape)
        axes = ", ".join(a.rsplit("/", 1)[-1] for a in d.signal.axes if a) or "none"
        fields.append(("signal", f"{d.signal.path} ({shape} {d.signal.dtype}; axes {axes})"))
        fields.append(("file", d.signal.file))
    instruments = list(dict.fromkeys([*([d.instrumentId] if d.instrumentId else []), *d.instrumentIds]))
    if instruments:
        fields.append(("instrument", ", ".join(instruments)))
    if d.description:
        fields.append(("description", " ".join(d.description.split())))
    lines = [f"{name:<12} {value}" for name, value in fields]
    if d.scientificMetadata:
        lines.append("scientific metadata:")
        width = max(len(name) for name in d.scientificMetadata)
        for name, entry in d.scientificMetadata.items():  # SciCat's order: a group's entries together
            lines.append(f"  {name:<{width}}  {metadata_text(entry.value, entry.unit)}")
    if d.jobParameters:
        lines.append(f"job parameters: {json.dumps(d.jobParameters, sort_keys=True)}")
    if d.inputDatasets:
        lines.append("derived from: " + ", ".join(d.inputDatasets))
    if derived:
        lines.append("derived datasets: " + ", ".join(derived))
    return "\n".join(lines)


def metadata_text(value, unit: str = "") -> str:
    """One scientific-metadata value for people: ``0.4 s``, ``1 .. 2 cm`` (a range or a
    pair), ``2, 2`` (a list)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = " .. ".join(str(v) for v in value) if len(value) == 2 else ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return f"{text} {unit}" if unit else text
