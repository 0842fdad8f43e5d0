"""Idempotency keys of the service's write requests, kept in MongoDB.

The same protocol as ``stores/sqlite/idempotency.py``: one document per key in the
``request_keys`` collection (``_id`` the key, ``status``/``body`` once answered,
``expires`` the end of the lease or of the answer's keeping). Claiming is one
``insert_one`` (the unique ``_id`` decides between two processes claiming at once) or,
for an expired document, one conditional ``replace_one`` on the ``expires`` seen. A TTL
index removes expired documents (the engine's TTL monitor runs about once a minute;
expiry is also checked on every read). FerretDB v1 has no TTL indexes
("expireAfterSeconds is not implemented"): there a plain index on ``expires`` serves
the purge every :data:`PURGE_EVERY` claims, which runs on every engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from ...errors import StoreUnavailable
from ...request_keys import Claim

COLLECTION = "request_keys"
PURGE_EVERY = 200
"""Claims between two removals of expired documents (besides the TTL index)."""
NOT_IMPLEMENTED = 238


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class MongoRequestKeys:
    def __init__(self, store):
        self.collection = store.db[COLLECTION]
        self._ready = False
        self._claims = 0

    def _ensure(self) -> None:
        if not self._ready:
            try:
                self.collection.create_index("expires", expireAfterSeconds=0, name="request_keys_ttl")
            except OperationFailure as exc:
                if exc.code != NOT_IMPLEMENTED:
                    raise
                self.collection.create_index("expires", name="request_keys_expires")  # FerretDB v1
            self._ready = True
        self._claims += 1
        if self._claims % PURGE_EVERY == 0:
            self.collection.delete_many({"expires": {"$lt": _now()}})

    def claim(self, key: str, lease_seconds: float) -> Claim:
        try:
            self._ensure()
            for _ in range(3):
                now = _now()
                try:
                    self.collection.insert_one({"_id": key, "status": None, "body": None,
                                                "expires": now + timedelta(seconds=lease_seconds)})
                    return Claim("new")
                except DuplicateKeyError:
                    pass
                found = self.collection.find_one({"_id": key})
                if found is None:
                    continue  # removed meanwhile: claim again
                if _aware(found["expires"]) >= now:
                    if found.get("status") is None:
                        return Claim("busy")
                    return Claim("done", int(found["status"]), bytes(found.get("body") or b""))
                replaced = self.collection.replace_one(
                    {"_id": key, "expires": found["expires"]},
                    {"status": None, "body": None, "expires": now + timedelta(seconds=lease_seconds)})
                if replaced.matched_count:
                    return Claim("new", resumed=found.get("status") is None)
            return Claim("busy")
        except PyMongoError as exc:
            raise StoreUnavailable(f"the catalogue database failed: {exc}") from None

    def complete(self, key: str, status: int, body: bytes, keep_seconds: float) -> None:
        try:
            self.collection.replace_one({"_id": key}, {"status": status, "body": body,
                                                       "expires": _now() + timedelta(seconds=keep_seconds)},
                                        upsert=True)
        except PyMongoError as exc:
            raise StoreUnavailable(f"the catalogue database failed: {exc}") from None

    def act_once(self, key, act, answer, keep_seconds: float):
        """The write, then its key's answer (no transaction: the store's writes take no
        session). Dying between the two leaves the key pending; once its lease has run
        out a retry acts again, which the keyed writes make harmless: a keyed create makes
        the selection the key names (found, not made twice), and a retry whose claim is
        ``resumed`` takes a selection already deleted or submitted as the first try's
        doing and answers 204 / 202 as it would have (``service/logic.py``)."""
        result = act()
        status, body = answer(result)
        if 200 <= status < 300:
            self.complete(key, status, body, keep_seconds)
        return result

    def release(self, key: str) -> None:
        try:
            self.collection.delete_one({"_id": key, "status": None})
        except PyMongoError as exc:
            raise StoreUnavailable(f"the catalogue database failed: {exc}") from None
