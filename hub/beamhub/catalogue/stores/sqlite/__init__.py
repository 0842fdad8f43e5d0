"""The embedded store: one SQLite file, no server (see :mod:`.store`)."""

from .store import SQLiteStore, parse_url

__all__ = ["SQLiteStore", "parse_url"]
