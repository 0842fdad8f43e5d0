"""Units of scientific metadata: values are compared in base units where pint knows them.

A stored ``{"value": 20, "unit": "degC"}`` is kept as is and also as
``(293.15, "[temperature]")``; a condition ``temperature > 290 K`` is normalised the same
way and compared only with values of the same dimension. Unknown units compare only
with the identical unit string.
"""

from __future__ import annotations

import functools
import math

from .errors import InvalidInput


@functools.cache
def _registry():
    import pint  # imported lazily: building the registry costs a few hundred ms

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


@functools.lru_cache(maxsize=4096)
def _factor(unit: str):
    """(scale, offset, dimension) turning ``value * unit`` into base units, or None."""
    if not unit:
        return (1.0, 0.0, "")
    ureg = _registry()
    try:
        zero = ureg.Quantity(0.0, unit).to_base_units()
        one = ureg.Quantity(1.0, unit).to_base_units()
    except Exception:  # pint raises a variety of errors for unknown units
        return None
    offset = float(zero.magnitude)
    return (float(one.magnitude) - offset, offset, str(one.dimensionality))


SIGNIFICANT_DIGITS = 12


def normalize(value: float, unit: str) -> tuple[float, str]:
    """``(value in base units, dimension)``; dimension is ``"unit:<unit>"`` if unknown.

    The value is rounded to 12 significant digits so that the same quantity written in
    two units compares equal (``20 degC`` and ``293.15 K``) despite binary rounding.
    """
    unit = (unit or "").strip()
    factor = _factor(unit)
    if factor is None:
        return (round_significant(float(value)), "unit:" + unit)
    scale, offset, dimension = factor
    return (round_significant(float(value) * scale + offset), dimension)


def round_significant(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def check_unit(unit: str) -> None:
    """Accept any unit pint knows, and any other plain unit string (compared literally)."""
    if len(unit) > 64 or any(c in unit for c in "${}\x00"):
        raise InvalidInput(f"invalid unit {unit!r}")


def is_finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
