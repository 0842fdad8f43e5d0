"""Small helpers shared by the MongoDB store's modules."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

import pymongo.errors

from ...errors import InvalidInput, PermissionDenied, StoreUnavailable
from ...identity import Identity
from ...model import now as _precise_now
from .documents import truncate_to_millis

UNREACHABLE = (pymongo.errors.ConnectionFailure, pymongo.errors.ExecutionTimeout,
               pymongo.errors.WTimeoutError)
"""pymongo's errors that mean the server could not be reached or did not answer."""


def guarded(method):
    """Run a store method with the server's features known; unreachable -> StoreUnavailable."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            self._connect()
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            reason = str(exc).split(",")[0].split("(")[0].strip()[:200]
            raise StoreUnavailable(
                f"the catalogue database at {self.safe_url} cannot be reached ({reason}); retry later"
            ) from None

    return wrapper


def now() -> datetime:
    """The current time as MongoDB stores it (milliseconds): what is returned is what is read back."""
    return truncate_to_millis(_precise_now())


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def require_operator(identity: Identity, what: str) -> None:
    if not identity.operator:
        raise PermissionDenied(f"only operators may {what}")


def parse_input(model, item):
    """A validated model instance from a model instance or an input dict."""
    if isinstance(item, model):
        return item
    if isinstance(item, dict):
        return model.parse(item)
    raise InvalidInput(f"expected a {model.__name__.lower()} object, not {type(item).__name__}")
