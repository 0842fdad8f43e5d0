"""``beamhub suggest evaluate``: the goal is reached at a small size, and per seed the run is the same."""

from __future__ import annotations

from beamhub.cli import main
from beamhub.suggest.evaluate import GOAL_AUC, evaluate


def test_the_evaluation_reaches_the_goal_against_both_baselines(capsys):
    assert main(["suggest", "evaluate", "--seed", "0", "--datasets", "80", "--voters", "6"]) == 0
    out = capsys.readouterr().out
    assert "goal (AUC >= 0.85, at least 0.1 above both baselines): reached" in out
    assert "baseline: random" in out and "baseline: most liked in proposal" in out
    assert "learning curve (training votes -> AUC): 12 -> " in out


def test_the_evaluation_is_deterministic_per_seed(tmp_path):
    first = evaluate(seed=5, datasets=40, voters=6, workdir=tmp_path / "a")
    second = evaluate(seed=5, datasets=40, voters=6, workdir=tmp_path / "b")
    other = evaluate(seed=6, datasets=40, voters=6, workdir=tmp_path / "c")
    assert first == second
    assert first.report() == second.report()
    assert other != first
    assert first.model.auc > max(first.random.auc, first.proposal.auc) and first.model.auc > GOAL_AUC - 0.15
