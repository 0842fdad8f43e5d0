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

from beamhub.catalogue.files import DataRoots, OutsideRoots, dataset_file, local_path, roots_for
from beamhub.catalogue.nexus.hdf import UnreadableFile
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


def open_signal(dataset: Dataset, *, path_map: dict[str, str] | None = None) -> xr.DataArray:
    """The default plottable signal of ``dataset`` as a lazy DataArray.

    Coordinates are the NeXus axes whose length matches their dimension; ``attrs``
    carry the pid, the file and the HDF5 path, and ``units``/``long_name`` if the file
    has them.
    """
    if dataset.signal is None:
        raise NoData(f"dataset {dataset.pid} has no signal to open", code="no_data")
    path_map = path_map if path_map is not None else path_map_from_env()
    roots = roots_for(dataset, path_map=path_map)
    file = local_path(dataset_file(dataset), path_map)
    try:
        file = roots.resolve(file)
    except OutsideRoots as exc:
        raise NoData(exc.message, code="no_data") from None
    if not Path(file).is_file():
        raise NoData(f"{file} is not readable here (is the proposal's data mounted? see path_map)", code="no_data")
    manager = CachingFileManager(_open_h5, file, kwargs={"roots": roots})
    with HDF5_LOCK:
        handle = manager.acquire()
        if dataset.signal.path not in handle:
            raise NoData(f"{dataset.signal.path} is missing in {file}", code="no_data")
        node = _checked(roots, handle[dataset.signal.path])
        shape, dtype = tuple(node.shape), node.dtype
        attrs = _attrs(node)
        dims = _dimension_names(list(dataset.signal.axes), len(shape))
        coords = {}
        for index, axis in enumerate(dataset.signal.axes[: len(shape)]):
            if not axis or axis not in handle:
                continue
            values = _checked(roots, handle[axis])
            if values.ndim == 1 and values.shape[0] == shape[index] and values.size <= MAX_AXIS_VALUES:
                coords[dims[index]] = xr.Variable(dims[index], values[()], attrs=_attrs(values))
    data = indexing.LazilyIndexedArray(H5Array(manager, dataset.signal.path, shape, dtype, roots=roots))
    name = dataset.signal.path.rstrip("/").rsplit("/", 1)[-1] or "signal"
    attrs.update(pid=dataset.pid, file=file, path=dataset.signal.path, datasetName=dataset.datasetName)
    return xr.DataArray(xr.Variable(dims, data, attrs=attrs), coords=coords, name=name)
