"""Which files a dataset's data may be read from: the one confinement rule.

Previews, the notebook client's ``open`` and the registration of a job's outputs read
HDF5 files named by the catalogue; the folders holding them are not always the
facility's own. A fog-filter job writes its outputs *as the user*, into a folder the
user controls, so a file there may be a symbolic link, or an HDF5 file whose data is an
external link, a virtual dataset or external raw storage pointing at another
proposal's file. Reading through any of those would show one proposal's data under
another's dataset. Every reader goes through :class:`DataRoots`:

- **The roots a dataset's access allows** (:func:`roots_for`), from its catalogue
  record (written only by the operator: ingestion or job registration), never from
  its files:

  - a derived dataset: its own job's outputs folder, ``WORK_ROOT/<owner>/<selection>/outputs``
    (its ``sourceFolder``). The work root is the operator's and its real path is taken;
    the three user-owned components below it are taken as written, so a symbolic link
    anywhere in them (the outputs folder or the selection folder replaced by a link)
    leads outside. These roots are *writable* by the user, so they are stricter: no
    hard-linked files, no virtual datasets or external raw storage in other files
    (HDF5 opens those by name while reading: a swap could not be caught);
  - any other dataset: its proposal's data folder when the caller knows it, else its
    ``sourceFolder`` (where ingestion found it), real path taken (facility storage).

- **Files** are accepted when their real path (every symbolic link resolved, files and
  folders, at every component) lies inside a root. After HDF5 has opened a file, the
  kernel is asked which file the descriptor really is (``/proc/self/fd``) and that is
  checked again, so a file swapped for a link between the check and the open is caught
  (time of check, time of use); so is every object read (:meth:`DataRoots.check_node`),
  whichever file HDF5 followed a link into.
- **Links inside files**: before anything is read, every external link of the file
  (and of the files they lead to) must lead inside a root; soft links stay within their
  file, so they are safe once the external links are. Virtual datasets and external
  raw storage are checked on the dataset read, before its data is. A link or virtual
  source whose file is missing inside the roots is an error at once: HDF5 would go on
  to look for it in the reader's working directory.

Whatever leads outside raises :class:`OutsideRoots` with ONE message (:data:`OUTSIDE`),
the same whether the target exists, is HDF5 or not, decided before the target is
touched: the error tells nothing about the rest of the host.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import h5py

from .nexus.hdf import UnreadableFile, describe_h5_error, open_h5, stat_file

OUTSIDE = ("this dataset's data cannot be read: its file, or a link in it, leads outside "
           "the dataset's own data")
"""The one message of :class:`OutsideRoots` (never a path, never why)."""

MAX_LINKED_FILES = 1024
"""Files reached through external links checked per file opened (then: unreadable)."""

JOB_LAYOUT_DEPTH = 3
"""Components of a job's outputs folder below the work root: <owner>/<selection>/outputs."""


class OutsideRoots(UnreadableFile):
    """A file, or a link in one, leads outside the roots the dataset's access allows.
    Always the same message (:data:`OUTSIDE`)."""

    def __init__(self, message: str = OUTSIDE, **_: Any):
        super().__init__(OUTSIDE)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _trusted_join(folder: str, depth: int) -> str:
    """``folder`` with the real path of all but its last ``depth`` components (the
    operator's part) and those components as written (the user's part)."""
    normal = posixpath.normpath(folder)
    parts = [p for p in normal.split("/") if p]
    keep = min(depth, len(parts))
    trusted = "/" + "/".join(parts[: len(parts) - keep])
    return posixpath.join(os.path.realpath(trusted), *parts[len(parts) - keep:])


