"""Beamline staff from hub groups: ``staff-i03`` -> staff of beamline ``i03``.

A site names its staff groups by a pattern with one ``{beamline}`` placeholder
(default ``staff-{beamline}``) and may list other groups explicitly
(``{"mx-support": ["i03", "i04"]}``). The rule is applied to the groups the hub
reports for a user; nothing a client sends takes part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from beamhub.catalogue.identity import NAME_PATTERN

DEFAULT_PATTERN = "staff-{beamline}"
_BEAMLINE = r"(?P<beamline>[A-Za-z0-9][A-Za-z0-9._@+-]{0,127})"


def compile_pattern(pattern: str) -> re.Pattern:
    """Turn ``"staff-{beamline}"`` into an anchored regular expression.

    Everything but the placeholder is literal, so a pattern cannot smuggle in a
    regular expression.
    """
    if pattern.count("{beamline}") != 1:
        raise ValueError(f"the staff group pattern {pattern!r} must contain '{{beamline}}' exactly once")
    before, after = pattern.split("{beamline}")
    return re.compile("^" + re.escape(before) + _BEAMLINE + re.escape(after) + "$")


@dataclass(frozen=True)
class StaffRule:
    """Maps hub groups to the beamlines whose staff the user is."""

    pattern: str | None = DEFAULT_PATTERN
    """``None`` turns the pattern off (only ``explicit`` groups count)."""
    explicit: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "_regex", compile_pattern(self.pattern) if self.pattern else None)
        object.__setattr__(self, "explicit", {g: tuple(b) for g, b in dict(self.explicit).items()})

    def beamlines(self, groups: Iterable[str]) -> frozenset[str]:
        """The beamlines the holder of ``groups`` is staff of."""
        found: set[str] = set()
        for group in groups:
            found.update(self.explicit.get(group, ()))
            match = self._regex.match(group) if self._regex else None
            if match:
                found.add(match["beamline"])
        return frozenset(b for b in found if NAME_PATTERN.match(b))
