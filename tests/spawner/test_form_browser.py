"""The spawn form in a real browser (Debian's chromium through Playwright), driven with
the keyboard: pick a profile and a proposal, follow the progress, land in JupyterLab.
Screenshots go to test-artifacts/ (tests.services.browser.screenshot)."""

from __future__ import annotations

import re

import pytest

from tests.services.browser import browser, screenshot

from .support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slurm, pytest.mark.hub]

NAME = "test_spawn_form_in_chromium"


def test_spawn_form_in_chromium(slurm_hub):
    hub = slurm_hub
    errors = []
    try:
        with browser() as chromium:
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
            page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
                    if m.type == "error" and "/hub/" in page.url else None)

            page.goto(f"{hub.hub.url}/hub/login")
            page.fill("#username_input", "alice")
            page.fill("#password_input", PASSWORD.format(name="alice"))
            page.click("#login_submit")
            page.goto(f"{hub.hub.url}/hub/spawn")
            page.wait_for_selector("#beamhub-spawn")
            screenshot(page, NAME, "1-form")

            # Every control has a label; the groups are fieldsets with legends.
            unlabelled = page.eval_on_selector_all(
                "#beamhub-spawn input", "els => els.filter(e => !e.labels || !e.labels.length).map(e => e.id)")
            assert unlabelled == []
            assert page.locator("#beamhub-spawn fieldset legend").all_inner_texts() == ["Resources", "Data to mount"]
            assert page.get_by_label(re.compile(r"\bP1 · Lysozyme soaks")).is_visible()
            assert page.get_by_text("beamline i03").first.is_visible()
            assert page.get_by_label(re.compile(r"\bP2\b")).count() == 0  # bob's proposal is not offered

            # The keyboard alone: arrow to the next profile, space to tick P1, Enter on Start.
            page.focus("#profile-podman")
            page.keyboard.press("ArrowDown")
            assert page.is_checked("#profile-bwrap")
            page.get_by_label(re.compile(r"\bP1 · ")).focus()
            page.keyboard.press("Space")
            assert page.get_by_label(re.compile(r"\bP1 · ")).is_checked()
            screenshot(page, NAME, "2-chosen")
            page.get_by_role("button", name="Start").focus()
            page.keyboard.press("Enter")

            page.wait_for_selector("text=/Job \\d+ (is waiting|is running|submitted)/", timeout=120_000)
            screenshot(page, NAME, "3-progress")
            page.wait_for_selector(".jp-Launcher", timeout=240_000)
            assert "/user/alice/lab" in page.url
            screenshot(page, NAME, "4-jupyterlab")
            assert hub.server("alice")["user_options"] == {"profile": "bwrap", "proposals": ["P1"]}

            # The next form starts from these choices.
            hub.stop("alice")
            page.goto(f"{hub.hub.url}/hub/spawn")
            page.wait_for_selector("#beamhub-spawn")
            assert page.is_checked("#profile-bwrap") and not page.is_checked("#profile-podman")
            assert page.get_by_label(re.compile(r"\bP1 · ")).is_checked()
            assert not page.get_by_label(re.compile(r"\bP3 · ")).is_checked()
            screenshot(page, NAME, "5-remembered")
            context.close()
        assert errors == []
    finally:
        hub.stop("alice")
