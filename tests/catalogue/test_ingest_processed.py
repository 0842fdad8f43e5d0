"""A NeXus file's processed entry (the demo's reduced I(q), NXcanSAS) is ingested as a
derived dataset made from the file's raw entry, not as raw data with no inputs (issue 15)."""

from __future__ import annotations

from beamhub.catalogue.ingest import build_dataset, dataset_pid, read_file
from beamhub.demo.data import write_demo_data


def test_the_reduced_entry_is_derived_from_the_raw_one(tmp_path):
    data = write_demo_data(tmp_path / "demo")
    saxs = [path for path in data.files if read_file(path).entries and
            any(e.definition == "NXcanSAS" for e in read_file(path).entries)]
    assert saxs, "the demo has SAXS files with a reduced entry"
    record = read_file(saxs[0])
    built = {entry.definition: build_dataset(record, entry, owner_group="p1", several_entries=True)[0]
             for entry in record.entries}
    raw = [e for e in record.entries if e.definition != "NXcanSAS"]
    assert built["NXcanSAS"].type == "derived"
    assert built["NXcanSAS"].inputDatasets == [dataset_pid(record.path, e.name) for e in raw]
    assert all(d.type == "raw" and not d.inputDatasets for k, d in built.items() if k != "NXcanSAS")
