"""Who may join a shared instance, and what each role is: pure functions, no hub.

Roles are JupyterHub custom scopes granted with a share, filtered to the owner's server
(``custom:beamhub:viewer!server=alice/``). The single-user server's authorizer
(``jupyterlab_beamhub.authorizer``) maps them to what a request may do:

- ``collaborator``: everything the owner can (files, kernels, terminals, as the owner's
  Unix user);
- ``viewer``: reads files and follows the live document; no write, no execution, no
  terminal, no kernel change;
- ``support`` (beamline staff who asked to join and whom the owner accepted, never
  invited nor by a link): edits files and runs code in kernels, as the owner's Unix user,
  but opens no terminal; it ends when the owner revokes it or the server stops.

The default policy: a user may join an instance when, for *every* proposal mounted in
it, they are a member of that proposal (its owner group, access groups or members) or
staff of its beamline. Sharing is then never a way around the data's access rules. The
site may widen it (``who: anyone``) or let invitation links admit anyone
(``links: anyone``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ROLE_PREFIX = "custom:beamhub:"
ROLES = ("viewer", "collaborator")
"""The roles an owner may invite with (or put in a link), each enforced by the server."""
SUPPORT = "support"
ALL_ROLES = ("viewer", SUPPORT, "collaborator")
"""Every role, weakest first (support comes only from a staff member's accepted request)."""

ROLE_DESCRIPTIONS = {
    "viewer": "Read files and follow the live notebooks; cannot write files, run code, "
              "open terminals or change kernels (refused by the server).",
    "collaborator": "Edit files, run kernels and open terminals, as the owner's Unix user.",
    SUPPORT: "Beamline staff the owner accepted: edit files and run code in kernels, as the owner's Unix "
             "user; no terminals. Ends when the owner revokes it or the server stops.",
}


class SharingSettings(BaseModel):
    """The site's sharing policy (``sharing:`` in the site file)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Users may share their running servers (JupyterHub's shares).")
    who: Literal["members", "anyone"] = Field(
        "members", description="Who may be invited: 'members' = members of every proposal mounted in the "
        "instance or staff of its beamline; 'anyone' = any hub user.")
    links: Literal["policy", "anyone"] = Field(
        "policy", description="Who may accept an invitation link: 'policy' = only those 'who' allows; "
        "'anyone' = any logged-in hub user holding the link.")
    link_max_seconds: int = Field(7 * 86400, ge=60, le=365 * 86400,
                                  description="Longest lifetime of an invitation link (s).")
    support: bool = Field(True, description="Staff of the beamlines of the proposals mounted in a running "
                          "server may ask its owner to let them in (role 'support'; the owner accepts or "
                          "declines in JupyterLab).")
    support_request_seconds: int = Field(
        900, ge=60, le=86400, description="An unanswered support request expires after this (s).")


@dataclass(frozen=True)
class MountedProposal:
    """What the policy needs of a mounted proposal."""

    proposal_id: str
    groups: frozenset[str]
    """Its owner group and access groups."""
    members: frozenset[str] = frozenset()
    beamline: str | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


def role_scope(role: str) -> str:
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ALL_ROLES)}")
    return ROLE_PREFIX + role


def share_scopes(role: str, owner: str, server_name: str = "") -> list[str]:
    """The scopes a share of ``owner``'s server grants for ``role`` (already filtered)."""
    target = f"{owner}/{server_name}"
    return [f"access:servers!server={target}", f"{role_scope(role)}!server={target}"]


def role_of(scopes: Iterable[str]) -> str | None:
    """The strongest role among a share's ``scopes`` (None: no beamhub role)."""
    found = {s.split("!", 1)[0].removeprefix(ROLE_PREFIX) for s in scopes if s.startswith(ROLE_PREFIX)}
    for role in reversed(ALL_ROLES):
        if role in found:
            return role
    return None


def role_from_request(scopes: Sequence[str] | None, owner: str, server_name: str = "") -> str:
    """The role a share request asks for. Its scopes must be exactly one role's (with or
    without the server filter, with or without the access scope); else ValueError."""
    if not scopes:
        raise ValueError("say which role to grant: scopes " + " or ".join(
            repr(role_scope(r)) for r in ROLES))
    target = f"!server={owner}/{server_name}"
    access = {"access:servers", f"access:servers{target}"}
    rest = [s for s in scopes if s not in access]
    names = {s.removesuffix(target) for s in rest}
    if len(names) != 1 or not next(iter(names)).startswith(ROLE_PREFIX) or "!" in next(iter(names)):
        raise ValueError(f"a share grants one role, as {role_scope('viewer')!r} or "
                         f"{role_scope('collaborator')!r}; got {list(scopes)!r}")
    role = next(iter(names)).removeprefix(ROLE_PREFIX)
    if role not in ROLES:  # support comes only from an accepted request (may_ask_support)
        raise ValueError(f"a share grants {role_scope('viewer')!r} or {role_scope('collaborator')!r}; "
                         f"got {list(scopes)!r}")
    return role


def staff_beamlines(groups: Iterable[str], staff_rule) -> frozenset[str]:
    """Beamlines whose staff the holder of ``groups`` is (``staff_rule``: auth.staff.StaffRule)."""
    return staff_rule.beamlines(groups) if staff_rule is not None else frozenset()


def may_join(settings: SharingSettings, *, owner: str, user: str, user_groups: Iterable[str],
             mounted: Sequence[MountedProposal], staff_of: Iterable[str] = (), via_link: bool = False,
             ) -> Decision:
    """May ``user`` (with ``user_groups``, staff of ``staff_of``) join ``owner``'s instance
    in which ``mounted`` proposals are mounted?"""
    if not settings.enabled:
        return Decision(False, "sharing is turned off on this site")
    if user == owner:
        return Decision(False, "the owner already has access")
    if settings.who == "anyone" or (via_link and settings.links == "anyone"):
        return Decision(True)
    groups, beamlines = frozenset(user_groups), frozenset(staff_of)
    missing = [p.proposal_id for p in mounted
               if not (groups & p.groups or user in p.members or (p.beamline and p.beamline in beamlines))]
    if missing:
        return Decision(False, f"{user} is neither a member nor beamline staff of proposal"
                               f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} mounted in "
                               f"{owner}'s server; the site allows only those who may see all its data")
    return Decision(True)


