"""The data, reachable, in the real demo (``beamhub demo``) and a real browser.

alice signs in, ticks proposal p1001 on the spawn form, which says where it will be (a
read-only link ``~/data/p1001``: the demo cannot mount), and the spawn page shows its
steps as the server starts. In JupyterLab the detail view of a sweep shows the folder as her server sees it; "Show
in file browser" opens it there, a NeXus file opens from it (H5Web), and the frame slider draws the
stack's frames one by one. Screenshots under test-artifacts/test_data_reachable/.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from urllib.parse import quote

import pytest

from tests.demo.test_demo_hub import Demo, login
from tests.services.browser import browser, screenshot
from tests.services.ports import free_port

from .e2e_hub import LAB_READY, dismiss_news, open_catalogue

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.timeout(900)]

SHOTS = "test_data_reachable"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    state = tmp_path_factory.mktemp("demo") / "state"
    running = Demo(state, free_port())
    try:
        running.wait_login_page(timeout=300)
        yield running
    finally:
        running.interrupt()


def spawn_steps(context, pending_url: str, start) -> list[tuple[int, str]] | None:
    """The steps the spawn-pending page shows in its event log while the server starts:
    a second tab on it (the first one waits for the spawn, which JupyterHub answers at
    once when it is quick), made ready before ``start()`` asks for the server. The hub's
    real progress stream reaches the page whole, but for its "ready" event, so that the
    page stays to be read instead of moving on. None if the server was up before the page
    asked (the hub then sends "ready" alone: there are no steps left to show)."""
    pending = context.new_page()
    received = []

    def hold_back_ready(route):
        answer = route.fetch(timeout=180_000)
        events = [json.loads(line[len("data:"):]) for line in answer.text().splitlines()
                  if line.startswith("data:")]
        received.extend(events)
        shown = "".join(f"data: {json.dumps(e)}\n\n" for e in events if not e.get("ready"))
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=shown)

    pending.route("**/api/users/*/server/progress*", hold_back_ready)
    try:
        start()
        deadline = time.monotonic() + 60
        while True:  # the hub answers spawn-pending with "not running" until it has the request
            pending.goto(pending_url)
            if "/user/" in pending.url:
                return None
            if pending.locator("#progress-log").count():
                break
            assert time.monotonic() < deadline, ("the hub never showed the spawn as pending", pending.url)
            pending.wait_for_timeout(100)
        deadline = time.monotonic() + 180
        while pending.locator("#progress-log .progress-log-event").count() < 5:
            if received and all(e.get("ready") for e in received):
                return None
            assert time.monotonic() < deadline, ("the spawn-pending page showed no steps in 3 minutes", received)
            pending.wait_for_timeout(200)
        pending.locator("#progress-details summary").click()  # the event log, opened as a user would
        screenshot(pending, SHOTS, "01b-spawn-steps")
        shown = pending.locator("#progress-log .progress-log-event").all_inner_texts()
        assert received and received[-1].get("ready"), received  # the hub's stream did end ready
        progress = [(e["progress"], e["message"]) for e in received if not e.get("ready")]
        assert [message for _, message in progress] == [text.strip() for text in shown]
        return progress
    finally:
        pending.close()


def test_the_server_paths_map_relative_to_the_servers_root(tmp_path):
    from jupyterlab_beamhub.datapaths import data_paths

    home = tmp_path / "home"
    environ = {"BEAMHUB_DATA_PATH_MAP": f"/gpfs/p1={home}/data/p1;/gpfs/p2=/data/p2;broken;=x"}
    assert data_paths(str(home), environ) == [
        {"source": "/gpfs/p1", "path": f"{home}/data/p1", "relative": "data/p1"},
        {"source": "/gpfs/p2", "path": "/data/p2", "relative": ""}]
    assert data_paths(str(home), {}) == []
    # in a container the data is mounted outside the home; the spawner's link reaches it
    (home / "data").mkdir(parents=True)
    os.symlink("/data/p2", home / "data" / "p2")
    assert data_paths(str(home), environ)[1] == {"source": "/gpfs/p2", "path": "/data/p2", "relative": "data/p2"}


def test_previews_take_a_frame_of_a_stack_and_refuse_one_past_its_end(demo):
    session = login(demo.url, "bob", demo.passwords()["bob"])
    assert session.get(demo.url + "/services/catalogue/", timeout=60).status_code == 200  # the service's login
    api = demo.url + "/services/catalogue/api/v1"
    found = session.get(api + "/datasets", params={"technique": "SAXS", "type": "raw", "limit": 50}, timeout=60)
    stack = next(d for d in found.json()["items"] if len(d["signal"]["shape"]) == 3)
    url = f"{api}/datasets/{quote(stack['pid'], safe='')}/preview.png"
    frames = stack["signal"]["shape"][0]
    first = session.get(url, params={"size": "large", "frame": 0}, timeout=60)
    last = session.get(url, params={"size": "large", "frame": frames - 1}, timeout=60)
    middle = session.get(url, params={"size": "large"}, timeout=60)
    assert first.status_code == last.status_code == middle.status_code == 200
    assert len({first.content, last.content}) == 2 and first.headers["ETag"] != last.headers["ETag"]
    assert middle.headers["ETag"] not in (first.headers["ETag"], last.headers["ETag"])
    past = session.get(url, params={"frame": frames}, timeout=60)
    assert past.status_code == 422 and f"has {frames} frames; no frame {frames}" in past.json()["message"]
    for bad in ("-1", "x", "1e3"):
        refused = session.get(url, params={"frame": bad}, timeout=60)
        assert refused.status_code == 400 and "frame" in refused.json()["message"], bad


def test_alice_reaches_her_proposal_from_the_detail_view_and_slides_through_frames(demo):
    passwords = demo.passwords()
    home = demo.state_dir / "homes" / "alice"
    sweep = next((demo.state_dir / "data").rglob("lysozyme_0001.nxs"))
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(demo.url + "/hub/login")
            page.fill("input#username_input", "alice")
            page.fill("input#password_input", passwords["alice"])
            page.click("#login_submit")
            page.wait_for_url("**/hub/spawn**")
            form = page.locator("#beamhub-proposals")
            assert "appears as a read-only link ~/data/<proposal> in your home" in form.inner_text()
            for _ in range(3):
                page.check('input[name="proposals"][value="p1001"]')
                screenshot(page, SHOTS, "01-spawn-form")
                steps = spawn_steps(context, demo.url + "/hub/spawn-pending/alice",
                                    lambda: page.click("form#spawn_form [type=submit]", no_wait_after=True))
                if steps is not None:
                    break
                # her server was up before the second tab asked: stop it (as from the hub's
                # home page) and ask again, so that the steps are seen while they happen
                page.wait_for_selector(LAB_READY, timeout=180_000)
                page.goto(demo.url + "/hub/home")
                page.click("#stop")
                page.wait_for_selector("#start", timeout=120_000)
                page.goto(demo.url + "/hub/spawn/alice")
            assert steps == [
                (0, "Server requested"),  # JupyterHub's, then the demo spawner's own
                (10, "Checking your resources and proposals with the catalogue"),
                (30, "Your data, read-only: p1001 linked at ~/data/<proposal>"),
                (50, "Starting JupyterLab (Default, 1 CPU)"),
                (80, "JupyterLab is starting: waiting for it to answer")], steps
            page.wait_for_selector(LAB_READY, timeout=180_000)
            dismiss_news(page)

            # the link is there, read-only on disk
            assert os.readlink(home / "data" / "p1001") == str(sweep.parents[1])
            assert not os.access(sweep, os.W_OK) or os.geteuid() == 0
            assert sweep.stat().st_mode & 0o222 == 0

            # the detail view: the folder as alice's server sees it
            open_catalogue(page)
            box = page.locator(".jp-Beamhub-searchInput")
            box.fill("lysozyme_0001")
            result = page.locator(".jp-Beamhub-result", has_text="lysozyme_0001").first
            result.locator(".jp-Beamhub-resultName").click()
            detail = page.locator(".jp-Beamhub-detail:visible")
            detail.locator(".jp-Beamhub-detailTitle").wait_for()
            seen = detail.locator(".jp-Beamhub-seenPath code")
            assert seen.inner_text() == f"{home}/data/p1001/lysozyme"
            assert seen.get_attribute("title") == f"The facility's path: {sweep.parent}"

            # the frame slider: 60 frames, the middle one first, each frame its own picture
            slider = detail.locator(".jp-Beamhub-frameSlider input[type=range]")
            assert slider.get_attribute("max") == "59" and slider.input_value() == "30"
            assert "Frame 31 of 60" in detail.locator(".jp-Beamhub-frameSlider").inner_text()
            image = detail.locator(".jp-Beamhub-preview img")
            pictures = {}
            for frame in (30, 0, 59):
                slider.fill(str(frame))
                page.wait_for_function(
                    "([img, frame]) => img.src.endsWith('&frame=' + frame) && img.complete && img.naturalWidth > 0",
                    arg=[image.element_handle(), frame])
                assert f"Frame {frame + 1} of 60" in detail.locator(".jp-Beamhub-frameSlider").inner_text()
                body = page.evaluate("src => fetch(src).then(r => r.arrayBuffer()).then(b => [...new Uint8Array(b)])",
                                     image.get_attribute("src"))
                pictures[frame] = hashlib.sha256(bytes(body)).hexdigest()
            assert len(set(pictures.values())) == 3, "the frames drew the same picture"
            screenshot(page, SHOTS, "02-detail-frame-slider")

            # "Show in file browser": the folder opens there, and a file opens from it
            detail.locator(".jp-Beamhub-showInBrowser").click()
            listing = page.locator(".jp-FileBrowser .jp-DirListing-content")
            item = listing.locator(".jp-DirListing-item", has_text="lysozyme_0001.nxs")
            item.wait_for()
            assert "data/p1001/lysozyme" in page.locator(".jp-FileBrowser .jp-BreadCrumbs").inner_text().replace(
                " ", "")
            screenshot(page, SHOTS, "03-file-browser")
            item.dblclick()  # H5Web (jupyterlab-h5web) opens NeXus files: its tree shows the file's groups
            page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="lysozyme_0001.nxs").wait_for()
            viewer = page.locator(".h5web-root:visible")
            viewer.wait_for(timeout=60_000)
            viewer.get_by_text("entry", exact=True).first.wait_for(timeout=60_000)
            screenshot(page, SHOTS, "04-file-opened")
        finally:
            screenshot(page, SHOTS, "zz-last")
            context.close()
