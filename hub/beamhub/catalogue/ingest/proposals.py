"""The proposals file: proposals to catalogue, and who is who (for demo identities).

YAML or JSON::

    proposals:
      - proposalId: p1001
        title: Lysozyme soaks
        ownerGroup: p1001
        members: [alice]
        beamline: i03
        startTime: 2026-03-02T08:00:00Z
        endTime: 2026-03-04T08:00:00Z
        dataPath: i03/p1001          # relative paths are relative to this file
    users:                            # optional
      - name: alice
        groups: [p1001, p1002]        # proposal groups (from the identity provider)
        staff_of: []                  # beamlines whose staff the user is

``proposals`` items are catalogue :class:`~beamhub.catalogue.model.Proposal`
documents. ``users`` records the intended identities (a demo identity provider or
tests build :class:`~beamhub.catalogue.identity.Identity` objects from them); every
proposal member listed under ``users`` must hold the proposal's ``ownerGroup`` or
one of its ``accessGroups``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field

from ..errors import InvalidInput
from ..identity import Identity
from ..model import Name, Proposal, _Model


class UserIntent(_Model):
    """A user the proposals file expects the identity provider to know."""

    name: Name
    groups: Annotated[list[Name], Field(max_length=1000)] = []
    staff_of: Annotated[list[Name], Field(max_length=100)] = []
    fullName: Annotated[str, Field(max_length=200)] = ""

    def identity(self) -> Identity:
        return Identity(self.name, groups=frozenset(self.groups), staff_of=frozenset(self.staff_of))


@dataclass
class ProposalsFile:
    proposals: list[Proposal] = field(default_factory=list)
    users: list[UserIntent] = field(default_factory=list)

    def identity(self, user: str) -> Identity:
        """The identity a listed user would have (``KeyError`` if not listed)."""
        for intent in self.users:
            if intent.name == user:
                return intent.identity()
        raise KeyError(user)


def load_proposals(path: str | os.PathLike) -> ProposalsFile:
    """Read and validate a proposals file (:class:`InvalidInput` on any problem)."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"proposals file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"proposals file {path} cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML or JSON: {exc}") from None
    return parse_proposals(document, source=str(path), base=path.parent.resolve())


def parse_proposals(document: Any, source: str = "<proposals>", base: Path | None = None) -> ProposalsFile:
    if isinstance(document, list):
        document = {"proposals": document}
    if not isinstance(document, dict) or set(document) - {"proposals", "users"}:
        raise InvalidInput(f"{source}: a proposals file has the keys 'proposals' and (optional) 'users'")
    raw_proposals = document.get("proposals") or []
    raw_users = document.get("users") or []
    if not isinstance(raw_proposals, list) or not isinstance(raw_users, list):
        raise InvalidInput(f"{source}: 'proposals' and 'users' are lists")
    proposals = []
    for index, item in enumerate(raw_proposals):
        if isinstance(item, dict) and item.get("dataPath") and base is not None:
            item = {**item, "dataPath": str((base / item["dataPath"]).resolve())}
        try:
            proposals.append(Proposal.parse(item))
        except InvalidInput as exc:
            raise InvalidInput(f"{source}: proposals[{index}]: {exc.message}", details=exc.details) from None
    users = []
    for index, item in enumerate(raw_users):
        try:
            users.append(UserIntent.parse(item))
        except InvalidInput as exc:
            raise InvalidInput(f"{source}: users[{index}]: {exc.message}", details=exc.details) from None
    _check_consistent(proposals, users, source)
    return ProposalsFile(proposals=proposals, users=users)


def _check_consistent(proposals: list[Proposal], users: list[UserIntent], source: str) -> None:
    ids = [p.proposalId for p in proposals]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidInput(f"{source}: proposal(s) listed twice: {', '.join(duplicates)}")
    by_name = {u.name: u for u in users}
    if len(by_name) != len(users):
        raise InvalidInput(f"{source}: a user is listed twice")
    problems = []
    for proposal in proposals:
        groups = {proposal.ownerGroup, *proposal.accessGroups}
        for member in proposal.members:
            user = by_name.get(member)
            if user is not None and groups.isdisjoint(user.groups):
                problems.append(f"{member} is a member of {proposal.proposalId} but not in its group "
                                f"{proposal.ownerGroup}")
    if problems:
        raise InvalidInput(f"{source}: " + "; ".join(problems))
