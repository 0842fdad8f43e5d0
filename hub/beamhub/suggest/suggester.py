"""Suggestions as one caller may see them: the access rules live here.

Every function takes the caller's :class:`~beamhub.catalogue.identity.Identity` and reads
the catalogue only through ``store.search``/``get_dataset``/``derived_from`` as that
identity, so:

- a model scoring datasets for a caller is trained only on the votes on datasets the
  caller may see (the likes/dislikes counts the caller's own searches show). Models are
  cached per *audience* (the caller's access keys, or "operator") and per technique
  (and beamline, with enough votes there), and retrained when the visible votes change
  (a fingerprint of the visible (pid, likes, dislikes));
- neighbours in explanations, similarity groups and their averages, and the sources of
  suggested parameters are drawn from visible datasets only: nothing invisible is named
  or counted.
"""

from __future__ import annotations

import ast
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from beamhub.catalogue.identity import Identity
from beamhub.catalogue.model import Dataset
from beamhub.catalogue.query import SearchQuery

from .features import PENDING, FeatureCache, Features, look_vector, technique_of
from .model import MIN_VOTES, Example, NotEnoughVotes, TechniqueModel, fit

MAX_DATASETS = 5000
"""At most this many datasets of a search are scored (and trained on per audience)."""


def all_visible(store, identity: Identity, query: SearchQuery | None = None,
                limit: int = MAX_DATASETS) -> list[Dataset]:
    """Every dataset matching ``query`` (default: all) that ``identity`` sees, page by page."""
    query = (query or SearchQuery()).model_copy(update={"limit": 200, "cursor": None, "facets": False})
    found: list[Dataset] = []
    while len(found) < limit:
        page = store.search(identity, query)
        found.extend(page.items)
        if not page.next_cursor:
            break
        query = query.model_copy(update={"cursor": page.next_cursor})
    return found[:limit]


def audience(identity: Identity) -> tuple:
    return ("operator",) if identity.operator else tuple(sorted(identity.access_keys()))


@dataclass
class Suggestion:
    pid: str
    technique: str
    score: float | None
    """0-1, the predicted chance of a like; ``None`` when there is no model (see ``reason``)."""
    reason: str = ""
    explanation: dict[str, Any] = field(default_factory=dict)
    dataset: Dataset | None = field(default=None, repr=False)
    """The dataset as the caller sees it (for_search only)."""
    model: TechniqueModel | None = field(default=None, repr=False, compare=False)
    features: Features | None = field(default=None, repr=False, compare=False)

    def explained(self) -> "Suggestion":
        """This suggestion with its explanation (computed now if it was left out)."""
        if not self.explanation and self.model is not None and self.features is not None:
            self.explanation = self.model.explain(self.features)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "technique": self.technique, "score": self.score, "reason": self.reason,
                **self.explanation, "label": "suggestion"}


