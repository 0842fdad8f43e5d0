"""Sharing a live server against a really started hub: the hub's policy (invitations and
links), roles refused by the single-user SERVER (HTTP and websocket answers), revocation
at once, expired links.

alice runs a server with proposal p1002 (alice, bob; beamline i22) mounted. bob may join;
erin (p2001) and carol (staff of i03, not i22) may not, neither invited nor by a link.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.api.hubsetup import PASSWORD

from .hubsetup import Client, Room, closed_within, notebook

pytestmark = [pytest.mark.hub, pytest.mark.timeout(600)]

VIEWER, COLLABORATOR = "custom:beamhub:viewer", "custom:beamhub:collaborator"
TARGET = "!server=alice/"


def share(alice: Client, user: str, role_scope: str) -> requests.Response:
    return alice.hub_api("POST", "/shares/alice/", json={"user": user, "scopes": [role_scope]})


def member_token(hub, user: str, role_scope: str) -> str:
    return hub.hub.user_token(user, scopes=[f"access:servers{TARGET}", f"{role_scope}{TARGET}"], note="shared")


def session_of(hub, user: str) -> requests.Session:
    return hub.hub.login(user, PASSWORD.format(name=user))


def accept(session: requests.Session, hub, code: str) -> tuple[requests.Response, requests.Response]:
    """(the page shown, the answer to accepting) for an invitation link's code."""
    url = hub.hub.url + "/hub/accept-share"
    page = session.get(url, params={"code": code}, timeout=60)
    answer = session.post(url, data={"code": code, "_xsrf": session.cookies.get("_xsrf") or ""},
                          allow_redirects=False, timeout=60)
    return page, answer


def shared_with(alice: Client) -> dict[str, list[str]]:
    """{user: scopes} of the shares of alice's server, as she sees them."""
    answer = alice.hub_api("GET", "/shares/alice/")
    assert answer.status_code == 200, answer.text
    return {s["user"]["name"]: s["scopes"] for s in answer.json()["items"] if s.get("user")}


