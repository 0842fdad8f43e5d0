"""Who is asking: every catalogue read and write takes an :class:`Identity`.

Identities are built from the JupyterHub user and its groups (request handlers), or
explicitly for operators (command line, ingestion, job runners). Nothing a client
sends can widen one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InvalidInput

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")

PUBLIC_KEY = "@public"
"""The access key every identity holds: published datasets carry it."""

BEAMLINE_KEY_PREFIX = "@beamline:"
"""Staff of beamline B hold ``@beamline:B``; every dataset from B carries it."""


def check_name(value: str, what: str = "name") -> str:
    """Validate a user, group or beamline name (no spaces, no operators, <= 128)."""
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise InvalidInput(f"invalid {what} {value!r}: use letters, digits and . _ @ + - (at most 128)")
    return value


@dataclass(frozen=True)
class Identity:
    """A catalogue caller.

    - ``user``: the JupyterHub user name; owns votes and selections.
    - ``groups``: the user's groups (proposal groups such as ``p1234``).
    - ``staff_of``: beamlines whose staff this user is; they see those beamlines'
      datasets and the votes on them.
    - ``operator``: sees and may write everything. Only the command line, ingestion
      and the job runner build such identities; request handlers never do.
    """

    user: str
    groups: frozenset[str] = field(default_factory=frozenset)
    staff_of: frozenset[str] = field(default_factory=frozenset)
    operator: bool = False

    def __post_init__(self):
        check_name(self.user, "user name")
        object.__setattr__(self, "groups", frozenset(check_name(g, "group") for g in self.groups))
        object.__setattr__(self, "staff_of", frozenset(check_name(b, "beamline") for b in self.staff_of))

    @classmethod
    def for_operator(cls, user: str = "beamhub-operator") -> "Identity":
        """An identity that sees everything: for operators' tools, never for requests."""
        return cls(user=user, operator=True)

    @classmethod
    def for_local_operator(cls, prefix: str, fallback: str) -> "Identity":
        """The operator identity of a command run on a server: ``<prefix>-<Unix user>``
        (what the catalogue records as the writer), else ``fallback``."""
        import getpass

        try:
            name = f"{prefix}-{getpass.getuser()}"
        except (KeyError, OSError):
            name = ""
        return cls.for_operator(name if NAME_PATTERN.match(name) else fallback)

    def access_keys(self) -> frozenset[str]:
        """The keys matched against a dataset's :func:`dataset_access_keys`."""
        return self.groups | {PUBLIC_KEY} | {BEAMLINE_KEY_PREFIX + b for b in self.staff_of}

    def can_see(self, dataset: dict) -> bool:
        """Whether this identity may see a dataset document (a SciCat-shaped dict)."""
        return self.operator or not self.access_keys().isdisjoint(dataset_access_keys(dataset))

    def keeps(self, beamline: str | None) -> bool:
        """Whether this identity is staff of a beamline (or an operator): staff see every
        vote on the beamline's datasets, its overview, and its templates' history."""
        return self.operator or beamline in self.staff_of

    def is_member_of(self, proposal: dict) -> bool:
        """Whether this identity belongs to a proposal (owner or access group)."""
        groups = {proposal.get("ownerGroup"), *(proposal.get("accessGroups") or ())}
        return self.operator or not self.groups.isdisjoint(groups)


def dataset_access_keys(dataset: dict) -> frozenset[str]:
    """The access keys a dataset carries; an identity sees it if they share one."""
    groups = dataset.get("accessGroups")
    keys = {g for g in (dataset.get("ownerGroup"), *(groups if isinstance(groups, list) else ()))
            if isinstance(g, str)}  # a malformed document's odd values give no access
    if dataset.get("isPublished") is True:
        keys.add(PUBLIC_KEY)
    if isinstance(dataset.get("creationLocation"), str) and dataset["creationLocation"]:
        keys.add(BEAMLINE_KEY_PREFIX + dataset["creationLocation"])
    return frozenset(keys)
