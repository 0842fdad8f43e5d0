"""The template part of the store contract, against both backends (SQLite, MongoDB via
FerretDB): versions append, numbers never repeat, only a beamline's staff publish, users
get the latest of their proposals' beamlines, retirement hides, history for staff."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from beamhub.catalogue import Identity, NotFound, PermissionDenied
from beamhub.templates.model import TemplateDraft

from .sample import ALICE, BOB, CAROL, DAVE, OPERATOR

GINA = Identity("gina", groups=frozenset({"p4001"}))


def notebook(text: str) -> dict:
    return {"cells": [{"cell_type": "code", "execution_count": 3, "id": "c1", "metadata": {"tags": ["parameters"]},
                       "outputs": [{"output_type": "stream", "name": "stdout", "text": "old output"}],
                       "source": text}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def draft(text: str = "x = 1", *, beamline: str = "i03", name: str = "mx-screening", **extra) -> TemplateDraft:
    return TemplateDraft(beamline=beamline, name=name, title="MX screening", techniques=["MX"],
                         accepts=["raw"], change_note=f"note for {text}", notebook=notebook(text), **extra)


def source(version) -> str:
    return version.notebook["cells"][0]["source"]


def test_versions_append_and_record_who_and_when(sample_store):
    first = sample_store.publish_template(CAROL, draft("x = 1"))
    second = sample_store.publish_template(CAROL, draft("x = 2"))
    assert (first.version, second.version) == (1, 2)
    assert second.publishedBy == "carol" and second.publishedAt >= first.publishedAt
    assert second.change_note == "note for x = 2"
    # outputs are never stored
    assert second.notebook["cells"][0]["outputs"] == [] and second.notebook["cells"][0]["execution_count"] is None
    history = sample_store.template_history(CAROL, "i03", "mx-screening")
    assert [v.version for v in history] == [2, 1] and all(v.notebook is None for v in history)
    assert source(sample_store.get_template(CAROL, "i03", "mx-screening", 1)) == "x = 1"


def test_only_staff_of_the_beamline_publish(sample_store):
    for who in (ALICE, BOB, DAVE):
        with pytest.raises(PermissionDenied):
            sample_store.publish_template(who, draft())
    with pytest.raises(PermissionDenied):  # carol is staff of i03, not i22
        sample_store.publish_template(CAROL, draft(beamline="i22"))
    assert sample_store.list_templates(OPERATOR) == []
    assert sample_store.publish_template(OPERATOR, draft(beamline="i22")).publishedBy == OPERATOR.user


def test_users_get_the_latest_of_their_beamlines(sample_store):
    sample_store.publish_template(CAROL, draft("x = 1"))
    sample_store.publish_template(CAROL, draft("x = 2"))
    sample_store.publish_template(OPERATOR, draft("y = 1", beamline="i22", name="saxs-kinetics"))
    # alice: p1001 (i03) and p1002 (i22); bob: p1002 only; dave: none
    assert [(t.beamline, t.name, t.version) for t in sample_store.list_templates(ALICE)] == [
        ("i03", "mx-screening", 2), ("i22", "saxs-kinetics", 1)]
    assert [t.key for t in sample_store.list_templates(BOB)] == ["i22/saxs-kinetics"]
    assert sample_store.list_templates(DAVE) == []
    assert source(sample_store.get_template(ALICE, "i03", "mx-screening")) == "x = 2"
    with pytest.raises(NotFound):
        sample_store.get_template(BOB, "i03", "mx-screening")
    with pytest.raises(PermissionDenied):  # earlier versions and history are for staff
        sample_store.get_template(ALICE, "i03", "mx-screening", 1)
    with pytest.raises(PermissionDenied):
        sample_store.template_history(ALICE, "i03", "mx-screening")


def test_retired_templates_are_hidden_from_users(sample_store):
    sample_store.publish_template(CAROL, draft("x = 1"))
    retired = sample_store.publish_template(CAROL, draft("x = 1", retired=True))
    assert retired.version == 2 and retired.retired
    assert sample_store.list_templates(ALICE) == []
    with pytest.raises(NotFound):
        sample_store.get_template(ALICE, "i03", "mx-screening")
    assert sample_store.list_templates(CAROL) == []
    assert [t.version for t in sample_store.list_templates(CAROL, include_retired=True)] == [2]
    assert sample_store.list_templates(ALICE, include_retired=True) == []  # not staff: still hidden
    sample_store.publish_template(CAROL, draft("x = 1"))  # published again: back
    assert [t.version for t in sample_store.list_templates(GINA)] == [3]


def test_concurrent_publishers_get_distinct_numbers(sample_store):
    with ThreadPoolExecutor(8) as pool:
        versions = list(pool.map(lambda i: sample_store.publish_template(CAROL, draft(f"x = {i}")).version,
                                 range(16)))
    assert sorted(versions) == list(range(1, 17))
    assert len(sample_store.template_history(OPERATOR, "i03", "mx-screening")) == 16


def test_open_counts_for_staff(sample_store):
    sample_store.publish_template(CAROL, draft())
    sample_store.record_template_open(ALICE, "i03", "mx-screening")
    sample_store.record_template_open(ALICE, "i03", "mx-screening")
    sample_store.record_template_open(GINA, "i03", "mx-screening")
    with pytest.raises(NotFound):  # not offered to bob
        sample_store.record_template_open(BOB, "i03", "mx-screening")
    assert sample_store.template_opens(CAROL, "i03") == {"mx-screening": 3}
    with pytest.raises(PermissionDenied):
        sample_store.template_opens(ALICE, "i03")