class Suggester:
    """Suggestions over one store; share one per process (models are cached)."""

    def __init__(self, store, cache: FeatureCache | None = None, models: int = 64, compute: int | None = None):
        self.store = store
        self.cache = cache or FeatureCache()
        self.compute = compute
        """Missing features one call may compute (None: all); the service bounds it."""
        self._models: OrderedDict[tuple, TechniqueModel | NotEnoughVotes] = OrderedDict()
        self._size = models
        self._lock = threading.Lock()
        self._refresh_cursor: str | None = None

    # -- models ---------------------------------------------------------------------
    def models_for(self, identity: Identity, techniques: set[str] | None = None
                   ) -> dict[tuple[str, str | None], TechniqueModel | NotEnoughVotes]:
        """The caller's models by (technique, beamline or None), trained on what it sees."""
        voted = [d for d in all_visible(self.store, identity) if d.likes + d.dislikes > 0]
        features, _ = self.cache.get_many(voted, self.compute)
        by_technique: dict[str, list[tuple[Dataset, Features]]] = {}
        for d in voted:
            if d.pid in features:
                by_technique.setdefault(features[d.pid].technique, []).append((d, features[d.pid]))
        out = {}
        for technique in techniques if techniques is not None else by_technique:
            items = by_technique.get(technique, [])
            out[(technique, None)] = self._model(identity, technique, None, items)
            beamlines: Counter = Counter()
            for d, _ in items:
                beamlines[d.creationLocation] += d.likes + d.dislikes
            if len(beamlines) > 1:
                for beamline, votes in beamlines.items():
                    if votes >= 2 * MIN_VOTES:
                        out[(technique, beamline)] = self._model(
                            identity, technique, beamline, [i for i in items if i[0].creationLocation == beamline])
        return out

    def _model(self, identity, technique, beamline, items):
        key = (audience(identity), technique, beamline,
               tuple(sorted((d.pid, d.likes, d.dislikes) for d, _ in items)))
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        model = fit(technique, [Example(f, d.likes, d.dislikes, d.datasetName) for d, f in items], beamline)
        with self._lock:
            self._models[key] = model
            while len(self._models) > self._size:
                self._models.popitem(last=False)
        return model

    @staticmethod
    def pick(models, technique: str, beamline: str | None):
        model = models.get((technique, beamline))
        if not isinstance(model, TechniqueModel):
            model = models.get((technique, None))
        if model is None:
            model = NotEnoughVotes(technique, 0, 0, 0, 0)
        return model

    # -- the public operations ------------------------------------------------------
    def for_search(self, identity: Identity, query: SearchQuery | None = None,
                   explain: bool = True) -> list[Suggestion]:
        """The caller's datasets matching ``query``, best suggestion first, each with its
        score and why (or why there is no score). Ties and unscored ones by pid. With
        ``explain=False`` the explanations are left to :meth:`Suggestion.explained` (for
        the page shown only). Datasets whose features are beyond this call's budget
        (``compute``) are unscored, with :data:`~.features.PENDING` as the reason."""
        datasets = all_visible(self.store, identity, query)
        features, problems = self.cache.get_many(datasets, self.compute)
        techniques = {f.technique for f in features.values()}
        models = self.models_for(identity, techniques)
        out = []
        for d in datasets:
            f = features.get(d.pid)
            if f is None:
                problem = problems.get(d.pid, "")
                out.append(Suggestion(d.pid, technique_of(d), None,
                                      problem if problem == PENDING else f"no features: {problem}", dataset=d))
                continue
            model = self.pick(models, f.technique, f.beamline)
            if isinstance(model, NotEnoughVotes):
                out.append(Suggestion(d.pid, f.technique, None, model.message, dataset=d))
                continue
            score = round(float(model.score([f])[0]), 4)
            scope = f"{f.technique} at {model.beamline}" if model.beamline else f.technique
            out.append(Suggestion(d.pid, f.technique, score,
                                  f"predicted from {model.votes} votes on {len(model.train_pids)} {scope} "
                                  "datasets you can see",
                                  model.explain(f) if explain else {}, dataset=d, model=model, features=f))
        out.sort(key=lambda s: (s.score is None, -(s.score or 0.0), s.pid))
        return out

    def refresh(self, limit: int, pages: int = 10, page: int = 200) -> int:
        """One round of the background job: compute the missing or stale features of up
        to ``limit`` datasets, reading at most ``pages`` pages of the catalogue as the
        operator, newest first. The next round goes on where this one stopped and starts
        again from the newest at the end, so every dataset is reached however large the
        catalogue, with bounded work per round. How many features were computed."""
        operator = Identity.for_operator()
        query = SearchQuery(limit=page, facets=False, cursor=self._refresh_cursor)
        done = 0
        for _ in range(pages):
            found = self.store.search(operator, query)
            done += self.cache.refresh(found.items, limit - done)
            if done >= limit:
                break  # this page may hold more: the next round reads it again
            self._refresh_cursor = found.next_cursor
            if not found.next_cursor:
                break
            query = query.model_copy(update={"cursor": found.next_cursor})
        return done

    def explain(self, identity: Identity, pid: str) -> Suggestion:
        """One dataset's suggestion with its explanation (``NotFound`` if not visible)."""
        dataset = self.store.get_dataset(identity, pid)
        f = self.cache.get(dataset)
        model = self.pick(self.models_for(identity, {f.technique}), f.technique, f.beamline)
        if isinstance(model, NotEnoughVotes):
            return Suggestion(pid, f.technique, None, model.message)
        return Suggestion(pid, f.technique, round(float(model.score([f])[0]), 4),
                          f"predicted from {model.votes} votes on {len(model.train_pids)} datasets you can see",
                          model.explain(f))

    def similarity_group(self, identity: Identity, pid: str, groups: int | None = None) -> dict[str, Any]:
        """The visible datasets of ``pid``'s technique whose frames look alike (k-means on
        the standardised frame statistics and descriptor), with the group's average frame
        score and like ratio. Only visible datasets are grouped, named or counted."""
        from sklearn.cluster import KMeans
        from sklearn.preprocessing import StandardScaler

        dataset = self.store.get_dataset(identity, pid)
        target = self.cache.get(dataset)
        pool = [d for d in all_visible(self.store, identity) if technique_of(d) == target.technique]
        features, _ = self.cache.get_many(pool, self.compute)
        features[pid] = target
        pool = sorted((d for d in pool if d.pid in features), key=lambda d: d.pid)
        X = np.array([look_vector(features[d.pid]) for d in pool])
        k = min(groups or max(1, min(8, round(np.sqrt(len(pool) / 2)))), len(np.unique(X, axis=0)))
        if len(pool) <= k:
            members = pool
        else:
            X = StandardScaler().fit_transform(X)
            labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(X)
            mine = labels[[d.pid for d in pool].index(pid)]
            members = [d for d, label in zip(pool, labels, strict=True) if label == mine]
        likes = sum(d.likes for d in members)
        votes = likes + sum(d.dislikes for d in members)
        return {
            "pid": pid, "technique": target.technique, "size": len(members),
            "members": [{"pid": d.pid, "datasetName": d.datasetName} for d in members],
            "averageFrameScore": round(float(np.mean([features[d.pid].frames.get("frame_score", 0.0)
                                                      for d in members])), 4),
            "likeRatio": round(likes / votes, 4) if votes else None, "votes": votes,
        }

    def parameters_for(self, identity: Identity, pids: list[str], processing: str,
                       neighbours: int = 5) -> dict[str, Any]:
        """Parameters for running ``processing`` on ``pids``: for each parameter, the value
        chosen most often in the visible derived datasets of ``processing`` made from the
        liked visible datasets most similar to ``pids``, with those sources. Empty
        ``values`` and a ``reason`` when nothing similar was processed."""
        targets = self.store.get_datasets(identity, pids)
        if not targets:
            return {"processing": processing, "values": {}, "sources": {}, "reason": "no visible dataset given"}
        target_features, _ = self.cache.get_many(targets, self.compute)
        liked = [d for d in all_visible(self.store, identity) if d.likes > d.dislikes and d.pid not in set(pids)]
        liked_features, _ = self.cache.get_many(liked, self.compute)
        techniques = {f.technique for f in target_features.values()}
        candidates = [d for d in liked if d.pid in liked_features and liked_features[d.pid].technique in techniques]
        if not candidates or not target_features:
            return {"processing": processing, "values": {}, "sources": {},
                    "reason": "no liked dataset of the same technique yet"}

        centre = np.mean([look_vector(f) for f in target_features.values()], axis=0)
        ranked = sorted(candidates, key=lambda d: (float(np.linalg.norm(look_vector(liked_features[d.pid]) - centre)), d.pid))
        chosen: dict[str, Counter] = {}
        sources: dict[str, dict[str, list[str]]] = {}
        used = 0
        for d in ranked:
            derived = [x for x in self.store.derived_from(identity, d.pid)
                       if _step(x) == processing and isinstance(x.jobParameters, dict)]
            if not derived:
                continue
            used += 1
            for x in derived:
                for key, value in x.jobParameters.items():
                    text = repr(value)
                    chosen.setdefault(key, Counter())[text] += 1
                    sources.setdefault(key, {}).setdefault(text, []).append(d.pid)
            if used >= neighbours:
                break
        if not chosen:
            return {"processing": processing, "values": {}, "sources": {},
                    "reason": f"no similar liked dataset was processed with {processing} yet"}
        values, origin = {}, {}
        for key, counts in chosen.items():
            text, _ = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0]
            values[key] = ast.literal_eval(text)
            origin[key] = sorted(set(sources[key][text]))
        return {"processing": processing, "values": values, "sources": origin,
                "reason": f"chosen for {used} similar liked datasets you can see"}


def _step(dataset: Dataset) -> str | None:
    item = (dataset.scientificMetadata or {}).get("processing_step")
    value = item.get("value") if isinstance(item, dict) else getattr(item, "value", None)
    return value if isinstance(value, str) else None
