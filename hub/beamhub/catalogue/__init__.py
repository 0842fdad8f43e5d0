"""The catalogue: datasets, proposals, votes and fog-filter selections.

>>> from beamhub.catalogue import open_store, Identity, SearchQuery
>>> store = open_store("sqlite:///catalogue.sqlite")            # doctest: +SKIP
>>> alice = Identity("alice", groups={"p1001", "p1002"})          # doctest: +SKIP
>>> page = store.search(alice, SearchQuery(text="lysozyme", beamline=["i03"]))  # doctest: +SKIP
>>> page.total, page.facets["technique"]                          # doctest: +SKIP
"""

from .errors import (
    CatalogueError,
    Conflict,
    IllegalTransition,
    InvalidInput,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    StoreUnavailable,
)
from .identity import Identity
from .model import Dataset, Proposal, Selection, Vote, VoteState
from .query import FACETS, MetadataCondition, SearchQuery, SearchResult
from .store import SelectionChanges, StatusChange, Store, UpsertSummary
from .stores import open_store

__all__ = [
    "CatalogueError", "Conflict", "IllegalTransition", "InvalidInput", "LimitExceeded",
    "NotFound", "PermissionDenied", "StoreUnavailable",
    "Identity", "Dataset", "Proposal", "Selection", "Vote", "VoteState",
    "FACETS", "MetadataCondition", "SearchQuery", "SearchResult",
    "SelectionChanges", "StatusChange", "Store", "UpsertSummary", "open_store",
]
