"""Features of one dataset, computed once from a few frames and kept in a side store.

A dataset's features (:class:`Features`) are three groups of numbers:

- ``metadata``: its numeric scientific metadata (scalars only; units as catalogued);
- ``frames``: the frame-quality statistics of the ``frame-score`` fog-filter step
  (:func:`beamhub.jobs.steps.frame_score.frame_statistics`: intensity, brightest pixel,
  spot pixels) over :data:`FRAMES` frames spread along the stack, summarised per pixel
  so that detectors of different sizes compare: mean and median counts, spot fraction,
  contrast, the spread of spot counts between frames (blank frames: a lost beam) and
  the fraction of valid pixels;
- ``descriptor``: :data:`PROFILE_BINS` numbers describing what the frames look like: the
  radial profile of the mean frame around the detector centre (log counts, normalised to
  zero mean and unit spread), or for 1-D signals the curve resampled. Models reduce it
  with a PCA of their own (:mod:`beamhub.suggest.model`).

**Reading**: like previews (:mod:`beamhub.catalogue.preview`), only the frames used are
read, each one slice along the first axis, so h5py reads just those frames' chunks;
frames larger than :data:`MAX_FRAME_PIXELS` are read with a stride. A dataset's file is
opened through its :func:`~beamhub.catalogue.files.roots_for` confinement.

**Keeping**: :class:`FeatureCache` is a SQLite file of beamhub's own
(``beamhub_suggest_features`` table), by default ``STATE_DIR/suggest/features.sqlite``,
keyed by pid and validated by the file's path, modification time and size and
:data:`FEATURES_VERSION`: a changed file or a new feature definition recomputes, nothing
else does. It is a cache: deleting it loses nothing. (It lives beside, not in, the
catalogue Store while the Store interface is being changed; the table's rows are
self-contained JSON so a Store collection can take them over unchanged.)
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from beamhub.catalogue.errors import CatalogueError
from beamhub.catalogue.files import OutsideRoots, roots_for
from beamhub.catalogue.nexus.hdf import UnreadableFile, describe_h5_error, get_node
from beamhub.catalogue.model import Dataset

FEATURES_VERSION = "1"
FRAMES = 4
"""Frames read per stack (evenly spread, ends excluded)."""
PROFILE_BINS = 16
MAX_FRAME_PIXELS = 4_000_000
PENDING = "features not computed yet (the catalogue service computes them in the background)"
"""The reason given for a dataset whose features a bounded request did not compute."""

FRAME_FEATURES = ("mean_counts", "median_counts", "log_maximum", "spot_fraction", "contrast",
                  "frame_score", "spot_spread", "blank_frames", "valid_fraction")
"""The names in :attr:`Features.frames`, in this order."""


class FeatureError(CatalogueError):
    """A dataset's features cannot be computed (no signal, unreadable file)."""

    code = "features_unavailable"
    http_status = 422


@dataclass
class Features:
    pid: str
    technique: str
    beamline: str
    metadata: dict[str, float] = field(default_factory=dict)
    frames: dict[str, float] = field(default_factory=dict)
    descriptor: list[float] = field(default_factory=list)
    problem: str = ""
    """Why there are no frame features (no plottable data, unreadable file): the
    dataset is then described by its metadata alone."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Features":
        return cls(**json.loads(text))


def technique_of(dataset: Dataset) -> str:
    """The dataset's first technique's name, else ``"unknown"``."""
    for technique in dataset.techniques or ():
        name = getattr(technique, "name", None) or (technique.get("name") if isinstance(technique, dict) else None)
        if name:
            return str(name)
    return "unknown"


def numeric_metadata(dataset: Dataset) -> dict[str, float]:
    """Scalar numbers of the scientific metadata, by name (``{"value": x}`` or ``x``)."""
    out = {}
    for name, item in (dataset.scientificMetadata or {}).items():
        value = item.get("value") if isinstance(item, dict) else getattr(item, "value", item)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if math.isfinite(float(value)):
            out[name] = float(value)
    return out


def compute_features(dataset: Dataset, open_file=None) -> Features:
    """The features of a catalogue dataset, reading a few frames of its signal; without
    readable frames, its metadata alone (``problem`` says why).

    ``open_file(path)`` opens the HDF5 file (tests pass one that counts reads); by
    default the dataset's confinement (:func:`roots_for`) opens it."""
    features = Features(pid=dataset.pid, technique=technique_of(dataset), beamline=dataset.creationLocation or "",
                        metadata=numeric_metadata(dataset))
    try:
        frames = _frames_of(dataset, open_file)
    except FeatureError as exc:
        features.problem = exc.message
        return features
    features.frames, features.descriptor = frame_features(frames)
    return features


