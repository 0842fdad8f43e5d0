"""The catalogue service under test: demo data, a real store, a real JupyterHub.

``catalogue_hub`` (one per session) is JupyterHub with its proxy and the catalogue
service, configured from a beamhub site file, over an SQLite catalogue holding the
demo data (``BEAMHUB_TEST_SERVICE_BACKEND=mongo`` runs it on the MongoDB store
instead). Its users are the demo's (alice in p1001 and p1002, bob in p1002, carol
staff of i03, dave in nothing, erin in p2001, frank in p3001) plus ``voter00`` ..
``voter59`` in p1002 for the concurrency test.

``mongo_catalogue_hub`` is the same over the MongoDB store (DocumentDB, or
``BEAMHUB_TEST_MONGODB_URL``): modules that call :func:`on_both_stores` run every test
against both, so the production backend answers the same through HTTP.
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
    if os.environ.get("BEAMHUB_TEST_SERVICE_BACKEND", "sqlite") == "mongo":
        return request.getfixturevalue("mongo_store_url")
    url = f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'catalogue.sqlite'}"
    with open_store(url) as store:
        load_demo(store, demo_data)
    return url


def _hub(tmp_path_factory, store_url: str, demo_data: Path, name: str):
    users = demo_users(demo_data / "proposals.yaml")
    users.update({voter: ["p1002"] for voter in VOTERS})
    users["fuzzer"] = ["p2001"]
    workdir = tmp_path_factory.mktemp(name)
    return CatalogueHub(store_url, users, workdir, state_dir=workdir / "state")


@pytest.fixture(scope="session")
def catalogue_hub(tmp_path_factory, service_store_url, demo_data):
    with _hub(tmp_path_factory, service_store_url, demo_data, "catalogue-hub") as hub:
        yield hub


@pytest.fixture(scope="session")
def operator_store(service_store_url):
    """The same catalogue, opened directly as the operator (to check what was written)."""
    with open_store(service_store_url) as store:
        yield store


@pytest.fixture(scope="session")
def mongo_store_url(mongodb_url, demo_data) -> str:
    url = mongodb_url.rstrip("/") + f"/beamhub_service_{uuid.uuid4().hex[:8]}"
    with open_store(url) as store:
        load_demo(store, demo_data)
    return url


@pytest.fixture(scope="session")
def mongo_catalogue_hub(tmp_path_factory, mongo_store_url, demo_data):
    with _hub(tmp_path_factory, mongo_store_url, demo_data, "mongo-catalogue-hub") as hub:
        yield hub


@pytest.fixture(scope="session")
def mongo_operator_store(mongo_store_url):
    with open_store(mongo_store_url) as store:
        yield store


def on_both_stores():
    """Fixtures for a test module: ``catalogue_hub`` and ``operator_store`` over the
    SQLite catalogue, then over the MongoDB one (``store_backend`` says which).

    Use as ``store_backend, catalogue_hub, operator_store = on_both_stores()``."""

    @pytest.fixture(scope="module", params=["sqlite", "mongo"])
    def store_backend(request):
        return request.param

    @pytest.fixture(scope="module")
    def catalogue_hub(request, store_backend, catalogue_hub):
        return catalogue_hub if store_backend == "sqlite" else request.getfixturevalue("mongo_catalogue_hub")

    @pytest.fixture(scope="module")
    def operator_store(request, store_backend, operator_store):
        return operator_store if store_backend == "sqlite" else request.getfixturevalue("mongo_operator_store")

    return store_backend, catalogue_hub, operator_store
