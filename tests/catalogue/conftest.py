"""The two store backends, each opened fresh for every test, and the sample catalogue."""

from __future__ import annotations

import uuid

import pymongo
import pytest

from beamhub.catalogue import open_store

from . import scicat_documents as scicat
from .sample import OPERATOR, load_sample


def _mongo_url(base: str) -> str:
    # A fresh database per test keeps tests independent on one server.
    return base.rstrip("/") + f"/beamhub_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store_factory(request, tmp_path):
    """``store_factory(backend)`` opens a new, empty store of that backend."""
    opened = []

    def make(backend: str):
        if backend == "sqlite":
            store = open_store(f"sqlite:///{tmp_path / f'catalogue-{len(opened)}.sqlite'}")
        elif backend == "mongo-direct":  # the MongoDB store without its search columns
            store = open_store(_mongo_url(request.getfixturevalue("mongodb_url")) + "?columns=off")
        else:  # as the catalogue service runs it: search columns loaded and kept current
            store = open_store(_mongo_url(request.getfixturevalue("mongodb_url")))
            assert store.keep_columns_warm().warmed.wait(30)
        opened.append(store)
        return store

    yield make
    for store in opened:
        if store.url.startswith("mongodb"):
            _drop_database(store)
        store.close()


def _drop_database(store) -> None:
    try:
        store.drop_database()
    except Exception:
        pass


@pytest.fixture(params=["sqlite", pytest.param("mongo", marks=pytest.mark.mongodb)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def store(store_factory, backend):
    """An empty store of each backend in turn."""
    return store_factory(backend)


@pytest.fixture
def sample_store(store):
    """A store holding the sample catalogue (see ``sample.py``)."""
    load_sample(store)
    return store


@pytest.fixture
def operator():
    return OPERATOR


@pytest.fixture
def scicat_db(mongodb_url):
    """``(url, db)``: SciCat's database as SciCat's backend leaves it, the fixture set with
    the broken documents (plain pymongo), in a fresh database dropped after the test."""
    url = mongodb_url.rstrip("/") + f"/scicat_{uuid.uuid4().hex[:12]}"
    client = pymongo.MongoClient(url, tz_aware=True)
    db = client.get_default_database()
    scicat.load(db, broken=True)
    yield url, db
    client.drop_database(db.name)
    client.close()
