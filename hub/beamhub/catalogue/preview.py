"""PNG previews of a dataset's default plot, safe to call from a web service.

What is drawn: the dataset's default plottable signal (found at ingestion, see
:mod:`beamhub.catalogue.nexus.signal`: the NeXus ``default`` chain to an NXdata's
``@signal``/``@axes``, else the first 1-D or 2-D numeric dataset):

- 1-D: a line plot, the x axis from ``@axes`` when there is one, both axes labelled
  with their names and ``units`` (matplotlib's object-oriented API with the Agg
  canvas: no pyplot, so threads do not share figures);
- 2-D: an image (Pillow; log-scaled for count data, clipped to robust percentiles,
  the viridis colour map), reduced to the preview size by block maxima (counts,
  so single bright pixels survive) or means (floats);
- 3-D and more: the middle frame (the middle index of every leading dimension), or
  the frame asked for (an index along the first axis, the others in the middle).

Only the frame shown is read: h5py reads just the chunks a slice touches, so one
frame of a multi-gigabyte stack costs about its own compressed chunks. Frames
larger than :data:`MAX_FRAME_PIXELS` are read with a stride.

Previews are cached as files under ``cache_dir`` keyed by (file, modification time,
size, signal, preview size): a changed file gets a new preview. Writes are atomic,
so threads and processes may share a cache directory.

A missing, unreadable, truncated or non-HDF5 file, a dangling link or a dataset
without plottable data raise :class:`PreviewError`, never anything else.

A catalogue dataset's preview reads only files inside the roots its access allows
(:mod:`beamhub.catalogue.files`): its file and every link followed are checked, and
whatever leads outside gives one message that says nothing about what is there.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import posixpath
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidInput, LimitExceeded, PreviewError
from .files import DataRoots, OutsideRoots, roots_for
from .nexus.hdf import (
    UnreadableFile,
    attr_text,
    describe_h5_error,
    get_node,
    missing_frame_sources,
    nx_class,
    open_h5,
    stat_file,
    units,
)
from .nexus.read import entry_names
from .nexus.signal import axes_for, file_signal, plottable
from .model import Dataset, SignalInfo

DEFAULT_SIZE = 512
"""Longest side of a preview, in pixels."""
MIN_SIZE, MAX_SIZE = 32, 2048
MAX_FRAME_PIXELS = 64_000_000
"""Frames larger than this are read with a stride (no preview needs more pixels)."""
MAX_LINE_POINTS = 1_000_000
CACHE_VERSION = "1"
"""Part of every cache key: bump it when previews are drawn differently."""




# --- the public entry points ----------------------------------------------------------


def render_preview(source: Dataset | SignalInfo | dict | str | os.PathLike, size: int = DEFAULT_SIZE,
                   cache_dir: str | os.PathLike | None = None, frame: int | None = None,
                   roots: DataRoots | None = None) -> bytes:
    """A PNG of ``source``'s default plot: a catalogue dataset (or its document), its
    :class:`~beamhub.catalogue.model.SignalInfo`, or a file path (its default entry's
    default signal). ``frame`` picks a frame of a stack (default: the middle one).
    With ``cache_dir``, previews are cached there.

    ``roots``: where the data may be read from; a dataset's own
    (:func:`~beamhub.catalogue.files.roots_for`) by default. A file path or a
    SignalInfo names its file itself: unconfined unless ``roots`` is given."""
    if not isinstance(size, int) or isinstance(size, bool) or size < MIN_SIZE:
        raise LimitExceeded(f"a preview size is a whole number of pixels, {MIN_SIZE} to {MAX_SIZE}")
    if size > MAX_SIZE:
        raise LimitExceeded(f"previews are at most {MAX_SIZE} pixels")
    if frame is not None and (not isinstance(frame, int) or isinstance(frame, bool) or frame < 0):
        raise InvalidInput("a frame is an index (0, 1, ...) along the stack's first axis")
    file, signal_path = locate(source)
    if roots is None and (isinstance(source, Dataset) or (isinstance(source, dict) and "pid" in source)):
        roots = roots_for(source)
    if roots is not None:
        try:
            file = roots.resolve(file)
        except OutsideRoots as exc:
            raise PreviewError(exc.message) from None
    try:
        stat = stat_file(file)
    except UnreadableFile as exc:
        raise PreviewError(exc.message) from None
    cached = None
    if cache_dir is not None:
        key = (f"{CACHE_VERSION}|{os.path.realpath(file)}|{stat.st_mtime_ns}|{stat.st_size}|{signal_path}|{size}"
               f"|{frame}|{roots}")
        digest = hashlib.sha256(key.encode()).hexdigest()
        cached = Path(cache_dir) / digest[:2] / f"{digest}.png"
        try:
            return cached.read_bytes()
        except OSError:
            pass
    try:
        with (open_h5(file) if roots is None else roots.open(file)) as f:
            png = render_from_h5(f, signal_path, size, frame, roots)
    except UnreadableFile as exc:
        raise PreviewError(exc.message) from None
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:  # odd files, odd h5py errors
        raise PreviewError(f"{file}: {describe_h5_error(exc)}") from None
    if cached is not None:
        _write_atomically(cached, png)
    return png


def locate(source: Any) -> tuple[str, str | None]:
    """(file, signal path or ``None`` to find the default) of a preview source."""
    if isinstance(source, Dataset):
        if source.signal is not None:
            return source.signal.file, source.signal.path
        raise PreviewError(f"dataset {source.pid} has no plottable data")
    if isinstance(source, SignalInfo):
        return source.file, source.path
    if isinstance(source, dict):
        if "pid" in source:
            signal = source.get("signal")
            if not signal:
                raise PreviewError(f"dataset {source['pid']} has no plottable data")
            return signal["file"], signal["path"]
        if "file" in source and "path" in source:
            return source["file"], source["path"]
        raise PreviewError("not a dataset or signal: give a dict with 'pid' or 'file' and 'path'")
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source), None
    raise PreviewError(f"cannot preview a {type(source).__name__}")


def render_from_h5(f, signal_path: str | None, size: int = DEFAULT_SIZE, frame: int | None = None,
                   roots: DataRoots | None = None) -> bytes:
    """A PNG of ``signal_path`` (or the file's default signal) in an open h5py file.

    The whole preview, less opening the file: the benchmarks call this with a file
    object that counts the bytes HDF5 reads. With ``roots``, every object read is
    checked first (:meth:`~beamhub.catalogue.files.DataRoots.check_node`).
    """
    if signal_path is None:
        signal_path = _default_signal_path(f)
    node = get_node(f, signal_path)
    if node is None:
        raise PreviewError(f"{f.filename}: {signal_path} is missing or a dangling link")
    if roots is not None:
        roots.check_node(node)
    if not plottable(node, min_ndim=1):
        raise PreviewError(f"{f.filename}: {signal_path} is not plottable numeric data")
    data, _ = read_view(node, frame)
    if data.ndim == 1:
        return _line_png(node, data, size, roots, get_node(f, posixpath.dirname(signal_path)))
    return _image_png(data, size)


def read_view(node, first: int | None = None) -> tuple[np.ndarray, tuple[int, ...]]:
    """The part of a dataset a preview shows, reading nothing else: the whole of a
    1-D or 2-D dataset (with a stride if huge), one frame of a stack (index ``first``
    along the first axis, else the middle; the middle of the other leading axes).
    Returns (data, index of the frame in the leading dimensions)."""
    shape = node.shape
    frame = tuple(n // 2 for n in shape[:-2]) if node.ndim > 2 else ()
    if frame and first is not None:
        if first >= shape[0]:
            raise PreviewError(f"{node.file.filename}: {node.name} has {shape[0]} frames; no frame {first}")
        frame = (first,) + frame[1:]
    problems = missing_frame_sources(node, frame[0] if frame else None)
    if problems:
        raise PreviewError(f"{node.file.filename}: {node.name}: {problems[0]}")
    try:
        if node.ndim == 1:
            step = max(1, math.ceil(shape[0] / MAX_LINE_POINTS))
            data = node[::step]
        else:
            rows, columns = shape[-2:]
            step = max(1, math.ceil(math.sqrt(rows * columns / MAX_FRAME_PIXELS)))
            data = node[frame + (slice(None, None, step), slice(None, None, step))]
    except (OSError, RuntimeError, ValueError) as exc:
        raise PreviewError(f"{node.file.filename}: {node.name}: {describe_h5_error(exc)}") from None
    data = np.asarray(data)
    if data.ndim == 2 and 1 in data.shape:
        data = data.reshape(-1)
    return data, frame


# --- drawing -------------------------------------------------------------------------


_MATPLOTLIB = threading.Lock()
"""matplotlib's text layout is not thread-safe even through the object-oriented API (two
threads drawing axis labels at once garble them or fail), so line plots are drawn one
at a time. Images are drawn with Pillow and need no lock."""


def _line_png(node, data: np.ndarray, size: int, roots: DataRoots | None = None, group=None) -> bytes:
    x, x_label = _x_axis(node, len(data), roots, group)
    with _MATPLOTLIB:
        return _draw_line(node, x, x_label, data, size)


def _draw_line(node, x, x_label: str, data: np.ndarray, size: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    dpi = 100
    figure = Figure(figsize=(size / dpi, size * 0.75 / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    values = data.astype(np.float64, copy=False)
    axes.plot(x, values, linewidth=1.0)
    axes.set_xlabel(x_label)
    axes.set_ylabel(_label(node, node.name.rsplit("/", 1)[-1]))
    positive = values[np.isfinite(values)]
    if positive.size and positive.min() > 0 and positive.max() / positive.min() > 1e3:
        axes.set_yscale("log")  # I(q) and other decades-spanning curves
        if np.all(x > 0) and x.max() / x.min() > 10:
            axes.set_xscale("log")
            axes.xaxis.set_minor_formatter(NullFormatter())
    figure.tight_layout()
    out = io.BytesIO()
    canvas.print_png(out)
    return out.getvalue()


def _x_axis(node, length: int, roots: DataRoots | None = None, parent=None):
    """The x values and label from the NXdata ``parent`` (the signal's group where the
    signal was named: a linked signal's own parent may be in another file)."""
    if parent is None:
        parent = get_node(node.file, posixpath.dirname(node.name))
    axes = axes_for(parent, node) if parent is not None and nx_class(parent) == "NXdata" else []
    axis = get_node(parent.file, axes[0]) if axes and axes[0] else None
    if axis is not None and roots is not None:
        roots.check_node(axis)
    if axis is not None:
        step = max(1, math.ceil(axis.shape[0] / MAX_LINE_POINTS))
        try:
            values = np.asarray(axis[::step], dtype=np.float64)
        except (OSError, ValueError):
            values = np.zeros(0)
        if len(values) == length + 1:  # bin edges: plot at centres
            values = (values[:-1] + values[1:]) / 2
        if len(values) == length:
            return values, _label(axis, axis.name.rsplit("/", 1)[-1])
    return np.arange(length), "index"


def _label(node, name: str) -> str:
    label = attr_text(node, "long_name") or name
    unit = units(node)
    return f"{label} [{unit}]" if unit else label


_LUT: np.ndarray | None = None


def _colour_table() -> np.ndarray:
    global _LUT
    if _LUT is None:
        from matplotlib import colormaps

        _LUT = (colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
    return _LUT


def _image_png(data: np.ndarray, size: int) -> bytes:
    from PIL import Image

    factor = math.ceil(max(data.shape) / size)
    if data.dtype.kind in "iu":
        # counts: the dtype's largest value marks masked or saturated pixels; block
        # maxima keep single bright pixels (Bragg spots) visible; log for decades
        masked = data == np.iinfo(data.dtype).max
        if masked.any():
            data = np.where(masked, 0, data)
        image = np.log1p(np.clip(_reduce(data, factor, "max").astype(np.float32), 0, None))
    else:
        image = data.astype(np.float32, copy=False)
        invalid = ~np.isfinite(image)
        if invalid.any():
            image = np.where(invalid, np.nan, image)
        image = _reduce(image, factor, "nanmean" if invalid.any() else "mean")
    finite = image[np.isfinite(image)]
    if finite.size == 0:
        scaled = np.zeros(image.shape, dtype=np.uint8)
    else:
        low, high = np.percentile(finite, [1.0, 99.8])
        span = high - low if high > low else 1.0
        scaled = (np.clip((np.nan_to_num(image, nan=low) - low) / span, 0, 1) * 255).astype(np.uint8)
    # scale the grey levels, then colour them with a palette: a third of the bytes of RGB
    picture = Image.fromarray(scaled, "L")
    scale = size / max(picture.size)
    if scale != 1:
        target = (max(1, round(picture.size[0] * scale)), max(1, round(picture.size[1] * scale)))
        picture = picture.resize(target, Image.Resampling.NEAREST if scale > 1 else Image.Resampling.BILINEAR)
    picture = picture.convert("P")
    picture.putpalette(_colour_table().tobytes())
    out = io.BytesIO()
    picture.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _reduce(image: np.ndarray, factor: int, how: str) -> np.ndarray:
    """Block-reduce a 2-D image by ``factor`` (``max``, ``mean`` or ``nanmean``)."""
    if factor <= 1:
        return image
    rows, columns = (image.shape[0] // factor) * factor, (image.shape[1] // factor) * factor
    if rows == 0 or columns == 0:
        return image
    image = image[:rows, :columns]
    if how in ("max", "mean"):
        # row slices then column slices: whole-array operations, much faster than
        # reducing the short strided axes of a reshaped view
        combine = np.maximum if how == "max" else np.add
        work = image[0::factor].astype(np.float32 if how == "mean" else image.dtype)
        for offset in range(1, factor):
            combine(work, image[offset::factor], out=work)
        reduced = work[:, 0::factor].copy()
        for offset in range(1, factor):
            combine(reduced, work[:, offset::factor], out=reduced)
        return reduced / (factor * factor) if how == "mean" else reduced
    blocks = image.reshape(rows // factor, factor, columns // factor, factor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks stay NaN
        return np.nanmean(blocks, axis=(1, 3))


def _default_signal_path(f) -> str:
    try:
        signal = file_signal(f, entry_names(f))
        if signal is not None:
            return signal.path
    except UnreadableFile as exc:
        raise PreviewError(f"{f.filename}: {exc.message}") from None
    except (OSError, RuntimeError, KeyError) as exc:
        raise PreviewError(f"{f.filename}: {describe_h5_error(exc)}") from None
    raise PreviewError(f"{f.filename}: no plottable data (no NXdata signal and no 1-D or 2-D numeric dataset)")


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".preview-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs speed
