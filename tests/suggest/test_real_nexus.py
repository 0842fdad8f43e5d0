"""Suggestions run on every real NeXus file of ../shared/data/nexus."""

from __future__ import annotations

import pytest

from beamhub.catalogue import Identity, open_store
from beamhub.catalogue.ingest import ingest
from beamhub.suggest import Suggester
from beamhub.suggest.features import FRAME_FEATURES
from beamhub.suggest.model import Example, TechniqueModel, fit
from beamhub.suggest.suggester import all_visible
from tests.catalogue.nexus_builders import SHARED_NEXUS
from tests.services.require import missing


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not SHARED_NEXUS.is_dir():
        missing("the shared NeXus files", f"{SHARED_NEXUS} does not exist")
    work = tmp_path_factory.mktemp("suggest-real")
    store = open_store(f"sqlite:///{work / 'catalogue.sqlite'}")
    report = ingest([SHARED_NEXUS], store, Identity.for_operator(), owner_group="pshared", default_beamline="shared")
    assert report.summary()
    yield store
    store.close()


def test_every_real_file_gets_features_suggestions_explanations_and_a_group(real):
    store = real
    operator = Identity.for_operator()
    datasets = sorted(all_visible(store, operator), key=lambda d: d.pid)
    assert len(datasets) >= 30
    suggester = Suggester(store)
    features, problems = suggester.cache.get_many(datasets)
    assert not problems  # every dataset has features: frames, or its metadata alone with the reason
    framed = [f for f in features.values() if not f.problem]
    assert len(framed) >= 4 and all(set(f.frames) == set(FRAME_FEATURES) for f in framed)
    for d in datasets:  # no frames: no plottable data, or the file is named with the reason
        problem = features[d.pid].problem
        assert not problem or (d.signal is None and "no plottable data" in problem) or d.signal.file in problem
    # before any vote: honest "not enough votes" for every dataset
    assert all(s.score is None and "not enough votes" in s.reason for s in suggester.for_search(operator))
    # two users vote on everything (one likes what has frames, the other every other one)
    for index, d in enumerate(datasets):
        store.set_vote(Identity("v1", groups=frozenset({"pshared"})), d.pid,
                       "like" if not features[d.pid].problem else "dislike")
        store.set_vote(Identity("v2", groups=frozenset({"pshared"})), d.pid, "like" if index % 2 else "dislike")
    suggestions = suggester.for_search(operator)
    assert {s.pid for s in suggestions} == {d.pid for d in datasets}
    for s in suggestions:  # a technique or two datasets each: still too few for a model, and said so
        assert (s.score is not None and 0 <= s.score <= 1) or "not enough votes" in s.reason
    for d in datasets:
        explained = suggester.explain(operator, d.pid)
        assert explained.score is not None or "not enough votes" in explained.reason
        group = suggester.similarity_group(operator, d.pid)
        assert d.pid in {m["pid"] for m in group["members"]}
    # one model over every real file's features: it scores and explains each of them
    seen = {d.pid: d for d in all_visible(store, operator)}
    model = fit("all", [Example(features[p], d.likes, d.dislikes, d.datasetName) for p, d in seen.items()])
    assert isinstance(model, TechniqueModel)
    scores = model.score([features[p] for p in sorted(seen)])
    assert ((scores >= 0) & (scores <= 1)).all()
    for p in sorted(seen):
        why = model.explain(features[p])
        assert len(why["neighbours"]) == 3 and p not in {n["pid"] for n in why["neighbours"]}
        assert len(why["features"]) == 3
