"""A dataset's signal as a lazy :class:`xarray.DataArray`, read through h5py.

Nothing but the (small, 1-D) NeXus axes is read when the array is opened; indexing
reads only the HDF5 chunks the selection touches (``data[10]`` of a 3 GB stack reads
one frame). The laziness is xarray's own: a :class:`~xarray.backends.BackendArray`
wrapped in xarray's lazily indexed array, with files kept open by xarray's
:class:`~xarray.backends.CachingFileManager` under its HDF5 lock (HDF5 is not
thread-safe). No dask needed; ``.load()``/``.values`` read everything.

Paths: the catalogue records where the facility stores a file. If your server mounts
the data elsewhere, give ``path_map={"/facility/prefix": "/mounted/prefix"}`` or set
``BEAMHUB_DATA_PATH_MAP="/facility/prefix=/mounted/prefix"`` (several separated by
``;``).

Only the dataset's own data is read, by the catalogue's rule
(:mod:`beamhub.catalogue.files`): a file, or a link in it, leading outside the folders
the dataset's access allows raises :class:`NoData` with one message that says
nothing about what is there; every (re)opening of the file and every read is checked.

>>> from beamhub.client import Catalogue
>>> cat = Catalogue()                                  # doctest: +SKIP
>>> frames = cat.open("20.500.12269/abc")              # doctest: +SKIP
>>> frames                                             # doctest: +SKIP
<xarray.DataArray 'data' (omega: 60, y: 256, x: 256)> ... [lazily indexed]
>>> frames.sel(omega=10, method="nearest").plot()      # doctest: +SKIP

A derived dataset made by a processing step holds one output file per input dataset.
Opening it gives every file, as :class:`OutputFiles` (a dict: input pid -> lazy
DataArray) whose repr and ``attrs`` say how many files were loaded (a file without a
readable signal is listed in ``attrs["skipped"]`` with why); ``.combined()`` stacks
them into one DataArray along ``input``:

>>> scores = cat.open(selection.derivedDatasets[0])  # doctest: +SKIP
>>> scores                                             # doctest: +SKIP
<OutputFiles 'good sweeps: Frame score' (20.500.12269/sel-1): 3 of 3 files loaded>
  20.500.12269/abc: score {'frame': 60} from 000_lysozyme_0001_frame_score.nxs
  ...
>>> scores.combined().sel(input="20.500.12269/abc")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import posixpath
import threading
from pathlib import Path

import numpy as np
import xarray as xr
from xarray.backends import BackendArray, CachingFileManager
from xarray.backends.locks import HDF5_LOCK
from xarray.core import indexing

from beamhub.catalogue.files import DataRoots, OutsideRoots, dataset_file, local_path, roots_for
from beamhub.catalogue.nexus.hdf import UnreadableFile
from beamhub.catalogue.nexus.signal import find_signal
from beamhub.catalogue.model import Dataset

from .errors import ApiError

PATH_MAP_ENV = "BEAMHUB_DATA_PATH_MAP"
MAX_AXIS_VALUES = 10_000_000


class NoData(ApiError):
    """The dataset has no signal to open, or its file cannot be read here."""


def _open_h5(path: str, roots: DataRoots):
    """The file, opened only if it and its links stay inside ``roots`` (each reopening too)."""
    try:
        return roots.open(path)
    except UnreadableFile as exc:
        raise NoData(exc.message, code="no_data") from None


class H5Array(BackendArray):
    """One HDF5 dataset, read on demand (basic indexing; xarray does the rest)."""

    def __init__(self, manager: CachingFileManager, path: str, shape: tuple[int, ...], dtype: np.dtype,
                 lock: threading.Lock | None = None, roots: DataRoots | None = None):
        self.manager = manager
        self.path = path
        self.shape = shape
        self.dtype = dtype
        self.lock = lock or HDF5_LOCK
        self.roots = roots

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.BASIC, self._read)

    def _read(self, key: tuple) -> np.ndarray:
        with self.lock:
            handle = self.manager.acquire()
            node = handle[self.path]
            if self.roots is not None:
                _checked(self.roots, node)
            return np.asarray(node[key])


def path_map_from_env(environ: dict | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    out = {}
    for item in environ.get(PATH_MAP_ENV, "").split(";"):
        if "=" in item:
            source, target = item.split("=", 1)
            out[source.strip()] = target.strip()
    return out


def _checked(roots: DataRoots, node):
    try:
        roots.check_node(node)
    except OutsideRoots as exc:
        raise NoData(exc.message, code="no_data") from None
    return node


def _dimension_names(axes: list[str], ndim: int) -> list[str]:
    names = []
    for index in range(ndim):
        axis = axes[index] if index < len(axes) else ""
        name = axis.rstrip("/").rsplit("/", 1)[-1] if axis and axis != "." else f"dim_{index}"
        while name in names:
            name += "_"
        names.append(name)
    return names


def _attrs(node) -> dict:
    out = {}
    for key in ("units", "long_name"):
        if key in node.attrs:
            value = node.attrs[key]
            out[key] = value.decode() if isinstance(value, bytes) else str(value)
    return out


def _open_array(dataset: Dataset, file: str, roots: DataRoots, signal_path: str | None,
                axes: list[str]) -> xr.DataArray:
    """The signal ``signal_path`` of ``file`` (the file's NeXus default when None or
    absent) as a lazy DataArray; every node read is checked against ``roots``."""
    try:
        file = roots.resolve(file)
    except OutsideRoots as exc:
        raise NoData(exc.message, code="no_data") from None
    if not Path(file).is_file():
        raise NoData(f"{file} is not readable here (is the proposal's data mounted? see path_map)", code="no_data")
    manager = CachingFileManager(_open_h5, file, kwargs={"roots": roots})
    with HDF5_LOCK:
        handle = manager.acquire()
        if signal_path is None or signal_path not in handle:
            try:
                found = find_signal(handle)
            except UnreadableFile as exc:
                raise NoData(exc.message, code="no_data") from None
            if found is None:
                raise NoData(f"{file} has no plottable signal" if signal_path is None
                             else f"{signal_path} is missing in {file}", code="no_data")
            signal_path, axes = found.path, list(found.axes)
        node = _checked(roots, handle[signal_path])
        shape, dtype = tuple(node.shape), node.dtype
        attrs = _attrs(node)
        dims = _dimension_names(list(axes), len(shape))
        coords = {}
        for index, axis in enumerate(axes[: len(shape)]):
            if not axis or axis not in handle:
                continue
            values = _checked(roots, handle[axis])
            if values.ndim == 1 and values.shape[0] == shape[index] and values.size <= MAX_AXIS_VALUES:
                coords[dims[index]] = xr.Variable(dims[index], values[()], attrs=_attrs(values))
        entry = signal_path.strip("/").split("/", 1)[0]
        input_pid = handle.get(f"/{entry}/input_pid") if entry else None
        if input_pid is not None and getattr(input_pid, "shape", None) == ():
            value = _checked(roots, input_pid)[()]
            attrs["input_pid"] = value.decode() if isinstance(value, bytes) else str(value)
    data = indexing.LazilyIndexedArray(H5Array(manager, signal_path, shape, dtype, roots=roots))
    name = signal_path.rstrip("/").rsplit("/", 1)[-1] or "signal"
    attrs.update(pid=dataset.pid, file=file, path=signal_path, datasetName=dataset.datasetName)
    return xr.DataArray(xr.Variable(dims, data, attrs=attrs), coords=coords, name=name)


def open_signal(dataset: Dataset, *, path_map: dict[str, str] | None = None) -> xr.DataArray:
    """The default plottable signal of ``dataset`` (the one file ingestion or the job
    recorded it in) as a lazy DataArray.

    Coordinates are the NeXus axes whose length matches their dimension; ``attrs``
    carry the pid, the file and the HDF5 path, and ``units``/``long_name`` if the file
    has them. A derived dataset with several output files: :func:`open_dataset`
    opens them all.
    """
    if dataset.signal is None:
        raise NoData(f"dataset {dataset.pid} has no signal to open", code="no_data")
    path_map = path_map if path_map is not None else path_map_from_env()
    roots = roots_for(dataset, path_map=path_map)
    file = local_path(dataset_file(dataset), path_map)
    return _open_array(dataset, file, roots, dataset.signal.path, list(dataset.signal.axes))


class OutputFiles(dict):
    """Every output file of a derived dataset: ``{key: lazy DataArray}``, one per file.

    The key is the input dataset the file was made from (its ``/entry/input_pid``, as
    the processing steps write it), else the file's name. ``attrs`` say what was
    loaded: ``pid``, ``datasetName``, ``files_loaded``, ``files_total`` and
    ``skipped`` (``{file: why}`` for files without a readable signal); ``repr``
    starts with "N of M files loaded". :meth:`combined` gives one DataArray.

    >>> out = cat.open(derived_pid)                      # doctest: +SKIP
    >>> out                                              # doctest: +SKIP
    <OutputFiles 'good sweeps: Frame score' (20.500.12269/sel-1): 3 of 3 files loaded>
    >>> out.combined().mean("frame")                     # doctest: +SKIP
    """

    def __init__(self, arrays: dict[str, xr.DataArray], attrs: dict):
        super().__init__(arrays)
        self.attrs = attrs

    def __repr__(self) -> str:
        a = self.attrs
        head = (f"<OutputFiles {a['datasetName']!r} ({a['pid']}): "
                f"{a['files_loaded']} of {a['files_total']} files loaded>")
        lines = [head] + [f"  {key}: {value.name} {dict(value.sizes)} from {Path(value.attrs['file']).name}"
                          for key, value in self.items()]
        lines += [f"  not loaded: {Path(file).name}: {why}" for file, why in a["skipped"].items()]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def combined(self, dim: str = "input") -> xr.DataArray:
        """One DataArray: the files' signals stacked along ``dim`` (the keys as its
        coordinate; shorter signals padded with NaN). Reads every file's signal."""
        if not self:
            raise NoData(f"no output file of {self.attrs['pid']} could be loaded", code="no_data")
        import pandas as pd

        arrays = [value.load() for value in self.values()]
        out = xr.concat(arrays, dim=pd.Index(list(self), name=dim), join="outer", combine_attrs="drop")
        out.attrs.update(self.attrs, skipped=dict(self.attrs["skipped"]))
        return out


