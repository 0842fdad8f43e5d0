"""One ingestion run: walk, compare with the catalogue, read, build, upsert in batches."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from tqdm import tqdm

from ..errors import CatalogueError, InvalidInput
from ..identity import Identity, check_name
from ..model import Dataset, check_pid
from ..store import Store, UpsertSummary
from .build import DEFAULT_PID_PREFIX, build_dataset, dataset_pid, template_variables
from ..nexus.hdf import UnreadableFile, open_h5
from .mapping import Mapping, load_mapping
from ..nexus.read import FileStat, entry_names, read_open_file
from .proposals import ProposalsFile, load_proposals
from .report import FileReport, IngestReport
from .walk import DEFAULT_EXCLUDES, Candidate, Skipped, walk

BATCH_SIZE = 200
"""Datasets written to the store per call."""


def ingest(paths: Iterable[str | os.PathLike], store: Store, identity: Identity,
           mapping: Mapping | str | os.PathLike | None = None, *,
           owner_group: str | None = None, root: str | os.PathLike | None = None,
           proposals: ProposalsFile | str | os.PathLike | None = None, force: bool = False,
           pid_prefix: str = DEFAULT_PID_PREFIX, exclude: Sequence[str] = (),
           default_beamline: str | None = None,
           progress: bool = False, batch_size: int = BATCH_SIZE) -> IngestReport:
    """Catalogue the NeXus/HDF5 files under ``paths``; return what happened per file.

    - ``mapping``: a :class:`~.mapping.Mapping` or the path of a mapping file.
    - ``owner_group``: the ``ownerGroup`` of every dataset (overrides the mapping).
    - ``default_beamline``: ``creationLocation`` where neither file nor mapping names
      one (else ``"unknown"``, with a warning).
    - ``root``: what the mapping's ``path`` is relative to (see :func:`~.walk.walk`).
    - ``proposals``: a proposals file (or its loaded form) upserted first.
    - ``force``: re-read files even when their size and time are as catalogued.
    - ``exclude``: more file-name globs to skip (besides the defaults and the mapping's).
    - ``progress``: show a progress bar on stderr.

    Per-file problems (unreadable files, missing fields) are recorded in the report and
    the run goes on; bad arguments, a bad mapping or an unreachable store raise
    before or while writing (:class:`~beamhub.catalogue.errors.CatalogueError`). A
    store that is SciCat's own database refuses before anything is read or written
    (:meth:`~beamhub.catalogue.store.Store.check_ingest`): SciCat's datasets are made by
    SciCat's ingestor.
    """
    started = time.perf_counter()
    store.check_ingest(identity)
    if owner_group is not None:
        check_name(owner_group, "owner group")
    if default_beamline is not None:
        check_name(default_beamline, "beamline")
    if not isinstance(pid_prefix, str) or not pid_prefix or len(pid_prefix) > 128:
        raise InvalidInput("a pid prefix is 1 to 128 characters, like 20.500.12269")
    check_pid(f"{pid_prefix}/x")
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if proposals is not None and not isinstance(proposals, ProposalsFile):
        proposals = load_proposals(proposals)
    report = IngestReport()
    if proposals is not None:
        report.proposals = store.upsert_proposals(identity, proposals.proposals)

    root_path = Path(root).resolve() if root else (mapping.root if mapping else None)
    excludes = tuple(DEFAULT_EXCLUDES) + tuple(mapping.exclude if mapping else ()) + tuple(exclude)
    found = list(walk(paths, root=root_path, exclude=excludes))
    pending: list[Dataset] = []
    summary = UpsertSummary()
    candidates = [c for c in found if isinstance(c, Candidate)]
    bar = tqdm(total=len(candidates), unit="file", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    try:
        for item in found:
            if isinstance(item, Skipped):
                report.files.append(FileReport(str(item.path), "skipped", message=item.reason))
                continue
            file_report, datasets = ingest_file(
                item, store, identity, mapping=mapping, owner_group=owner_group,
                pid_prefix=pid_prefix, force=force, default_beamline=default_beamline)
            report.files.append(file_report)
            pending.extend(datasets)
            if len(pending) >= batch_size:
                summary += store.upsert_datasets(identity, pending)
                pending = []
            bar.update(1)
        if pending:
            summary += store.upsert_datasets(identity, pending)
    finally:
        bar.close()
    report.datasets = summary
    report.seconds = time.perf_counter() - started
    return report


def ingest_file(candidate: Candidate, store: Store, identity: Identity, *, mapping: Mapping | None = None,
                owner_group: str | None = None, pid_prefix: str = DEFAULT_PID_PREFIX,
                force: bool = False, default_beamline: str | None = None) -> tuple[FileReport, list[Dataset]]:
    """Read one file and build its datasets, unless the catalogue already has them as
    they are. Never raises for a problem of the file: it is in the report."""
    path = candidate.path
    report = FileReport(str(path), "failed")
    captures: dict[str, str] = {}
    if mapping is not None:
        excluded = mapping.excluded(path.name)
        if excluded:
            return FileReport(str(path), "skipped", message=f"excluded by {excluded!r}"), []
        try:
            relative = path.relative_to(candidate.root).as_posix()
        except ValueError:
            report.message = f"not below the mapping's root {candidate.root}"
            return report, []
        found = mapping.match(relative)
        if found is None:
            report.message = f"{relative} does not match the mapping's path {mapping.path!r}"
            return report, []
        captures = found
    try:
        stat = FileStat.of(path)
        with open_h5(path) as f:
            names = entry_names(f)
            pids = [dataset_pid(path, name, pid_prefix) for name in names]
            existing = {d.pid: d for d in store.get_datasets(identity, pids)}
            if not force and len(existing) == len(pids) and _as_catalogued(existing.values(), {str(path): stat}):
                return FileReport(str(path), "unchanged", pids=pids), []
            record = read_open_file(f, path, stat, mapping.refs() if mapping else ())
    except UnreadableFile as exc:
        report.message = exc.message.removeprefix(f"{path}: ")
        return report, []
    except OSError as exc:
        report.message = f"cannot read: {exc.strerror or exc}"
        return report, []
    several = len(record.entries) > 1
    datasets = []
    warnings = list(record.warnings)
    try:
        for entry in record.entries:
            variables = template_variables(record, entry, candidate.root, captures)
            dataset, entry_warnings = build_dataset(
                record, entry, mapping=mapping, variables=variables, owner_group=owner_group,
                pid_prefix=pid_prefix, several_entries=several, default_beamline=default_beamline)
            datasets.append(dataset)
            warnings += entry.warnings + entry_warnings
    except CatalogueError as exc:
        report.message = exc.message.removeprefix(f"{path}: ").removeprefix(f"{path} ")
        return report, []
    report.status = "updated" if existing else "inserted"
    report.pids = [d.pid for d in datasets]
    report.warnings = warnings
    return report, datasets


def _as_catalogued(datasets, stats: dict[str, FileStat]) -> bool:
    """Whether every file of the catalogued datasets still has its recorded size and time.

    ``stats`` holds what is known already (the file being read) and collects the rest, so
    a file shared by several entries (the master, external data files) is stat'ed once.
    """
    for dataset in datasets:
        if not dataset.files:
            return False
        for data_file in dataset.files:
            current = stats.get(data_file.path)
            if current is None:
                try:
                    current = stats[data_file.path] = FileStat.of(data_file.path)
                except OSError:
                    return False
            if current.size != data_file.size or current.mtime != data_file.time:
                return False
    return True
