"""Which files an ingestion run looks at.

Files named on the command line are always read. Directories are walked (sorted,
hidden entries and symbolic links to directories skipped) and their files are read
when their name looks like HDF5/NeXus (:data:`HDF5_SUFFIXES`) and matches no exclude
pattern; other files are reported as skipped. :data:`DEFAULT_EXCLUDES` skips the
per-frame data files detectors write beside a master file (the master's links make
them part of its dataset).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HDF5_SUFFIXES = (".nxs", ".nx5", ".nx", ".h5", ".hdf5", ".hdf", ".he5", ".cxi")
DEFAULT_EXCLUDES = ("*_data_[0-9][0-9][0-9][0-9][0-9][0-9].h5", "*_[0-9][0-9][0-9][0-9][0-9][0-9].h5")
"""Eiger (``NAME_data_000001.h5``) and Diamond (``NAME_000001.h5``) frame files."""


@dataclass(frozen=True)
class Candidate:
    """A file to read, with the root its mapping path is relative to."""

    path: Path
    root: Path


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def walk(paths: Iterable[str | os.PathLike], root: Path | None = None,
         exclude: Sequence[str] = DEFAULT_EXCLUDES) -> Iterator[Candidate | Skipped]:
    """Candidates and skipped files under ``paths``, in a stable order.

    ``root`` (if given) is every candidate's root; otherwise a directory argument is
    the root of the files below it and a file argument's root is its directory.
    A path that does not exist is yielded as skipped.
    """
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).absolute()
        if not path.exists():
            yield Skipped(path, "no such file or directory")
            continue
        path = path.resolve()
        if path.is_dir():
            base = root or path
            for file in _files_below(path):
                if file in seen:
                    continue
                seen.add(file)
                reason = _skip_reason(file, exclude)
                yield Skipped(file, reason) if reason else Candidate(file, base)
        elif path not in seen:
            seen.add(path)
            yield Candidate(path, root or path.parent)


def _files_below(directory: Path) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    subdirectories = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                subdirectories.append(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path).resolve()
        except OSError:
            continue
    for subdirectory in subdirectories:
        yield from _files_below(subdirectory)


def _skip_reason(file: Path, exclude: Sequence[str]) -> str | None:
    name = file.name
    if not name.lower().endswith(HDF5_SUFFIXES):
        return "not an HDF5/NeXus file name"
    pattern = next((p for p in exclude if fnmatch.fnmatch(name, p)), None)
    if pattern:
        return f"excluded by {pattern!r}"
    return None
