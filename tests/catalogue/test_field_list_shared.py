"""The service's field list (GET /fields, and the conditions' hints of an empty search)
is read per access key and shared by everyone holding the key (issue 18: one scan per
user was half the store's CPU at 200 users); merged, it must still be exactly the
caller's own: what they may see, and only that, the newest FIELD_SCAN of it."""

from __future__ import annotations

import pytest

from beamhub.catalogue import SearchQuery
from beamhub.catalogue.hints import summarise_fields
from beamhub.service import logic as service_logic
from beamhub.service.logic import CatalogueLogic
from beamhub.service.settings import ServiceSettings

from .sample import ALICE, BOB, CAROL, COLLAB, DAVE, ERIN, OPERATOR


def newest_visible(store, identity, n=200):
    return store.search(identity, SearchQuery.parse({"limit": n, "facets": False})).items


@pytest.fixture
def logic(sample_store, tmp_path):
    logic = CatalogueLogic(sample_store, ServiceSettings(), work_root=tmp_path / "jobs")
    yield logic
    logic.pool.shutdown(wait=True)


@pytest.mark.parametrize("who", [ALICE, BOB, CAROL, DAVE, ERIN, COLLAB, OPERATOR], ids=lambda i: i.user)
def test_the_shared_field_list_is_the_callers_own(sample_store, logic, who):
    # bob's p1002 was read for alice already: he gets it from her scan, and only it
    logic._fields(ALICE)
    assert logic._fields(who) == summarise_fields(newest_visible(sample_store, who), complete=True)


def test_over_the_scan_limit_it_is_the_newest_of_all_the_callers_keys(sample_store, logic, monkeypatch):
    monkeypatch.setattr(service_logic, "FIELD_SCAN", 3)
    got = logic._fields(ALICE)
    assert got == summarise_fields(newest_visible(sample_store, ALICE, 3), complete=False)
    assert got.scanned == 3 and not got.complete
