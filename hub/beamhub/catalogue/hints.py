"""Why a search found nothing, and which metadata fields a user's datasets have.

Pure builders over datasets and queries (the service fetches the datasets and runs the
counts): :func:`summarise_fields` describes the scientific-metadata fields of the
datasets a caller may see (name, how many datasets have it, the kinds of value, each
unit with its count and value range), which the panel offers as autocomplete for
conditions; :func:`explain` turns an empty answer into hints that name what no visible
dataset has: a term with no word in it, a word no dataset has, a field name (with the
nearest names that exist), or a unit (unknown, of another kind than the field's, or
missing where the field has one).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from typing import Callable, Iterable

from .model import Dataset
from .model import Proposal
from .query import FieldList, FieldUnit, MetadataField, ProposalMatch, SearchHint, SearchQuery
from .scientific_metadata import flatten, number
from .text import parse_text_query, words
from .units import normalize

MAX_FIELDS = 500
"""The field list names at most this many fields, the most common first."""


FieldEntry = tuple[str, str, str | None, float | None, float | None]
"""One field of one dataset: (name, kind, unit, low, high); kind is boolean, string,
number or '' (none of those); low/high only for numbers."""


def field_entries(dataset: Dataset) -> tuple[FieldEntry, ...]:
    """The scientific-metadata fields of one dataset, each name once: what
    :func:`summarise_entries` counts (small enough to keep for many datasets)."""
    entries: list[FieldEntry] = []
    seen: set[str] = set()
    metadata = dataset.model_dump(include={"scientificMetadata"}, mode="json").get("scientificMetadata")
    for entry in flatten(metadata):
        name = entry.name
        if name in seen:
            continue
        seen.add(name)
        value = entry.value
        if isinstance(value, bool):
            entries.append((name, "boolean", None, None, None))
            continue
        low = high = number(value)
        if entry.is_range and isinstance(value, list) and len(value) == 2:
            low, high = number(value[0]), number(value[1])
        if low is None or high is None:
            entries.append((name, "string" if isinstance(value, str) else "", None, None, None))
            continue
        entries.append((name, "number", entry.unit, low, high))
    return tuple(entries)


def summarise_fields(datasets: Iterable[Dataset], *, complete: bool) -> FieldList:
    """The metadata fields of ``datasets`` (the caller's visible ones, or the newest of
    them when ``complete`` is false)."""
    return summarise_entries((field_entries(dataset) for dataset in datasets), complete=complete)


def summarise_entries(datasets: Iterable[tuple[FieldEntry, ...]], *, complete: bool) -> FieldList:
    """:func:`summarise_fields` over datasets' :func:`field_entries`."""
    counts: dict[str, int] = defaultdict(int)
    kinds: dict[str, set[str]] = defaultdict(set)
    units: dict[str, dict[str, list]] = defaultdict(dict)
    scanned = 0
    for entries in datasets:
        scanned += 1
        for name, kind, unit, low, high in entries:
            counts[name] += 1
            if kind != "number":
                if kind:
                    kinds[name].add(kind)
                continue
            kinds[name].add("number")
            stats = units[name].setdefault(unit, [0, low, high])
            stats[0] += 1
            stats[1], stats[2] = min(stats[1], low), max(stats[2], high)
    fields = [
        MetadataField(name=name, count=count, kinds=sorted(kinds[name]),
                      units=[FieldUnit(unit=unit, count=n, min=low, max=high)
                             for unit, (n, low, high) in sorted(units[name].items(), key=lambda u: (-u[1][0], u[0]))])
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_FIELDS]
    ]
    return FieldList(fields=fields, scanned=scanned, complete=complete)


def _dimension(unit: str) -> str:
    return normalize(1.0, unit)[1]


def _known(unit: str) -> bool:
    return not _dimension(unit).startswith("unit:")


