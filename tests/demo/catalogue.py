"""A demo catalogue for tests that need real data behind a hub: the demo data written
(beamhub.demo.data) and ingested into a fresh SQLite catalogue."""

from __future__ import annotations

import os
from pathlib import Path


def demo_catalogue(tmp: Path) -> tuple[str, Path]:
    """``(store URL, data folder)`` of a catalogue of the demo data made under ``tmp``."""
    from beamhub.catalogue import Identity, open_store
    from beamhub.catalogue.ingest import ingest
    from beamhub.demo.data import write_demo_data

    data = tmp / "demo-data"
    data.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, 0o755)  # the users' servers read the data
    os.chmod(data, 0o755)
    write_demo_data(data)
    url = f"sqlite:///{tmp / 'catalogue.sqlite'}"
    with open_store(url) as store:
        report = ingest([data], store, Identity.for_operator("test-operator"),
                        mapping=data / "mapping.yaml", proposals=data / "proposals.yaml")
        assert report.ok, report.summary()
    return url, data