def may_share_with_group(settings: SharingSettings, *, owner: str, members: dict[str, Iterable[str]],
                         mounted: Sequence[MountedProposal], staff_rule=None) -> Decision:
    """A group may be invited when each of its current ``members`` ({name: groups}) may."""
    for name, groups in sorted(members.items()):
        if name == owner:
            continue
        decision = may_join(settings, owner=owner, user=name, user_groups=groups, mounted=mounted,
                            staff_of=staff_beamlines(groups, staff_rule))
        if not decision.allowed:
            return Decision(False, f"not every member of the group may join: {decision.reason}")
    return Decision(True)


def may_ask_support(settings: SharingSettings, *, owner: str, user: str, user_groups: Iterable[str],
                    mounted: Sequence[MountedProposal], staff_of: Iterable[str] = ()) -> Decision:
    """May ``user`` ask to join ``owner``'s instance as support? Only staff of the beamline
    of a proposal mounted in it, and only if the invitation policy would admit them (so
    for the default policy: staff or member of *every* mounted proposal's beamline/proposal)."""
    if not settings.enabled or not settings.support:
        return Decision(False, "support requests are turned off on this site")
    if user == owner:
        return Decision(False, "the owner already has access")
    beamlines = sorted({p.beamline for p in mounted if p.beamline})
    if not beamlines:
        return Decision(False, f"no proposal with a beamline is mounted in {owner}'s server: it has no "
                               "beamline staff to ask")
    if not frozenset(staff_of) & frozenset(beamlines):
        return Decision(False, f"{user} is not staff of beamline{'s' if len(beamlines) > 1 else ''} "
                               f"{', '.join(beamlines)}, where the proposals mounted in {owner}'s server were "
                               "measured; only their staff may ask to join")
    return may_join(settings, owner=owner, user=user, user_groups=user_groups, mounted=mounted, staff_of=staff_of)
