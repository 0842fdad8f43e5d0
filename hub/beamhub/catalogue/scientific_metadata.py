"""Scientific metadata in every form SciCat stores it, read as flat named entries.

SciCat's ``scientificMetadata`` is a free-form object (``@Prop({type: Object})`` in its
``dataset.schema.ts``). What facilities and SciCat itself put there:

- ``{"value": 8500, "unit": "MB"}`` and ``{"v": 0.4, "u": "s"}`` (SciCat's test data
  uses both; its ``appendSIUnitToPhysicalQuantity`` takes the key starting with ``v``
  as the value and the one starting with ``u`` as the unit);
- ``valueSI``/``unitSI`` beside them, added by SciCat on write (mathjs units such as
  ``"(kg m^2) / s^2"``);
- ``{"value": [1, 2], "unit": "cm", "type": "quantity_range"}``;
- groups of any of these, nested (``beamlineParameters: {"Ring current": {v, u}}``),
  with plain scalars beside them (``Monostripe: "Ru/C"``, ``Objective: 20``);
- numbers stored as strings (``{"value": "200", "unit": "K"}``, ``"0.25"``);
- keys URL-encoded since SciCat's 2025 migrations (``encodeURIComponent`` plus ``.`` ->
  ``%2E``: ``Ring%20current``, ``sample%2Etemperature``).

:func:`flatten` reads all of them as :class:`Entry` objects named by the dotted path of
their decoded keys (``beamlineParameters.Ring current``, ``sample.temperature``; an
encoded ``.`` is a path separator like a nested group, so both forms of
``sample.temperature`` are one name). :func:`readable` turns them into beamhub's
``{name: {"value", "unit"}}`` for display; :func:`searchable` gives each its comparable
form; :func:`index_key` is the name both a stored entry and a condition map to.

Searching, per entry: numbers (numbers in strings too) in base units with their
dimension (:func:`beamhub.catalogue.units.normalize`), SciCat's ``valueSI``/``unitSI``
used where beamhub does not know the unit; a ``quantity_range`` ``[low, high]`` matches
a condition some value of the range meets (``> x``: high above x; ``< x``: low below x;
``= x``: x within the range).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .units import is_finite_number, normalize

MAX_ENTRIES = 500
"""Entries read from one dataset (the first ones, in document order)."""
MAX_DEPTH = 8
"""Nesting levels followed; deeper groups are shown as JSON text."""
MAX_NAME = 256
MAX_TEXT = 1000
MAX_LIST = 64

RANGE = "quantity_range"

_NUMBER = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")
_INTEGER = re.compile(r"^\s*[+-]?\d{1,18}\s*$")
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_-]")
KEY_SEPARATOR = ":"


def decode_key(key: str) -> str:
    """A key as SciCat decodes it (``decodeURIComponent``, then ``%2E`` -> ``.``)."""
    if "%" not in key:
        return key
    try:
        return unquote(key, errors="strict")
    except UnicodeDecodeError:
        return key


@dataclass(frozen=True)
class Entry:
    """One scientific-metadata value at ``path`` (decoded keys)."""

    path: tuple[str, ...]
    value: Any
    unit: str = ""
    value_si: Any = None
    unit_si: str = ""
    is_range: bool = False

    @property
    def name(self) -> str:
        return ".".join(self.path)[:MAX_NAME]


def flatten(metadata: Any) -> list[Entry]:
    """Every entry of a ``scientificMetadata`` object, in document order (at most 500)."""
    out: list[Entry] = []
    if isinstance(metadata, dict):
        _walk(metadata, (), out, 0)
    return out


def _walk(group: dict, path: tuple[str, ...], out: list[Entry], depth: int) -> None:
    for key, item in group.items():
        if len(out) >= MAX_ENTRIES:
            return
        here = path + tuple(decode_key(str(key)).split("."))
        if isinstance(item, dict):
            quantity = _quantity(here, item)
            if quantity is not None:
                out.append(quantity)
            elif depth < MAX_DEPTH:
                _walk(item, here, out, depth + 1)
            elif item:
                out.append(Entry(here, item))
        elif item is not None:
            out.append(Entry(here, item))


def _quantity(path: tuple[str, ...], item: dict) -> Entry | None:
    """``{value|v, unit|u, valueSI, unitSI, type}`` as an entry; None for a group."""
    if "value" in item:
        value, unit = item["value"], item.get("unit", item.get("u"))
    elif "v" in item:
        value, unit = item["v"], item.get("u", item.get("unit"))
    else:
        return None
    unit = unit if isinstance(unit, str) else ""
    unit_si = item.get("unitSI") if isinstance(item.get("unitSI"), str) else ""
    is_range = item.get("type") == RANGE and _pair(value) is not None
    return Entry(path, value, unit, item.get("valueSI"), unit_si, is_range)


def number(value: Any) -> int | float | None:
    """A finite number, or a string holding one (SciCat stores many so); else None."""
    if is_finite_number(value):
        return value
    if isinstance(value, str) and len(value) <= 100 and _NUMBER.match(value):
        parsed = int(value) if _INTEGER.match(value) else float(value)
        return parsed if math.isfinite(parsed) else None
    return None


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list) and len(value) == 2:
        low, high = number(value[0]), number(value[1])
        if low is not None and high is not None:
            return (low, high) if low <= high else (high, low)
    return None


# --- display -----------------------------------------------------------------------


def display_value(value: Any) -> Any:
    """What beamhub's ``{value, unit}`` can hold: scalars and short lists of scalars as
    they are, anything else as its JSON text (cut to 1000 characters)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list) and len(value) <= MAX_LIST and all(
            isinstance(v, (int, float, str)) and not isinstance(v, bool) and
            (not isinstance(v, float) or math.isfinite(v)) and (not isinstance(v, str) or len(v) <= 200)
            for v in value):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)[:MAX_TEXT]


