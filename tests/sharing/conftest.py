"""One real hub for the sharing tests (started once for the package): alice's server
runs with proposal p1002 (alice, bob; beamline i22) mounted."""

from __future__ import annotations

import pytest

from .hubsetup import spawn, start_hub


@pytest.fixture(scope="package")
def hub(tmp_path_factory):
    hub = start_hub(tmp_path_factory.mktemp("sharing"))
    try:
        spawn(hub, "alice", ["p1002"])
        yield hub
    finally:
        hub.close()
