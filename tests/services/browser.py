"""Debian's chromium driven by Playwright (never ``playwright install``: no download).

``browser()`` is a context manager giving a Playwright ``Browser``; each test makes its
own contexts (one per simulated user). Screenshots go under ``test-artifacts/``
(``BEAMHUB_ARTIFACTS`` overrides), which CI keeps.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from .require import missing

CHROMIUM = os.environ.get("BEAMHUB_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(os.environ.get("BEAMHUB_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


@contextlib.contextmanager
def browser():
    if not Path(CHROMIUM).exists():
        missing("chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright", "the Python package is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def screenshot(page, test_name: str, step: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/<test>/<step>.png``."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', step)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
