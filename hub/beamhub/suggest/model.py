"""One model of "worth processing" per technique (and beamline), from like/dislike votes.

A :class:`TechniqueModel` is a scikit-learn pipeline over the :mod:`features
<beamhub.suggest.features>` of datasets:

- numeric scientific metadata and frame statistics: missing values imputed with the
  training median, then standardised;
- the frame descriptor: reduced by a PCA to a few components (``frame look 1``...);
- a logistic regression (L2, balanced classes) whose sample weights are the votes:
  a dataset with 3 likes and 1 dislike is one positive example of weight 3 and one
  negative of weight 1, so voters' disagreement is kept, not averaged away.

Scores are the regression's probability of a like (0-1). Explanations are (1) the
datasets of the training set nearest in the model's standardised feature space, with
their likes and dislikes, and (2) the features whose contribution (coefficient times the
standardised value) moved this dataset's score most.

With fewer than :data:`MIN_VOTES` votes, or fewer than :data:`MIN_EACH` likes or dislikes,
:func:`fit` returns a :class:`NotEnoughVotes` saying so: no model is made and nothing is
guessed.

This module is pure: it never reads the catalogue. Which votes a model may be trained on
is decided by its caller (:mod:`beamhub.suggest.suggester`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .features import FRAME_FEATURES, PROFILE_BINS, Features

MIN_VOTES = 12
MIN_EACH = 3
MIN_DATASETS = 6
NEIGHBOURS = 3
PCA_COMPONENTS = 4

FRAME_LABELS = {
    "mean_counts": "mean counts (log)", "median_counts": "median counts (log)",
    "log_maximum": "brightest pixel (log)", "spot_fraction": "spot pixels per pixel",
    "contrast": "brightest over mean (log)", "frame_score": "frame score (mean)",
    "spot_spread": "weakest over best frame", "blank_frames": "frames without spots",
    "valid_fraction": "valid pixels",
}


@dataclass(frozen=True)
class Example:
    """A dataset with its votes, as a training example."""

    features: Features
    likes: int
    dislikes: int
    name: str = ""


@dataclass(frozen=True)
class NotEnoughVotes:
    """No model: why (an honest fallback, shown instead of a score)."""

    technique: str
    votes: int
    likes: int
    dislikes: int
    datasets: int

    @property
    def message(self) -> str:
        return (f"not enough votes to suggest {self.technique} datasets yet: {self.votes} votes "
                f"({self.likes} likes, {self.dislikes} dislikes) on {self.datasets} datasets; at least "
                f"{MIN_VOTES} votes with {MIN_EACH} of each on {MIN_DATASETS} datasets are needed")


@dataclass
class TechniqueModel:
    technique: str
    beamline: str | None
    metadata_names: list[str]
    pipeline: object
    votes: int
    train_pids: list[str]
    train_names: list[str]
    train_votes: list[tuple[int, int]]
    train_space: np.ndarray = field(repr=False)

    # -- building ------------------------------------------------------------------
    def matrix(self, features: list[Features]) -> np.ndarray:
        return _matrix(features, self.metadata_names)

    @property
    def feature_names(self) -> list[str]:
        components = self.pipeline.named_steps["columns"].named_transformers_["look"].named_steps["pca"]
        return ([f"metadata {n}" for n in self.metadata_names] + [FRAME_LABELS[n] for n in FRAME_FEATURES]
                + [f"frame look {i + 1}" for i in range(components.n_components_)])

    # -- using -------------------------------------------------------------------------
    def score(self, features: list[Features]) -> np.ndarray:
        if not features:
            return np.zeros(0)
        return self.pipeline.predict_proba(self.matrix(features))[:, 1]

    def space(self, features: list[Features]) -> np.ndarray:
        """The standardised feature space the regression sees."""
        return self.pipeline.named_steps["columns"].transform(self.matrix(features))

    def explain(self, features: Features, neighbours: int = NEIGHBOURS, top: int = 3) -> dict:
        """Why ``features`` scores as it does: nearest voted datasets and weightiest features."""
        point = self.space([features])[0]
        distances = np.linalg.norm(self.train_space - point, axis=1)
        order = [i for i in np.argsort(distances, kind="stable") if self.train_pids[i] != features.pid][:neighbours]
        scale = float(np.median(distances)) or 1.0
        near = [{"pid": self.train_pids[i], "datasetName": self.train_names[i], "likes": self.train_votes[i][0],
                 "dislikes": self.train_votes[i][1],
                 "similarity": round(float(np.exp(-distances[i] / scale)), 3)} for i in order]
        coefficients = self.pipeline.named_steps["regression"].coef_[0]
        contributions = coefficients * point
        names = self.feature_names
        ranked = np.argsort(-np.abs(contributions), kind="stable")[:top]
        weighed = [{"feature": names[i], "contribution": round(float(contributions[i]), 3),
                    "direction": "for" if contributions[i] > 0 else "against"} for i in ranked]
        return {"neighbours": near, "features": weighed}


def _matrix(features: list[Features], metadata_names: list[str]) -> np.ndarray:
    rows = []
    for f in features:
        descriptor = list(f.descriptor)[:PROFILE_BINS]
        descriptor += [0.0] * (PROFILE_BINS - len(descriptor))
        rows.append([f.metadata.get(n, np.nan) for n in metadata_names]
                    + [f.frames.get(n, np.nan) for n in FRAME_FEATURES] + descriptor)
    return np.asarray(rows, dtype=np.float64).reshape(len(features), -1)


def fit(technique: str, examples: list[Example], beamline: str | None = None,
        seed: int = 0) -> TechniqueModel | NotEnoughVotes:
    """A model from the voted ``examples`` of one technique, or why there is none."""
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    examples = [e for e in examples if e.likes + e.dislikes > 0]
    likes = sum(e.likes for e in examples)
    dislikes = sum(e.dislikes for e in examples)
    if likes + dislikes < MIN_VOTES or min(likes, dislikes) < MIN_EACH or len(examples) < MIN_DATASETS:
        return NotEnoughVotes(technique, likes + dislikes, likes, dislikes, len(examples))
    examples = sorted(examples, key=lambda e: (e.name, e.features.pid))  # the same votes, the same model
    counts: dict[str, int] = {}
    for e in examples:
        for name in e.features.metadata:
            counts[name] = counts.get(name, 0) + 1
    metadata_names = sorted(n for n, c in counts.items() if c * 2 >= len(examples))
    features = [e.features for e in examples]
    X = _matrix(features, metadata_names)
    numeric = list(range(len(metadata_names) + len(FRAME_FEATURES)))
    look = list(range(len(numeric), X.shape[1]))
    columns = ColumnTransformer([
        ("numbers", Pipeline([("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                              ("scale", StandardScaler())]), numeric),
        ("look", Pipeline([("pca", PCA(n_components=min(PCA_COMPONENTS, len(examples) - 1), random_state=seed)),
                           ("scale", StandardScaler())]), look),
    ])
    pipeline = Pipeline([("columns", columns),
                         ("regression", LogisticRegression(C=0.3, class_weight="balanced", max_iter=2000))])
    rows, labels, weights = [], [], []
    for index, e in enumerate(examples):
        for label, weight in ((1, e.likes), (0, e.dislikes)):
            if weight:
                rows.append(index)
                labels.append(label)
                weights.append(weight)
    pipeline.fit(X[rows], np.asarray(labels), regression__sample_weight=np.asarray(weights, dtype=float))
    model = TechniqueModel(technique=technique, beamline=beamline, metadata_names=metadata_names,
                           pipeline=pipeline, votes=likes + dislikes, train_pids=[f.pid for f in features],
                           train_names=[e.name for e in examples],
                           train_votes=[(e.likes, e.dislikes) for e in examples], train_space=np.zeros((0, 0)))
    model.train_space = model.space(features)
    return model