def _frames_of(dataset: Dataset, open_file) -> np.ndarray:
    signal = dataset.signal
    if signal is None:
        raise FeatureError(f"dataset {dataset.pid} has no plottable data")
    try:
        if open_file is None:
            roots = roots_for(dataset)
            f = roots.open(roots.resolve(signal.file))
        else:
            f = open_file(signal.file)
        with f:
            node = get_node(f, signal.path)
            if node is None or not hasattr(node, "shape"):
                raise FeatureError(f"{signal.file}: {signal.path} is missing or a dangling link")
            frames = read_frames(node)
    except OutsideRoots as exc:
        raise FeatureError(exc.message) from None
    except UnreadableFile as exc:
        raise FeatureError(exc.message) from None
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
        raise FeatureError(f"{signal.file}: {describe_h5_error(exc)}") from None
    return frames


def look_vector(features: Features) -> np.ndarray:
    """Frame statistics and descriptor as one fixed-length vector (zeros where missing)."""
    descriptor = list(features.descriptor)[:PROFILE_BINS]
    return np.array([features.frames.get(n, 0.0) for n in FRAME_FEATURES]
                    + descriptor + [0.0] * (PROFILE_BINS - len(descriptor)), dtype=np.float64)


def frame_indices(count: int, wanted: int = FRAMES) -> list[int]:
    """``wanted`` indices spread over ``count`` frames (all when there are few)."""
    if count <= wanted:
        return list(range(count))
    return sorted({int(round((i + 1) * count / (wanted + 1))) for i in range(wanted)})


