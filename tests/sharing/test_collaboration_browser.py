"""Sharing in real browsers against a really started hub: alice and bob edit one notebook
together in JupyterLab (real-time collaboration) and see each other's edits and cursors
with names; bob made viewer follows alice live while the server refuses each of his
writes, executions and terminals and drops his edits; alice revokes him and his
websockets close; erin (not in the proposal) cannot use a link.
"""

from __future__ import annotations

import time

import pytest

from .hubsetup import SERVER_ANSWERS, Client, notebook, open_server_lab

pytestmark = [pytest.mark.hub, pytest.mark.timeout(600)]

VIEWER, COLLABORATOR = "custom:beamhub:viewer", "custom:beamhub:collaborator"
CELL = ".jp-Notebook .jp-Cell .cm-content"


def take_kernel(page) -> None:
    """Answer JupyterLab's "Select Kernel" question, if asked, with the default kernel."""
    try:
        page.wait_for_selector(".jp-Dialog:has-text('Select Kernel')", timeout=8000)
    except Exception:  # not asked (a session exists already)
        return
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(".jp-Dialog", state="detached")


def cell_text(page) -> str:
    return page.locator(CELL).first.inner_text()


def type_in_cell(page, text: str) -> None:
    page.locator(CELL).first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def wait_for_text(page, text: str, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in cell_text(page):
            return True
        page.wait_for_timeout(100)
    return False


def open_rooms(page) -> list:
    """The collaboration-room websockets of ``page`` still open."""
    return [ws for ws in page.beamhub_sockets if "/api/collaboration/room/" in ws.url and not ws.is_closed()]


def test_coediting_viewer_and_revocation_in_browsers(hub):
    from tests.services.browser import ARTIFACTS, browser

    alice = Client(hub, hub.hub.user_token("alice", note="owner"), "alice")
    assert alice.server("PUT", "/api/contents/collab.ipynb", json=notebook("# together")).status_code in (200, 201)
    assert alice.hub_api("POST", "/shares/alice/", json={"user": "bob", "scopes": [COLLABORATOR]}).status_code == 200
    link = alice.hub_api("POST", "/share-codes/alice/", json={"scopes": [VIEWER], "expires_in": 3600})
    assert link.status_code == 200, link.text
    shots = ARTIFACTS / "test_sharing"
    shots.mkdir(parents=True, exist_ok=True)

    with browser() as chromium:
        alice_context, alice_page = open_server_lab(chromium, hub, "alice", "alice", "collab.ipynb")
        bob_context, bob_page = open_server_lab(chromium, hub, "bob", "alice", "collab.ipynb")
        erin_context = chromium.new_context()
        try:
            # -- three contexts: erin, not in p1002, cannot use alice's link ----------------
            erin = erin_context.new_page()
            erin.goto(hub.hub.url + "/hub/login")
            from tests.extension.e2e_hub import password

            erin.fill("input#username_input", "erin")
            erin.fill("input#password_input", password("erin"))
            erin.click("#login_submit")
            erin.wait_for_url(lambda url: "/hub/login" not in url)
            refused = erin.goto(hub.hub.url + link.json()["accept_url"])
            assert refused.status == 403 and "p1002" in erin.inner_text("body")
            assert "erin" not in {s["user"]["name"] for s in alice.hub_api("GET", "/shares/alice/").json()["items"]
                                  if s.get("user")}

            # -- collaborators: each sees the other's edits, and the other's named cursor ----
            for page in (alice_page, bob_page):
                take_kernel(page)
                page.wait_for_selector(CELL)
                assert wait_for_text(page, "# together")
            type_in_cell(alice_page, "\na = 'from alice'")
            assert wait_for_text(bob_page, "a = 'from alice'"), cell_text(bob_page)
            type_in_cell(bob_page, "\nb = 'from bob'")
            assert wait_for_text(alice_page, "b = 'from bob'"), cell_text(alice_page)
            # Each sees the other's cursor in the cell, flagged with the other's name.
            for typist, watcher, name in ((alice_page, bob_page, "alice"), (bob_page, alice_page, "bob")):
                type_in_cell(typist, " ")
                watcher.wait_for_selector(".jp-remote-cursor", state="attached")
                watcher.wait_for_selector(f".jp-remote-userFlag-name:has-text('{name}')")
            bob_page.screenshot(path=str(shots / "coediting-bob-sees-alice.png"))
            assert bob_page.locator("#jp-Beamhub-viewOnly").is_hidden()  # a collaborator edits

            # -- bob made viewer: follows alice live; the server refuses what he tries ------
            assert alice.hub_api("POST", "/shares/alice/", json={"user": "bob", "scopes": [VIEWER]}).status_code \
                == 200
            bob_page.wait_for_timeout(5000)  # his collaborator connection closes; JupyterLab rejoins as viewer
            # His JupyterLab says "View only" and shows the notebook read-only.
            bob_page.wait_for_selector("#jp-Beamhub-viewOnly", state="visible", timeout=15_000)
            bob_page.wait_for_selector(".jp-Beamhub-viewOnlyDocument .jp-Cell .jp-mod-readOnly", state="attached")
            type_in_cell(alice_page, "\nc = 'alice again'")
            assert wait_for_text(bob_page, "c = 'alice again'"), cell_text(bob_page)
            type_in_cell(bob_page, "\nimport pathlib; pathlib.Path('viewer-ran').touch()  # viewer")
            alice_page.wait_for_timeout(3000)
            assert "viewer" not in cell_text(alice_page)
            # ... and his own copy took none of his typing: it does not drift from alice's.
            assert "viewer" not in cell_text(bob_page) and "c = 'alice again'" in cell_text(bob_page)
            kernels = alice.server("GET", "/api/kernels").json()
            kernel_id = kernels[0]["id"] if kernels else \
                alice.server("POST", "/api/kernels", json={"name": "python3"}).json()["id"]
            terminal = alice.server("POST", "/api/terminals").json()["name"]
            answers = bob_page.evaluate(SERVER_ANSWERS, ["/user/alice/", kernel_id, terminal])
            assert answers == {"read notebook": 200, "save notebook": 403, "new file": 403, "start kernel": 403,
                               "restart kernel": 403, "new terminal": 403, "kernel channels": "refused",
                               "terminal": "refused"}, answers
            # Running his cell (Shift+Enter) runs nothing: the file it would make is not there.
            bob_page.locator(CELL).first.click()
            bob_page.keyboard.press("Shift+Enter")
            bob_page.wait_for_timeout(3000)
            assert alice.server("GET", "/api/contents/viewer-ran").status_code == 404
            # His JupyterLab did not run it nor add the next cell: his copy is still alice's.
            assert bob_page.locator(".jp-Notebook .jp-Cell").count() == 1
            assert bob_page.locator(".jp-Notebook .jp-InputPrompt").first.inner_text().strip() != "[*]:"
            bob_page.screenshot(path=str(shots / "viewer-bob.png"))
            alice_page.keyboard.press("Control+s")
            alice_page.wait_for_timeout(2000)
            saved = alice.server("GET", "/api/contents/collab.ipynb").json()["content"]["cells"][0]["source"]
            assert "c = 'alice again'" in saved and "viewer" not in saved

            # -- revocation: his websockets close within seconds, his requests are refused ---
            assert open_rooms(bob_page), "bob follows the notebook through a collaboration room"
            assert alice.hub_api("PATCH", "/shares/alice/", json={"user": "bob"}).status_code == 200
            deadline = time.monotonic() + 15
            while open_rooms(bob_page) and time.monotonic() < deadline:
                bob_page.wait_for_timeout(200)
            assert not open_rooms(bob_page), "bob's collaboration room outlived the revocation"
            answers = bob_page.evaluate(SERVER_ANSWERS, ["/user/alice/", kernel_id, terminal])
            assert answers["read notebook"] == 403 and answers["kernel channels"] == "refused"
        except Exception:
            for name, page in (("alice", alice_page), ("bob", bob_page)):
                page.screenshot(path=str(shots / f"failed-{name}.png"))
            raise
        finally:
            for context in (alice_context, bob_context, erin_context):
                context.close()
            # alice's next JupyterLab opens on the launcher, not on this notebook.
            alice.server("DELETE", "/lab/api/workspaces/default")


def hub_login(chromium, hub, user: str):
    """A new browser context with ``user`` logged in on the hub (its home page)."""
    from tests.extension.e2e_hub import hub_login as log_in

    context, page = log_in(chromium, hub, user)
    page.wait_for_url(lambda url: "/hub/login" not in url)
    return context, page


def restart_alice(hub, proposals: list[str]) -> None:
    from .hubsetup import spawn

    assert hub.hub.api("DELETE", "/users/alice/server").status_code in (202, 204)
    hub.hub.wait_stopped("alice")
    spawn(hub, "alice", proposals)


def test_support_request_in_browsers(hub):
    """carol (staff of i03) finds alice's server (p1001, measured at i03) on her hub home
    page and asks to join; alice declines in JupyterLab's notification and carol gets
    nothing; carol asks again, alice sees it in the Share dialog and accepts; carol opens
    alice's notebook (no terminal); alice's server stops, and carol's share and next
    requests are gone. bob, dave and erin (not i03 staff) are refused by the hub."""
    from tests.services.browser import ARTIFACTS, browser

    shots = ARTIFACTS / "test_sharing"
    shots.mkdir(parents=True, exist_ok=True)
    restart_alice(hub, ["p1001"])
    carol_member = None
    alice = Client(hub, hub.hub.user_token("alice", note="owner"), "alice")
    try:
        assert alice.server("PUT", "/api/contents/support.ipynb", json=notebook("# help me")).status_code == 201
        # -- the hub refuses who is not staff of the beamline (API level) ---------------
        for outsider in ("bob", "dave", "erin"):
            token = hub.hub.user_token(outsider, note="outsider")
            client = Client(hub, token, "alice")
            refused = client.hub_api("POST", "/beamhub/support/alice/")
            assert refused.status_code == 403 and "i03" in refused.json()["message"], refused.text
            assert client.hub_api("GET", "/beamhub/support").json() == {"items": []}
        assert alice.hub_api("GET", "/beamhub/support-requests/alice/").json() == {"items": []}
        # Nobody but the owner (or her server) answers requests.
        carol_token = Client(hub, hub.hub.user_token("carol", note="carol"), "alice")
        assert carol_token.hub_api("POST", "/beamhub/support-requests/alice/",
                                   json={"user": "carol", "accept": True}).status_code in (403, 404)

        with browser() as chromium:
            carol_context, carol = hub_login(chromium, hub, "carol")
            from tests.extension.e2e_hub import open_lab

            alice_context, alice_page = open_lab(chromium, hub, "alice")
            try:
                def ask_to_join():
                    carol.goto(hub.hub.url + "/hub/home")
                    entry = carol.wait_for_selector(".beamhub-support-server[data-owner=alice]")
                    assert "p1001 at i03" in entry.inner_text()
                    carol.click(".beamhub-support-server[data-owner=alice] .beamhub-ask-support")
                    carol.wait_for_selector(".beamhub-support-server[data-owner=alice] "
                                            ".beamhub-support-state:has-text('waiting for the owner')")

                def toast():
                    return alice_page.locator(".Toastify__toast:has-text('carol (beamline staff) asks')").last

                # -- declined: carol gets no access -----------------------------------------
                ask_to_join()
                carol.screenshot(path=str(shots / "support-carol-asks.png"))
                toast().wait_for(timeout=30_000)
                assert "no terminal" in toast().inner_text()
                alice_page.screenshot(path=str(shots / "support-request-notification.png"))
                toast().locator("button:has-text('Decline')").click()
                alice_page.wait_for_selector(".Toastify__toast:has-text('You declined carol')")
                assert alice.hub_api("GET", "/beamhub/support-requests/alice/").json() == {"items": []}
                assert "carol" not in {s["user"]["name"] for s in
                                       alice.hub_api("GET", "/shares/alice/").json()["items"] if s.get("user")}
                carol.goto(hub.hub.url + "/hub/home")
                carol.wait_for_selector(".beamhub-support-server[data-owner=alice] "
                                        ".beamhub-support-state:has-text('declined')")
                assert carol.goto(f"{hub.hub.url}/user/alice/api/contents/support.ipynb").status != 200

                # -- asked again: alice sees it in the Share dialog and accepts -------------
                ask_to_join()
                toast().wait_for(timeout=30_000)
                alice_page.click("#jp-Beamhub-shareButton")
                row = alice_page.wait_for_selector(".jp-Beamhub-shareRequest[data-name=carol]")
                assert "no terminal" in alice_page.inner_text(".jp-Beamhub-shareBody")
                row.scroll_into_view_if_needed()
                alice_page.screenshot(path=str(shots / "support-request-dialog.png"))
                alice_page.click(".jp-Beamhub-shareRequest[data-name=carol] button:has-text('Accept')")
                alice_page.wait_for_selector(".jp-Beamhub-shareMember[data-name=carol]:has-text('Support')")
                alice_page.keyboard.press("Escape")
                shares = {s["user"]["name"]: s["scopes"] for s in alice.hub_api("GET", "/shares/alice/").json()["items"]
                          if s.get("user")}
                assert "custom:beamhub:support!server=alice/" in shares["carol"]
                # A token of carol's for alice's server, while she may use it.
                carol_member = Client(hub, hub.hub.user_token("carol", scopes=["access:servers!server=alice/"],
                                                              note="carol as support"), "alice")
                assert carol_member.server("GET", "/api/contents/support.ipynb").status_code == 200
                assert carol_member.server("POST", "/api/terminals").status_code == 403

                # -- carol opens alice's notebook; the server refuses her a terminal --------
                carol_context.close()
                carol_context, carol = open_server_lab(chromium, hub, "carol", "alice", "support.ipynb")
                take_kernel(carol)
                carol.wait_for_selector(CELL)
                assert wait_for_text(carol, "# help me"), cell_text(carol)
                carol.screenshot(path=str(shots / "support-carol-in-alice-notebook.png"))
                answers = carol.evaluate("""async () => {
                  const xsrf = decodeURIComponent((document.cookie.split('; ').find(c => c.startsWith('_xsrf=')) || '=').split('=')[1]);
                  const ask = async (method, path, body) => (await fetch('/user/alice/' + path, {method,
                    headers: {'Content-Type': 'application/json', 'X-XSRFToken': xsrf},
                    body: body && JSON.stringify(body), credentials: 'same-origin'})).status;
                  return {read: await ask('GET', 'api/contents/support.ipynb'),
                          'new file': await ask('PUT', 'api/contents/carol-note.txt', {type: 'file', format: 'text', content: 'checked'}),
                          terminal: await ask('POST', 'api/terminals')};
                }""")
                assert answers == {"read": 200, "new file": 201, "terminal": 403}, answers
            finally:
                for context in (carol_context, alice_context):
                    context.close()

        # -- the session ends: the support share and any request go with it -----------------
        # carol asks once more (pending) before the server stops.
        assert carol_token.hub_api("POST", "/beamhub/support/alice/").status_code == 201
        assert alice.hub_api("GET", "/beamhub/support-requests/alice/").json()["items"][0]["user"] == "carol"
        assert hub.hub.api("DELETE", "/users/alice/server").status_code in (202, 204)
        hub.hub.wait_stopped("alice")
        assert carol_member.server("GET", "/api/contents/support.ipynb").status_code != 200
        assert "carol" not in {s["user"]["name"] for s in alice.hub_api("GET", "/shares/alice/").json()["items"]
                               if s.get("user")}
    finally:
        restart_alice(hub, ["p1002"])  # the other sharing tests' server
        alice.server("DELETE", "/lab/api/workspaces/default")
    # Her next request to the server running again is refused; nothing is pending.
    assert carol_member is not None and carol_member.server("GET", "/api/contents").status_code == 403
    assert alice.hub_api("GET", "/beamhub/support-requests/alice/").json() == {"items": []}