def output_paths(dataset: Dataset) -> list[str]:
    """The absolute paths of a dataset's files as recorded (relative to ``sourceFolder``)."""
    folder = dataset.sourceFolder or "/"
    return [f.path if posixpath.isabs(f.path) else posixpath.join(folder, f.path) for f in dataset.files]


def open_dataset(dataset: Dataset, *, path_map: dict[str, str] | None = None) -> xr.DataArray | OutputFiles:
    """What ``Catalogue.open`` returns: a derived dataset with more than one output file
    gives :class:`OutputFiles` (every file, lazily, and how many were loaded); any
    other dataset its signal, :func:`open_signal` (a derived one's ``attrs`` then
    also say ``files_loaded``/``files_total``, 1 of 1)."""
    files = output_paths(dataset) if dataset.type == "derived" else []
    if len(files) <= 1:
        array = open_signal(dataset, path_map=path_map)
        if dataset.type == "derived":
            array.attrs.update(files_loaded=1, files_total=max(1, len(files)))
        return array
    path_map = path_map if path_map is not None else path_map_from_env()
    roots = roots_for(dataset, path_map=path_map)
    signal_path = dataset.signal.path if dataset.signal is not None else None
    axes = list(dataset.signal.axes) if dataset.signal is not None else []
    arrays: dict[str, xr.DataArray] = {}
    skipped: dict[str, str] = {}
    for file in files:
        try:
            array = _open_array(dataset, local_path(file, path_map), roots, signal_path, axes)
        except NoData as exc:
            skipped[file] = exc.message
            continue
        key = array.attrs.get("input_pid") or posixpath.basename(file)
        if key in arrays:
            key = posixpath.basename(file)
        arrays[key] = array
    if not arrays:
        raise NoData(f"none of the {len(files)} files of {dataset.pid} could be loaded: "
                     + "; ".join(f"{posixpath.basename(f)}: {why}" for f, why in list(skipped.items())[:3]),
                     code="no_data")
    return OutputFiles(arrays, {"pid": dataset.pid, "datasetName": dataset.datasetName,
                                "files_loaded": len(arrays), "files_total": len(files), "skipped": skipped})
