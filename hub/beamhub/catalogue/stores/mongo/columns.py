"""The column engine for the MongoDB store: every dataset's search fields held in memory.

Indexes alone do not make a search over a facility's database fast: the page query
sorts every match and the ``$facet`` count reads every match, so a search costs what
its matches cost (DocumentDB at 100k datasets: p95 about 10 s). Here the catalogue
service holds, per worker, a row per dataset with what searches filter, count and sort
on (SciCat's visibility fields as access keys, beamline, type, year, techniques,
proposals, creation time, size, the name's sort key, the derived words and metadata
values), as numpy arrays (``catalogue.columns`` is the engine's store-independent
core). A search then counts every facet exactly and chooses its page in memory, and
only the page's documents are read from the database, by ``_id``.

**Loaded.** In the background at service start (:meth:`MongoColumns.start`, one read of
the collection's search fields, by a thread ahead of the applying: ``mongo.loading``);
searches take the direct path until it is done (at 1M datasets a minute or more, which
``beamhub catalogue snapshot-columns`` spends before the service starts instead:
:meth:`MongoColumns.write_snapshot`). With a
snapshot folder (the service's ``columns_snapshot_dir``) the rows are written there
after a full load and when the service stops, and a starting worker reads them back
(its arrays mapped, not read: a fraction of a second at 1M datasets, not minutes of
reading the database; :meth:`MongoColumns.save`) and then applies what changed since, by
the same stamps a sync follows (:meth:`MongoColumns.restore`; the documents stamped since
are listed and read in a thread while the file is read back). Searches answer as soon as
the file is read back and those are listed: from the rows for every dataset but the ones
changed and not applied yet, and through the database for those, the two answers merged
(:meth:`MongoColumns._catch_up`). A snapshot of another database, of another format or
derivation version, or older than :data:`SNAPSHOT_MAX_AGE` (deletions by beamhub are
logged for a day) is ignored with a log line, and so is one that cannot be read.

**Kept current.** SciCat stamps every write with ``updatedAt``; beamhub's own dataset
writes do too. Before each search, and every second in the background, the rows are
brought up to the database (:meth:`MongoColumns.sync`): one indexed query for the
documents whose ``updatedAt`` is newer than the newest seen or within :data:`OVERLAP` of
now, for writes committed out of order (``_id`` and stamps only), then the changed ones
read whole. A changed document's row is dropped and a new one appended (postings are
append-only arrays with room to grow, dead rows masked), so an ingest that changes 1% of
the datasets costs reading that 1%, not a reload. The database is read without holding
the rows; the background thread applies a burst 500 documents at a time, and searches
go on between them (each applying what is left, see below). Documents whose derived fields the follower has
not written yet (``mongo.follow``: it does not move ``updatedAt``) are read again once
it has: what beamhub writes stamps ``beamhub_changedAt`` (the follower's derivations,
vote counts), which syncs follow beside ``updatedAt``. Deletions through
beamhub are recorded in ``beamhub_deleted``, which syncs read too. Deletions and writes by
others that leave ``updatedAt`` alone are found by the reconciliation
(:meth:`MongoColumns.reconcile`): every :data:`RECONCILE_SECONDS` the database counts its
documents (no document read here), and when that count is not the rows', and every
:data:`COMPARE_SECONDS` regardless, the stamps of every document are compared with the
rows (at 1M datasets that comparison reads 1M documents' stamps here: about 10 s of
this process's CPU, so not every two minutes).

**Exact when behind.** Counts come from rows synced at the start of the search, so they
hold every change stamped before it (an access change included: SciCat stamps it). The
page's documents are then read by ``_id`` under the live query (visibility on SciCat's
own fields as they are now, text, facets, conditions): if any of them no longer matches,
the columns are behind the database and the whole search is answered by the direct path
(``$facet`` and page query), so nothing is shown or counted from a stale row. When a
sync finds more than :data:`SYNC_IN_SEARCH` changed documents (a bulk write), the
search takes the direct path and the background thread applies them.

**Cost follows the matches.** Visibility and facet filters are decided per cell (a
distinct combination of access keys and facet values: thousands at 1M datasets); words,
prefixes, conditions and dates give sorted row arrays, intersected rarest first; a
search with none of them counts from each cell's live rows and takes its page by walking
the sort's order (kept sorted by the background thread) only until the page is full. A
search whose only one of them is a range condition on a large metadata field (every
dataset's temperature: hundreds of thousands of matches at 1M) counts the slice of the
field's value order it selects per cell and walks the sort's order testing just the rows
walked (:class:`_ValueOrder`, :meth:`MongoColumns._ranged`).

**What it answers.** Sorts by creation time, name and size; free text (whole words and
the prefix), the five facets, dates, and metadata conditions on numbers, strings and
booleans; ``-likes`` too (a vote stamps ``beamhub_changedAt``, which syncs follow beside
``updatedAt``, as they follow the follower's derivations). Relevance, keywords and
``my_vote`` take the direct path, as does everything while a document holds values
the rows cannot represent exactly (an integer beyond 2**53, a creation time that is
not a date).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import logging
import mmap
import os
import pickle
import queue
import stat
import tempfile
import threading
import time
import uuid
from array import array
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
from pymongo.errors import DuplicateKeyError, PyMongoError

from ...columns import EXACT_FLOAT, compare, within
from ...identity import Identity, dataset_access_keys
from ...query import MAX_FACET_VALUES, FacetCount, SearchQuery
from ...scientific_metadata import index_key
from ...units import normalize
from .documents import (CHANGED, DELETED, INDEX_VERSION, INDEX_VERSION_FIELD, LIKES, METADATA, PROPOSAL_IDS,
                        SORT_NAME, SOURCE_UPDATED, TECHNIQUES, UNREADABLE, WORDS, YEAR)
from .loading import load_batches, one_at_a_time
from .scicat import META
from .support import batched

log = logging.getLogger(__name__)

OVERLAP = timedelta(seconds=5)
"""Each sync reads again the documents stamped within this many seconds of now (writes
stamped before, committed after a newer one; :func:`_since`)."""
SYNC_IN_SEARCH = 5000
"""Changed documents a search applies itself; more: the search goes direct while the
background thread applies them."""
RECONCILE_SECONDS = 120.0
"""Seconds between reconciliations (:meth:`MongoColumns.reconcile`: deletions and writes by
others that did not stamp ``updatedAt``)."""
COMPARE_SECONDS = 3600.0
"""Seconds between comparisons of every document's stamps with the rows while the
database's count of documents agrees with the rows' (a deletion and an unstamped insert
between two counts, which leave the count as it was, are found by this one)."""
ORDER_TAIL = 50_000
"""Rows appended after a sort order was made (its tail, looked at whole by every search
using it) beyond which the background thread sorts it again."""
VALUE_ORDER_LEAST = 1 << 14
"""Entries of a metadata key from which a lone range condition on it is answered from a
value order (:class:`_ValueOrder`, made by the background thread once one is asked for):
below it comparing every entry costs less than the order's upkeep."""
WALK_STEP = 4096
"""Rows of a sort order a page's walk looks at first (doubled at each step)."""
SYNC_CHUNK = 500
"""Changed documents the background thread applies before letting searches in again."""
ROOM_AHEAD = 1 << 16
"""Entries of a key (a word, a metadata field) from which the background thread gives it
room to grow when a sync appends to it (``_Postings.make_room``), not the next search:
a smaller key's copy is cheap (under a millisecond), and not made for keys never asked for."""
READ_BATCH = 500
"""Documents read by ``_id`` in one query (and applied holding the rows at once)."""
ROWS_ROOM = 1024
ROWS_ROOM_SHARE = 1 / 8
"""Rows a snapshot's arrays have room for beyond its rows: this share of them, at least
:data:`ROWS_ROOM` (a restart writes what changed since into it, ``_Grow.__getstate__``)."""
LOCATED = 100_000
"""Keys whose place in a snapshot's arrays is remembered (``_Frozen.locate``) before the
memory is cleared."""
SYNC_SECONDS = 1.0
"""Seconds between background syncs."""
SNAPSHOT_FORMAT = 7
"""The snapshot file's layout (a change to the rows' attributes bumps it)."""
IN_BAND = 1 << 16
"""Arrays of fewer bytes are written inside the snapshot's pickle; larger ones after it,
page-aligned, and mapped when it is read back (:meth:`MongoColumns.save`)."""
RESTORE_WAIT = 15.0
"""Seconds a search waits for the rows while they are read back from a snapshot (0.13 s at
1M datasets) and what changed since is listed (then it answers during the catch-up,
:meth:`MongoColumns._catch_up`), or, one the catch-up cannot answer, until what changed
is applied (about 0.1 ms a document under load), rather than going to the database,
which takes seconds per search."""
CAUGHT_UP_ROUNDS = 4
"""Rounds in which a restart's catch-up reads what searches took out of the rows meanwhile
before its last, which holds the rows while it reads (:meth:`MongoColumns._caught_up`)."""
CATCH_UP_MOST = 50_000
"""The most datasets changed since a snapshot with which searches answer during the
restart's catch-up (:meth:`MongoColumns._catch_up`): each such search reads those of them
that match it from the database, so more would make every search cost what a bulk ingest
costs; beyond it searches wait for the rows (``RESTORE_WAIT``)."""
YIELD_SECONDS = 0.5
"""Seconds in all a restart's catch-up waits, before reading or applying its next batch,
for the searches answering meanwhile (:meth:`MongoColumns.first`): the first ones go
first, on the database and in this process, rather than compete with it; then it goes
on beside them (waiting longer, a stream of searches kept it from ending: ready after
4-7 s instead of 1-2 s, and every search meanwhile read the database)."""
SNAPSHOT_MAX_AGE = timedelta(hours=20)
"""An older snapshot is not used by a starting worker: ``beamhub_deleted`` keeps deletions
a day, so the deletions since it would not all be found. ``beamhub catalogue
snapshot-columns`` uses one however old and then compares every document's stamps with
the rows, which finds them (:meth:`MongoColumns.write_snapshot`)."""

FIELDS = {"_id": 1, "creationTime": 1, "updatedAt": 1, "ownerGroup": 1, "accessGroups": 1, "isPublished": 1,
          "creationLocation": 1, "type": 1, "size": 1, YEAR: 1, TECHNIQUES: 1, PROPOSAL_IDS: 1, WORDS: 1,
          METADATA: 1, SORT_NAME: 1, UNREADABLE: 1, SOURCE_UPDATED: 1, INDEX_VERSION_FIELD: 1, CHANGED: 1, LIKES: 1}
"""What a row is made of (a projection)."""
STAMPS = {"updatedAt": 1, SOURCE_UPDATED: 1, INDEX_VERSION_FIELD: 1, CHANGED: 1}

SORTS = {"-creationTime": ("ctime", -1), "creationTime": ("ctime", 1), "datasetName": ("name", 1),
         "-datasetName": ("name", -1), "size": ("size", 1), "-size": ("size", -1), "-likes": ("likes", -1)}
"""The sorts answered here: (row array, direction); ties by pid ascending, as the direct path."""

ORDERS = ("cell", "ctime", "size", "name", "likes")
"""The orders of rows kept (``MongoColumns._order``): by cell, and by each sort's key."""
FACETS = ("beamline", "proposal", "technique", "type", "year")
LIST_FACETS = ("proposal", "technique")
METADATA_PARTS = ("v", "w", "r", "x")

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


_MILLISECOND = timedelta(milliseconds=1)


def millis(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - EPOCH) // _MILLISECOND


def _stamps(doc: dict) -> str:
    """The document's stamps as one string (equal exactly when the stamps are): a million
    of them are read back from a snapshot far faster than tuples of datetimes. (Spelled
    out, not a join over the fields: a sync makes one per document it lists.)"""
    get = doc.get
    return (f"{_stamp(get('updatedAt'))}|{_stamp(get(SOURCE_UPDATED))}|{_stamp(get(INDEX_VERSION_FIELD))}"
            f"|{_stamp(get(CHANGED))}")


def _stamp(value) -> str:
    if isinstance(value, datetime):  # BSON dates are whole milliseconds
        return f"d{millis(value)}"
    return repr(value)


