"""``beamhub suggest evaluate``: how well suggestions predict held-out votes, measured.

1. A catalogue of MX sweeps whose quality only the generator knows
   (:func:`beamhub.demo.data.quality.write_quality_data`) is written and ingested into a
   fresh SQLite store, exactly as ``beamhub ingest`` does.
2. Simulated voters (each proposal's members) judge the sweeps they may see: each has
   their own threshold of "worth processing", judges with noise, and some do not mind
   ice rings: they disagree, as people do. Votes go through the Store (``set_vote``).
3. The datasets are split (by dataset, so test datasets are new to the model) into a
   training part and a test part. Models are trained, through the same code the service
   uses, on the training datasets' votes as seen by a beamline scientist of i03 (an
   identity that may see exactly those datasets and their counts).
4. Each held-out vote is a test case: ROC AUC of the score against like (1) / dislike
   (0), and the precision at the basket size (the share of likes among the held-out votes
   on the ``basket`` top-scored test datasets). Two baselines in the same run: random
   scores, and the like ratio of the dataset's proposal in the training votes ("most
   liked in the same proposal"). The hidden quality itself is printed as the ceiling the
   voters' noise allows.
5. The learning curve: AUC when training on the first N training votes.

Everything is drawn from ``seed``: the same seed prints the same numbers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

GOAL_AUC = 0.85


@dataclass
class Scores:
    auc: float
    precision: float


@dataclass
class Evaluation:
    seed: int
    datasets: int
    votes: int
    train_votes: int
    test_votes: int
    basket: int
    model: Scores
    random: Scores
    proposal: Scores
    ceiling: Scores
    base_rate: float
    curve: list[tuple[int, float]] = field(default_factory=list)

    def report(self) -> str:
        lines = [
            f"beamhub suggest evaluate --seed {self.seed}: {self.datasets} MX datasets, {self.votes} votes "
            f"({self.train_votes} to train, {self.test_votes} held out on unseen datasets)",
            f"likes among held-out votes: {self.base_rate:.3f}",
            f"{'':34s} {'ROC AUC':>8s} {'precision@' + str(self.basket):>13s}",
        ]
        for label, s in (("model (features, per technique)", self.model), ("baseline: random", self.random),
                         ("baseline: most liked in proposal", self.proposal),
                         ("ceiling: the hidden quality", self.ceiling)):
            lines.append(f"{label:34s} {s.auc:8.3f} {s.precision:13.3f}")
        lines.append("learning curve (training votes -> AUC): "
                     + ", ".join(f"{n} -> {a:.3f}" if a == a else f"{n} -> (not enough votes)"
                                 for n, a in self.curve))
        margin = self.model.auc - max(self.random.auc, self.proposal.auc)
        verdict = "reached" if self.model.auc >= GOAL_AUC and margin >= 0.1 else "NOT reached"
        lines.append(f"goal (AUC >= {GOAL_AUC}, at least 0.1 above both baselines): {verdict} "
                     f"(margin {margin:+.3f})")
        return "\n".join(lines)


@dataclass(frozen=True)
class Voter:
    name: str
    threshold: float
    noise: float
    minds_ice: bool

    def judge(self, quality, rng: np.random.Generator) -> bool:
        score = quality.score
        if not self.minds_ice and quality.ice:
            score = score / (1.0 - 0.5 * min(1.0, quality.ice / 6.0))
        return score + rng.normal(0.0, self.noise) > self.threshold


def evaluate(seed: int = 0, datasets: int = 160, voters: int = 8, basket: int = 10, test_fraction: float = 0.4,
             workdir: str | Path | None = None, turnout: float = 0.7) -> Evaluation:
    """Run the evaluation (see the module docstring); files go to ``workdir`` (else a
    temporary directory, removed afterwards)."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="beamhub-suggest-") as tmp:
            return evaluate(seed, datasets, voters, basket, test_fraction, tmp, turnout)
    from sklearn.metrics import roc_auc_score

    from beamhub.catalogue import Identity, open_store
    from beamhub.catalogue.ingest import ingest
    from beamhub.demo.data.quality import write_quality_data

    from .features import FeatureCache
    from .model import Example, fit
    from .suggester import all_visible

    work = Path(workdir)
    data = write_quality_data(work / "data", seed=seed, datasets=datasets, voters=voters)
    rng = np.random.default_rng([seed, 61])
    people = [Voter(f"v{n:02d}", threshold=float(rng.uniform(0.25, 0.45)), noise=float(rng.uniform(0.05, 0.12)),
                    minds_ice=bool(rng.random() < 0.7)) for n in range(1, voters + 1)]
    staff = Identity(user="eval-staff", staff_of=frozenset({"i03"}))
    cache = FeatureCache(work / "features.sqlite")
    with open_store(f"sqlite:///{work / 'catalogue.sqlite'}") as store:
        operator = Identity.for_operator("beamhub-evaluate")
        report = ingest([data.directory], store, operator, mapping=data.mapping, proposals=data.proposals)
        if not report.ok:
            raise RuntimeError(report.summary())
        # ordered by file, not by pid: pids come from paths, and the same seed must give the
        # same run wherever its files are written
        catalogue = sorted(all_visible(store, staff), key=lambda d: d.signal.file)
        place = {d.pid: index for index, d in enumerate(catalogue)}
        quality = {d.pid: data.quality[str(Path(d.signal.file).resolve())] for d in catalogue}
        votes: list[tuple[str, str, int]] = []  # (pid, voter, 1 like / 0 dislike)
        for d in catalogue:
            for person in people:
                if person.name in data.members[d.proposalId] and rng.random() < turnout:
                    like = person.judge(quality[d.pid], rng)
                    identity = Identity(user=person.name, groups=frozenset({d.proposalId}))
                    store.set_vote(identity, d.pid, "like" if like else "dislike")
                    votes.append((d.pid, person.name, int(like)))
        seen = {d.pid: d for d in all_visible(store, staff)}  # the counts as the audience sees them
    features, problems = cache.get_many(seen.values())
    cache.close()
    if problems:
        raise RuntimeError(f"features failed: {problems}")
    pids = sorted(seen, key=place.get)
    order = rng.permutation(len(pids))
    test_pids = {pids[i] for i in order[:round(test_fraction * len(pids))]}
    train = [v for v in votes if v[0] not in test_pids]
    test = [v for v in votes if v[0] in test_pids]
    train = [train[i] for i in rng.permutation(len(train))]  # the order votes "arrive" in
    labels = np.array([v[2] for v in test])
    tested = sorted(test_pids, key=place.get)

    def scores_for(per_dataset: dict[str, float]) -> Scores:
        s = np.array([per_dataset[v[0]] for v in test])
        auc = float(roc_auc_score(labels, s)) if 0 < labels.sum() < len(labels) else float("nan")
        top = sorted(tested, key=lambda p: (-per_dataset[p], place[p]))[:basket]
        held = [v[2] for v in test if v[0] in set(top)]
        return Scores(round(auc, 4), round(float(np.mean(held)) if held else float("nan"), 4))

    def train_model(subset):
        tally: dict[str, list[int]] = {}
        for pid, _, like in subset:
            tally.setdefault(pid, [0, 0])[0 if like else 1] += 1
        examples = [Example(features[p], likes, dislikes, Path(seen[p].signal.file).stem)  # unique names
                    for p, (likes, dislikes) in tally.items()]
        return fit("MX", examples, seed=seed)

    def model_scores(model) -> dict[str, float] | None:
        if not hasattr(model, "score"):
            return None
        return dict(zip(tested, model.score([features[p] for p in tested]).tolist(), strict=True))

    full = model_scores(train_model(train))
    if full is None:
        raise RuntimeError("too few training votes for a model: use more datasets")
    random_scores = dict(zip(tested, rng.random(len(tested)).tolist(), strict=True))
    tally: dict[str, list[int]] = {}
    for pid, _, like in train:
        tally.setdefault(seen[pid].proposalId, [0, 0])[0 if like else 1] += 1
    proposal_scores = {p: (tally.get(seen[p].proposalId, [0, 0])[0] + 1) / (sum(tally.get(seen[p].proposalId, [0, 0])) + 2)
                       for p in tested}
    truth = {p: quality[p].score for p in tested}
    curve = []
    for n in [n for n in (12, 18, 25, 50, 100, 200, 400, 800) if n < len(train)] + [len(train)]:
        scored = model_scores(train_model(train[:n]))
        curve.append((n, scores_for(scored).auc if scored else float("nan")))
    return Evaluation(seed=seed, datasets=len(pids), votes=len(votes), train_votes=len(train), test_votes=len(test),
                      basket=basket, model=scores_for(full), random=scores_for(random_scores),
                      proposal=scores_for(proposal_scores), ceiling=scores_for(truth),
                      base_rate=round(float(labels.mean()), 4), curve=curve)
