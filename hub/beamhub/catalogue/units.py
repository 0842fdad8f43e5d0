"""Units of scientific metadata: values are compared in base units where pint knows them.

A stored ``{"value": 20, "unit": "degC"}`` is kept as is and also as
``(293.15, "[temperature]")``; a condition ``temperature > 290 K`` is normalised the same
way and compared only with values of the same dimension. Unknown units compare only
with the identical unit string.

pint evaluates a unit as an arithmetic expression (``9**9**7 K`` computes a number of
millions of digits, holding the interpreter for seconds to minutes), so pint only ever
sees a unit matching :data:`UNIT_EXPRESSION`: at most :data:`MAX_UNIT_TERMS` names, plain
numbers or parenthesised groups joined by ``*``, ``/`` or spaces, one level of
parentheses, and powers only of a name or a group, by a literal exponent of at most
:data:`MAX_UNIT_EXPONENT`. Any other stored unit compares literally; a condition's unit
must be such an expression or a literal without expression characters
(:data:`UNIT_PATTERN`, :func:`check_unit`), so ``9**9**7 K`` is refused at once.
"""

from __future__ import annotations

import functools
import math
import re

from .errors import InvalidInput


@functools.cache
def _registry():
    import pint  # imported lazily: building the registry costs a few hundred ms

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


MAX_UNIT_CHARS = 64
MAX_UNIT_TERMS = 8
MAX_UNIT_EXPONENT = 12

_LETTERS = "A-Za-z\u00b5\u03bc\u00c5\u03a9"  # and µ μ Å Ω
_NAME = (rf"(?:%|\u00b0[A-Za-z]{{0,8}}|[{_LETTERS}]{{1,24}}(?:_[{_LETTERS}]{{1,24}}){{0,3}})"
         r"[\u00b2\u00b3]?")  # %, °, °C, m, degree_Celsius; one ² or ³
_NUMBER = r"[0-9]{1,6}(?:\.[0-9]{1,6})?"
_POWER = r"[ ]{0,3}(?:\*\*|\^)[ ]{0,3}[+-]?(?:1[0-2]|[0-9])(?:\.[0-9]{1,2})?"
_JOIN = r"(?:[ ]{0,3}[*/][ ]{0,3}|[ ]{1,3})"
_FACTOR = rf"(?:{_NAME}(?:{_POWER})?|{_NUMBER})"
_GROUP = rf"\([ ]{{0,3}}{_FACTOR}(?:{_JOIN}{_FACTOR}){{0,{MAX_UNIT_TERMS - 1}}}[ ]{{0,3}}\)(?:{_POWER})?"
_TERM = rf"(?:{_FACTOR}|{_GROUP})"
UNIT_EXPRESSION = rf"{_TERM}(?:{_JOIN}{_TERM}){{0,{MAX_UNIT_TERMS - 1}}}"
"""The unit expressions pint may evaluate (a regular expression, also in the API
description): names, plain numbers, one level of parentheses, powers of names and
groups only, exponents of at most 12."""
_EXPRESSION_CHARS = "*^()\u00b9\u00b2\u00b3\u2070-\u207b"  # operators, superscript digits and signs
SPACE = r"\s\x1c-\x1f\x85\ufeff"
"""Whitespace inside a character class, the same set for Python's ``re`` (whose ``\\s``
also holds \\x1c-\\x1f and \\x85) and for ECMAScript, the dialect of the API description's
patterns (whose ``\\s`` also holds \\ufeff): a value the description admits is one the
service reads."""
UNIT_LITERAL = (rf"[^{SPACE}\"'${{}}\x00{_EXPRESSION_CHARS}]"
                rf"(?:[^\n\"'${{}}\x00{_EXPRESSION_CHARS}]{{0,{MAX_UNIT_CHARS - 2}}}[^{SPACE}\"'${{}}\x00{_EXPRESSION_CHARS}])?")
"""Any other unit is a literal string (``arbitrary units``, ``counts/100 ms``), compared
as written: without expression characters, quotes, ``$ { }`` or NUL, at most 64 characters."""
UNIT_PATTERN = f"(?:{UNIT_EXPRESSION}|{UNIT_LITERAL})"
UNIT_GRAMMAR = (f"a unit is an expression of at most {MAX_UNIT_TERMS} terms joined by '*', '/' or spaces "
                "(a term: a name, a number of up to 6 digits and 6 decimals, or one parenthesised group of "
                f"such; names and groups may take a power '**' or '^' of at most {MAX_UNIT_EXPONENT}), "
                f"or a literal of at most {MAX_UNIT_CHARS} characters without * ^ ( ), superscript digits, "
                "quotes, $ { } or NUL")
"""The unit rule in words (error messages and the API description quote it)."""
_EXPRESSION = re.compile(UNIT_EXPRESSION)
_UNIT = re.compile(UNIT_PATTERN)


def parse_unit(unit: str) -> bool:
    """Whether pint may evaluate ``unit``: it is a :data:`UNIT_EXPRESSION` (bounded in
    size, so pint's work is too)."""
    return bool(_EXPRESSION.fullmatch(unit))


@functools.lru_cache(maxsize=4096)
def _factor(unit: str):
    """(scale, offset, dimension) turning ``value * unit`` into base units, or None
    (an unknown unit, or one outside :data:`UNIT_GRAMMAR`, which pint never sees)."""
    if not unit:
        return (1.0, 0.0, "")
    if not parse_unit(unit):
        return None
    ureg = _registry()
    try:
        zero = ureg.Quantity(0.0, unit).to_base_units()
        one = ureg.Quantity(1.0, unit).to_base_units()
    except Exception:  # pint raises a variety of errors for unknown units
        return None
    offset = float(zero.magnitude)
    return (float(one.magnitude) - offset, offset, str(one.dimensionality))


SIGNIFICANT_DIGITS = 12


def prepare() -> None:
    """Build pint's unit registry now: a long-running process calls it at its start (in
    a thread), else its first condition with a unit waits for the registry (1-3 s on
    2 busy cores, longer than a search column takes to load)."""
    normalize(1.0, "K")


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
    """Accept a unit of :data:`UNIT_PATTERN` (an expression pint reads if it knows the
    names, or a literal compared as written); refuse anything else, such as an
    expression whose evaluation could be unbounded (``9**9**7 K``)."""
    if unit and not _UNIT.fullmatch(unit):
        raise InvalidInput(f"cannot read the unit {unit[:80]!r}: {UNIT_GRAMMAR}", details={"grammar": UNIT_GRAMMAR})


def is_finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
