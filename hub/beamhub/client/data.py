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

>>> from beamhub.client import Catalogue
>>> cat = Catalogue()                                  # doctest: +SKIP
>>> frames = cat.open("20.500.12269/abc")              # doctest: +SKIP
>>> frames                                             # doctest: +SKIP
<xarray.DataArray 'data' (omega: 60, y: 256, x: 256)> ... [lazily indexed]
>>> frames.sel(omega=10, method="nearest").plot()      # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import xarray as xr
from xarray.backends import BackendArray, CachingFileManager
from xarray.backends.locks import HDF5_LOCK
from xarray.core import indexing

from beamhub.catalogue.model import Dataset

from .errors import ApiError

PATH_MAP_ENV = "BEAMHUB_DATA_PATH_MAP"
MAX_AXIS_VALUES = 10_000_000


class NoData(ApiError):
    """The dataset has no signal to open, or its file cannot be read here."""


def _open_h5(path: str):
    import h5py

    try:
        import hdf5plugin  # noqa: F401  (compression filters used by detector data)
    except ImportError:
        pass
    return h5py.File(path, "r", locking=False)


class H5Array(BackendArray):
    """One HDF5 dataset, read on demand (basic indexing; xarray does the rest)."""

    def __init__(self, manager: CachingFileManager, path: str, shape: tuple[int, ...], dtype: np.dtype,
                 lock: threading.Lock | None = None):
        self.manager = manager
        self.path = path
        self.shape = shape
        self.dtype = dtype
        self.lock = lock or HDF5_LOCK

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.BASIC, self._read)

    def _read(self, key: tuple) -> np.ndarray:
        with self.lock:
            handle = self.manager.acquire()
            return np.asarray(handle[self.path][key])


def path_map_from_env(environ: dict | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    out = {}
    for item in environ.get(PATH_MAP_ENV, "").split(";"):
        if "=" in item:
            source, target = item.split("=", 1)
            out[source.strip()] = target.strip()
    return out


def local_path(path: str, path_map: dict[str, str]) -> str:
    """``path`` with the longest matching prefix of ``path_map`` replaced."""
    for source in sorted(path_map, key=len, reverse=True):
        if path == source or path.startswith(source.rstrip("/") + "/"):
            return path_map[source].rstrip("/") + path[len(source.rstrip("/")):]
    return path


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


def open_signal(dataset: Dataset, *, path_map: dict[str, str] | None = None) -> xr.DataArray:
    """The default plottable signal of ``dataset`` as a lazy DataArray.

    Coordinates are the NeXus axes whose length matches their dimension; ``attrs``
    carry the pid, the file and the HDF5 path, and ``units``/``long_name`` if the file
    has them.
    """
    if dataset.signal is None:
        raise NoData(f"dataset {dataset.pid} has no signal to open", code="no_data")
    path_map = path_map if path_map is not None else path_map_from_env()
    file = local_path(dataset.signal.file, path_map)
    if not Path(file).is_file():
        raise NoData(f"{file} is not readable here (is the proposal's data mounted? see path_map)", code="no_data")
    manager = CachingFileManager(_open_h5, file)
    with HDF5_LOCK:
        handle = manager.acquire()
        if dataset.signal.path not in handle:
            raise NoData(f"{dataset.signal.path} is missing in {file}", code="no_data")
        node = handle[dataset.signal.path]
        shape, dtype = tuple(node.shape), node.dtype
        attrs = _attrs(node)
        dims = _dimension_names(list(dataset.signal.axes), len(shape))
        coords = {}
        for index, axis in enumerate(dataset.signal.axes[: len(shape)]):
            if not axis or axis not in handle:
                continue
            values = handle[axis]
            if values.ndim == 1 and values.shape[0] == shape[index] and values.size <= MAX_AXIS_VALUES:
                coords[dims[index]] = xr.Variable(dims[index], values[()], attrs=_attrs(values))
    data = indexing.LazilyIndexedArray(H5Array(manager, dataset.signal.path, shape, dtype))
    name = dataset.signal.path.rstrip("/").rsplit("/", 1)[-1] or "signal"
    attrs.update(pid=dataset.pid, file=file, path=dataset.signal.path, datasetName=dataset.datasetName)
    return xr.DataArray(xr.Variable(dims, data, attrs=attrs), coords=coords, name=name)
