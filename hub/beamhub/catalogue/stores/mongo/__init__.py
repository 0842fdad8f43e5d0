"""The production store: a facility's MongoDB or SciCat database (see :mod:`.store`)."""

from .store import MongoStore

__all__ = ["MongoStore"]
