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
    """A MongoDB-protocol server: ``BEAMHUB_TEST_MONGODB_URL`` or a DocumentDB started here.

    The URL has no database and no options, so tests append ``/<database>`` (the gateway
    offers SCRAM-SHA-256 alone, which pymongo then picks by itself)."""
    url = os.environ.get("BEAMHUB_TEST_MONGODB_URL")
    if url:
        yield url
        return
    from tests.services.documentdb import DocumentDB

    try:
        server = DocumentDB()
    except Exception as exc:  # not root, no cargo, no PostgreSQL 15: say so
        missing("DocumentDB", f"could not install it ({exc})")
    with server:
        yield server.url
