"""The AI-assisted fog filter: which datasets are worth processing, learnt from the votes.

Users like or dislike datasets; this package learns from those votes, per technique (and
per beamline where there are enough votes there), which datasets the users who may see
them find worth processing, and suggests, never applies: every score comes with why.

Parts:

- :mod:`.features`: per-dataset features from a few frames (chunk-aware, like previews),
  kept in a side store of beamhub's own (:class:`~.features.FeatureCache`, a SQLite file
  under the state dir, keyed by pid and checked against the file's time and size);
- :mod:`.model`: one scikit-learn model per technique, its explanations, and the honest
  fallback (:class:`~.model.NotEnoughVotes`) with too few votes;
- :mod:`.suggester`: the access rules (a caller's suggestions come from a model trained
  only on votes the caller may see; nothing invisible is named or counted);
- :mod:`.evaluate`: ``beamhub suggest evaluate``, the measured quality against baselines.

Public API (for the catalogue service, the panel and the command line; all take the
caller's :class:`~beamhub.catalogue.identity.Identity` and a Store)::

    for_search(store, identity, query=None, *, suggester=None, explain=True) -> list[Suggestion]
        every dataset matching the SearchQuery the caller sees, best first:
        Suggestion.pid, .technique, .score (0-1, or None with .reason saying why:
        "not enough votes ..."), .reason, .explanation = {"neighbours": [{pid,
        datasetName, likes, dislikes, similarity}], "features": [{feature,
        contribution, direction}]}; .to_dict() for JSON ("label": "suggestion").
        "Select suggested" takes the first basket-size items with a score.
    explain(store, identity, pid, *, suggester=None) -> Suggestion
    similarity_group(store, identity, pid, *, suggester=None) -> {pid, technique, size,
        members: [{pid, datasetName}], averageFrameScore, likeRatio, votes}
    parameters_for(store, identity, pids, processing, *, suggester=None) -> {processing,
        values: {parameter: value}, sources: {parameter: [liked pids]}, reason}
        pre-filled fog-filter parameters from derived datasets of ``processing`` made
        from the most similar liked datasets.

A long-lived process (the service) should keep one :class:`Suggester` per store and pass
it as ``suggester=`` (models and features are cached there); without one, each call
builds its own with an in-memory feature cache.
"""

from __future__ import annotations

from .features import FeatureCache, FeatureError, Features, compute_features
from .model import NotEnoughVotes, TechniqueModel
from .suggester import Suggester, Suggestion


def _suggester(store, suggester):
    return suggester if suggester is not None else Suggester(store)


def for_search(store, identity, query=None, *, suggester: Suggester | None = None, explain: bool = True):
    """See the module docstring."""
    return _suggester(store, suggester).for_search(identity, query, explain=explain)


def explain(store, identity, pid: str, *, suggester: Suggester | None = None) -> Suggestion:
    return _suggester(store, suggester).explain(identity, pid)


def similarity_group(store, identity, pid: str, *, suggester: Suggester | None = None) -> dict:
    return _suggester(store, suggester).similarity_group(identity, pid)


def parameters_for(store, identity, pids, processing: str, *, suggester: Suggester | None = None) -> dict:
    return _suggester(store, suggester).parameters_for(identity, list(pids), processing)


__all__ = ["FeatureCache", "FeatureError", "Features", "NotEnoughVotes", "Suggester", "Suggestion", "TechniqueModel",
           "compute_features", "explain", "for_search", "parameters_for", "similarity_group"]
