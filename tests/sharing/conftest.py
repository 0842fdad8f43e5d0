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
        # Stopped through the hub first: the server then shuts its kernels down (closing
        # the hub alone left the members' kernels running after the tests).
        try:
            hub.hub.api("DELETE", "/users/alice/server")
            hub.hub.wait_stopped("alice")
        except Exception:  # noqa: BLE001 - the hub is closed below regardless
            pass
        hub.close()
