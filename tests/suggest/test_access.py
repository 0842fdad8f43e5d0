"""Suggestions, explanations and similarity groups see only what the caller may see."""

from __future__ import annotations

import pytest

from beamhub.catalogue import Identity
from beamhub.catalogue.errors import NotFound
from beamhub.suggest import Suggester, for_search, parameters_for
from beamhub.suggest.features import PENDING
from beamhub.suggest.suggester import all_visible

from .voted import STAFF, derived, voted_catalogue


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """36 MX sweeps in p5001-p5003; p5001 and p5002 well voted on, p5003 hardly."""
    store, by_proposal = voted_catalogue(tmp_path_factory.mktemp("suggest-access"))
    yield store, by_proposal
    store.close()


def test_staff_of_the_beamline_get_scores_for_every_dataset(catalogue):
    store, by_proposal = catalogue
    suggestions = for_search(store, STAFF)
    assert len(suggestions) == 36
    assert all(s.score is not None for s in suggestions)
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_a_member_of_a_hardly_voted_proposal_is_told_there_are_not_enough_votes(catalogue):
    """Trained on everything, the model would score p5003's datasets: it must not."""
    store, by_proposal = catalogue
    user = Identity("u3", groups=frozenset({"p5003"}))
    suggestions = for_search(store, user)
    assert {s.pid for s in suggestions} == by_proposal["p5003"]
    assert all(s.score is None and "not enough votes" in s.reason and "2 votes" in s.reason for s in suggestions)


def test_explanations_and_groups_name_and_count_only_visible_datasets(catalogue):
    store, by_proposal = catalogue
    user = Identity("u1", groups=frozenset({"p5001"}))
    mine = by_proposal["p5001"]
    visible_votes = sum(d.likes + d.dislikes for d in all_visible(store, user))
    suggester = Suggester(store)
    suggestions = suggester.for_search(user)
    assert {s.pid for s in suggestions} == mine
    for s in suggestions:
        assert s.score is not None
        assert f"from {visible_votes} votes on {len(mine)} " in s.reason
        assert {n["pid"] for n in s.explanation["neighbours"]} <= mine
    pid = sorted(mine)[0]
    group = suggester.similarity_group(user, pid)
    assert {m["pid"] for m in group["members"]} <= mine and group["size"] == len(group["members"])
    assert group["votes"] == sum(d.likes + d.dislikes for d in store.get_datasets(user, [m["pid"] for m in group["members"]]))
    staff_group = suggester.similarity_group(STAFF, pid, groups=1)
    assert staff_group["size"] == 36  # the same grouping over what staff see: all of them
    other = sorted(by_proposal["p5002"])[0]
    with pytest.raises(NotFound):
        suggester.explain(user, other)
    with pytest.raises(NotFound):
        suggester.similarity_group(user, other)
    assert parameters_for(store, user, [other], "frame-score")["values"] == {}


def test_the_model_is_the_audiences_own(catalogue):
    """Two audiences, two models: the same dataset gets the model of what each sees."""
    store, by_proposal = catalogue
    suggester = Suggester(store)
    pid = sorted(by_proposal["p5001"])[0]
    staff = suggester.explain(STAFF, pid)
    member = suggester.explain(Identity("u1", groups=frozenset({"p5001"})), pid)
    assert "on 26 datasets" in staff.reason  # 12 + 12 + the 2 voted in p5003
    assert "on 12 datasets" in member.reason


def test_the_command_explains_as_a_user(catalogue, tmp_path, capsys):
    from beamhub.cli import main

    store, by_proposal = catalogue
    pid = sorted(by_proposal["p5001"])[0]
    who = ["--store", store.url, "--features", str(tmp_path / "features.sqlite"), "--as-user", "u1", "--groups", "p5001"]
    assert main(["suggest", "train", *who]) == 0
    out = capsys.readouterr().out
    assert "12 datasets, features for 12 (12 computed now" in out and "MX: trained on" in out
    assert main(["suggest", "explain", pid, *who]) == 0
    out = capsys.readouterr().out
    assert f"{pid} (MX): suggested score" in out and "most similar voted datasets:" in out
    named = {line.split()[0] for line in out.splitlines() if line.startswith("  beamhub/")}
    assert len(named) == 3 and named <= by_proposal["p5001"]
    assert main(["suggest", "explain", sorted(by_proposal["p5002"])[0], *who]) == 1
    assert "no dataset" in capsys.readouterr().err


def test_parameters_come_from_similar_liked_visible_datasets_only(catalogue):
    store, by_proposal = catalogue
    staff_view = {d.pid: d for d in all_visible(store, STAFF)}
    liked = {p: sorted(pid for pid in by_proposal[p] if staff_view[pid].likes > staff_view[pid].dislikes)
             for p in ("p5001", "p5002")}
    mine, theirs = staff_view[liked["p5001"][0]], staff_view[liked["p5002"][0]]
    others = [staff_view[pid] for pid in liked["p5002"][1:6]]
    store.upsert_datasets(Identity.for_operator(), [derived(1, mine, 4.0)]
                          + [derived(2 + i, d, 9.0) for i, d in enumerate([theirs, *others])])
    user = Identity("u1", groups=frozenset({"p5001"}))
    target = sorted(by_proposal["p5001"] - {mine.pid})[0]
    suggested = parameters_for(store, user, [target], "frame-score")
    assert suggested["values"] == {"sigma": 4.0, "min_score": 0.5}
    assert suggested["sources"] == {"sigma": [mine.pid], "min_score": [mine.pid]}
    # the staff see p5002's more numerous choices too
    assert parameters_for(store, STAFF, [target], "frame-score")["values"]["sigma"] == 9.0
    assert parameters_for(store, user, [target], "other-step")["values"] == {}


def test_a_new_vote_retrains_the_audiences_model(catalogue):
    store, by_proposal = catalogue
    suggester = Suggester(store)
    user = Identity("u1", groups=frozenset({"p5001"}))
    pid = sorted(by_proposal["p5001"])[0]
    before = sum(d.likes + d.dislikes for d in all_visible(store, user))
    assert f"from {before} votes" in suggester.explain(user, pid).reason
    store.set_vote(Identity("u9", groups=frozenset({"p5001"})), pid, "like")
    assert f"from {before + 1} votes" in suggester.explain(user, pid).reason
    # a vote the user cannot see changes nothing for them
    store.set_vote(Identity("u9", groups=frozenset({"p5002"})), sorted(by_proposal["p5002"])[0], "like")
    assert f"from {before + 1} votes" in suggester.explain(user, pid).reason


def test_a_request_computes_few_features_and_the_background_job_the_rest(catalogue):
    """A bounded request leaves missing features to the background job, and says so."""
    store, by_proposal = catalogue
    suggester = Suggester(store, compute=0)
    user = Identity("u1", groups=frozenset({"p5001"}))
    everything = len(all_visible(store, Identity.for_operator()))  # 36, and derived ones if made already
    waiting = suggester.for_search(user)
    assert len(waiting) >= 12 and all(s.score is None and s.reason == PENDING for s in waiting)
    assert suggester.cache.computed == 0
    assert suggester.refresh(limit=10, page=7) == 10  # pages of 7: the cursor is carried over
    assert suggester.refresh(limit=100, page=7) == everything - 10  # the rest, then nothing left
    assert suggester.refresh(limit=100, page=7) == 0
    assert suggester.cache.computed == everything
    scored = suggester.for_search(user)
    assert all(s.score is not None for s in scored if s.dataset.type == "raw")
    assert suggester.cache.computed == everything
