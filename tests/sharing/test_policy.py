"""The sharing policy and the role table, as pure functions (no hub)."""

from __future__ import annotations

import pytest

from beamhub.auth.staff import StaffRule
from beamhub.sharing.policy import (
    MountedProposal, SharingSettings, may_join, may_share_with_group, role_from_request, role_of, share_scopes,
)

P1001 = MountedProposal("p1001", frozenset({"p1001"}), frozenset({"alice"}), "i03")
P1002 = MountedProposal("p1002", frozenset({"p1002", "saxs-team"}), frozenset({"alice", "bob"}), "i22")
DEFAULT = SharingSettings()


def join(user, groups=(), mounted=(P1001, P1002), settings=DEFAULT, staff_of=(), via_link=False):
    return may_join(settings, owner="alice", user=user, user_groups=groups, mounted=mounted, staff_of=staff_of,
                    via_link=via_link)


def test_members_of_every_mounted_proposal_may_join():
    assert join("bob", ["p1001", "p1002"]).allowed
    assert join("zoe", ["p1001", "saxs-team"]).allowed  # an access group counts
    assert join("bob", [], mounted=(P1002,)).allowed  # listed member, no group


def test_a_member_of_only_some_proposals_may_not_and_is_told_which():
    decision = join("bob", ["p1002"])
    assert not decision.allowed
    assert "p1001" in decision.reason and "p1002" not in decision.reason.split("proposal")[1]


def test_staff_of_the_proposals_beamlines():
    assert join("carol", staff_of=["i03"], mounted=(P1001,)).allowed
    assert not join("carol", staff_of=["i03"]).allowed  # p1002 is at i22
    assert join("carol", ["p1002"], staff_of=["i03"]).allowed
    assert not join("dave", staff_of=["b18"], mounted=(P1001,)).allowed


def test_staff_from_groups():
    rule = StaffRule("staff-{beamline}", {})
    decision = may_share_with_group(DEFAULT, owner="alice", members={"alice": [], "carol": ["staff-i03"]},
                                    mounted=(P1001,), staff_rule=rule)
    assert decision.allowed
    refused = may_share_with_group(DEFAULT, owner="alice", members={"carol": ["staff-i03"], "erin": ["p2001"]},
                                   mounted=(P1001,), staff_rule=rule)
    assert not refused.allowed and "erin" in refused.reason


def test_a_proposal_the_owner_lost_admits_nobody():
    lost = MountedProposal("p9", frozenset())
    assert not join("bob", ["p9"], mounted=(lost,)).allowed


def test_site_settings_widen_or_close():
    assert join("erin", ["p2001"], settings=SharingSettings(who="anyone")).allowed
    links = SharingSettings(links="anyone")
    assert not join("erin", ["p2001"], settings=links).allowed
    assert join("erin", ["p2001"], settings=links, via_link=True).allowed
    assert not join("erin", ["p2001"], via_link=True).allowed  # the default holds for links
    assert not join("bob", ["p1001", "p1002"], settings=SharingSettings(enabled=False)).allowed
    assert not join("alice", ["p1001", "p1002"]).allowed  # the owner is not invited
    with pytest.raises(ValueError):
        SharingSettings(who="everybody")


def test_roles_and_scopes():
    assert share_scopes("viewer", "alice") == ["access:servers!server=alice/",
                                              "custom:beamhub:viewer!server=alice/"]
    assert role_of(["custom:beamhub:viewer!server=alice/", "custom:beamhub:collaborator!server=alice/"]) \
        == "collaborator"
    assert role_of(["access:servers!server=alice/"]) is None
    assert role_from_request(["custom:beamhub:viewer"], "alice") == "viewer"
    assert role_from_request(["access:servers!server=alice/", "custom:beamhub:collaborator!server=alice/"],
                             "alice") == "collaborator"
    for bad in (None, [], ["access:servers!server=alice/"], ["custom:beamhub:support"],
                ["custom:beamhub:viewer", "custom:beamhub:collaborator"], ["custom:beamhub:viewer!server=bob/"],
                ["admin:users"], ["custom:beamhub:viewer!user=alice"]):
        with pytest.raises(ValueError):
            role_from_request(bad, "alice")


def test_the_servers_role_table():
    """What the single-user server's authorizer allows each role (jupyterlab_beamhub.authorizer)."""
    import importlib.util
    from pathlib import Path

    # This tree's module (an installed, older jupyterlab_beamhub may be imported already).
    path = Path(__file__).resolve().parents[2] / "extensions/jupyterlab-beamhub/jupyterlab_beamhub/authorizer.py"
    spec = importlib.util.spec_from_file_location("beamhub_test_authorizer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    allowed, role_from_scopes = module.allowed, module.role_from_scopes
    assert all(allowed("collaborator", a, r) for a in ("read", "write", "execute")
               for r in ("contents", "kernels", "terminals"))
    assert allowed("viewer", "read", "contents") and allowed("viewer", "read", "kernels")
    assert not any(allowed("viewer", a, r) for a in ("write", "execute") for r in ("contents", "kernels", "sessions"))
    assert not allowed("viewer", "read", "terminals")
    assert not allowed("viewer", "read", "contents", collaboration_room=True)
    assert not any(allowed(None, a, "contents") for a in ("read", "write", "execute"))
    assert role_from_scopes(["custom:beamhub:viewer!server=alice/"], "alice") == "viewer"
    assert role_from_scopes(["custom:beamhub:viewer!server=bob/"], "alice") is None
