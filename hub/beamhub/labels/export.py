"""The labels export: one row per vote, with the voted dataset's numbers as columns.

Columns, in this order (README.md, "Labels for machine learning", documents them):

- ``pid``, ``beamline``, ``technique`` (the dataset's techniques joined by ``;``),
  ``proposal``, ``dataset_type`` (``raw`` or ``derived:<step>``)
- ``voter``: a pseudonym ``v-`` + 16 hex digits, HMAC-SHA-256 of the user name under the
  export key (the same voter gets the same pseudonym in every export made with the same
  key; ``$BEAMHUB_LABELS_KEY``, else a random key per export), or the user name itself
  when the exporter asks for names and is an operator
- ``vote`` (``like`` or ``dislike``), ``label`` (1 for like, 0 for dislike),
  ``comment``, ``time`` (when the vote was last set, UTC)
- ``sm.<name>``: every numeric scientific-metadata value of the dataset, in SI base
  units where beamhub knows the unit (``temperature`` in K), else as written
- ``quality.<name>``: the numeric results of the ``frame-score`` processing of the
  dataset (its derived datasets' ``mean_score``, ``good_frames``... ), when it was scored

Which votes: :meth:`beamhub.catalogue.store.Store.export_votes` (operators: all; staff:
their beamlines' and their own; users: their own).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from beamhub.catalogue.errors import InvalidInput, PermissionDenied
from beamhub.catalogue.identity import Identity
from beamhub.catalogue.model import Dataset, Vote
from beamhub.catalogue.units import normalize
from beamhub.templates.model import dataset_kind

FIXED_COLUMNS = ("pid", "beamline", "technique", "proposal", "dataset_type", "voter", "vote", "label",
                 "comment", "time")
KEY_ENV = "BEAMHUB_LABELS_KEY"
FORMATS = ("csv", "parquet")
BATCH = 500


def export_key() -> bytes:
    configured = os.environ.get(KEY_ENV, "")
    return configured.encode() if configured else secrets.token_bytes(32)


def pseudonym(user: str, key: bytes) -> str:
    return "v-" + hmac.new(key, user.encode(), hashlib.sha256).hexdigest()[:16]


def numeric_metadata(dataset: Dataset, prefix: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, entry in (dataset.scientificMetadata or {}).items():
        value = getattr(entry, "value", entry)
        unit = getattr(entry, "unit", "") or ""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        base, _ = normalize(float(value), unit)
        out[f"{prefix}{name}"] = base
    return out


def build_rows(votes: Sequence[Vote], datasets: dict[str, Dataset], quality: dict[str, dict[str, float]],
               *, key: bytes, names: bool = False) -> list[dict[str, Any]]:
    """The rows for ``votes`` (pure: datasets and quality already read)."""
    rows = []
    for vote in votes:
        dataset = datasets.get(vote.pid)
        if dataset is None:
            continue
        rows.append({
            "pid": vote.pid,
            "beamline": dataset.creationLocation or "",
            "technique": ";".join(t.name for t in dataset.techniques),
            "proposal": dataset.proposalId or "",
            "dataset_type": dataset_kind(dataset),
            "voter": vote.user if names else pseudonym(vote.user, key),
            "vote": vote.value,
            "label": 1 if vote.value == "like" else 0,
            "comment": vote.comment,
            "time": vote.updatedAt.isoformat(),
            **numeric_metadata(dataset, "sm."),
            **quality.get(vote.pid, {}),
        })
    return rows


def columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    extra = sorted({name for row in rows for name in row} - set(FIXED_COLUMNS))
    return list(FIXED_COLUMNS) + extra


def collect(store, identity: Identity, *, names: bool = False, key: bytes | None = None) -> list[dict[str, Any]]:
    """Read the votes the identity may export, their datasets and quality scores."""
    if names and not identity.operator:
        raise PermissionDenied("only operators export voters' names; others get pseudonyms")
    votes = store.export_votes(identity)
    pids = list(dict.fromkeys(v.pid for v in votes))
    datasets: dict[str, Dataset] = {}
    for start in range(0, len(pids), BATCH):
        datasets.update({d.pid: d for d in store.get_datasets(identity, pids[start:start + BATCH])})
    quality: dict[str, dict[str, float]] = {}
    for pid in datasets:
        for derived in store.derived_from(identity, pid):
            if dataset_kind(derived) == "derived:frame-score":
                quality[pid] = {k.replace("sm.", "quality.", 1): v
                                for k, v in numeric_metadata(derived, "sm.").items()}
    return build_rows(votes, datasets, quality, key=key or export_key(), names=names)


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(rows), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_parquet(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns(rows)
    arrays = []
    for name in names:
        values = [row.get(name) for row in rows]
        kind = pa.int64() if name == "label" else pa.string() if name in FIXED_COLUMNS else pa.float64()
        arrays.append(pa.array(values, type=kind))
    table = pa.Table.from_arrays(arrays, names=names)
    table = table.replace_schema_metadata({"beamhub": "labels export: one row per vote; see README.md"})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def encode(rows: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise InvalidInput(f"the labels export is csv or parquet, not {fmt!r}")
    return to_csv(rows) if fmt == "csv" else to_parquet(rows)


def write(rows: list[dict[str, Any]], fmt: str, path: Path) -> None:
    path.write_bytes(encode(rows, fmt))
