"""The two store backends, and opening one from its URL.

- ``sqlite/``: the embedded default, one SQLite file (``sqlite:///PATH``);
- ``mongo/``: the production store, a facility's MongoDB or SciCat database
  (``mongodb://HOST/DB``).

Both implement :class:`beamhub.catalogue.store.Store`; :func:`open_store` picks one from
the URL. The concrete stores are imported only when opened, so reading a setting here
costs nothing.
"""

from __future__ import annotations

import os

from ..errors import InvalidInput
from ..request_keys import RequestKeys
from ..store import Store
from .urls import redact_url

__all__ = ["STORE_ENV", "DEFAULT_STORE_URL", "open_store", "redact_url", "request_keys_for"]

STORE_ENV = "BEAMHUB_STORE"
DEFAULT_STORE_URL = "sqlite:///beamhub-catalogue.sqlite"


def open_store(url: str | None = None) -> Store:
    """Open a store from a URL: ``sqlite:///PATH`` (the embedded default) or
    ``mongodb://...`` (the database name in the path, default ``beamhub``).

    Without a URL, ``$BEAMHUB_STORE`` is used, else ``sqlite:///beamhub-catalogue.sqlite``
    in the current directory.
    """
    url = url or os.environ.get(STORE_ENV) or DEFAULT_STORE_URL
    if url.startswith("sqlite://"):
        from .sqlite import SQLiteStore

        return SQLiteStore(url)
    if url.startswith(("mongodb://", "mongodb+srv://")):
        from .mongo import MongoStore

        return MongoStore(url)
    raise InvalidInput(f"unknown store URL {redact_url(url)!r}: use sqlite:///PATH or mongodb://HOST/DB")


def request_keys_for(store) -> RequestKeys:
    """The idempotency keys kept in ``store`` (SQLite or MongoDB)."""
    from .sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from .sqlite.idempotency import SQLiteRequestKeys

        return SQLiteRequestKeys(store)
    from .mongo.idempotency import MongoRequestKeys

    return MongoRequestKeys(store)
