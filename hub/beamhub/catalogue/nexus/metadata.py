"""Scientific metadata worth searching, found by NeXus class rather than by path.

Each rule names a catalogue metadata entry, the NeXus base classes to look in and the
field names to try there (first found wins). Groups are looked up by their
``NX_class`` anywhere in the entry, nearest first, so ``entry/instrument/mono`` and
``entry/instrument/monochromator`` both work. Values keep the unit of the file's
``units`` attribute (a few spellings pint does not know are normalised, and NeXus's
``NX_...`` placeholder units dropped). Numeric arrays give their mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import h5py
import numpy as np

from .hdf import get_node, read_value, units

RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("temperature", ("NXsample",), ("temperature",)),
    ("chemical_formula", ("NXsample",), ("chemical_formula",)),
    ("sample_description", ("NXsample",), ("description",)),
    ("incident_energy", ("NXmonochromator", "NXbeam"), ("energy", "incident_energy")),
    ("incident_wavelength", ("NXbeam", "NXmonochromator"), ("incident_wavelength", "wavelength")),
    ("exposure_time", ("NXdetector",), ("count_time", "exposure_time")),
    ("frame_time", ("NXdetector",), ("frame_time",)),
    ("detector_distance", ("NXdetector",), ("distance", "detector_distance")),
    ("beam_center_x", ("NXdetector",), ("beam_center_x",)),
    ("beam_center_y", ("NXdetector",), ("beam_center_y",)),
    ("pixel_size", ("NXdetector",), ("x_pixel_size",)),
    ("detector", ("NXdetector",), ("description", "local_name")),
    ("sensor_material", ("NXdetector",), ("sensor_material",)),
    ("source", ("NXsource",), ("name",)),
    ("probe", ("NXsource",), ("probe",)),
    ("ring_current", ("NXsource",), ("current",)),
    ("flux", ("NXbeam",), ("total_flux", "flux")),
    ("transmission", ("NXattenuator",), ("attenuator_transmission",)),
)

UNIT_ALIASES = {
    "Angstrom": "angstrom", "Angstroms": "angstrom", "Ang": "angstrom", "A": "angstrom",
    "1/A": "1/angstrom", "1/Angstrom": "1/angstrom", "A^-1": "1/angstrom",
    "degrees": "degree", "Celsius": "degC", "celsius": "degC", "C": "degC",
    "seconds": "s", "sec": "s", "milliseconds": "ms",
}
"""Unit spellings found in NeXus files, in pint's words. NeXus writes ``A`` for
Ångström (never ampere) in wavelength and q units."""

MAX_TEXT = 1000


def canonical_unit(unit: str) -> str:
    return UNIT_ALIASES.get(unit.strip(), unit.strip())


def scientific_metadata(classes: Mapping[str, Sequence[h5py.Group]]) -> dict[str, tuple[object, str]]:
    """``{name: (value, unit)}`` for every rule that finds a value."""
    found: dict[str, tuple[object, str]] = {}
    for name, nx_classes, fields in RULES:
        value = _first(classes, nx_classes, fields)
        if value is not None:
            found[name] = value
    return found


def _first(classes, nx_classes, fields):
    for nx_class in nx_classes:
        for group in classes.get(nx_class, ()):
            for field in fields:
                node = get_node(group, field)
                if isinstance(node, h5py.Dataset):
                    value = scalar(read_value(node))
                    if value is not None:
                        return value, canonical_unit(units(node)) if not isinstance(value, str) else ""
    return None


def scalar(value):
    """A metadata value from a dataset's value: numbers, short text; arrays' mean."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return value[:MAX_TEXT] if value else None
    numbers = isinstance(value, list) and value and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if numbers:
        mean = float(np.mean(value))
        return mean if np.isfinite(mean) else None
    return None


def axis_range(f: h5py.File, axis_path: str) -> tuple[str, float, float, str] | None:
    """(axis name, first, last value, unit) of a scan axis, reading at most two values."""
    node = get_node(f, axis_path) if axis_path else None
    if not isinstance(node, h5py.Dataset) or node.ndim != 1 or node.shape[0] < 2:
        return None
    try:
        first, last = float(node[0]), float(node[-1])
    except (OSError, ValueError, TypeError):
        return None
    if not (np.isfinite(first) and np.isfinite(last)):
        return None
    return axis_path.rsplit("/", 1)[-1], first, last, canonical_unit(units(node))