def _aligned(at: int, to: int) -> int:
    return -(-at // to) * to


def _derived(doc: dict) -> bool:
    return doc.get(INDEX_VERSION_FIELD) == INDEX_VERSION and doc.get(SOURCE_UPDATED) == doc.get("updatedAt")


class _Grow:
    """A numpy array appended to in place (capacity doubled)."""

    def __init__(self, dtype, fill=0):
        self.data = np.full(1024, fill, dtype=dtype)
        self.fill = fill
        self.n = 0

    def append(self, value) -> None:
        if self.n == len(self.data):
            more = np.full(len(self.data), self.fill, dtype=self.data.dtype)
            self.data = np.concatenate([self.data, more])
        self.data[self.n] = value
        self.n += 1

    def extend(self, values) -> None:
        """Append ``values`` (a sequence) at once: one copy into the array, not one call each."""
        more = len(values)
        if self.n + more > len(self.data):
            grown = np.full(max(2 * len(self.data), self.n + more), self.fill, dtype=self.data.dtype)
            grown[:self.n] = self.data[:self.n]
            self.data = grown
        self.data[self.n:self.n + more] = values
        self.n += more

    @property
    def view(self) -> np.ndarray:
        return self.data[:self.n]

    def __getstate__(self) -> dict:
        # room for an eighth more rows (ROWS_ROOM_SHARE), no more: a restart maps the array copy-on-write, and the
        # rows applied then are written into that room (pages copied as they are touched), not
        # into a new array twice the size (at 1M rows, six arrays allocated and copied before
        # the first search: 0.1-0.7 s)
        room = max(ROWS_ROOM, int(self.n * ROWS_ROOM_SHARE))
        if len(self.data) >= self.n + room:
            return {**self.__dict__, "data": self.data[:self.n + room]}
        return {**self.__dict__, "data": np.concatenate([self.data[:self.n],
                                                         np.full(room, self.fill, dtype=self.data.dtype)])}


def _encoded(value) -> bytes | None:
    """A string as the snapshot's arrays hold it (None: one they cannot: not a string, or
    with a NUL, which fixed-width byte strings drop at the end)."""
    if type(value) is not str or "\0" in value:
        return None
    return value.encode("utf-8", "surrogatepass")


class _Strings:
    """A list of strings (the rows' pids or names) as a snapshot holds it: one UTF-8 blob
    and each string's end, decoded when one is asked for (a million Python strings take
    a second to make; a page asks for twenty). Strings appended since are a plain list."""

    def __init__(self, blob: np.ndarray, ends: np.ndarray):
        self.blob, self.ends = blob, ends
        self.more: list = []

    @classmethod
    def of(cls, strings) -> "_Strings | list":
        """The strings in this form (a plain list when one is not a string this holds)."""
        base = strings if isinstance(strings, _Strings) else None
        encoded = [_encoded(s) for s in (base.more if base is not None else strings)]
        if None in encoded:
            return list(strings)
        ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        if base is not None:  # the strings read back as they are, those appended since after them
            if not encoded:
                return base
            ends += base.ends[-1] if len(base.ends) else 0
            blob, ends = np.concatenate([base.blob, blob]), np.concatenate([base.ends, ends])
        return cls(blob, ends)

    def __len__(self) -> int:
        return len(self.ends) + len(self.more)

    def __getitem__(self, i) -> str:
        i = int(i)
        if i < 0:
            i += len(self)
        base = len(self.ends)
        if i >= base:
            return self.more[i - base]
        start = int(self.ends[i - 1]) if i else 0
        return self.blob[start:int(self.ends[i])].tobytes().decode("utf-8", "surrogatepass")

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def append(self, value) -> None:
        self.more.append(value)


class _Frozen:
    """A dict (pid -> row, pid -> stamps) as a snapshot holds it: its keys as sorted
    fixed-width byte strings and their values in an array (a value's code in ``table``
    when there is one), looked up by binary search; what is set or removed since is held
    beside them (``more``, ``gone``). Read back it costs nothing; a million-entry dict
    takes a second or more to rebuild under load."""

    _MISSING = object()

    def __init__(self, keys: np.ndarray, values: np.ndarray, table: _Strings | None, more: dict):
        self.keys, self.values, self.table = keys, values, table
        self.more = more  # set since (and the keys the arrays cannot hold)
        self.gone: set = set()  # keys of the arrays removed since (unless in ``more``)
        self.count = len(keys) + len(more)
        self._where: dict = {}  # key -> its index in the arrays, of keys looked up (``locate``)

    @classmethod
    def of(cls, mapping, strings: bool) -> "_Frozen":
        """``mapping``'s entries in this form; ``strings``: its values are strings (held by
        code, each distinct one once), else integers."""
        if isinstance(mapping, _Frozen):
            return mapping._merged(strings)
        held, more = [], {}
        for key, value in mapping.items():
            encoded = _encoded(key)
            if encoded is None or (strings and _encoded(value) is None):
                more[key] = value
            else:
                held.append((encoded, value))
        held.sort(key=lambda item: item[0])
        keys = np.array([k for k, _ in held], dtype=f"S{max((len(k) for k, _ in held), default=1)}")
        if strings:
            codes: dict[str, int] = {}
            values = np.fromiter((codes.setdefault(v, len(codes)) for _, v in held), dtype=np.int32, count=len(held))
            table = _Strings.of(list(codes))
        else:
            values, table = np.fromiter((v for _, v in held), dtype=np.int64, count=len(held)), None
        return cls(keys, values, table, more)

    def _merged(self, strings: bool) -> "_Frozen":
        """These entries as arrays again: the arrays' less those changed since, and those
        set since, sorted together (not a million keys decoded and encoded again)."""
        if not self.more and not self.gone:
            return self
        keep = np.ones(len(self.keys), dtype=bool)
        for key in self.gone | self.more.keys():
            at = self._at(key)
            if at >= 0:
                keep[at] = False
        added = _Frozen.of(self.more, strings)
        keys = np.concatenate([self.keys[keep], added.keys])
        if strings:  # the codes of the values set since follow the table's
            table = _Strings(self.table.blob, self.table.ends)
            table.more = self.table.more + list(added.table)
            table = _Strings.of(table)
            values = np.concatenate([self.values[keep], added.values + len(self.table)])
        else:
            table, values = None, np.concatenate([self.values[keep], added.values])
        order = np.argsort(keys, kind="stable")
        return _Frozen(keys[order], values[order].astype(self.values.dtype), table, added.more)

    def locate(self, keys) -> None:
        """Find ``keys`` in the arrays at once (one binary search of them all, not one call
        each: a sync applying thousands of documents looks each up three times)."""
        if not len(self.keys):
            return
        if len(self._where) > LOCATED:
            self._where.clear()
        keys = [k for k in keys if k not in self._where]
        encoded = [_encoded(k) for k in keys]
        fits = [i for i, e in enumerate(encoded) if e is not None and len(e) <= self.keys.dtype.itemsize]
        if not fits:
            for k in keys:
                self._where[k] = -1
            return
        wanted = np.array([encoded[i] for i in fits], dtype=self.keys.dtype)
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = np.where(self.keys[at] == wanted, at, -1).tolist()
        for k in keys:
            self._where[k] = -1
        for i, where in zip(fits, found):
            self._where[keys[i]] = where

    def _at(self, key) -> int:
        """The key's index in the arrays (-1: not there)."""
        where = self._where.get(key)
        if where is not None:
            return where
        encoded = _encoded(key)
        if encoded is None or not len(self.keys) or len(encoded) > self.keys.dtype.itemsize:
            return -1
        at = int(np.searchsorted(self.keys, encoded))
        return at if at < len(self.keys) and self.keys[at] == encoded else -1

    def _value(self, at: int):
        value = self.values[at]
        return self.table[value] if self.table is not None else int(value)

    def get(self, key, default=None):
        found = self.more.get(key, self._MISSING)
        if found is not self._MISSING:
            return found
        if key in self.gone:
            return default
        at = self._at(key)
        return default if at < 0 else self._value(at)

    def __contains__(self, key) -> bool:
        return self.get(key, self._MISSING) is not self._MISSING

    def __setitem__(self, key, value) -> None:
        if key not in self.more and (key in self.gone or self._at(key) < 0):
            self.count += 1
        self.more[key] = value

    def pop(self, key, default=None):
        found = self.more.pop(key, self._MISSING)
        if key not in self.gone:
            at = self._at(key)
            if at >= 0:
                self.gone.add(key)
                if found is self._MISSING:
                    found = self._value(at)
        if found is self._MISSING:
            return default
        self.count -= 1
        return found

    def __len__(self) -> int:
        return self.count

    def items(self):
        for at in range(len(self.keys)):
            key = self.keys[at].decode("utf-8", "surrogatepass")
            if key not in self.more and key not in self.gone:
                yield key, self._value(at)
        yield from list(self.more.items())

    def __iter__(self):
        return (key for key, _ in self.items())

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_where": {}}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"_where": {}, **state})

    def copy(self) -> "_Frozen":
        """A copy (the arrays shared: they are not written)."""
        copied = _Frozen(self.keys, self.values, self.table, dict(self.more))
        copied.gone, copied.count = set(self.gone), self.count
        return copied


class _Packed:
    """A :class:`_Postings`' keys' arrays as a snapshot holds them: each part of every key
    in one array, a key's entries a slice of it (found through ``index``, a
    :class:`_Frozen`), made into a key's arrays (views, not copies) when it is first asked
    for; what is set since is held beside them (``more``). Read back it costs a few
    arrays, not one per key: 20,000 words' small arrays took 35-40 ms of a restart's
    100 ms of unpickling at 1M datasets (and 90-140 ms under load)."""

    def __init__(self, index: "_Frozen", ends: np.ndarray, columns: dict[str, np.ndarray]):
        self.index, self.ends, self.columns = index, ends, columns
        self.more: dict[str, dict[str, np.ndarray]] = {}

    @classmethod
    def of(cls, rows) -> "_Packed":
        keys = list(rows.keys())
        held = [rows.get(key) for key in keys]
        parts = list(held[0]) if held else ["row"]
        lengths = np.fromiter((len(h["row"]) for h in held), dtype=np.int64, count=len(held))
        columns = {part: (np.concatenate([h[part] for h in held]) if held else _NONE) for part in parts}
        return cls(_Frozen.of({key: at for at, key in enumerate(keys)}, strings=False), np.cumsum(lengths), columns)

    def get(self, key: str, default=None):
        found = self.more.get(key)
        if found is None:
            at = self.index.get(key)
            if at is None:
                return default
            start, end = (int(self.ends[at - 1]) if at else 0), int(self.ends[at])
            found = self.more[key] = {part: column[start:end] for part, column in self.columns.items()}
        return found

    def __getitem__(self, key: str) -> dict[str, np.ndarray]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: str, value: dict[str, np.ndarray]) -> None:
        self.more[key] = value

    def __contains__(self, key) -> bool:
        return key in self.more or key in self.index

    def keys(self):
        return set(self.more) | {key for key, _ in self.index.items()}

    def __len__(self) -> int:
        return len(self.keys())


class _Postings:
    """Rows per key (a word, or a metadata entry's values), append-only: rows ascending.
    Rows not yet asked for are kept in typed arrays (4 or 8 bytes an entry, not a tuple
    of Python objects each: 1M datasets' words fit in a worker), made numpy at first use."""

    def __init__(self, parts: tuple[str, ...] = ()):
        self.parts = parts
        self._rows: dict[str, dict[str, np.ndarray]] = {}
        self._new: dict[str, list[array]] = {}
        self._spare: dict[str, dict[str, np.ndarray]] = {}  # keys grown since: arrays with room (``get``)
        self._keys: set[str] = set()
        self.codes: dict[str, dict] = {p: {None: 0} for p in parts if p not in METADATA_PARTS}
        """Text parts are held as codes (0: none), so a condition compares integers."""

    def code(self, part: str, value) -> int | None:
        """The code of a text part's value (None: no row holds it)."""
        return self.codes[part].get((type(value), value))

    def add(self, key: str, row: int, values: tuple = ()) -> None:
        new = self._new.get(key)
        if new is None:
            new = self._new[key] = [array("i")] + [array("d" if p in METADATA_PARTS else "i") for p in self.parts]
            self._keys.add(key)
        new[0].append(row)
        for held, part, value in zip(new[1:], self.parts, values):
            if part in METADATA_PARTS:
                held.append(value)
            else:
                codes = self.codes[part]
                held.append(0 if value is None else codes.setdefault((type(value), value), len(codes)))

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        """``{"row": rows, part: values, ...}``, one contiguous array each (a condition
        reads one part of every entry: contiguous, not strided through records); None
        when the key has no rows."""
        new = self._new.pop(key, None)
        if new is not None:
            fresh = self._columns(new)
            old = self._rows.get(key)
            if old is None:
                self._rows[key] = fresh
            else:
                # room to spare once a key grows: a burst's few new entries are copied into
                # it, not the whole key's (a metadata field every dataset has: 1M entries)
                n, more = len(old["row"]), len(fresh["row"])
                spare = self._spare.get(key)
                if spare is None or len(spare["row"]) < n + more:
                    spare = self._spare[key] = _roomy(old, more)
                    self.copies += 1
                for k, v in fresh.items():
                    spare[k][n:n + more] = v
                self._rows[key] = {k: v[:n + more] for k, v in spare.items()}
        return self._rows.get(key)

    copies = 0
    """Keys whose entries ``get`` copied into room to grow (for tests: a search's copy)."""

    def make_room(self, lock, least: int | None = None) -> int:
        """Give the keys of at least ``least`` entries that have entries waiting and no room
        for them (read back from a snapshot, or grown past their room) room to grow, so
        that the search that next asks for one (``get``, holding ``lock``, the rows') does
        not copy its entries (a metadata field every dataset has, at 1M: about 40 MB,
        100-130 ms). The copy is made without holding ``lock``: a key's held entries are
        never written (``get`` writes past them), and room is given only to a key ``get``
        has not renewed meanwhile. Returns how many keys were given room."""
        least = ROOM_AHEAD if least is None else least
        with lock:
            todo = []
            for key, new in self._new.items():
                old = self._rows.get(key)
                if old is None or len(old["row"]) < least:
                    continue
                spare = self._spare.get(key)
                if spare is None or len(spare["row"]) < len(old["row"]) + len(new[0]):
                    todo.append((key, old, len(new[0])))
        given = 0
        for key, old, more in todo:
            spare = _roomy(old, more)
            with lock:
                if self._rows.get(key) is old:
                    self._spare[key] = spare
                    self._rows[key] = {k: v[:len(old["row"])] for k, v in spare.items()}
                    given += 1
        return given

    def __getstate__(self) -> dict:
        # the views in _rows are written whole, packed (``_Packed``)
        state = {**self.__dict__, "_spare": {}, "_rows": _Packed.of(self._rows)}
        state.pop("copies", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"_spare": {}, **state})

    def keys(self) -> set[str]:
        return self._keys

    def _columns(self, new: list[array]) -> dict[str, np.ndarray]:
        out = {"row": np.frombuffer(new[0], dtype=np.intc).astype(np.int32)}
        for held, part in zip(new[1:], self.parts):
            out[part] = np.frombuffer(held, dtype=np.float64 if part in METADATA_PARTS else np.intc).copy()
        return out


