"""The catalogue service under test: demo data, a real store, a real JupyterHub.

``catalogue_hub`` (one per session) is JupyterHub with its proxy and the catalogue
service, configured from a beamhub site file, over an SQLite catalogue holding the
demo data (``BEAMHUB_TEST_SERVICE_BACKEND=mongo`` runs it on the MongoDB store
instead). Its users are the demo's (alice in p1001 and p1002, bob in p1002, carol
staff of i03, dave in nothing, erin in p2001, frank in p3001) plus ``voter00`` ..
``voter59`` in p1002 for the concurrency test.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from beamhub.catalogue import Identity, open_store
from beamhub.catalogue.ingest import ingest
from beamhub.demo.data import write_demo_data

from .hubsetup import CatalogueHub, demo_users

OPERATOR = Identity.for_operator("test-operator")
VOTERS = [f"voter{i:02d}" for i in range(60)]


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("demo-data")
    os.chmod(directory, 0o755)
    write_demo_data(directory)
    return directory


def load_demo(store, demo_data: Path) -> None:
    report = ingest([demo_data], store, OPERATOR, mapping=demo_data / "mapping.yaml",
                    proposals=demo_data / "proposals.yaml")
    assert report.ok, report.summary()


@pytest.fixture(scope="session")
def service_store_url(request, tmp_path_factory, demo_data) -> str:
    backend = os.environ.get("BEAMHUB_TEST_SERVICE_BACKEND", "sqlite")
    if backend == "mongo":
        url = request.getfixturevalue("mongodb_url").rstrip("/") + f"/beamhub_service_{uuid.uuid4().hex[:8]}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'catalogue.sqlite'}"
    with open_store(url) as store:
        load_demo(store, demo_data)
    return url


@pytest.fixture(scope="session")
def catalogue_hub(tmp_path_factory, service_store_url, demo_data):
    users = demo_users(demo_data / "proposals.yaml")
    users.update({name: ["p1002"] for name in VOTERS})
    users["fuzzer"] = ["p2001"]
    workdir = tmp_path_factory.mktemp("catalogue-hub")
    hub = CatalogueHub(service_store_url, users, workdir, state_dir=workdir / "state")
    with hub:
        yield hub


@pytest.fixture(scope="session")
def operator_store(service_store_url):
    """The same catalogue, opened directly as the operator (to check what was written)."""
    with open_store(service_store_url) as store:
        yield store