def read_frames(node) -> np.ndarray:
    """A few frames of a dataset as float64 ``(n, rows, columns)`` (or ``(1, points)`` for
    a curve), reading one frame at a time: only those frames' chunks."""
    shape = node.shape
    if node.dtype.kind not in "iuf" or len(shape) == 0 or 0 in shape:
        raise FeatureError(f"{node.file.filename}: {node.name} is not numeric data")
    if len(shape) == 1:
        step = max(1, math.ceil(shape[0] / 1_000_000))
        return _as_float(node, node[::step])[np.newaxis]
    rows, columns = shape[-2:]
    step = max(1, math.ceil(math.sqrt(rows * columns / MAX_FRAME_PIXELS)))
    pixels = (slice(None, None, step), slice(None, None, step))
    if len(shape) == 2:
        return _as_float(node, node[pixels])[np.newaxis]
    middle = tuple(n // 2 for n in shape[1:-2])
    return np.stack([_as_float(node, node[(index,) + middle + pixels]) for index in frame_indices(shape[0])])


def _as_float(node, data) -> np.ndarray:
    """Counts as float64 with masked/saturated pixels (the integer type's largest value)
    and negative gap markers as NaN."""
    data = np.asarray(data)
    out = data.astype(np.float64)
    if data.dtype.kind in "iu":
        out[data == np.iinfo(data.dtype).max] = np.nan
    out[out < 0] = np.nan
    return out


def frame_features(frames: np.ndarray) -> tuple[dict[str, float], list[float]]:
    """(frame statistics, descriptor) of frames shaped ``(n, ...)`` (pure)."""
    from beamhub.jobs.steps.frame_score import FrameScoreParameters, frame_statistics

    n = frames.shape[0]
    flat = frames.reshape(n, -1)
    valid = np.isfinite(flat)
    pixels = max(1, flat.shape[1])
    stats = frame_statistics(frames, FrameScoreParameters())
    counts = np.maximum(valid.sum(axis=1), 1)
    mean = stats["total"] / counts
    values = flat[valid]
    median = float(np.median(values)) if values.size else 0.0
    spots = stats["spot_pixels"] / counts
    best = float(spots.max()) if n else 0.0
    out = {
        "mean_counts": float(np.log1p(max(0.0, mean.mean()))),
        "median_counts": float(np.log1p(max(0.0, median))),
        "log_maximum": float(np.log1p(max(0.0, stats["maximum"].max()))),
        "spot_fraction": float(spots.mean()),
        "contrast": float(np.log1p(max(0.0, stats["maximum"].mean())) - np.log1p(max(0.0, mean.mean()))),
        "frame_score": float((spots / best).mean()) if best > 0 else 0.0,  # the step's mean_score
        "spot_spread": float(spots.min() / best) if best > 0 else 0.0,
        "blank_frames": float((spots < 0.25 * best).mean()) if best > 0 else 1.0,
        "valid_fraction": float(valid.sum() / (n * pixels)),
    }
    return {k: round(v, 9) for k, v in out.items()}, [round(float(x), 9) for x in descriptor(frames)]


def descriptor(frames: np.ndarray, bins: int = PROFILE_BINS) -> np.ndarray:
    """The normalised radial profile of the mean frame (log counts), or a resampled curve."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-masked pixels: NaN, dropped below
        average = np.nanmean(frames, axis=0)
    if average.ndim == 1:
        values = np.nan_to_num(average)
        positions = np.linspace(0, len(values) - 1, bins)
        profile = np.interp(positions, np.arange(len(values)), values) if len(values) > 1 else np.zeros(bins)
        profile = np.sign(profile) * np.log1p(np.abs(profile))
    else:
        rows, columns = average.shape
        y, x = np.indices(average.shape)
        radius = np.hypot(y - rows / 2, x - columns / 2)
        which = np.minimum((radius / (radius.max() + 1e-9) * bins).astype(int), bins - 1)
        good = np.isfinite(average)
        sums = np.bincount(which[good], weights=np.log1p(np.clip(average[good], 0, None)), minlength=bins)
        numbers = np.bincount(which[good], minlength=bins)
        profile = np.where(numbers > 0, sums / np.maximum(numbers, 1), 0.0)
    spread = profile.std()
    return (profile - profile.mean()) / spread if spread > 0 else np.zeros(bins)


# --- the side store ----------------------------------------------------------------------


def default_cache_path(state_dir: str | os.PathLike | None = None) -> Path:
    """``STATE_DIR/suggest/features.sqlite`` (``$BEAMHUB_STATE_DIR``, else the current directory)."""
    base = Path(state_dir or os.environ.get("BEAMHUB_STATE_DIR") or ".")
    return base / "suggest" / "features.sqlite"


class FeatureCache:
    """Features kept by pid in a SQLite file (``":memory:"`` for none). Thread-safe."""

    def __init__(self, path: str | os.PathLike = ":memory:"):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS beamhub_suggest_features (pid TEXT PRIMARY KEY, "
                             "file_key TEXT NOT NULL, features TEXT NOT NULL)")
        self.computed = 0
        """How many features this cache computed (the rest came from the file)."""

    def close(self) -> None:
        self._db.close()

    @staticmethod
    def file_key(dataset: Dataset) -> str:
        signal = dataset.signal
        if signal is None:
            return f"{FEATURES_VERSION}|none"
        try:
            stat = os.stat(signal.file)
            return f"{FEATURES_VERSION}|{signal.file}|{signal.path}|{stat.st_mtime_ns}|{stat.st_size}"
        except OSError:
            return f"{FEATURES_VERSION}|{signal.file}|{signal.path}|missing"

    def get(self, dataset: Dataset) -> Features:
        """The dataset's features, computed and kept if missing or stale (``FeatureError``
        if they cannot be computed)."""
        key = self.file_key(dataset)
        with self._lock:
            row = self._db.execute("SELECT file_key, features FROM beamhub_suggest_features WHERE pid = ?",
                                   (dataset.pid,)).fetchone()
        if row and row[0] == key:
            features = Features.from_json(row[1])
            features.metadata = numeric_metadata(dataset)  # catalogue edits apply at once
            return features
        features = compute_features(dataset)
        self.computed += 1
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO beamhub_suggest_features VALUES (?, ?, ?)",
                             (dataset.pid, key, features.to_json()))
        return features

    def kept(self, datasets) -> dict[str, Features]:
        """The features already kept and still valid for ``datasets`` (nothing computed)."""
        datasets = list(datasets)
        rows: dict[str, tuple[str, str]] = {}
        for start in range(0, len(datasets), 500):
            pids = [d.pid for d in datasets[start:start + 500]]
            with self._lock:
                rows.update((pid, (key, text)) for pid, key, text in self._db.execute(
                    "SELECT pid, file_key, features FROM beamhub_suggest_features WHERE pid IN "
                    f"({','.join('?' * len(pids))})", pids))
        found = {}
        for dataset in datasets:
            row = rows.get(dataset.pid)
            if row and row[0] == self.file_key(dataset):
                features = Features.from_json(row[1])
                features.metadata = numeric_metadata(dataset)  # catalogue edits apply at once
                found[dataset.pid] = features
        return found

    def get_many(self, datasets, compute: int | None = None) -> tuple[dict[str, Features], dict[str, str]]:
        """Features of each dataset that has them, and why the others have none.

        Kept features are read in one pass; at most ``compute`` missing ones (all when
        None) are computed now, the rest are reported as :data:`PENDING` (a request stays
        bounded; :meth:`refresh` or ``beamhub suggest train`` computes them)."""
        datasets = list(datasets)
        found = self.kept(datasets)
        problems = {}
        budget = compute
        for dataset in datasets:
            if dataset.pid in found:
                continue
            if budget is not None and budget <= 0:
                problems[dataset.pid] = PENDING
                continue
            try:
                found[dataset.pid] = self.get(dataset)
            except CatalogueError as exc:
                problems[dataset.pid] = exc.message
            if budget is not None:
                budget -= 1
        return found, problems

    def refresh(self, datasets, limit: int) -> int:
        """Compute the missing or stale features of up to ``limit`` of ``datasets`` (a
        background job's one round); how many were computed."""
        datasets = list(datasets)
        kept = self.kept(datasets)
        done = 0
        for dataset in datasets:
            if done >= limit:
                break
            if dataset.pid in kept:
                continue
            try:
                self.get(dataset)
            except CatalogueError:
                pass  # compute_features describes unreadable data; nothing else is expected
            done += 1
        return done