def test_policy_roles_revocation_and_links(hub):
    alice = Client(hub, hub.hub.user_token("alice", note="owner"), "alice")

    # A link that will have expired at the end of the test (60 s is JupyterHub's least).
    made = time.monotonic()
    short = alice.hub_api("POST", "/share-codes/alice/", json={"scopes": [VIEWER], "expires_in": 60})
    assert short.status_code == 200, short.text
    short_code = short.json()["code"]

    # -- the hub's policy: who may be invited ------------------------------------------
    for outsider in ("erin", "carol"):
        refused = share(alice, outsider, COLLABORATOR)
        assert refused.status_code == 403, refused.text
        assert "p1002" in refused.json()["message"]
        assert outsider not in shared_with(alice)
    # Support is asked for by staff of the server's beamlines, never granted as an invitation:
    # carol is staff of i03, p1002 was measured at i22.
    carol = Client(hub, hub.hub.user_token("carol", note="staff"), "alice")
    asked = carol.hub_api("POST", "/beamhub/support/alice/")
    assert asked.status_code == 403 and "i22" in asked.json()["message"], asked.text
    assert carol.hub_api("GET", "/beamhub/support").json() == {"items": []}
    assert share(alice, "carol", "custom:beamhub:support").status_code == 400
    # A share must name one role: JupyterHub's default (full access, no role) is refused.
    assert alice.hub_api("POST", "/shares/alice/", json={"user": "bob"}).status_code == 400
    assert alice.hub_api("POST", "/shares/alice/",
                         json={"user": "bob", "scopes": ["access:servers!server=alice/"]}).status_code == 400
    # Only the owner shares (JupyterHub answers 404 to who may not see the server).
    bob_own = Client(hub, hub.hub.user_token("bob", note="own"), "alice")
    assert bob_own.hub_api("POST", "/shares/alice/",
                           json={"user": "bob", "scopes": [COLLABORATOR]}).status_code in (403, 404)

    # ... nor use a link: the page and the exchange are refused, no share is made.
    link = alice.hub_api("POST", "/share-codes/alice/", json={"scopes": [COLLABORATOR], "expires_in": 3600})
    assert link.status_code == 200, link.text
    erin = session_of(hub, "erin")
    page, answer = accept(erin, hub, link.json()["code"])
    assert page.status_code == 403 and "p1002" in page.text
    assert answer.status_code == 403
    assert "erin" not in shared_with(alice)
    erin_client = Client(hub, hub.hub.user_token("erin", note="outsider"), "alice")
    assert erin_client.server("GET", "/api/contents").status_code in (403, 404)

    # -- collaborator: both edit one notebook through the server -----------------------
    granted = share(alice, "bob", COLLABORATOR)
    assert granted.status_code == 200, granted.text
    assert f"{COLLABORATOR}{TARGET}" in granted.json()["scopes"]
    bob = Client(hub, member_token(hub, "bob", COLLABORATOR), "alice")
    assert alice.server("PUT", "/api/contents/shared.ipynb", json=notebook("x = 1")).status_code in (200, 201)
    seen = bob.server("GET", "/api/contents/shared.ipynb")
    assert seen.status_code == 200 and seen.json()["content"]["cells"][0]["source"] == "x = 1"
    assert bob.server("PUT", "/api/contents/shared.ipynb", json=notebook("x = 2  # bob")).status_code == 200
    assert alice.server("GET", "/api/contents/shared.ipynb").json()["content"]["cells"][0]["source"] == \
        "x = 2  # bob"
    kernel = bob.server("POST", "/api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    status, channels = bob.websocket(f"/api/kernels/{kernel_id}/channels")
    assert status == 101
    terminal = bob.server("POST", "/api/terminals")
    assert terminal.status_code == 200, terminal.text
    terminal_name = terminal.json()["name"]
    # Real-time collaboration: both in one notebook's room see each other's edits.
    assert alice.server("PUT", "/api/contents/live.ipynb", json=notebook("# live")).status_code in (200, 201)
    alice_room, bob_room = Room(alice, "live.ipynb"), Room(bob, "live.ipynb")
    assert alice_room.open() == 101 and bob_room.open() == 101
    assert bob_room.cells() == ["# live"]
    bob_room.type("\nb = 'bob'")
    assert alice_room.pump(lambda: alice_room.cells() == ["# live\nb = 'bob'"], 10), alice_room.cells()
    alice_room.type("\na = 'alice'")
    assert bob_room.pump(lambda: bob_room.cells() == ["# live\nb = 'bob'\na = 'alice'"], 10), bob_room.cells()

    # -- viewer: reads, every write / execute / terminal refused by the server ---------
    demoted = share(alice, "bob", VIEWER)
    assert demoted.status_code == 200, demoted.text
    assert f"{VIEWER}{TARGET}" in demoted.json()["scopes"]
    assert not any(s.startswith(COLLABORATOR) for s in demoted.json()["scopes"])
    assert closed_within(channels, 15), "the kernel connection of a collaborator made viewer stayed open"
    assert bob_room.pump(lambda: bob_room.closed, 15), "a collaborator's room stayed open after he became viewer"
    # The viewer rejoins the room: he follows alice's edits live, his own are dropped by
    # the server (never reach alice nor the file), his save request is refused.
    viewer_room = Room(bob, "live.ipynb")
    assert viewer_room.open() == 101
    alice_room.type("\nc = 3")
    expected = "# live\nb = 'bob'\na = 'alice'\nc = 3"
    assert viewer_room.pump(lambda: viewer_room.cells() == [expected], 10), viewer_room.cells()
    viewer_room.type("\nimport shutil; shutil.rmtree('/')")
    assert not alice_room.pump(lambda: alice_room.cells() != [expected], 3), alice_room.cells()
    late = Room(alice, "live.ipynb")
    assert late.open() == 101 and late.cells() == [expected]
    answer = viewer_room.save()
    assert answer is not None and b'"status": "failed"' in answer
    assert alice_room.save() is not None
    saved = alice.server("GET", "/api/contents/live.ipynb").json()["content"]["cells"][0]["source"]
    assert saved == expected
    assert bob.server("GET", "/api/contents/shared.ipynb").status_code == 200
    assert bob.server("GET", "/api/kernels").status_code == 200
    refusals = {
        "save": bob.server("PUT", "/api/contents/shared.ipynb", json=notebook("import os")),
        "new file": bob.server("POST", "/api/contents", json={"type": "file"}),
        "rename": bob.server("PATCH", "/api/contents/shared.ipynb", json={"path": "moved.ipynb"}),
        "delete": bob.server("DELETE", "/api/contents/shared.ipynb"),
        "checkpoint": bob.server("POST", "/api/contents/shared.ipynb/checkpoints"),
        "start kernel": bob.server("POST", "/api/kernels", json={"name": "python3"}),
        "interrupt": bob.server("POST", f"/api/kernels/{kernel_id}/interrupt"),
        "restart": bob.server("POST", f"/api/kernels/{kernel_id}/restart"),
        "shut down kernel": bob.server("DELETE", f"/api/kernels/{kernel_id}"),
        "new session": bob.server("POST", "/api/sessions", json={"path": "shared.ipynb", "type": "notebook",
                                                                 "kernel": {"name": "python3"}}),
        "new terminal": bob.server("POST", "/api/terminals"),
        "shut down terminal": bob.server("DELETE", f"/api/terminals/{terminal_name}"),
    }
    assert {what: r.status_code for what, r in refusals.items()} == {what: 403 for what in refusals}
    assert bob.websocket(f"/api/kernels/{kernel_id}/channels")[0] == 403
    assert bob.websocket(f"/terminals/websocket/{terminal_name}")[0] == 403
    # Nothing the viewer tried happened.
    assert alice.server("GET", "/api/contents/shared.ipynb").json()["content"]["cells"][0]["source"] == \
        "x = 2  # bob"
    assert alice.server("GET", f"/api/kernels/{kernel_id}").status_code == 200
    assert alice.server("GET", f"/api/terminals/{terminal_name}").status_code == 200

    # -- revocation: the next request and the open websocket are refused ---------------
    status, events = bob.websocket("/api/events/subscribe")
    assert status == 101
    revoked = alice.hub_api("PATCH", "/shares/alice/", json={"user": "bob"})
    assert revoked.status_code == 200 and revoked.json() == {}
    assert bob.server("GET", "/api/contents/shared.ipynb").status_code == 403
    assert bob.websocket("/api/events/subscribe")[0] == 403
    assert closed_within(events, 15), "bob's open connection outlived the revocation"
    assert viewer_room.pump(lambda: viewer_room.closed, 15), "bob's collaboration room outlived the revocation"
    assert Room(bob, "live.ipynb").open() == 403

    # -- a link bob may use works; once expired, it is refused -------------------------
    bob_session = session_of(hub, "bob")
    page, answer = accept(bob_session, hub, link.json()["code"])
    assert page.status_code == 200 and answer.status_code == 302, answer.text
    assert answer.headers["Location"].endswith("/user/alice/")
    assert sorted(shared_with(alice)["bob"]) == [f"access:servers{TARGET}", f"{COLLABORATOR}{TARGET}"]
    assert alice.hub_api("PATCH", "/shares/alice/", json={"user": "bob"}).status_code == 200
    time.sleep(max(0.0, made + 61 - time.monotonic()))
    page, answer = accept(bob_session, hub, short_code)
    assert page.status_code == 404 and answer.status_code in (400, 404)
    assert "bob" not in shared_with(alice)


def test_share_dialog_in_jupyterlab(hub, tmp_path):
    """alice's Share dialog: what a member gets (the mounted proposal by name), inviting
    bob as collaborator (listed), erin refused with the hub's reason, a link; screenshots
    in the light and the dark theme. bob finds alice's server on his hub home page, its
    link opens her JupyterLab, where he (a member) is offered no Share button."""
    import shutil

    from tests.extension.e2e_hub import open_lab
    from tests.services.browser import ARTIFACTS, browser

    def shot(page, name: str) -> None:
        """Under the test's tmp dir, and kept in test-artifacts/test_sharing/ (tmp dirs rotate)."""
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        (ARTIFACTS / "test_sharing").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, ARTIFACTS / "test_sharing" / path.name)

    alice = Client(hub, hub.hub.user_token("alice", note="owner"), "alice")
    with browser() as chromium:
        context, page = open_lab(chromium, hub, "alice")
        try:
            def open_dialog():
                page.click("#jp-Beamhub-shareButton")
                page.wait_for_selector(".jp-Beamhub-shareBody h3")

            open_dialog()
            body = page.locator(".jp-Beamhub-shareBody")
            assert "p1002" in body.inner_text()
            assert "as your Unix user alice" in body.inner_text()
            page.fill(".jp-Beamhub-shareInvite input[aria-label='Name to invite']", "erin")
            page.select_option("select[aria-label='Role to give']", "collaborator")
            page.click(".jp-Beamhub-shareInvite button[type=submit]")
            error = page.wait_for_selector(".jp-Beamhub-shareError")
            assert "p1002" in error.inner_text()
            error.scroll_into_view_if_needed()
            shot(page, "share-dialog-refused-light")
            page.fill(".jp-Beamhub-shareInvite input[aria-label='Name to invite']", "bob")
            page.click(".jp-Beamhub-shareInvite button[type=submit]")
            page.wait_for_selector(".jp-Beamhub-shareMember[data-name=bob]")
            assert page.locator("select[aria-label='Role of bob']").input_value() == "collaborator"
            assert shared_with(alice)["bob"] and any(s.startswith(COLLABORATOR) for s in shared_with(alice)["bob"])
            page.click(".jp-Beamhub-shareNewLink")
            link = page.wait_for_selector("input[aria-label='Invitation link']")
            assert "/hub/accept-share?code=" in link.input_value()
            link.scroll_into_view_if_needed()
            shot(page, "share-dialog-light")

            # The dark theme (JupyterLab's own setting), then the same dialog.
            page.keyboard.press("Escape")
            answer = requests.put(f"{hub.hub.url}/user/alice/lab/api/settings/@jupyterlab/apputils-extension:themes",
                                  headers=alice.headers, timeout=30,
                                  json={"raw": '{"theme": "JupyterLab Dark"}'})
            assert answer.status_code == 204, answer.text
            page.reload()
            page.wait_for_selector(".jp-Launcher, .jp-NotebookPanel, .jp-DirListing")
            page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
            open_dialog()
            page.wait_for_selector(".jp-Beamhub-shareMember[data-name=bob]")
            page.wait_for_timeout(500)
            shot(page, "share-dialog-dark")
        finally:
            context.close()
        # bob (a collaborator now) gets no Share button in alice's server: it is hers to share.
        bob_context, bob_page = open_lab(chromium, hub, "bob")
        try:
            # The hub's home page lists the server shared with him, with a link that works.
            bob_page.goto(f"{hub.hub.url}/hub/home")
            shared = bob_page.wait_for_selector(".beamhub-shared-server a")
            assert shared.inner_text() == "alice's server" and "collaborator" in \
                bob_page.inner_text(".beamhub-shared-server")
            shot(bob_page, "hub-home-shared-with-bob")
            shared.click()
            for _ in range(20):
                if bob_page.query_selector("input[type=submit][value*=uthorize], button:has-text('Authorize')"):
                    bob_page.click("input[type=submit][value*=uthorize], button:has-text('Authorize')")
                if bob_page.query_selector(".jp-Launcher, .jp-DirListing"):
                    break
                bob_page.wait_for_timeout(500)
            bob_page.wait_for_selector(".jp-DirListing")
            assert "/user/alice/" in bob_page.url
            bob_page.wait_for_timeout(1000)
            assert bob_page.query_selector("#jp-Beamhub-shareButton") is None
        finally:
            bob_context.close()
    assert alice.hub_api("PATCH", "/shares/alice/", json={"user": "bob"}).status_code == 200
