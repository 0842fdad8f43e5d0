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


def _tree_extension(module: str):
    """This tree's ``jupyterlab_beamhub.<module>`` (an installed, older one may be imported already)."""
    import importlib
    import importlib.util
    import sys
    from pathlib import Path

    name = "beamhub_tree_extension"
    if name not in sys.modules:
        package = Path(__file__).resolve().parents[2] / "extensions/jupyterlab-beamhub/jupyterlab_beamhub"
        spec = importlib.util.spec_from_file_location(name, package / "__init__.py",
                                                      submodule_search_locations=[str(package)])
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return importlib.import_module(f"{name}.{module}")


def test_the_servers_role_table():
    """What the single-user server's authorizer allows each role (jupyterlab_beamhub.authorizer)."""
    module = _tree_extension("authorizer")
    allowed, role_from_scopes = module.allowed, module.role_from_scopes
    assert all(allowed("collaborator", a, r) for a in ("read", "write", "execute")
               for r in ("contents", "kernels", "terminals"))
    assert allowed("viewer", "read", "contents") and allowed("viewer", "read", "kernels")
    assert not any(allowed("viewer", a, r) for a in ("write", "execute") for r in ("contents", "kernels", "sessions"))
    assert not allowed("viewer", "read", "terminals")
    # A viewer joins a collaboration room (made read-only by the server, tested below).
    assert allowed("viewer", "read", "contents", collaboration_room=True)
    assert not any(allowed(None, a, "contents") for a in ("read", "write", "execute"))
    assert role_from_scopes(["custom:beamhub:viewer!server=alice/"], "alice") == "viewer"
    assert role_from_scopes(["custom:beamhub:viewer!server=bob/"], "alice") is None


def test_a_viewers_collaboration_messages():
    """Of real Yjs protocol messages (pycrdt's, as JupyterLab's docprovider sends them), a
    viewer's connection passes the state request and awareness, and drops every change
    and the save request."""
    from pycrdt import Awareness, Doc, Text, create_awareness_message, create_sync_message, create_update_message, \
        handle_sync_message
    from pycrdt import Encoder

    collaboration = _tree_extension("collaboration")
    server, client = Doc(), Doc()
    server["source"] = Text("x = 1")
    step1 = create_sync_message(client)
    step2 = handle_sync_message(step1[1:], server)  # the server's answer: SYNC_STEP2
    client["source"] = text = Text()
    updates = []
    client.observe(lambda event: updates.append(event.update))
    text += "import os"
    update = create_update_message(updates[-1])
    awareness = Awareness(client)
    awareness.set_local_state({"user": {"name": "bob"}})
    presence = create_awareness_message(awareness.encode_awareness_update([client.client_id]))
    encoder = Encoder()
    encoder.write_var_uint(collaboration.RAW)
    encoder.write_var_string("save")
    encoder.write_var_uint(7)
    save = encoder.to_bytes()

    kinds = {name: collaboration.kind(m) for name, m in
             {"step1": step1, "step2": step2, "update": update, "awareness": presence, "save": save,
              "garbage": b"\xff\xff", "text": "hello", "empty": b""}.items()}
    assert kinds == {"step1": "read", "step2": "update", "update": "update", "awareness": "awareness",
                     "save": "save", "garbage": "other", "text": "other", "empty": "other"}
    assert [m for m in (step1, step2, update, presence, save) if collaboration.viewer_may_send(m)] == \
        [step1, presence]
    import json

    reply = collaboration.save_refusal(save)
    assert reply[0] == collaboration.RAW
    assert json.loads(reply[2:]) == {"type": "save", "responseTo": 7, "status": "failed"}



def test_roles_read_from_the_servers_shares():
    """The authorizer's role for a member, from the hub's share models of the server."""
    role_from_shares = _tree_extension("authorizer").role_from_shares
    shares = {"items": [
        {"user": {"name": "bob"}, "group": None, "scopes": ["access:servers!server=alice/",
                                                             "custom:beamhub:viewer!server=alice/"]},
        {"user": None, "group": {"name": "p1002"}, "scopes": ["custom:beamhub:collaborator!server=alice/"]},
        {"user": {"name": "dan"}, "scopes": ["access:servers!server=alice/"]},
    ]}
    assert role_from_shares(shares, "bob") == "viewer"
    assert role_from_shares(shares, "bob", ["p1002"]) == "collaborator"
    assert role_from_shares(shares, "dan") is None  # a share without a role: nothing
    assert role_from_shares(shares, "erin", ["p2001"]) is None
    assert role_from_shares({}, "bob") is None