@dataclass(frozen=True)
class DataRoots:
    """The folders a dataset's data may be read from (real, absolute paths).

    ``writable``: the user can write there (a job's outputs): hard-linked files, and
    virtual datasets or external raw storage in other files, are refused.
    """

    roots: tuple[str, ...]
    writable: bool = False

    # -- paths ----------------------------------------------------------------------
    def contains(self, real: str) -> bool:
        return any(_inside(real, root) for root in self.roots)

    def resolve(self, path: str | os.PathLike) -> str:
        """The real path of ``path`` if it lies inside a root, else :class:`OutsideRoots`."""
        path = os.fspath(path)
        if not path or "\x00" in path or not posixpath.isabs(path):
            raise OutsideRoots()
        real = os.path.realpath(posixpath.normpath(path))
        if not self.contains(real):
            raise OutsideRoots()
        return real

    # -- opened files ----------------------------------------------------------------
    def check_file(self, file_id) -> None:
        """The file HDF5 has open (an h5py FileID) is really inside a root."""
        try:
            fd = file_id.get_vfd_handle()
            info = os.fstat(fd)
        except (OSError, RuntimeError, ValueError, TypeError):
            raise OutsideRoots() from None
        real = _descriptor_path(fd)
        if real is None:  # no /proc: the name HDF5 used must still be that very file
            try:
                name = file_id.name.decode() if isinstance(file_id.name, bytes) else file_id.name
                real = os.path.realpath(name)
                now = os.stat(real)
            except (OSError, AttributeError):
                raise OutsideRoots() from None
            if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
                raise OutsideRoots()
        if not self.contains(real) or not stat.S_ISREG(info.st_mode):
            raise OutsideRoots()
        if self.writable and info.st_nlink != 1:
            raise OutsideRoots()  # a hard link the user made to a file elsewhere

    def check_node(self, node: h5py.HLObject) -> None:
        """An object about to be read lies in a file inside a root, and a dataset's data
        (virtual sources, external raw storage) does too. Call before reading it."""
        try:
            file_id = h5py.h5i.get_file_id(node.id)
        except (OSError, RuntimeError, ValueError):
            raise OutsideRoots() from None
        self.check_file(file_id)
        if not isinstance(node, h5py.Dataset):
            return
        try:
            plist = node.id.get_create_plist()
            virtual = plist.get_layout() == h5py.h5d.VIRTUAL
            external = [plist.get_external(i)[0] for i in range(plist.get_external_count())]
            sources = [s.file_name for s in node.virtual_sources()] if virtual else []
        except (OSError, RuntimeError, ValueError, KeyError):
            raise OutsideRoots() from None
        here = _descriptor_path(file_id.get_vfd_handle()) or os.path.realpath(node.file.filename)
        for name in sources:
            if name == ".":
                continue
            if self.writable:
                raise OutsideRoots()
            if not os.path.isfile(self.resolve(_beside(here, name))):  # HDF5 would try its working directory
                raise UnreadableFile(f"{here}: {node.name}: virtual dataset source file {name} is missing")
        for raw in external:
            if self.writable:
                raise OutsideRoots()
            name = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else str(raw)
            # HDF5 takes relative names from the working directory (no efile prefix is set)
            self.resolve(name if posixpath.isabs(name) else posixpath.join(os.getcwd(), name))

    def check_links(self, f: h5py.File) -> None:
        """Every external link in ``f``, and in the files those lead to, leads inside a
        root (decided from the names before any target is opened)."""
        first = _descriptor_path(f.id.get_vfd_handle()) or os.path.realpath(f.filename)
        seen = {first}
        pending: list[tuple[str, h5py.File]] = [(first, f)]
        try:
            while pending:
                here, handle = pending.pop()
                try:
                    for target in _external_targets(handle):
                        real = self.resolve(_beside(here, target))
                        if real in seen:
                            continue
                        if not os.path.isfile(real):  # else HDF5 would go on to look in its working directory
                            raise UnreadableFile(f"{here}: its data is in an external file that is missing "
                                                 f"(dangling link to {target})")
                        if len(seen) >= MAX_LINKED_FILES:
                            raise UnreadableFile(f"more than {MAX_LINKED_FILES} linked files")
                        seen.add(real)
                        try:
                            linked = h5py.File(real, "r", locking=False)
                        except OSError:
                            continue  # not HDF5 or unreadable: following the link fails the same way
                        pending.append((real, linked))
                        self.check_file(linked.id)
                finally:
                    if handle is not f:
                        handle.close()
        finally:
            for _, handle in pending:
                if handle is not f:
                    handle.close()

    def open(self, path: str | os.PathLike) -> h5py.File:
        """Open ``path`` read-only if it, and every external link in it, stays inside
        the roots; else :class:`OutsideRoots` (other failures: :class:`UnreadableFile`)."""
        real = self.resolve(path)
        info = stat_file(real, shown=path)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFile(f"{path}: is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise OutsideRoots()  # a device or a pipe: nothing a dataset's data is
        f = open_h5(real, shown=path)
        try:
            self.check_file(f.id)
            self.check_links(f)
        except (OSError, RuntimeError, KeyError) as exc:
            f.close()
            raise UnreadableFile(f"{path}: {describe_h5_error(exc)}") from None
        except BaseException:
            f.close()
            raise
        return f


# --- the roots of a dataset --------------------------------------------------------


def job_output_roots(folder: str | os.PathLike) -> DataRoots:
    """The roots of a job's outputs folder ``WORK_ROOT/<owner>/<selection>/outputs``:
    the work root's real path, the user's three components as written."""
    return DataRoots(_not_everything(_trusted_join(os.fspath(folder), JOB_LAYOUT_DEPTH)), writable=True)


def roots_for(dataset, *, proposal_path: str | None = None,
              path_map: Mapping[str, str] | None = None) -> DataRoots:
    """The roots a catalogue dataset's (or its document's) access allows, see the
    module's docstring. ``proposal_path``: its proposal's data folder, if known;
    ``path_map``: facility prefix -> where it is mounted here (the notebook client)."""
    doc = dataset if isinstance(dataset, Mapping) else dataset.model_dump()
    signal = doc.get("signal") or {}
    folder = doc.get("sourceFolder") or ""
    file = signal.get("file") or ""
    if not folder and posixpath.isabs(file):
        folder = posixpath.dirname(file)
    if not folder or not posixpath.isabs(folder):
        return DataRoots(())
    folder = local_path(folder, path_map)
    if doc.get("type") == "derived":
        return job_output_roots(folder)
    base = local_path(proposal_path, path_map) if proposal_path and posixpath.isabs(proposal_path) else folder
    return DataRoots(_not_everything(os.path.realpath(posixpath.normpath(base))))


def dataset_file(dataset) -> str:
    """The absolute path of a dataset's signal file as recorded (relative names are taken
    from its ``sourceFolder``), or ``""``."""
    doc = dataset if isinstance(dataset, Mapping) else dataset.model_dump()
    file = (doc.get("signal") or {}).get("file") or ""
    if file and not posixpath.isabs(file):
        file = posixpath.join(doc.get("sourceFolder") or "/", file)
    return file


def job_output(output_dir: str | os.PathLike, relative: str) -> str | None:
    """The real path of a job's output ``relative`` to its outputs folder if it may be
    registered: a regular file inside the folder, whose links stay inside (HDF5 files are
    opened and checked like a preview would); ``None`` if not."""
    if not relative or posixpath.isabs(relative) or "\x00" in relative:
        return None
    roots = job_output_roots(output_dir)
    try:
        real = roots.resolve(posixpath.join(os.fspath(output_dir), relative))
        if not os.path.isfile(real):
            return None
        try:
            f = roots.open(real)
        except OutsideRoots:
            raise
        except UnreadableFile:
            return real  # not HDF5 (or broken): no links to follow; previews say what it is
        with f:
            for node in _visit_datasets(f):
                roots.check_node(node)
    except (OSError, RuntimeError, KeyError):
        return real  # unlistable HDF5 metadata: previews check each object they read
    except OutsideRoots:
        return None
    return real


# --- helpers -----------------------------------------------------------------------


def _not_everything(root: str) -> tuple[str, ...]:
    """``(root,)``, or no root at all for ``/``: a record saying "the whole host" allows nothing."""
    return () if root == "/" else (root,)


def _descriptor_path(fd: int) -> str | None:
    """What the kernel says file descriptor ``fd`` is (a real path), if it can say."""
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
    return target if target.startswith("/") else None


def _beside(here: str, name: str) -> str:
    """Where HDF5 looks first for a file named ``name`` in the file ``here``."""
    return posixpath.normpath(name if posixpath.isabs(name) else posixpath.join(posixpath.dirname(here), name))


def _external_targets(f: h5py.File) -> Iterable[str]:
    links: list[tuple[bytes, int]] = []
    try:
        f.id.links.visit(lambda name, info: links.append((name, info.type)), info=True)
    except (OSError, RuntimeError, KeyError) as exc:
        raise UnreadableFile(f"{f.filename}: its links cannot be listed ({describe_h5_error(exc)})") from None
    for name, kind in links:
        if kind == h5py.h5l.TYPE_EXTERNAL:
            target, _ = f.id.links.get_val(name)
            yield target.decode("utf-8", "surrogateescape")
        elif kind not in (h5py.h5l.TYPE_HARD, h5py.h5l.TYPE_SOFT):
            raise OutsideRoots()  # a user-defined link: where it leads cannot be told


def _visit_datasets(f: h5py.File):
    names: list[bytes] = []
    h5py.h5o.visit(f.id, lambda name, info: names.append(name) if info.type == h5py.h5o.TYPE_DATASET
                   else None, info=True)
    for name in names:
        node = f.get(name.decode("utf-8", "surrogateescape"))
        if isinstance(node, h5py.Dataset):
            yield node


def local_path(path: str, path_map: Mapping[str, str] | None) -> str:
    """``path`` with the longest matching prefix of ``path_map`` replaced (where a
    facility path is mounted here)."""
    for source in sorted(path_map or {}, key=len, reverse=True):
        if path == source or path.startswith(source.rstrip("/") + "/"):
            return path_map[source].rstrip("/") + path[len(source.rstrip("/")):]
    return path
