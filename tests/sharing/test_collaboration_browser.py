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

            # -- bob made viewer: follows alice live; the server refuses what he tries ------
            assert alice.hub_api("POST", "/shares/alice/", json={"user": "bob", "scopes": [VIEWER]}).status_code \
                == 200
            bob_page.wait_for_timeout(5000)  # his collaborator connection closes; JupyterLab rejoins as viewer
            type_in_cell(alice_page, "\nc = 'alice again'")
            assert wait_for_text(bob_page, "c = 'alice again'"), cell_text(bob_page)
            type_in_cell(bob_page, "\nimport pathlib; pathlib.Path('viewer-ran').touch()  # viewer")
            alice_page.wait_for_timeout(3000)
            assert "viewer" not in cell_text(alice_page)
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