def _nearest(name: str, names: list[str]) -> list[str]:
    """Names holding ``name`` or holding a part of it (``energy`` -> ``incident_energy``),
    then close spellings."""
    low = name.lower()
    parts = [p for p in low.replace(".", "_").split("_") if len(p) > 2]
    holding = [n for n in names if low in n.lower()]
    sharing = [n for n in names if n not in holding and any(p in n.lower() for p in parts)]
    close = [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if n not in holding + sharing]
    return (holding + sharing + close)[:5]


def explain(query: SearchQuery, fields: FieldList, count_text: Callable[[str], int]) -> list[SearchHint]:
    """Hints for a search that found nothing; ``count_text(text)`` is how many visible
    datasets a text alone finds (called once per word, at most 16 times)."""
    hints: list[SearchHint] = []
    where = "you may see" if fields.complete else f"among the newest {fields.scanned} you may see"
    text = parse_text_query(query.text)
    for term in text.unmatchable:
        hints.append(SearchHint(kind="text", term=term,
                                message=f"'{term}' holds no letter or digit, so no dataset can match it: "
                                        "remove it (the search has no wildcards or operators)"))
    chunks = query.text.split()
    open_end = not query.text[-1:].isspace()
    for i, chunk in enumerate(chunks):
        if chunk in text.unmatchable:
            continue
        probe = chunk if i == len(chunks) - 1 and open_end else chunk + " "  # the prefix being typed
        if count_text(probe) == 0:
            hints.append(SearchHint(kind="text", term=chunk,
                                    message=f"no dataset you may see has the word '{chunk}'"))
    by_name = {field.name: field for field in fields.fields}
    names = list(by_name)
    for condition in query.conditions:
        field = by_name.get(condition.name)
        if field is None:
            near = _nearest(condition.name, names)
            also = f"; did you mean {', '.join(near)}?" if near else ""
            hints.append(SearchHint(kind="field", term=condition.name, suggestions=near,
                                    message=f"no dataset {where} has a field '{condition.name}'{also}"))
            continue
        if not condition.numeric:
            continue
        if "number" not in field.kinds:
            hints.append(SearchHint(kind="field", term=condition.name,
                                    message=f"'{condition.name}' holds {' or '.join(field.kinds)} values, "
                                            f"not numbers: compare it with = or !="))
            continue
        stored = [u.unit for u in field.units]
        if condition.unit and not _known(condition.unit) and condition.unit not in stored:
            hints.append(SearchHint(kind="unit", term=condition.unit, suggestions=stored,
                                    message=f"beamhub does not know the unit '{condition.unit}', so it only "
                                            f"matches values written with it; '{condition.name}' is given in "
                                            f"{', '.join(u or '(no unit)' for u in stored)}"))
            continue
        wanted = _dimension(condition.unit)
        if not any(_dimension(u) == wanted for u in stored):
            shown = ", ".join(u or "(no unit)" for u in stored)
            message = (f"'{condition.name}' is given in {shown}, " +
                       (f"which '{condition.unit}' cannot be converted to" if condition.unit
                        else f"so the condition needs a unit, e.g. '{condition.name} {condition.op} "
                             f"{condition.value} {stored[0]}'"))
            hints.append(SearchHint(kind="unit", term=condition.unit or condition.name, suggestions=stored,
                                    message=message))
    return hints


MAX_PROPOSALS = 10


def matching_proposals(text: str, proposals: Iterable[Proposal]) -> list[ProposalMatch]:
    """The proposals whose title or id holds every word of ``text`` (the last one as a
    prefix while typing), by the same rule as datasets' words: "nanoparticle" finds the
    proposal titled "Silica nanoparticles growth" though no dataset says so."""
    query = parse_text_query(text)
    if query.empty or query.unmatchable:
        return []
    found = []
    for proposal in proposals:
        have = set(words(f"{proposal.title} {proposal.proposalId}"))
        if set(query.whole) <= have and (query.prefix is None or any(w.startswith(query.prefix) for w in have)):
            found.append(ProposalMatch(proposalId=proposal.proposalId, title=proposal.title))
    return found[:MAX_PROPOSALS]
