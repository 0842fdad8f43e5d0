"""A JupyterHub user model (from ``/hub/api/user``) -> a catalogue :class:`Identity`.

The hub always includes the owner's ``groups`` when a token identifies itself (its
"identify" scopes are ``read:users:name`` and ``read:users:groups`` on itself), so the
groups here are the hub's, never the client's. Groups whose names the catalogue would
refuse (spaces, operators) cannot match any dataset and are dropped.
"""

from __future__ import annotations

import logging

from beamhub.catalogue.identity import NAME_PATTERN, Identity

from .staff import StaffRule

log = logging.getLogger(__name__)


def identity_from_hub_model(model: dict, staff_rule: StaffRule) -> Identity:
    """The catalogue identity of a hub *user* model (``kind == "user"``)."""
    groups = set(model.get("groups") or ())
    usable = {g for g in groups if isinstance(g, str) and NAME_PATTERN.match(g)}
    if usable != groups:
        log.warning("ignoring hub groups of %s the catalogue cannot use: %s",
                    model.get("name"), sorted(map(str, groups - usable)))
    return Identity(user=model["name"], groups=frozenset(usable), staff_of=staff_rule.beamlines(usable))
