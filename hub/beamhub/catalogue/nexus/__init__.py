"""Reading NeXus and plain HDF5 files, for ingestion, previews and features.

- :mod:`.hdf`: opening files safely (dangling links, truncated files, not HDF5 at all
  become :class:`~.hdf.UnreadableFile` with a clear message), small values, units;
- :mod:`.read`: one file's entries into records (title, times, techniques, beamline,
  sample, signal, scientific metadata), never reading detector data;
- :mod:`.signal`: an entry's default plottable signal;
- :mod:`.metadata`: scientific metadata and units from an entry;
- :mod:`.techniques`: NeXus application definitions to techniques.
"""

from .hdf import UnreadableFile, open_h5
from .read import EntryRecord, FileRecord, read_file
from .signal import Signal, find_signal

__all__ = ["UnreadableFile", "open_h5", "EntryRecord", "FileRecord", "read_file", "Signal", "find_signal"]