_NONE = np.zeros(0, dtype=np.int32)


def _roomy(old: dict[str, np.ndarray], more: int) -> dict[str, np.ndarray]:
    """A key's entries copied into arrays with room for ``more`` and an eighth again."""
    n = len(old["row"])
    size = n + more + max(more, n // 8)
    spare = {k: np.empty(size, dtype=v.dtype) for k, v in old.items()}
    for k, v in old.items():
        spare[k][:n] = v
    return spare


def _sorted(rows: np.ndarray, n: int) -> np.ndarray:
    """``rows`` (distinct, below ``n``) ascending: sorted when few, else through a mask."""
    if len(rows) * 32 <= n:
        return np.sort(rows)
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return np.flatnonzero(mask).astype(np.int32)


def _union(parts: list[np.ndarray], n: int) -> np.ndarray:
    """The distinct rows of ``parts``, ascending."""
    if not parts:
        return _NONE
    if len(parts) == 1:  # a prefix that is one word (typed whole): its rows, not sorted again
        return _distinct(parts[0])
    if sum(len(p) for p in parts) * 32 <= n:
        return np.unique(np.concatenate(parts))
    mask = np.zeros(n, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask).astype(np.int32)


def _every(rows: np.ndarray) -> np.ndarray:
    return np.ones(len(rows), dtype=bool)


class _Range:
    """The rows meeting one range condition (:meth:`MongoColumns._ranged`): called with
    rows, which of them meet it (their entries looked up: a cost per row asked about);
    ``rows()``: every one, live or not (the order's slice and the tail's matches)."""

    def __init__(self, columns: "MongoColumns", condition, entries: dict[str, np.ndarray], sliced: np.ndarray,
                 tail: np.ndarray):
        self.columns, self.condition, self.entries = columns, condition, entries
        self.sliced, self.tail = sliced, tail
        self.count = len(sliced) + len(tail)

    def rows(self) -> np.ndarray:
        return np.concatenate([self.sliced, self.tail]) if len(self.tail) else self.sliced

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        held = self.entries["row"]
        ok = np.zeros(len(rows), dtype=bool)
        if len(rows) and len(held):
            if held[-1] == len(held) - 1:  # every row has one (ascending rows from 0): a row's own
                at, has = rows, rows < len(held)
            else:
                at = np.minimum(np.searchsorted(held, rows), len(held) - 1)
                has = held[at] == rows
            ok[has] = self.columns._meets(self.condition, self.entries, at[has])
        return ok


def _distinct(rows: np.ndarray) -> np.ndarray:
    """Ascending rows without repeats (a posting list holds a row once, unless a document
    listed a word twice)."""
    if len(rows) > 1 and not (rows[1:] > rows[:-1]).all():
        return np.unique(rows)
    return rows


def _intersect(small: np.ndarray, large: np.ndarray) -> np.ndarray:
    """The rows in both (ascending, distinct): a binary search of the smaller's in the
    larger, so it costs the smaller's length times a logarithm."""
    if len(small) > len(large):
        small, large = large, small
    if len(small) == 0 or len(large) == 0:
        return _NONE
    at = np.minimum(np.searchsorted(large, small), len(large) - 1)
    return small[large[at] == small]


class _Order:
    """The first ``n`` rows sorted by a key (stable), with the keys in that order."""

    def __init__(self, keys: np.ndarray):
        self.n = len(keys)
        self.rows = np.argsort(keys, kind="stable").astype(np.int32)
        self.keys = keys[self.rows]
        self.nan = bool(self.keys.dtype.kind == "f" and self.n and np.isnan(self.keys[-1]))
        """Whether a key is NaN (they sort last)."""


class _ValueOrder:
    """The first ``m`` entries of a metadata key ordered by one part's value within groups
    (a unit's dimension for ``v``/``w``, the code of ``s``/``b``, one group for ``r``/``x``;
    no value, NaN, last in its group), with each entry's row and cell in that order: the
    entries meeting a range condition (``<``, ``<=``, ``>``, ``>=``, or ``=`` a text or
    boolean) are one slice of it, counted per cell by a bincount of that slice
    (:meth:`MongoColumns._ranged`). Entries are append-only and a row's cell never
    changes, so the order stays true of its ``m`` entries; those appended since are its
    tail and dead rows are taken off, until the background thread sorts it again."""

    def __init__(self, entries: dict[str, np.ndarray], part: str, cells_of: np.ndarray):
        self.m = m = len(entries["row"])
        group = (entries["d" if part in ("v", "w") else part][:m] if part not in ("r", "x")
                 else np.zeros(m, dtype=np.int32))
        values = entries[part][:m] if part in METADATA_PARTS else None
        order = np.lexsort((values, group)) if values is not None else np.argsort(group, kind="stable")
        self.values = values[order] if values is not None else None
        self.rows = entries["row"][:m][order]
        self.cells = cells_of[self.rows]
        grouped = group[order]
        starts = np.concatenate([[0], np.flatnonzero(grouped[1:] != grouped[:-1]) + 1]) if m else np.zeros(0, int)
        ends = np.append(starts[1:], m)
        self.blocks = {int(grouped[s]): (int(s), int(e)) for s, e in zip(starts, ends)}
        """Each group's (start, end) in the order."""

    def span(self, group: int | None, op: str, wanted: float) -> tuple[int, int]:
        """The positions (start, end) of the entries of ``group`` whose value is ``op``
        ``wanted`` (``"all"``: the whole group), as ``compare`` decides it."""
        start, end = self.blocks.get(group, (0, 0))
        if op == "all" or start == end:
            return start, end
        values = self.values[start:end]
        if op in ("<", "<="):
            return start, start + int(np.searchsorted(values, wanted, "left" if op == "<" else "right"))
        return (start + int(np.searchsorted(values, wanted, "right" if op == ">" else "left")),
                start + int(np.searchsorted(values, np.nan, "left")))


class _Cells:
    """Distinct combinations of access keys and facet values; each row is in one."""

    def __init__(self):
        self.ids: dict[tuple, int] | None = {}  # (access keys, facet values) -> cell (None: not made yet)
        self.keys: list[frozenset] = []
        self.values: dict[str, list] = {f: [] for f in FACETS}
        self._visible: dict[frozenset, np.ndarray] = {}
        self._facet_index: dict[str, tuple[int, np.ndarray, np.ndarray, list]] = {}

    def __getstate__(self) -> dict:
        # the facets' indexes are kept (a restart's first searches would make them: 50 ms
        # at 200k datasets), identities' masks are not, nor the ids (:meth:`of` makes them
        # again when it first needs them: a restart's unpickling of 24,000 cells' ids at 1M
        # datasets took 23 ms before the first search, which never uses them)
        return {**self.__dict__, "_visible": {}, "ids": None}

    def of(self, doc: dict) -> int:
        techniques = doc.get(TECHNIQUES) or []
        proposals = doc.get(PROPOSAL_IDS) or []
        values = {"beamline": doc.get("creationLocation"), "type": doc.get("type"), "year": doc.get(YEAR),
                  "technique": tuple(techniques) if isinstance(techniques, list) else (techniques,),
                  "proposal": tuple(proposals) if isinstance(proposals, list) else (proposals,)}
        keys = dataset_access_keys(doc)
        key = (keys, *(values[f] for f in FACETS))
        if self.ids is None:  # read back from a snapshot: made from the cells
            self.ids = {(k, *v): at for at, (k, *v) in enumerate(zip(self.keys, *(self.values[f] for f in FACETS)))}
        found = self.ids.get(key)
        if found is None:  # raises TypeError for an unhashable value: the caller declines the row
            found = self.ids[key] = len(self.keys)
            self.keys.append(keys)
            for f in FACETS:
                self.values[f].append(values[f])
        return found

    def __len__(self) -> int:
        return len(self.keys)

    def visible(self, identity: Identity) -> np.ndarray:
        """A mask by cell id of the cells the identity may see."""
        n = len(self.keys)
        if identity.operator:
            return np.ones(n, dtype=bool)
        mine = identity.access_keys()
        mask = self._visible.get(mine)
        if mask is None or len(mask) < n:
            start = 0 if mask is None else len(mask)
            more = np.fromiter((not mine.isdisjoint(k) for k in self.keys[start:n]), dtype=bool, count=n - start)
            mask = more if start == 0 else np.concatenate([mask, more])
            if len(self._visible) > 1000:
                self._visible.clear()
            self._visible[mine] = mask
        return mask[:n]

    def passing(self, facet: str, wanted: list) -> np.ndarray:
        """A mask by cell id of the cells with one of ``wanted`` as their ``facet`` value
        (a list facet: one of its values), from the facet's index, not a loop over cells."""
        n, cells, codes, distinct, code_of = self._index(facet)
        wanted_codes = [code_of[v] for v in wanted if v in code_of]
        mask = np.zeros(n, dtype=bool)
        if wanted_codes:
            mask[cells[np.isin(codes, wanted_codes)]] = True
        return mask

    def facet_counts(self, facet: str, counts: np.ndarray) -> list[FacetCount]:
        """A facet's values over the cells' match ``counts`` (most first, ties by value;
        a list facet counts a dataset once per value, as ``$unwind``; no value: not listed).
        Only the values that can be among the first ``MAX_FACET_VALUES`` are sorted."""
        n, cells, codes, distinct, code_of = self._index(facet)
        per_value = np.bincount(codes, weights=counts[cells], minlength=len(distinct))
        if None in code_of:
            per_value[code_of[None]] = 0
        listed = np.flatnonzero(per_value > 0)
        if len(listed) > MAX_FACET_VALUES:  # those counting at least the 100th most: ties kept
            last = np.partition(per_value[listed], len(listed) - MAX_FACET_VALUES)[len(listed) - MAX_FACET_VALUES]
            listed = listed[per_value[listed] >= last]
        found = [(int(per_value[i]), distinct[i]) for i in listed]
        found.sort(key=lambda item: (-item[0], _order(item[1])))
        return [FacetCount(value=value, count=count) for count, value in found[:MAX_FACET_VALUES]]

    def facet_values(self, facet: str, counts: np.ndarray) -> dict:
        """Every value of a facet over the cells' match ``counts`` (value -> count, none
        left out): what a search merges with the database's counts during a restart's
        catch-up (:func:`facets_of` then orders and caps the sum)."""
        n, cells, codes, distinct, code_of = self._index(facet)
        per_value = np.bincount(codes, weights=counts[cells], minlength=len(distinct))
        listed = np.flatnonzero(per_value > 0)
        return {distinct[i]: int(per_value[i]) for i in listed}

    def _index(self, facet: str):
        """(cells, their count, each (cell, value code) pair, the values by code, the code
        of each value) of a facet, rebuilt when cells were added."""
        n = len(self.keys)
        index = self._facet_index.get(facet)
        if index is None or index[0] != n:
            distinct: dict = {}
            cells, codes = array("i"), array("i")
            for cell, value in enumerate(self.values[facet]):
                for v in (value if facet in LIST_FACETS else (value,)):
                    cells.append(cell)
                    codes.append(distinct.setdefault(v, len(distinct)))
            index = (n, np.frombuffer(cells, dtype=np.int32), np.frombuffer(codes, dtype=np.int32), list(distinct),
                     distinct)
            self._facet_index[facet] = index
        return index


def _newer(newest: list, doc: dict) -> None:
    """Move ``newest`` (``updatedAt``, ``beamhub_changedAt``) to the document's stamps where newer."""
    for at, field in enumerate(("updatedAt", CHANGED)):
        stamp = doc.get(field)
        if isinstance(stamp, datetime) and (newest[at] is None or stamp > newest[at]):
            newest[at] = stamp


def facets_of(values: dict[str, dict]) -> dict[str, list[FacetCount]]:
    """Facets as a search shows them from uncapped counts (``{facet: {value: count}}``):
    most first, ties by value as the database's ``$sort`` orders them, no value not
    listed, the first :data:`MAX_FACET_VALUES` (as :meth:`_Cells.facet_counts`)."""
    return {facet: [FacetCount(value=value, count=count) for value, count in
                    sorted(((v, c) for v, c in counts.items() if v is not None and c > 0),
                           key=lambda item: (-item[1], _order(item[0])))[:MAX_FACET_VALUES]]
            for facet, counts in values.items()}


def _order(value):
    """Facet values' tie order (MongoDB's ``$sort`` by ``_id``: numbers before strings)."""
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


class _ReadAhead:
    """The documents stamped since a snapshot's marks, read in a thread while the snapshot
    is read back: first listed (``_id`` and stamps: :attr:`listed`, what searches answer
    through the database until it is applied, :meth:`MongoColumns._catch_up`), then read
    whole (one query) and handed over :data:`READ_BATCH` at a time as they arrive (the
    database's time overlaps the file's and the applying).
    Applied without moving the marks (the query is not in stamp order, so a batch's newest
    stamps say nothing of the documents not read yet); once every document is read the
    marks move to the newest stamps read (:attr:`newest`, as a sync's move to the newest it
    listed), and the sync after them lists only what was stamped since (at 10,000 changed
    documents it listed them all again, stamps only: 0.17 s before the first search). A
    read cut short by an error leaves the marks: that sync finds every change since them
    and reads those whose stamps differ from what was taken here, and beamhub's deletions."""

    def __init__(self, columns: "MongoColumns", marks):
        self._batches: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = None
        self._stopped = threading.Event()
        self._yield = columns._yield
        self.newest: list | None = None
        """The newest ``updatedAt`` and ``beamhub_changedAt`` read, once every document is."""
        self.listed: dict[str, str] | None = None
        """pid -> stamps of every document stamped since the marks (None: not listed)."""
        self.listed_newest: list | None = None
        """The newest ``updatedAt`` and ``beamhub_changedAt`` listed."""
        self.listed_filter: dict | None = None
        """The listing's query: every document it listed matches it from then on (stamps only grow)."""
        self.listing = threading.Event()
        """Set once the listing is done (or failed, or there is none)."""
        if isinstance(marks, tuple) and len(marks) == 2:
            self._thread = threading.Thread(target=self._read, args=(columns.store.datasets, marks),
                                            name="mongo-columns-ahead", daemon=True)
            self._thread.start()
        else:
            self.listing.set()

    def stop(self) -> None:
        """Stop reading (the snapshot was not fit to use: nothing will take the batches)."""
        self._stopped.set()

    def _read(self, datasets, marks) -> None:
        try:
            branches = [_since("updatedAt", marks[0]), _since(CHANGED, marks[1])]
            if {} in branches:
                return  # no marks: the sync reads what changed
            listed, newest = {}, list(marks)
            for doc in datasets.find({"$or": branches}, STAMPS, batch_size=5000):
                listed[doc["_id"]] = _stamps(doc)
                _newer(newest, doc)
            self.listed, self.listed_newest, self.listed_filter = listed, newest, {"$or": branches}
            self.listing.set()
            batch, newest = [], list(marks)
            for doc in datasets.find({"$or": branches}, FIELDS, batch_size=READ_BATCH):
                if self._stopped.is_set():
                    return
                batch.append(doc)
                _newer(newest, doc)
                if len(batch) == READ_BATCH:
                    self._batches.put(batch)
                    batch = []
                    self._yield()  # searches first (the next batch is read after)
            self._batches.put(batch)
            self.newest = newest
        except PyMongoError:
            log.debug("search columns: documents since the snapshot not all read ahead", exc_info=True)
        finally:
            self.listing.set()
            self._batches.put(None)

    def batches(self):
        """The batches as they are read: (pids, documents)."""
        while self._thread is not None:
            batch = self._batches.get()
            if batch is None:
                return
            yield [doc["_id"] for doc in batch], batch


def _written(path: Path | None) -> int | None:
    """When the file at ``path`` was last replaced (ns; None: there is none)."""
    try:
        return os.stat(path).st_mtime_ns if path is not None else None
    except OSError:
        return None


def _untrusted(path: Path) -> str | None:
    """Why the snapshot at ``path`` may have been written by someone else than this
    service (None: it cannot): a pickle runs what it names when read, so the file and its
    folder must be this user's and writable by nobody else (a folder given on the command
    line, ``snapshot-columns --snapshot-dir``, may be anyone's)."""
    for what in (path, path.parent):
        try:
            st = os.stat(what)
        except OSError:
            return None  # no file: nothing is read
        if st.st_uid != os.geteuid():
            return f"{what} belongs to uid {st.st_uid}, not this user"
        if st.st_mode & 0o022:
            return f"{what} is writable by others (mode {stat.filemode(st.st_mode)})"
    return None


def _saved(path: Path | None) -> datetime | None:
    """When the snapshot at ``path`` was written, by its header (None: none, or unreadable)."""
    if path is None or _untrusted(path) is not None:
        return None  # its restore says why
    try:
        with open(path, "rb") as source:
            saved = pickle.load(source).get("saved")  # the service's own file (0600 in its state folder)
    except Exception:  # noqa: BLE001 - no file, or not one of ours: its restore says why
        return None
    return saved if isinstance(saved, datetime) else None


class Declined(Exception):
    """The columns cannot answer this search exactly: take the direct path."""


class MongoColumns:
    """The rows of one MongoDB store (see the module docstring)."""

    def __init__(self, store):
        self.store = store
        self.ready = threading.Event()
        """Set once the start-up load is done (searches use the rows from then on)."""
        self.warmed = self.ready
        self._lock = threading.RLock()
        self._syncing = threading.RLock()
        """Held by the one sync running (taken before ``_lock``, never while holding it)."""
        self._advance = True  # whether applied documents move the marks (``_read``)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.paths = {"columns": 0, "direct": 0}
        """Searches answered by each path (for tests and benchmarks)."""
        self.walks = 0
        """Pages found by walking a sort order (for tests)."""
        self.ranges = 0
        """Searches whose condition was answered from a value order (for tests)."""
        self.snapshot_dir: Path | None = None
        """Where the rows are kept between starts (None: they are not)."""
        self.restored = False
        """Whether the last load came from a snapshot (for tests and benchmarks)."""
        self.restore_seconds: tuple[float, float] | None = None
        """Seconds the last restore took to read the snapshot back, and then to apply what
        changed since (for benchmarks)."""
        self._catalogue: str | None = None  # the database's own id (``META``), read once
        self.restoring = threading.Event()
        """Set while the rows are read back from a snapshot (searches wait for them)."""
        self.answering = threading.Event()
        """Set once searches need not wait any longer for a restore: the snapshot is read
        back and what changed since is listed (they answer while it is applied,
        :meth:`_catch_up`), or the restore is over."""
        self._behind: dict[str, str | None] | None = None
        """During a restart's catch-up (else None): pid -> stamps of the datasets changed
        since the snapshot and not applied yet (None: deleted by beamhub), which have no
        live row; a search answers them through the database (:meth:`plan`)."""
        self._look_marks: tuple = (None, None, None)
        """The newest ``updatedAt``, ``beamhub_changedAt`` and deletion the catch-up's
        listing saw: what each search during it looks for again (:meth:`_look`)."""
        self.behind_filter: dict | None = None
        """During a catch-up: the listing's query (the documents stamped since the
        snapshot), which every dataset behind matches (``MongoStore._merge_behind``)."""
        self.answered_after: float | None = None
        """Seconds after the restore began that searches could answer (for benchmarks)."""
        self._searches = 0  # searches answering during a catch-up (``first``)
        self._searches_lock = threading.Lock()
        self._quiet = threading.Event()
        """Set while no search answers during a catch-up (which waits for it, :meth:`first`)."""
        self._quiet.set()
        self._yielded = 0.0  # seconds the catch-up waited for searches (``_yield``)
        self._reset()

    _NOT_ROWS = frozenset({"store", "ready", "warmed", "_lock", "_syncing", "_advance", "_stop", "_thread",
                           "paths", "walks", "restore_seconds",
                           "snapshot_dir", "restored", "restoring", "_catalogue", "_reconciled", "_compared",
                           "_vocab", "_vocab_size", "compared", "_per_cell", "_generation", "_follows",
                           "_value_orders", "_value_wanted", "_dead", "ranges", "answering", "_behind",
                           "_look_marks", "answered_after", "behind_filter", "_searches", "_searches_lock",
                           "_quiet", "_yielded"})
    """Attributes that are not the rows (everything :meth:`_reset` sets is, but the clock)."""

    def _reset(self) -> None:
        self.pids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.held: dict[str, str] = {}  # pid -> stamps of the document its row (or its absence) reflects
        self.pending: set[str] = set()  # documents whose derived fields the follower has yet to write
        # (not read again for that: its derivation stamps beamhub_changedAt, which syncs follow)
        self.odd: set[str] = set()  # documents the rows cannot represent exactly
        self.cells = _Cells()
        self.cell = _Grow(np.int32)
        self.ctime = _Grow(np.int64)
        self.size = _Grow(np.float64, np.nan)
        self.likes = _Grow(np.float64)
        self.alive = _Grow(np.bool_, False)
        self.names: list[str] = []
        self.words = _Postings()
        self.metadata = _Postings(("v", "w", "r", "x", "d", "s", "b"))
        self.inexact: set[str] = set()  # metadata keys with an integer float64 cannot hold
        self._sorted_names: list[str] = []
        self._name_rank: dict[str, float] = {}
        self.name_rank = _Grow(np.float64)
        self.mark: datetime | None = None  # the newest updatedAt seen (SciCat's clock)
        self.changed_mark: datetime | None = None  # the newest beamhub_changedAt seen (beamhub's)
        self.deleted_mark: datetime | None = None  # the newest deletion by beamhub seen
        self._reconciled = time.monotonic()
        self._orders: dict[str, _Order] = {}  # made at first use (``_order``); kept in snapshots (the
        # rows they sort are the snapshot's: sorting 1M rows again would delay a restart)
        self._per_cell: np.ndarray | None = None  # live rows per cell (``_live_per_cell``)
        self._value_orders: dict[tuple[str, str], _ValueOrder] = {}  # (key, part): made by the background
        self._value_wanted: set[tuple[str, str]] = set()  # thread once a search asked (``_ranged``)
        self._dead: tuple[int, int, np.ndarray] | None = None  # (rows, live, the dead rows) (``_dead_rows``)
        self._generation = getattr(self, "_generation", 0) + 1  # rows made anew (or names ranked anew)
        self._compared = time.monotonic()  # the last comparison of every document's stamps
        self.compared = getattr(self, "compared", 0)
        """How many comparisons of every document's stamps this process made (for tests)."""

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> "MongoColumns":
        """Load the rows in a background thread, then keep them current."""
        if self._thread is None:
            if self.snapshot_dir is not None and any(Path(self.snapshot_dir).glob("columns-*.pickle")):
                # from now searches wait for the rows instead of going direct (the background
                # thread finds out whether one is this catalogue's: no database call here)
                self.restoring.set()
            self._thread = threading.Thread(target=self._run, name="mongo-columns", daemon=True)
            self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        """Stop the background thread (waiting up to ``wait`` seconds for its current step),
        and write the rows to the snapshot for the next start."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)
            if self.ready.is_set():
                self.save()

    @property
    def following(self) -> bool:
        """Whether the background thread runs the follower's catch-ups (it has made one
        since the rows were loaded, or they are read back from a snapshot, after which it
        makes them, and it runs): searches then leave them to it, instead of one search in
        a couple of seconds re-deriving SciCat's writes for up to
        ``follow.CATCH_UP_BUDGET`` first (after a restart, SciCat's writes while no worker
        ran: a second added to the first search, which waits for the rows anyway)."""
        return ((getattr(self, "_follows", False) and self.ready.is_set() or self.restoring.is_set())
                and not self._stop.is_set() and self._thread is not None and self._thread.is_alive())

    def _run(self) -> None:
        try:
            self.load()
            self._make_room()  # once searches use the rows: they do not wait for it
        except Exception:  # noqa: BLE001 - an outage: searches stay on the direct path, retried below
            log.warning("search columns not loaded; searches go to the database directly", exc_info=True)
        while not self._stop.wait(SYNC_SECONDS):
            try:
                if not self.ready.is_set():
                    self.load()
                elif time.monotonic() - self._reconciled > RECONCILE_SECONDS:
                    self.reconcile()
                else:
                    # the follower's catch-up here rather than in a search (which would wait for
                    # SciCat's bulk writes to be re-derived): searches leave it to this thread,
                    # and the count of proposals (their titles' deletions, mongo.titles)
                    self.store._titles.follow()
                    self.store._follower.before_search()
                    self._follows = True
                    while not self.sync(limit=None, chunk=SYNC_CHUNK) and not self._stop.is_set():
                        self._make_room()  # a chunk at a time: searches go on between chunks
                    self._make_room()
                    self._renew_orders()
            except Exception:  # noqa: BLE001
                log.debug("search columns not synced", exc_info=True)

    def _make_room(self) -> None:
        """Room for the large keys a sync appended to (``_Postings.make_room``): copied
        here, not in the next search with a condition on one."""
        self.metadata.make_room(self._lock)
        self.words.make_room(self._lock)

    def load(self) -> None:
        """The rows from the snapshot brought current, or else every document's search
        fields read into new rows (then written to the snapshot), by one process at a
        time (``loading.one_at_a_time``): the next takes the snapshot the first wrote."""
        before = _written(self.snapshot_file())
        if self.restore():
            return
        with one_at_a_time(self.snapshot_dir) as waited:
            # another worker (or the command) read them meanwhile: while this one waited for
            # the lock, or before it took it (a worker slow to start finds the lock free)
            if (waited or _written(self.snapshot_file()) != before) and self.restore():
                return
            self._load()
            self._prepare()  # before the snapshot, which keeps what it makes
            self.save()
        self.ready.set()

    def _load(self, ahead: bool = True, progress=None) -> None:
        """Every document's search fields read into new rows, by a thread ``ahead`` of
        this one's applying (``mongo.loading``). ``progress``: called with the count of
        documents read so far after each batch."""
        started = time.monotonic()
        loaded_at = datetime.now(timezone.utc)
        with self._lock:
            self._reset()
            read = 0
            for docs in load_batches(self.store.datasets, FIELDS, ahead):
                self._apply(docs)
                read += len(docs)
                if progress is not None:
                    progress(read)
            for postings in (self.words, self.metadata):  # arrays now, not at a search's first use
                for key in list(postings.keys()):
                    postings.get(key)
            self._vocabulary()
            self.mark = min(self.mark, loaded_at) if self.mark else loaded_at
            self.changed_mark = min(self.changed_mark, loaded_at) if self.changed_mark else loaded_at
            self.deleted_mark = loaded_at
            self._reconciled = self._compared = time.monotonic()
        log.info("search columns: %d datasets loaded in %.1f s", len(self.row_of), time.monotonic() - started)

    # -- the snapshot ---------------------------------------------------------------

    def snapshot_file(self) -> Path | None:
        """This catalogue's snapshot, named by a random id the database holds (made once,
        in ``beamhub_meta`` as ``{_id: "catalogue-id", id}``), not by its address, which may
        change: the same database reached at another address is the same catalogue,
        another one is not. None without a folder or a database."""
        if self.snapshot_dir is None:
            return None
        if self._catalogue is None:
            meta = self.store.db[META]
            try:
                found = meta.find_one({"_id": "catalogue-id"})
                if found is None:
                    # an insert, not an upsert: two workers starting together on a new database
                    # were once each given an id of their own here (each read every dataset
                    # into a snapshot of its own: tests/catalogue/test_mongo_loading.py, under
                    # load; not reproduced alone); of two inserts one fails, and reads
                    try:
                        meta.insert_one(found := {"_id": "catalogue-id", "id": uuid.uuid4().hex})
                    except DuplicateKeyError:
                        found = meta.find_one({"_id": "catalogue-id"})
            except PyMongoError as exc:
                log.warning("search columns: no snapshot (the catalogue's id is unreadable: %s)", exc)
                return None
            self._catalogue = str(found["id"])
        return Path(self.snapshot_dir) / f"columns-{self._catalogue}.pickle"

    def _identity(self) -> dict:
        return {"format": SNAPSHOT_FORMAT, "index_version": INDEX_VERSION, "database": self.store.db.name,
                "catalogue": self._catalogue}

    def save(self) -> bool:
        """Write the rows to the snapshot file (atomically; mode 0600: only the service
        reads it back). False without a folder or when it cannot be written (logged).

        The file: a pickle of the header (:meth:`_identity`, when it was written, the
        marks, the lengths of what follows), a pickle of the rows leaving out every array
        of :data:`IN_BAND` bytes or more (protocol 5's out-of-band buffers), then those
        arrays' bytes, page-aligned, which :meth:`_restore` maps instead of reading. The
        rows' million-entry dicts and lists of strings are written as arrays too
        (:class:`_Frozen`, :class:`_Strings`): unpickling them as Python objects was the
        2 s the first searches after a restart waited at 1M datasets."""
        path = self.snapshot_file()
        if path is None:
            return False
        started = time.monotonic()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self._lock:
                # the entries appended since a key was last asked for, joined to its arrays here
                # (a service stopping), not left for the next start: they would be unpickled
                # (words: 14 MB of small arrays after 10,000 changes at 1M) and given room
                # by the background thread during its first searches (0.45 s of copying)
                for postings in (self.words, self.metadata):
                    for key in list(postings._new):
                        postings.get(key)
                rows = {k: v for k, v in vars(self).items() if k not in self._NOT_ROWS}
                rows.update(pids=_Strings.of(self.pids), names=_Strings.of(self.names),
                            row_of=_Frozen.of(self.row_of, strings=False), held=_Frozen.of(self.held, strings=True))
                arrays: list[memoryview] = []

                def in_band(buffer: pickle.PickleBuffer) -> bool:
                    if buffer.raw().nbytes < IN_BAND:
                        return True
                    arrays.append(buffer.raw())
                    return False

                body = pickle.dumps(rows, protocol=5, buffer_callback=in_band)
                placed, end = [], 0
                for raw in arrays:
                    start = _aligned(end, 64)
                    placed.append((start, raw.nbytes))
                    end = start + raw.nbytes
                header = {**self._identity(), "saved": datetime.now(timezone.utc),
                          "marks": (self.mark, self.changed_mark), "pickle": len(body), "arrays": placed,
                          "size": end}
                handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".columns-")
                try:
                    with os.fdopen(handle, "wb") as out:
                        pickle.dump(header, out, protocol=5)
                        out.write(body)
                        region = _aligned(out.tell(), mmap.PAGESIZE)
                        for (start, _), raw in zip(placed, arrays):
                            out.seek(region + start)
                            out.write(raw)
                        out.truncate(region + end)
                    os.replace(temporary, path)
                except BaseException:
                    os.unlink(temporary)
                    raise
        except (OSError, pickle.PicklingError) as exc:
            log.warning("search columns: snapshot not written to %s: %s", path, exc)
            return False
        log.info("search columns: %d datasets written to %s in %.1f s", len(self.row_of), path,
                 time.monotonic() - started)
        return True

    def write_snapshot(self, anew: bool = False, progress=None) -> str:
        """Bring the snapshot up to the database before a service starts (``beamhub
        catalogue snapshot-columns``), then write it; how, returned: ``"restored"``, the
        rows read back from it and what changed since applied; ``"compared"``, so too
        from one older than :data:`SNAPSHOT_MAX_AGE` (however old), and then every
        document's stamps compared with the rows (:meth:`reconcile`), which finds the
        deletions beamhub's log no longer holds (at 1M datasets 24.5 s, 6.7 s of CPU, load
        4.5, against 86-131 s reading every document); ``"read"``, every document read
        (``progress``: as :meth:`_load`'s): with ``anew``, or no snapshot of this
        database and format. Raises ``OSError`` when it cannot be written,
        ``PyMongoError`` when the database cannot be read."""
        how = "read"
        if not anew:
            saved = _saved(self.snapshot_file())
            if self.restore(max_age=timedelta.max):
                how = "restored"
                if saved is None or datetime.now(timezone.utc) - saved > SNAPSHOT_MAX_AGE:
                    self.reconcile(compare=True)
                    how = "compared"
        with one_at_a_time(self.snapshot_dir):  # a worker starting meanwhile waits for it
            if how == "read":
                self._load(progress=progress)
                self._prepare()
            if not self.save():
                raise OSError(f"the search columns' snapshot could not be written to {self.snapshot_file()}")
        self.ready.set()
        return how

    def restore(self, max_age: timedelta = SNAPSHOT_MAX_AGE) -> bool:
        """Take the rows from the snapshot and apply what changed since (then searches
        use them); False (logged) when there is none fit to use (``max_age``: older is not)."""
        try:
            path = self.snapshot_file()
            return path is not None and path.exists() and self._restore(path, max_age)
        finally:
            with self._lock:
                self._behind = None  # (a catch-up cut short by an error: the rows are loaded again)
            self.restoring.clear()
            self.answering.set()

    def _restore(self, path: Path, max_age: timedelta = SNAPSHOT_MAX_AGE) -> bool:
        started = time.monotonic()
        ahead = None
        untrusted = _untrusted(path)
        if untrusted is not None:
            log.warning("search columns: snapshot %s not read: %s; loading anew", path, untrusted)
            return False
        try:
            with open(path, "rb") as source:
                header = pickle.load(source)  # the service's own file (0600 in its state folder)
                if not isinstance(header, dict) or {k: header.get(k) for k in self._identity()} != self._identity():
                    log.warning("search columns: %s is not a snapshot of this database's rows; loading anew", path)
                    return False
                age = datetime.now(timezone.utc) - header["saved"]
                if age > max_age:
                    log.warning("search columns: %s is %s old; loading anew", path, age)
                    return False
                # the documents stamped since it was written, read while it is read back
                self._yielded = 0.0
                ahead = _ReadAhead(self, header.get("marks"))
                start = source.tell()
                region = _aligned(start + header["pickle"], mmap.PAGESIZE)
                size = os.fstat(source.fileno()).st_size
                if size != region + header["size"]:
                    raise ValueError(f"{size:,} bytes, not the {region + header['size']:,} written")
                # a private mapping: pages are read as searches touch them, and what the rows
                # change in place (a row's alive flag) stays in this process. The file is never
                # written in place (a new one replaces it), so the mapped pages stay as written.
                mapped = memoryview(mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_COPY))
                arrays = [mapped[region + at:region + at + length] for at, length in header["arrays"]]
                collecting = gc.isenabled()
                gc.disable()  # many objects, no cycles: no collection passes while reading them
                try:
                    rows = pickle.loads(mapped[start:start + header["pickle"]], buffers=arrays)
                finally:
                    if collecting:
                        gc.enable()
        except Exception as exc:  # noqa: BLE001 - a truncated or corrupt file: load from the database
            log.warning("search columns: snapshot %s unreadable (%s); loading anew", path, exc)
            if ahead is not None:
                ahead.stop()  # its documents would be read for nothing, beside the load
            return False
        with self._lock:
            self._reset()
            for name, value in rows.items():
                if name not in self._NOT_ROWS and name in vars(self):
                    setattr(self, name, value)
            self._reconciled = 0.0  # and soon, SciCat's unstamped deletions
        read = time.monotonic() - started
        self._catch_up(ahead)
        self.answered_after = time.monotonic() - started
        with self._syncing:
            for pids, docs in ahead.batches():  # the marks stay until every one is read
                self._yield()  # searches first
                self._take(pids, docs, advance=False)
            if ahead.newest is not None:
                with self._lock:
                    for name, newest in zip(("mark", "changed_mark"), ahead.newest):
                        current = getattr(self, name)
                        if newest is not None and (current is None or newest > current):
                            setattr(self, name, newest)
        self.sync(limit=None)  # what changed since it was written (deletions: beamhub's log)
        self._caught_up()
        self._prepare()
        self.restored = True
        self._follows = True  # this thread's next steps catch up (``following``)
        self.restore_seconds = (read, time.monotonic() - started - read)
        self.ready.set()
        log.info("search columns: %d datasets from %s (%s old) in %.2f s, what changed since applied in %.2f s",
                 len(self.row_of), path, age, *self.restore_seconds)
        return True

    # -- a restart's catch-up: searches answered while what changed is applied ---------

    def _catch_up(self, ahead: _ReadAhead) -> None:
        """Once the snapshot is read back and what changed since is listed (stamps only,
        overlapping the file: ``_ReadAhead``), let searches answer while the changes are
        read and applied: the listed datasets' rows are dropped now and the datasets kept
        in :attr:`_behind` until a row of theirs as listed is applied (``_take``), and a
        search counts and pages the live rows, the database the datasets behind
        (``MongoStore._search_columns`` merges the two): each dataset is on exactly one
        side when the search holds the rows. (At 1M datasets with 10,000 changed, reading
        and applying them took 1.2-1.3 s, which every search waited for.) Without a
        listing (no marks, or the database failing) searches wait for the rows as before."""
        ahead.listing.wait()
        if ahead.listed is None or len(ahead.listed) > CATCH_UP_MOST:
            return
        try:
            gone, deleted = [], self.deleted_mark
            for doc in self.store.db[DELETED].find(_since("at", self.deleted_mark)):
                gone.append(doc["_id"])
                if isinstance(doc.get("at"), datetime) and (deleted is None or doc["at"] > deleted):
                    deleted = doc["at"]
        except PyMongoError:
            log.debug("search columns: deletions since the snapshot not listed", exc_info=True)
            return
        with self._lock:
            self._behind = {}
            self.behind_filter = ahead.listed_filter
            self._look_marks = (*ahead.listed_newest, deleted)
            self._mark_behind(ahead.listed, gone)
        self.answering.set()

    def _mark_behind(self, seen: dict[str, str], gone: list) -> None:
        """Take the datasets ``seen`` (pid -> stamps) whose rows do not hold them as seen,
        and those ``gone`` (deleted by beamhub) that have a row or are behind, out of the
        rows into :attr:`_behind`. Holding the rows, during a catch-up."""
        behind, held = self._behind, self.held
        if isinstance(held, _Frozen):
            held.locate(list(seen) + list(gone))
        if isinstance(self.row_of, _Frozen):
            self.row_of.locate(list(seen) + list(gone))
        for pid, stamps in seen.items():
            if pid in behind:
                if behind[pid] is not None:
                    behind[pid] = stamps
            elif held.get(pid) != stamps:
                behind[pid] = stamps
                self._kill(pid)
        for pid in gone:
            if pid in behind or pid in self.row_of or held.get(pid) is not None:
                behind[pid] = None
                self._kill(pid)

    def _look(self) -> bool:
        """A search's sync during a catch-up (which holds ``_syncing``): list what was
        stamped or deleted since the catch-up's listing (stamps only, as a sync lists) and
        take what the rows do not hold as listed out of them (:meth:`_mark_behind`), so the
        search sees every change stamped before it began, through the database. False
        when no catch-up runs (any more)."""
        with self._lock:
            if self._behind is None:
                return False
            updated, changed, deleted = self._look_marks
        branches = [_since("updatedAt", updated), _since(CHANGED, changed)]
        seen = {doc["_id"]: _stamps(doc) for doc in self.store.datasets.find({"$or": branches}, STAMPS)}
        gone = [doc["_id"] for doc in self.store.db[DELETED].find(_since("at", deleted), {"_id": 1})]
        with self._lock:
            if self._behind is None:
                return False
            self._mark_behind(seen, gone)
        return True

    def _caught_up(self) -> None:
        """End the catch-up: read the datasets still behind (a search's look took them out
        after the read of what changed, or a newer version than the one read) and apply
        them; then searches answer from the rows alone (each syncing first).

        Searches go on meanwhile, and each may take out more (SciCat writing steadily): a
        round ends the catch-up only if none was taken out, or listed newer, since it read
        them. The :data:`CAUGHT_UP_ROUNDS`-th holds the rows while it reads what is left
        (by then a few documents), so that the catch-up ends however busy SciCat is."""
        for round_ in range(1, CAUGHT_UP_ROUNDS + 1):
            if round_ == CAUGHT_UP_ROUNDS:
                with self._syncing, self._lock:
                    if self._behind is not None:
                        left = list(self._behind)
                        docs = self._read_whole(left)
                        self._behind = None
                        self._take(left, docs, advance=False)
                return
            with self._lock:
                if self._behind is None:
                    return
                left = dict(self._behind)
            docs = self._read_whole(list(left))
            with self._syncing:
                with self._lock:
                    if self._behind == left:  # none taken out or listed newer since: applied as read
                        self._behind = None
                    self._take(list(left), docs, advance=False)

    def _read_whole(self, pids: list) -> list[dict]:
        """The documents of ``pids`` as the rows take them (those gone are not among them)."""
        return [doc for batch in batched(pids, READ_BATCH)
                for doc in self.store.datasets.find({"_id": {"$in": batch}}, FIELDS)]

    @contextlib.contextmanager
    def first(self):
        """A search answering during a catch-up goes first: the catch-up's reading and
        applying wait (up to :data:`YIELD_SECONDS` in all) until no search runs, rather
        than compete with it for the database and this process (at 1M datasets with
        10,000 changed, a search's query of the datasets behind took 0.25-0.55 s beside
        them, 0.1-0.2 s alone). Outside a catch-up it does nothing."""
        if not self.catching_up:
            yield
            return
        with self._searches_lock:
            self._searches += 1
            self._quiet.clear()
        try:
            yield
        finally:
            with self._searches_lock:
                self._searches -= 1
                if not self._searches:
                    self._quiet.set()

    def _yield(self) -> None:
        """Wait for the searches answering during the catch-up (:meth:`first`), within
        :data:`YIELD_SECONDS` in all."""
        if self._yielded < YIELD_SECONDS and not self._quiet.is_set():
            started = time.monotonic()
            self._quiet.wait(YIELD_SECONDS - self._yielded)
            self._yielded += time.monotonic() - started

    @property
    def catching_up(self) -> bool:
        """Whether searches answer during a restart's catch-up (:meth:`_catch_up`)."""
        return self._behind is not None and not self.ready.is_set()

    # -- keeping current ------------------------------------------------------------

    def sync(self, limit: int | None = None, chunk: int | None = None) -> bool:
        """Apply the documents changed since the last sync; False when more than
        ``limit`` changed (nothing applied: the background thread does it). ``chunk``
        (the background thread): apply at most that many, and say whether that was all.

        One sync runs at a time (``_syncing``), so a document read later is applied
        later: the rows only move forward. The database is read without holding the rows
        (searches count meanwhile), which are held only while a read batch is applied.
        The marks (the newest stamps seen) move only when every change found since them
        is applied: a sync that applied a chunk leaves them, so the next one (a search's)
        finds the rest again, whatever their stamps; a search therefore answers from
        rows holding every change stamped before it began."""
        with self._syncing:
            with self._lock:
                mark, changed_mark, deleted_mark = self.mark, self.changed_mark, self.deleted_mark
            held = self.held
            branches = [_since("updatedAt", mark), _since(CHANGED, changed_mark)]
            wanted = {} if {} in branches else {"$or": branches}  # one round trip, an index each
            changed, newest = [], [mark, changed_mark]
            for doc in self.store.datasets.find(wanted, STAMPS):
                if held.get(doc["_id"]) != _stamps(doc):
                    changed.append(doc["_id"])
                for at, field in enumerate(("updatedAt", CHANGED)):
                    stamp = doc.get(field)
                    if isinstance(stamp, datetime) and (newest[at] is None or stamp > newest[at]):
                        newest[at] = stamp
            deleted = deleted_mark
            for doc in self.store.db[DELETED].find(_since("at", deleted_mark)):
                if isinstance(doc.get("at"), datetime) and (deleted is None or doc["at"] > deleted):
                    deleted = doc["at"]
                if doc["_id"] in self.row_of or held.get(doc["_id"]) is not None:
                    changed.append(doc["_id"])  # read again: gone, or made anew since
            changed = list(dict.fromkeys(changed))
            if limit is not None and len(changed) > limit:
                return False
            complete = chunk is None or len(changed) <= chunk
            self._read(changed if complete else changed[:chunk], advance=complete)
            if complete:
                with self._lock:
                    self.deleted_mark = deleted
                    # every document listed is now held as listed or newer (those taken without
                    # moving the marks too: a restart's read-ahead), so the marks move past them
                    # all, or the next syncs would list them again and again
                    for at, name in enumerate(("mark", "changed_mark")):
                        current = getattr(self, name)
                        if newest[at] is not None and (current is None or newest[at] > current):
                            setattr(self, name, newest[at])
            return complete

    def reconcile(self, compare: bool = False) -> None:
        """Find deletions and unstamped writes by others: compare every document's stamps
        with the rows when ``compare``, when :data:`COMPARE_SECONDS` passed since the last
        comparison, or when the database's count of documents is not the rows' count.

        The count is taken between two syncs: the rows' count before the first and after
        the second bound what the database can hold without an unseen change (SciCat's
        inserts meanwhile are stamped, so the second sync reads them). The comparison reads
        the collection's stamps without holding the rows (searches go on meanwhile); what
        differs, or is missing, is then read again by ``_id``."""
        compare = compare or time.monotonic() - self._compared >= COMPARE_SECONDS
        if not compare:
            self.sync(limit=None)
            with self._lock:
                before = len(self.held)
            count = self.store.datasets.count_documents({})
            self.sync(limit=None)
            with self._lock:
                after = len(self.held)
            compare = not before <= count <= after
        if compare:
            stamps = {doc["_id"]: _stamps(doc) for doc in self.store.datasets.find({}, STAMPS, batch_size=5000)}
            with self._syncing:
                with self._lock:  # a copy: compared without holding the rows (a deletion meanwhile
                    held = self.held.copy()  # is read again, and found gone)
                held = dict(held.items())  # one read back from a snapshot: looked up a million times
                differ = [pid for pid, stamp in held.items() if stamps.get(pid, ()) != stamp]
                differ += [pid for pid in stamps if pid not in held]
                # gone ones are forgotten there; a sync meanwhile is read again; the marks stay
                # (what is read here may be newer than changes the next sync has to find)
                self._read(differ, advance=False)
                with self._lock:
                    self._compared = time.monotonic()
                    self.compared += 1
        self._reconciled = time.monotonic()
        self.store.db[DELETED].delete_many({"at": {"$lt": datetime.now(timezone.utc) - timedelta(days=1)}})

    def forget(self, pids) -> None:
        """Drop the rows of deleted datasets."""
        with self._lock:
            for pid in pids:
                self._kill(pid)
                if self._behind is not None:
                    self._behind.pop(pid, None)
                self.held.pop(pid, None)
                self.pending.discard(pid)
                self.odd.discard(pid)

    def _read(self, pids: list, advance: bool = True) -> None:
        """Read the documents (without holding the rows) and apply them a batch at a time
        (holding them); those not found are forgotten. ``advance``: the marks move to the
        newest stamps read. Called within ``_syncing``."""
        for batch in batched(pids, READ_BATCH):
            self._take(batch, list(self.store.datasets.find({"_id": {"$in": batch}}, FIELDS)), advance)

    def _take(self, pids: list, docs: list[dict], advance: bool) -> None:
        """Apply ``docs``, read for ``pids`` (those not among them are gone)."""
        with self._lock:
            self._advance = advance
            try:
                self._apply(docs)
            finally:
                self._advance = True
            behind = self._behind
            if behind:  # a catch-up: a dataset applied as listed is answered from its row now
                for doc in docs:
                    pid = doc["_id"]
                    if pid in behind:
                        if behind[pid] == _stamps(doc):
                            del behind[pid]
                        else:  # a change newer than this one was listed: still the database's
                            self._kill(pid)
            found = {doc["_id"] for doc in docs}
            self.forget([pid for pid in pids if pid not in found])

    def _kill(self, pid) -> None:
        row = self.row_of.pop(pid, None)
        if row is not None:
            self.alive.data[row] = False
            if self._per_cell is not None:
                self._per_cell[self.cell.data[row]] -= 1

    def _apply(self, docs: list[dict]) -> None:
        """The documents' rows, replacing any they had (in order: a pid listed twice ends as
        its last). What every row holds one value of is gathered here and appended to the
        arrays at once, and the pids are looked up in a snapshot's arrays at once: one call
        per document, not a dozen (a restart after SciCat changed 10,000 datasets applied
        them at about 0.1 ms each, 1 s before the first search)."""
        if isinstance(self.row_of, _Frozen):
            pids = [doc["_id"] for doc in docs]
            self.row_of.locate(pids)
            self.held.locate(pids)
        base = len(self.pids)
        cells, ctimes, sizes, likes_, alive, ranked, ranks = [], [], [], [], [], [], []
        generation, rank = self._generation, self._rank
        row_of, held, odd, pending, pids_, names = self.row_of, self.held, self.odd, self.pending, self.pids, self.names
        per_cell, cell_data, alive_data = self._per_cell, self.cell.data, self.alive.data
        postings, metadata, inexact, of = self.words, self.metadata, self.inexact, self.cells.of
        unit_codes, text_codes, flag_codes = (metadata.codes[part] for part in ("d", "s", "b"))
        mark, changed_mark, advance = self.mark, self.changed_mark, self._advance
        for doc in docs:
            pid = doc["_id"]
            row = row_of.pop(pid, None)  # _kill, with this batch's rows not in the arrays yet
            if row is not None:
                if row >= base:
                    alive[row - base] = False
                else:
                    alive_data[row] = False
                    if per_cell is not None:
                        per_cell[cell_data[row]] -= 1
            odd.discard(pid)
            held[pid] = _stamps(doc)
            updated, touched = doc.get("updatedAt"), doc.get(CHANGED)
            if advance:
                if isinstance(updated, datetime) and (mark is None or updated > mark):
                    mark = updated
                if isinstance(touched, datetime) and (changed_mark is None or touched > changed_mark):
                    changed_mark = touched
            if doc.get(INDEX_VERSION_FIELD) == INDEX_VERSION and doc.get(SOURCE_UPDATED) == updated:  # _derived
                pending.discard(pid)
            else:
                pending.add(pid)
            if UNREADABLE in doc:
                continue  # left out of every search (``READABLE``)
            created, size, name, likes = doc.get("creationTime"), doc.get("size"), doc.get(SORT_NAME), doc.get(LIKES)
            if (not isinstance(created, datetime) or not _number(size, allow_none=True)
                    or not _number(likes, allow_none=True)
                    or not isinstance(name if name is not None else "", str)):
                odd.add(pid)
                continue
            try:
                cell = of(doc)
            except TypeError:  # an unhashable facet value
                odd.add(pid)
                continue
            row = base + len(cells)
            pids_.append(pid)
            row_of[pid] = row
            cells.append(cell)
            ctimes.append(millis(created))
            sizes.append(np.nan if size is None else float(size))
            likes_.append(-0.5 if likes is None else float(likes))  # none sorts below 0, as null does
            alive.append(True)
            name = name or ""
            ranks.append(rank(name))  # before the name is listed (ranking anew ranks the listed names)
            names.append(name)
            ranked.append(name)
            words = doc.get(WORDS)
            for word in (words if isinstance(words, list) else ()):
                if isinstance(word, str):
                    new = postings._new.get(word)
                    if new is not None:  # the usual case, without a call
                        new[0].append(row)
                    else:
                        postings.add(word, row)
            entries = doc.get(METADATA)
            for key, entry in (entries.items() if isinstance(entries, dict) else ()):
                if not isinstance(entry, dict):
                    continue
                numbers = []
                for part in METADATA_PARTS:
                    value = entry.get(part)
                    if type(value) is float:  # the usual case first
                        numbers.append(value)
                    elif value is None:
                        numbers.append(np.nan)
                    elif _number(value):
                        numbers.append(float(value))
                    else:
                        inexact.add(key)
                        numbers.append(np.nan)
                flag, unit, text = entry.get("b"), entry.get("d"), entry.get("s")
                unit = unit if isinstance(unit, str) else None
                text = text if isinstance(text, str) else None
                flag = flag if isinstance(flag, bool) else None
                new = metadata._new.get(key)
                if new is None:
                    metadata.add(key, row, (*numbers, unit, text, flag))
                    continue
                # _Postings.add without a call (the parts: v w r x numbers, then d s b coded)
                new[0].append(row)
                new[1].append(numbers[0])
                new[2].append(numbers[1])
                new[3].append(numbers[2])
                new[4].append(numbers[3])
                for coded, codes, value in ((new[5], unit_codes, unit), (new[6], text_codes, text),
                                            (new[7], flag_codes, flag)):
                    coded.append(0 if value is None else codes.setdefault((type(value), value), len(codes)))
        self.mark, self.changed_mark = mark, changed_mark
        if not cells:
            return
        if self._generation != generation:  # the names were ranked anew meanwhile
            ranks = [self._name_rank[name] for name in ranked]
        self.cell.extend(cells)
        self.ctime.extend(ctimes)
        self.size.extend(sizes)
        self.likes.extend(likes_)
        self.alive.extend(alive)
        self.name_rank.extend(ranks)
        if self._per_cell is not None:
            ncells = len(self.cells)
            if ncells > len(self._per_cell):
                more = max(ncells, 2 * len(self._per_cell)) - len(self._per_cell)
                self._per_cell = np.concatenate([self._per_cell, np.zeros(more, np.int64)])
            np.add.at(self._per_cell, np.asarray(cells, dtype=np.int64)[np.asarray(alive, dtype=bool)], 1)

    def _rank(self, name: str) -> float:
        """A float ordering names as strings compare (as the database sorts them)."""
        rank = self._name_rank.get(name)
        if rank is not None:
            return rank
        names = self._sorted_names
        at = bisect.bisect_left(names, name)
        low = self._name_rank[names[at - 1]] if at > 0 else -1.0
        high = self._name_rank[names[at]] if at < len(names) else low + 2.0
        rank = (low + high) / 2
        names.insert(at, name)
        if not low < rank < high:  # no float left between the neighbours: rank them all anew
            self._name_rank = {n: float(i) for i, n in enumerate(names)}
            ranks = np.fromiter((self._name_rank[n] for n in self.names), dtype=np.float64, count=len(self.names))
            held = self.name_rank.n  # the new name's row has no rank yet (the caller appends it)
            self.name_rank.data[:held] = ranks[:held]
            self._orders.pop("name", None)  # its keys are the old ranks
            self._generation += 1  # and so are those of one being sorted now (``_renew_orders``)
            return self._name_rank[name]
        self._name_rank[name] = rank
        return rank

    # -- searching ------------------------------------------------------------------

    def answers(self, query: SearchQuery) -> bool:
        """Whether the rows can answer this search at all (before syncing)."""
        if self.restoring.is_set():
            self.answering.wait(RESTORE_WAIT)
            if self._behind is None and self.restoring.is_set():  # no catch-up, or just past its end
                self.ready.wait(RESTORE_WAIT)
        return ((self.ready.is_set() or self._behind is not None) and query.sort in SORTS and not query.keyword
                and query.my_vote is None and not query.text_query.unmatchable)

    def plan(self, identity: Identity, query: SearchQuery, after,
             titled: dict[str, tuple[str, ...]] | None = None) -> tuple[list[str], int, dict, list | None]:
        """Sync, then (pids of the page's first ``limit + 1`` datasets in order, total,
        facets, behind); raises :class:`Declined` when the rows cannot answer exactly.
        ``titled``: the proposals titled with query words (``queries.text_filter``).
        ``behind``: None, or during a restart's catch-up (:meth:`_catch_up`) the datasets
        the rows left out, which the caller answers through the database and merges in;
        then the facets are every value's count (``{facet: {value: count}}``, uncapped:
        :func:`facets_of` orders and caps the sum).

        What a search costs follows its matches, not the catalogue: visibility and the
        facet filters are decided per cell (a few thousand at 1M datasets), words,
        prefixes, conditions and dates give sorted row arrays intersected rarest first,
        and a search with none of those counts from each cell's live rows and walks a
        sort order only until its page is full."""
        merging = not self.ready.is_set() and self._look()
        if not merging and not self.sync(SYNC_IN_SEARCH):
            raise Declined("more changes than a search applies")
        with self._lock:
            # (a catch-up that ended after the look applied every dataset it listed: the rows
            # alone then hold every change stamped before this search)
            behind = (self._behind or None) if merging else None  # (none behind: the rows alone)
            if self.odd:
                raise Declined(f"{len(self.odd)} dataset(s) the rows cannot hold exactly")
            n = len(self.pids)
            cells_of = self.cell.data[:n]
            ncells = len(self.cells)
            visible = None if identity.operator else self.cells.visible(identity)
            filters = {f: self.cells.passing(f, getattr(query, f)) for f in FACETS if getattr(query, f)}
            every = np.ones(ncells, dtype=bool)
            for mask in filters.values():
                every &= mask
            ranged = self._ranged(query, n, ncells)
            rows = None if ranged is not None else self._matching(query, n, titled or {})
            if ranged is not None:  # one range condition: counted per cell from its value order
                counts, meets = ranged
                if visible is not None:
                    counts[~visible] = 0
            elif rows is None:  # every live row: counted per cell, no row read
                counts = self._live_per_cell().copy()
                if visible is not None:
                    counts[~visible] = 0
            else:
                if visible is not None:
                    rows = rows[visible[cells_of[rows]]]
                counts = np.bincount(cells_of[rows], minlength=ncells)
            total = int(counts[every].sum())
            facets = {}
            if query.facets:
                for facet in FACETS:
                    mask = np.ones(ncells, dtype=bool)
                    for other, passing in filters.items():
                        if other != facet:
                            mask &= passing
                    masked = np.where(mask, counts, 0)
                    facets[facet] = (self.cells.facet_counts(facet, masked) if behind is None
                                     else self.cells.facet_values(facet, masked))
            if rows is None:
                page = self._page_of_cells(every if visible is None else every & visible, total, query, after, n,
                                           meets if ranged is not None else None)
            else:
                if filters:
                    rows = rows[every[cells_of[rows]]]
                page = self._page(rows, query, after)
            return [self.pids[r] for r in page], total, facets, (None if behind is None else list(behind))

    def _matching(self, query: SearchQuery, n: int, titled: dict) -> np.ndarray | None:
        """The live rows (ascending) matching the query's text, dates and conditions;
        None when it has none of them (every live row). A word in ``titled`` also
        matches the datasets of the proposals titled with it. Each word or prefix gives
        its rows; they are intersected rarest first, and conditions and dates then look
        only at the rows left (or, first, give their own)."""
        text = query.text_query
        sets = []
        for word in text.whole:
            found = self.words.get(word)
            sets.append(self._or_titled(word, _NONE if found is None else found["row"], titled, n))
        if text.prefix:
            at = bisect.bisect_left(self._vocabulary(), text.prefix)
            parts = []
            for word in self._vocabulary()[at:]:
                if not word.startswith(text.prefix):
                    break
                parts.append(self.words.get(word)["row"])
            sets.append(self._or_titled(text.prefix, _union(parts, n), titled, n))
        dated = query.created_after or query.created_before
        if not sets and not query.conditions and not dated:
            return None
        rows = None
        for found in sorted(sets, key=len):
            rows = _distinct(found) if rows is None else _intersect(rows, found)
        conditions = [(self._entries(c), c) for c in query.conditions]
        for entries, condition in sorted(conditions, key=lambda e: 0 if e[0] is None else len(e[0]["row"])):
            rows = self._condition(condition, entries, rows)
        if dated:
            low = millis(query.created_after) if query.created_after else None
            high = millis(query.created_before) if query.created_before else None
            if rows is None:
                rows = self._ctime_range(low, high, n)
            else:
                ctime = self.ctime.data[rows]
                keep = np.ones(len(rows), dtype=bool)
                if low is not None:
                    keep &= ctime >= low
                if high is not None:
                    keep &= ctime < high
                rows = rows[keep]
        return rows[self.alive.data[rows]]

    def _or_titled(self, term: str, rows: np.ndarray, titled: dict, n: int) -> np.ndarray:
        if not titled.get(term):
            return rows
        cells = np.flatnonzero(self.cells.passing("proposal", list(titled[term])))
        # _union, not np.union1d (which sorts both): a word's ~33k rows and the titled
        # proposals' ~3k at 1M took 3.1 ms by sorting, 0.3 ms through _union's mask
        return _union([rows, self._rows_in_cells(cells, n)], n)

    def _vocabulary(self) -> list[str]:
        keys = self.words.keys()
        if getattr(self, "_vocab_size", None) != len(keys):
            self._vocab = sorted(keys)
            self._vocab_size = len(keys)
        return self._vocab

    def _entries(self, condition) -> dict[str, np.ndarray] | None:
        key = index_key(condition.name)
        if key in self.inexact:
            raise Declined(f"metadata {key} holds numbers float64 cannot hold exactly")
        return self.metadata.get(key)

    def _condition(self, condition, entries: dict | None, rows: np.ndarray | None) -> np.ndarray:
        """Of ``rows`` (None: all), those meeting one metadata condition (ascending), as
        ``queries.condition_filter`` says; only the entries of ``rows`` are looked at
        when they are few."""
        if entries is None:
            return _NONE
        held_rows = entries["row"]
        at = slice(None)
        if rows is not None and len(rows) * 16 < len(held_rows):  # the rows' own entries
            if held_rows[-1] == len(held_rows) - 1:  # every row has one (ascending rows from 0): a row's own
                at = rows[rows < len(held_rows)]
            else:
                at = np.minimum(np.searchsorted(held_rows, rows), len(held_rows) - 1)
                at = at[held_rows[at] == rows]
        found = held_rows[at][self._meets(condition, entries, at)]
        if rows is None or not isinstance(at, slice):
            return found
        return _intersect(rows, found)

    def _meets(self, condition, entries: dict[str, np.ndarray], at) -> np.ndarray:
        """Whether each of the entries ``at`` (a slice or positions) meets the condition,
        as ``queries.condition_filter`` says; raises :class:`Declined` for a condition
        the rows cannot decide (with no entries too)."""
        value, op = condition.value, condition.op
        if isinstance(value, (bool, str)):
            part = "b" if isinstance(value, bool) else "s"
            wanted = value if isinstance(value, bool) else value.lower()
            if op not in ("=", "!="):
                raise Declined("only = and != on text and booleans")
            held = entries[part][at]
            code = self.metadata.code(part, wanted)
            equal = held == code if code is not None else np.zeros(len(held), dtype=bool)
            ok = equal if op == "=" else (held != 0) & ~equal
        else:
            if abs(value) > EXACT_FLOAT:
                raise Declined("a number float64 cannot hold exactly")
            if condition.unit.strip():
                wanted, dimension = normalize(value, condition.unit)
                low, high = entries["v"][at], entries["w"][at]
                code = self.metadata.code("d", dimension)
                kind = entries["d"][at] == code if code is not None else np.zeros(len(low), dtype=bool)
            else:
                wanted, low, high = value, entries["r"][at], entries["x"][at]
                kind = None
            wanted = float(wanted)
            if op in ("<", "<="):
                ok = compare(low, op, wanted)
            elif op in (">", ">="):
                ok = compare(high, op, wanted)
            elif op == "=":
                ok = (low <= wanted) & (high >= wanted)
            else:
                ok = ~np.isnan(low) & ((low != wanted) | (high != wanted))
            if kind is not None:
                ok &= kind
        return ok

    def _ranged(self, query: SearchQuery, n: int, ncells: int):
        """For a search whose only row predicate is one range condition (``<``, ``<=``,
        ``>``, ``>=``, or ``=`` a text or boolean) on a key with a value order: (matches
        per cell, a function telling which of some rows meet it); else None (and the
        order is asked of the background thread when the key is large).

        A condition on a field every dataset has matches hundreds of thousands of rows
        at 1M: comparing every entry and carrying the matching rows through visibility,
        counts and the page took 13-20 ms. Here the matches are a slice of the value
        order, counted per cell by one bincount of their cells (visibility and facets
        are per cell), less the dead rows in it, plus the entries appended since it was
        sorted; the page is then walked along the sort's order, testing only the rows it
        walks (:meth:`_page_of_cells`)."""
        text = query.text_query
        if (len(query.conditions) != 1 or text.whole or text.prefix or query.created_after
                or query.created_before or VALUE_ORDER_LEAST > n):
            return None
        condition = query.conditions[0]
        entries = self._entries(condition)
        if entries is None or len(entries["row"]) < VALUE_ORDER_LEAST:
            return None
        self._meets(condition, entries, _NONE)  # declines what the rows cannot decide
        value, op = condition.value, condition.op
        if isinstance(value, (bool, str)):
            if op != "=":
                return None
            part = "b" if isinstance(value, bool) else "s"
            group, op, wanted = self.metadata.code(part, value if part == "b" else value.lower()), "all", 0.0
        elif op in ("<", "<=", ">", ">="):
            low = op in ("<", "<=")
            if condition.unit.strip():
                wanted, dimension = normalize(value, condition.unit)
                part, group = ("v" if low else "w"), self.metadata.code("d", dimension)
            else:
                wanted, part, group = value, ("r" if low else "x"), 0
            wanted = float(wanted)
        else:
            return None
        key = index_key(condition.name)
        order = self._value_orders.get((key, part))
        if order is None:
            self._value_wanted.add((key, part))
            return None
        self.ranges += 1
        start, end = order.span(group, op, wanted)
        cells_of, alive = self.cell.data, self.alive.data
        counts = np.bincount(order.cells[start:end], minlength=ncells)
        held = entries["row"]
        tail = _NONE
        if order.m < len(held):  # appended since the order was made: compared whole
            tail = held[order.m:][self._meets(condition, entries, slice(order.m, None))]
            tail = tail[alive[tail]]
            counts += np.bincount(cells_of[tail], minlength=ncells)
        dead = self._dead_rows(n)
        if len(dead) and order.m:  # rows in the order since dropped (their dataset changed or went)
            at = np.minimum(np.searchsorted(held[:order.m], dead), order.m - 1)
            at = at[held[at] == dead]
            counts -= np.bincount(cells_of[held[at][self._meets(condition, entries, at)]], minlength=ncells)
        return counts, _Range(self, condition, entries, order.rows[start:end], tail)

    def _dead_rows(self, n: int) -> np.ndarray:
        """The rows below ``n`` that are no longer live (kept until rows come or go: a
        row, once dead, never lives again)."""
        live = len(self.row_of)
        if self._dead is None or self._dead[:2] != (n, live):
            self._dead = (n, live, np.flatnonzero(~self.alive.data[:n]))
        return self._dead[2]

    # -- orders: rows sorted by a key, for ranges and pages that cost what they return --

    def _order(self, name: str, n: int) -> "_Order":
        """Rows sorted by ``name`` (a sort field, or "cell"); rows appended after it was
        made are its tail (rows past ``order.n``). Made again, outside searches, by the
        background thread when the tail grows (:meth:`_renew_orders`)."""
        order = self._orders.get(name)
        if order is None:
            order = self._orders[name] = _Order(self._keys(name)[:n].copy())
        return order

    def _prepare(self) -> None:
        """What the first searches need before they are answered from the rows: the rows
        by cell and by creation time, the facets' indexes, and the live rows per cell (the
        other sorts' orders are made by the background thread; until then a page of theirs
        reads its rows). A snapshot keeps all but the last."""
        with self._lock:
            n = len(self.pids)
            for name in ("cell", "ctime"):
                self._order(name, n)
            for facet in FACETS:
                self.cells._index(facet)
            self._live_per_cell()

    def _keys(self, name: str) -> np.ndarray:
        return {"ctime": self.ctime, "size": self.size, "name": self.name_rank, "likes": self.likes,
                "cell": self.cell}[name].data

    def _renew_orders(self) -> None:
        """Sort again (without holding the rows: they are append-only, so the first ``n``
        keys do not change) the orders whose tail grew past :data:`ORDER_TAIL`, and make
        those not made yet."""
        with self._lock:
            n = len(self.pids)
            made = {name: self._orders.get(name) for name in ORDERS}
            stale = [(name, self._keys(name)[:n].copy()) for name, order in made.items()
                     if order is None or n - order.n > max(ORDER_TAIL, order.n // 16)]
            generation = self._generation
        for name, keys in stale:
            order = _Order(keys)
            with self._lock:
                if self._generation == generation:  # not reloaded (or names ranked anew) meanwhile
                    self._orders[name] = order
        self._renew_value_orders()

    def _renew_value_orders(self) -> None:
        """Make the value orders searches asked for, and sort again those whose tail
        grew past :data:`ORDER_TAIL` (or a sixteenth), without holding the rows: a key's
        first entries never change, and its entries waiting to be merged (``_new``) are
        left to the search that merges them (their tail meanwhile)."""
        with self._lock:
            generation, metadata, cells_of = self._generation, self.metadata, self.cell.data
            stale = []
            for key, part in self._value_wanted | self._value_orders.keys():
                entries = metadata._rows.get(key)
                order = self._value_orders.get((key, part))
                if entries is not None and (order is None or len(entries["row"]) - order.m
                                            > max(ORDER_TAIL, order.m // 16)):
                    stale.append((key, part, entries))
            self._value_wanted.clear()
        for key, part, entries in stale:
            order = _ValueOrder(entries, part, cells_of)
            with self._lock:
                if self._generation == generation and self.metadata is metadata:
                    self._value_orders[(key, part)] = order

    def _rows_in_cells(self, cells: np.ndarray, n: int) -> np.ndarray:
        """The live rows of ``cells`` (cell ids, ascending), in no order."""
        order = self._order("cell", n)
        rows = order.rows[within(order.keys, cells.astype(order.keys.dtype))]
        if order.n < n:
            tail = np.arange(order.n, n, dtype=rows.dtype)
            rows = np.concatenate([rows, tail[np.isin(self.cell.data[order.n:n], cells)]])
        return rows[self.alive.data[rows]]

    def _ctime_range(self, low: int | None, high: int | None, n: int) -> np.ndarray:
        """The rows (ascending, live or not) created in ``[low, high)``."""
        order = self._order("ctime", n)
        start = 0 if low is None else int(np.searchsorted(order.keys, low, "left"))
        end = order.n if high is None else int(np.searchsorted(order.keys, high, "left"))
        rows = order.rows[start:end]
        if order.n < n:
            tail = np.arange(order.n, n)
            ctime = self.ctime.data[order.n:n]
            keep = np.ones(len(tail), dtype=bool)
            if low is not None:
                keep &= ctime >= low
            if high is not None:
                keep &= ctime < high
            rows = np.concatenate([rows, tail[keep]])
        return _sorted(rows, n)

    def _live_per_cell(self) -> np.ndarray:
        """Live rows per cell id, kept as rows come and go (made at first use)."""
        n, ncells = len(self.pids), len(self.cells)
        if self._per_cell is None:
            live = self.cell.data[:n][self.alive.data[:n]]
            self._per_cell = np.bincount(live, minlength=ncells).astype(np.int64)
        if len(self._per_cell) < ncells:
            self._per_cell = np.concatenate([self._per_cell, np.zeros(ncells - len(self._per_cell), np.int64)])
        return self._per_cell[:ncells]

    def _page_of_cells(self, passing: np.ndarray, total: int, query: SearchQuery, after, n: int,
                       meets=None) -> list[int]:
        """The page of a search matching every live row of the ``passing`` cells
        (``total`` of them) that ``meets`` (None: every one; else a function of rows
        saying which match): their rows when few, else a walk along the sort's order
        until the page and the ties of its last are found."""
        if total == 0:
            return []
        wanted = query.limit + 1
        field, direction = SORTS[query.sort]
        per_cell = self._live_per_cell()
        live = max(int(per_cell.sum()), 1)
        order = self._orders.get(field)  # None: not made yet (the background thread makes it)
        walk = order is not None and not (field == "size" and order.nan)
        if meets is None:
            # a walk meets about total/live passing rows per row: worth it while it stays short
            if not walk or total * 8 <= n or wanted * live > total * (n // 8):
                return self._page(self._rows_in_cells(np.flatnonzero(passing), n), query, after)
            meets = _every
        else:  # the fewest rows of: the condition's matches, the passing cells' rows (each
            # tested), or a walk (about wanted * live / total rows, a step's doubling twice that)
            cells = int(per_cell[passing].sum()) * 2
            walked = 2 * wanted * live // total if walk else n * 4
            if meets.count <= min(cells, walked):
                rows = meets.rows()
                return self._page(rows[self.alive.data[rows] & passing[self.cell.data[rows]]], query, after)
            if cells <= walked:
                rows = self._rows_in_cells(np.flatnonzero(passing), n)
                return self._page(rows[meets(rows)], query, after)
        self.walks += 1
        keys, alive, cells_of = self._keys(field), self.alive.data, self.cell.data
        cursor = None if after is None else direction * self._cursor_key(field, after[0])
        found = []
        if order.n < n:  # the tail, all of it
            tail = np.arange(order.n, n)
            tail = tail[alive[order.n:n] & passing[cells_of[order.n:n]]]
            found.append(tail[meets(tail)])
        # walk positions in the sort's order: ascending keys, or descending from the end
        if direction == 1:
            start = 0 if cursor is None else int(np.searchsorted(order.keys, cursor, "left"))
        else:
            start = 0 if cursor is None else order.n - int(np.searchsorted(order.keys, -cursor, "right"))
        walked, step, bound = start, WALK_STEP, None
        while walked < order.n:
            end = min(order.n, walked + step)
            if direction == 1:
                seg = order.rows[walked:end]
                last = order.keys[end - 1]
            else:
                seg = order.rows[order.n - end:order.n - walked][::-1]
                last = -order.keys[order.n - end]
            seg = seg[alive[seg] & passing[cells_of[seg]]]
            found.append(seg[meets(seg)])
            walked, step = end, step * 2
            if bound is None:
                rows = np.concatenate(found)
                keyed = keys[rows] * direction
                if cursor is not None:
                    keyed = keyed[keyed > cursor]
                if len(keyed) >= wanted:
                    bound = np.partition(keyed, wanted - 1)[wanted - 1]
            if bound is not None and last > bound:  # every row up to the bound, ties included
                break
        return self._page(np.concatenate(found), query, after)

    def _page(self, rows: np.ndarray, query: SearchQuery, after) -> list[int]:
        """The first ``limit + 1`` of ``rows`` in the sort's order after the cursor."""
        field, direction = SORTS[query.sort]
        n = len(self.pids)
        keys = {"ctime": self.ctime, "size": self.size, "name": self.name_rank, "likes": self.likes}[field].data[:n]
        keyed = keys[rows] * direction
        if field == "size" and np.isnan(keyed).any():
            raise Declined("a dataset without a size")  # null sorts lowest: left to the database
        if after is not None:
            cursor = direction * self._cursor_key(field, after[0])
            pid = after[1]
            beyond = keyed > cursor
            ties = np.flatnonzero(keyed == cursor)
            ties = ties[[self.pids[rows[i]] > pid for i in ties]] if len(ties) else ties
            keep = beyond
            keep[ties] = True
            rows, keyed = rows[keep], keyed[keep]
        wanted = query.limit + 1
        if len(rows) > wanted:
            last = np.partition(keyed, wanted - 1)[wanted - 1]
            chosen = keyed <= last
            rows, keyed = rows[chosen], keyed[chosen]
        order = sorted(range(len(rows)), key=lambda i: (keyed[i], self.pids[rows[i]]))
        return [int(rows[i]) for i in order[:wanted]]

    def _cursor_key(self, field: str, key: Any) -> float:
        if field == "ctime":
            if not isinstance(key, datetime):
                raise Declined("a cursor without a time")
            return float(millis(key))
        if field in ("size", "likes"):
            if not _number(key):
                raise Declined("a cursor without a size")
            return float(key)
        if not isinstance(key, str):
            raise Declined("a cursor without a name")
        rank = self._name_rank.get(key)
        if rank is not None:
            return rank
        at = bisect.bisect_left(self._sorted_names, key)  # a name no dataset has now: between its neighbours
        low = self._name_rank[self._sorted_names[at - 1]] if at > 0 else -1.0
        high = self._name_rank[self._sorted_names[at]] if at < len(self._sorted_names) else low + 2.0
        return (low + high) / 2

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"datasets": len(self.row_of), "rows": len(self.pids), "cells": len(self.cells),
                    "words": len(self.words.keys()), "pending": len(self.pending)}


def _since(field: str, mark: datetime | None) -> dict:
    """The documents whose ``field`` stamp is newer than ``mark``, the newest seen, or
    within :data:`OVERLAP` of now (writes stamped before, committed after a newer one):
    a catalogue loaded long ago under one stamp is not read again at every sync."""
    if mark is None:
        return {}
    recent = datetime.now(timezone.utc) - OVERLAP
    return {field: {"$gt": mark}} if mark < recent else {field: {"$gte": recent}}


def _number(value, allow_none: bool = False) -> bool:
    if value is None:
        return allow_none
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not (isinstance(value, int) and abs(value) > EXACT_FLOAT)

