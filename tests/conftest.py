"""Fixtures shared by every test tier: the real services, started once per session."""

from __future__ import annotations

import os

import pytest

from tests.services.require import missing


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
