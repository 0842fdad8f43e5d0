"""Fixtures shared by every test tier: the real services, started once per session."""

from __future__ import annotations

import os

import pytest

from tests.services.require import in_ci, missing


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: every tier must really run there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if in_ci() and skipped and exitstatus == 0:
        for report in skipped:
            reporter.write_line(f"SKIPPED IN CI: {report.nodeid}: {report.longrepr[-1] if report.longrepr else ''}", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def mongodb_url():
    """A MongoDB wire-protocol server: ``BEAMHUB_TEST_MONGODB_URL`` or a FerretDB started here."""
    url = os.environ.get("BEAMHUB_TEST_MONGODB_URL")
    if url:
        yield url
        return
    from tests.services.ferretdb import FerretDB, build

    try:
        binary = build()
    except Exception as exc:  # no Go, no module proxy: say so
        missing("FerretDB", f"could not build it ({exc})")
    with FerretDB(binary) as server:
        yield server.url
