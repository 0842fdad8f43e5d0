"""What a user sees, in a real browser (Debian's chromium): the operator's announcement,
posted with ``beamhub announce``, on the hub's pages and in JupyterLab; and in JupyterLab
on the real Slurm cluster, the time the server has left in the status bar, the warning
before its walltime, and extending it (the job's time limit changes in Slurm) until the
profile's maximum, after which JupyterLab says it cannot be extended."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.services.browser import browser, screenshot
from tests.spawner.support import PASSWORD, REPO
from tests.spawner.test_slurm import job_id_of, spawn_ready

pytestmark = [pytest.mark.slurm, pytest.mark.hub, pytest.mark.browser]

MAINTENANCE = "The cluster stops on Tuesday from 08:00 to 12:00 for a file-system upgrade."


def announce(hub, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "beamhub", "announce", "--site", str(hub.site_file), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO / "hub")})


@pytest.fixture(scope="module")
def posted(hub):
    added = announce(hub, "add", MAINTENANCE, "--kind", "maintenance", "--expires", "2h", "--id", "fs-upgrade")
    assert added.returncode == 0, added.stderr
    yield "fs-upgrade"
    announce(hub, "remove", "fs-upgrade")


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def alice(hub, posted):
    events = spawn_ready(hub, "alice", {"profile": "extendable", "proposals": ["P1"]})
    yield job_id_of(events)
    hub.stop("alice")


def logged_in(chromium, hub, user):
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(hub.hub.url + "/hub/login")
    page.fill("input#username_input", user)
    page.fill("input#password_input", PASSWORD.format(name=user))
    page.click("#login_submit")
    page.wait_for_load_state()
    return context, page


def test_the_announcement_is_on_the_hub_pages_until_removed(hub, posted, chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(hub.hub.url + "/hub/login")
    banner = page.locator("#beamhub-announcements")
    assert "Maintenance: " + MAINTENANCE in banner.inner_text()
    context.close()
    context, page = logged_in(chromium, hub, "bob")
    page.goto(hub.hub.url + "/hub/home")
    assert MAINTENANCE in page.locator("#beamhub-announcements").inner_text()
    screenshot(page, "test_lifecycle_lab", "hub_home_announcement")
    listed = announce(hub, "list")
    assert re.search(r"^fs-upgrade\tmaintenance\tshown\t", listed.stdout, re.M), listed.stdout
    # One expiring in the past is refused; one starting later is not shown yet.
    bad = announce(hub, "add", "Too late", "--expires", "2020-01-01T00:00")
    assert bad.returncode == 2 and "--expires 2020-01-01T00:00: that is in the past" in bad.stderr
    later = announce(hub, "add", "Next week's news", "--starts", "2d", "--expires", "3d", "--id", "later")
    assert later.returncode == 0, later.stderr
    page.reload()
    assert MAINTENANCE in page.locator("#beamhub-announcements").inner_text()
    assert "Next week" not in page.content()
    assert announce(hub, "remove", "later").returncode == 0
    context.close()


def minutes_left(page, more_than: int = -1, timeout: float = 60_000) -> int:
    """The status bar's minutes, once it shows more than ``more_than``."""
    handle = page.wait_for_function(
        "(more) => { const m = /Session: (\\d+) min left/.exec("
        "document.querySelector('#jp-Beamhub-session')?.textContent || ''); "
        "return m && Number(m[1]) > more ? Number(m[1]) : null; }", arg=more_than, timeout=timeout)
    return int(handle.json_value())


def test_lab_shows_time_left_warns_and_extends_up_to_the_maximum(hub, slurm, alice, chromium):
    context, page = logged_in(chromium, hub, "alice")
    page.goto(hub.hub.url + "/user/alice/lab")
    item = page.locator("#jp-Beamhub-session")
    item.wait_for(timeout=120_000)
    first = minutes_left(page)
    assert 5 <= first <= 10  # a ten-minute walltime, started a little while ago
    # The walltime warning (inside the fifteen-minute window) and the announcement, as notifications.
    page.get_by_text(re.compile(r"Your server reaches its walltime in \d+ min")).first.wait_for()
    page.get_by_text("Maintenance: " + MAINTENANCE).first.wait_for()
    screenshot(page, "test_lifecycle_lab", "warned")

    item.click()
    dialog = page.locator(".jp-Dialog")
    assert "limit 10 min of at most 30 min" in dialog.inner_text()
    dialog.get_by_role("button", name="Extend by 15 min").click()
    second = minutes_left(page, more_than=first + 10)
    assert first + 13 <= second <= first + 15
    assert slurm.job(alice)["TimeLimit"] == "00:25:00"

    item.click()
    page.locator(".jp-Dialog").get_by_role("button", name="Extend by 5 min").click()  # what is left of 30
    third = minutes_left(page, more_than=second + 2)
    assert second + 3 <= third <= second + 5
    assert slurm.job(alice)["TimeLimit"] == "00:30:00"

    item.click()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("it cannot be extended").wait_for()
    assert dialog.get_by_role("button", name=re.compile("Extend")).count() == 0
    screenshot(page, "test_lifecycle_lab", "at_the_maximum")
    dialog.get_by_role("button", name="Close").click()
    context.close()
