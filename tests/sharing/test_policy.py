"""The sharing policy and the role table, as pure functions (no hub)."""

from __future__ import annotations

import pytest

from beamhub.auth.staff import StaffRule
from beamhub.sharing.policy import (
    MountedProposal, SharingSettings, may_ask_support, may_join, may_share_with_group, role_from_request, role_of,
    share_scopes,
)
from beamhub.sharing.support import SupportRequests

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
    # Support edits and runs code, opens no terminal.
    assert all(allowed("support", a, r) for a in ("read", "write", "execute") for r in ("contents", "kernels"))
    assert not any(allowed("support", a, "terminals") for a in ("read", "write", "execute"))
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
    support = {"items": [{"user": {"name": "carol"}, "scopes": ["custom:beamhub:support!server=alice/"]}]}
    assert role_from_shares(support, "carol") == "support"


def ask(user, groups=(), staff_of=(), mounted=(P1001,), settings=DEFAULT):
    return may_ask_support(settings, owner="alice", user=user, user_groups=groups, mounted=mounted,
                           staff_of=staff_of)


def test_who_may_ask_to_join_as_support():
    assert ask("carol", staff_of=["i03"]).allowed  # staff of p1001's beamline
    # Not staff (a member may be invited, but does not ask as support), or staff elsewhere.
    assert "not staff of beamline i03" in ask("bob", ["p1001"]).reason
    assert not ask("erin", ["p2001"]).allowed
    assert not ask("dave", staff_of=["b18"]).allowed
    # The data rule holds: staff of i03 may not see p1002 (i22) through a server mounting both.
    refused = ask("carol", staff_of=["i03"], mounted=(P1001, P1002))
    assert not refused.allowed and "p1002" in refused.reason
    assert ask("carol", staff_of=["i03", "i22"], mounted=(P1001, P1002)).allowed
    # A server without proposals has no beamline staff; the owner does not ask; the site may turn it off.
    assert "no proposal" in ask("carol", staff_of=["i03"], mounted=()).reason
    assert not ask("alice", staff_of=["i03"]).allowed
    assert not ask("carol", staff_of=["i03"], settings=SharingSettings(support=False)).allowed
    assert not ask("carol", staff_of=["i03"], settings=SharingSettings(enabled=False)).allowed
    # 'who: anyone' widens the data rule, not who is staff.
    assert ask("carol", staff_of=["i03"], mounted=(P1001, P1002), settings=SharingSettings(who="anyone")).allowed
    assert not ask("erin", mounted=(P1001,), settings=SharingSettings(who="anyone")).allowed


def test_support_is_never_invited_nor_linked():
    with pytest.raises(ValueError):
        role_from_request(["custom:beamhub:support"], "alice")
    assert share_scopes("support", "alice") == ["access:servers!server=alice/",
                                               "custom:beamhub:support!server=alice/"]
    assert role_of(["custom:beamhub:support!server=alice/"]) == "support"
    assert role_of(["custom:beamhub:support!server=alice/", "custom:beamhub:viewer!server=alice/"]) == "support"


def test_support_requests_expire_and_end_with_the_session():
    now = [1000.0]
    requests = SupportRequests(600, clock=lambda: now[0])
    requests.ask("alice", "", "carol")
    assert [r.user for r in requests.pending("alice", "")] == ["carol"]
    assert requests.pending("alice", "other") == []
    now[0] += 601  # unanswered: expired
    assert requests.pending("alice", "") == [] and requests.answer("alice", "", "carol", True) is None
    requests.ask("alice", "", "carol")
    declined = requests.answer("alice", "", "carol", False)
    assert declined.state == "declined" and requests.pending("alice", "") == []
    assert requests.of("alice", "", "carol").state == "declined"  # carol sees the answer
    assert requests.answer("alice", "", "carol", True) is None  # a declined request is not accepted later
    requests.ask("alice", "", "carol")  # she may ask again
    assert requests.answer("alice", "", "carol", True).user == "carol"
    assert requests.of("alice", "", "carol") is None
    requests.ask("alice", "", "carol")
    assert requests.end_session("alice", "") == 1 and requests.pending("alice", "") == []


def test_the_server_relays_the_hubs_answers_one_way():
    """The Share dialog's and the session status's server sides relay the hub's answer
    alike (jupyterlab_beamhub.hubrelay): its refusals and its 503 as they are, anything
    else as 502."""
    relay = _tree_extension("hubrelay")
    assert [relay.relayed_status(s) for s in (400, 403, 404, 409, 503, 500, 502, 504)] == \
        [400, 403, 404, 409, 503, 502, 502, 502]
    sharing, lifecycle = _tree_extension("sharing"), _tree_extension("lifecycle")
    assert issubclass(sharing.SharingError, relay.HubRelayError)
    assert issubclass(lifecycle.SessionError, relay.HubRelayError)
    assert sharing.SharingError(503, "later").to_json() == '{"code": "sharing", "message": "later"}'