def readable(metadata: Any) -> dict[str, dict]:
    """``{dotted name: {"value", "unit"}}`` for every entry (see :func:`flatten`)."""
    out: dict[str, dict] = {}
    for entry in flatten(metadata):
        name = entry.name or "_"
        if name in out:
            n = 2
            while f"{name} #{n}" in out:
                n += 1
            name = f"{name} #{n}"
        out[name] = {"value": display_value(entry.value), "unit": entry.unit[:64]}
    return out


# --- search ------------------------------------------------------------------------


def index_key(name_or_path: str | tuple[str, ...]) -> str:
    """The stored key of an entry or of a condition's name: decoded segments with every
    character but letters, digits, ``_`` and ``-`` made ``_``, joined by ``:``.

    ``beamlineParameters.Ring current``, ``beamlineParameters.Ring%20current`` and
    ``beamlineParameters.Ring_current`` are one key; a plain name (``temperature``) is
    its own key.
    """
    if isinstance(name_or_path, str):
        segments = decode_key(name_or_path).split(".")
    else:
        segments = list(name_or_path)
    return KEY_SEPARATOR.join(_KEY_CHARS.sub("_", s) or "_" for s in segments)[:MAX_NAME]


def _base(value: float, unit: str, value_si: Any, unit_si: str) -> tuple[float, str]:
    """(value in base units, dimension), through SciCat's SI value if beamhub cannot."""
    try:
        base, dimension = normalize(value, unit)
    except Exception:  # a unit the unit parser refuses: compared as its literal string
        base, dimension = float(value), "unit:" + unit
    if dimension.startswith("unit:") and unit_si and number(value_si) is not None:
        try:
            si_base, si_dimension = normalize(number(value_si), unit_si)
        except Exception:
            return base, dimension
        if not si_dimension.startswith("unit:"):
            return si_base, si_dimension
    return base, dimension


def searchable(entry: Entry) -> dict | None:
    """The comparable form of an entry, or None (lists, objects).

    ``{v, w, d, r, x}`` for numbers and ranges: low and high in base units, their
    dimension, low and high as stored; ``s`` for strings (lower case), ``b`` for booleans.
    A number stored as a string has both ``s`` and the numeric fields.
    """
    value = entry.value
    if isinstance(value, bool):
        return {"b": value}
    if entry.is_range:
        low, high = _pair(value)
        si = _pair(entry.value_si) or (None, None)
        base_low, dimension = _base(low, entry.unit, si[0], entry.unit_si)
        base_high, high_dimension = _base(high, entry.unit, si[1], entry.unit_si)
        if high_dimension != dimension:
            return None
        return {"v": base_low, "w": base_high, "d": dimension, "r": low, "x": high}
    found = number(value)
    if found is not None:
        base, dimension = _base(found, entry.unit, entry.value_si, entry.unit_si)
        out: dict[str, Any] = {"v": base, "w": base, "d": dimension, "r": found, "x": found}
        if isinstance(value, str):
            out["s"] = value.strip().lower()
        return out
    if isinstance(value, str):
        return {"s": value.lower()[:MAX_TEXT]}
    return None


def index(metadata: Any) -> dict[str, dict]:
    """``{index_key: searchable}`` of every searchable entry (the first of a key wins)."""
    out: dict[str, dict] = {}
    for entry in flatten(metadata):
        key = index_key(entry.path)
        if key in out:
            continue
        found = searchable(entry)
        if found is not None:
            out[key] = found
    return out


def text_parts(metadata: Any) -> list[str]:
    """The words free text finds a dataset by: entry names and string values."""
    parts: list[str] = []
    for entry in flatten(metadata):
        parts.append(entry.name)
        if isinstance(entry.value, str):
            parts.append(entry.value)
    return parts
