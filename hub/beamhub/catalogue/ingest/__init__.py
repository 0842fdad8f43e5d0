"""Ingestion: catalogue NeXus and plain HDF5 files.

>>> from beamhub.catalogue import open_store, Identity
>>> from beamhub.catalogue.ingest import ingest
>>> report = ingest(["/data/i03"], open_store(), Identity.for_operator(),
...                 mapping="/data/mapping.yaml")                       # doctest: +SKIP
>>> print(report.summary())                                             # doctest: +SKIP

**One dataset per NXentry.** A NeXus file with one NXentry gives one dataset; a
file with several gives one each (``datasetName`` "STEM ENTRY"). A plain HDF5 file
without NXentry groups gives one dataset for the whole file. The pid is derived
from the file's resolved path and the entry name (:func:`~.build.dataset_pid`), so
re-running is idempotent and a changed file (other size or modification time) is
re-read and its datasets updated; an unchanged one is not even re-read. Datasets of
entries that disappear from a rewritten file are not deleted.

Reading the files is :mod:`beamhub.catalogue.nexus` (shared with previews and features).
The modules here, one job each: :mod:`.walk` (which files), :mod:`.mapping` (the YAML mapping; its docstring
documents the format), :mod:`.proposals` (the proposals file), :mod:`.build`
(records -> datasets), :mod:`.report` (what happened), :mod:`.run` (the run).
``example-mapping.yaml`` here is a commented example mapping.
"""

from ..nexus import EntryRecord, FileRecord, Signal, UnreadableFile, find_signal, read_file
from .build import DEFAULT_PID_PREFIX, build_dataset, dataset_pid
from .mapping import Mapping, load_mapping, parse_mapping
from .proposals import ProposalsFile, UserIntent, load_proposals
from .report import FileReport, IngestReport
from .run import ingest, ingest_file

EXAMPLE_MAPPING = __path__[0] + "/example-mapping.yaml"

__all__ = [
    "DEFAULT_PID_PREFIX", "EXAMPLE_MAPPING", "EntryRecord", "FileRecord", "FileReport", "IngestReport",
    "Mapping", "ProposalsFile", "Signal", "UnreadableFile", "UserIntent", "build_dataset", "dataset_pid",
    "find_signal", "ingest", "ingest_file", "load_mapping", "load_proposals", "parse_mapping", "read_file",
]
