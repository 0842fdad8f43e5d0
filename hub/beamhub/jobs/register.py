"""A finished job's outputs -> derived datasets (pure functions).

Everything that decides who may see a derived dataset comes from the catalogue's input
datasets, never from the job's manifest (the job ran as the user and could have
written anything there):

- one derived dataset per group of inputs sharing their access (owner group, access
  groups, beamline, proposal), so a selection spanning two proposals never shows one
  proposal's results to the other's members; a one-proposal selection gives one;
- ``inputDatasets``: the selected pids of that group, in selection order;
- ``jobParameters``: the step's parameters as the job used them (defaults filled in);
- pids ``<prefix>/<selection id>-<n>``: registering again (a retry) is idempotent.

They are SciCat derived datasets: ``type: derived``, ``inputDatasets`` (the lineage
SciCat's UI shows), ``usedSoftware`` (beamhub and the step), ``jobParameters``,
``owner`` (the selection's owner) and SciCat's other required fields; a MongoDB store
that is SciCat's database stores them as SciCat stores derived datasets
(``catalogue/stores/mongo/scicat.py``: contact and principal investigators from the
inputs). Values copied from the input datasets are taken as the catalogue holds them
(SciCat allows group and beamline names beamhub's input rules would refuse); what
comes from the job is validated as input.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beamhub.catalogue.files import job_output
from beamhub import __version__
from beamhub.catalogue.model import STORED, Dataset, Selection, SignalInfo

from .spec import Manifest, OutputFile


def signal_file(dataset: Dataset) -> Path | None:
    """The absolute path of a dataset's signal file (relative names are taken from its
    ``sourceFolder``)."""
    if dataset.signal is None:
        return None
    path = Path(dataset.signal.file)
    return path if path.is_absolute() else Path(dataset.sourceFolder or "/") / path


def _access_key(dataset: Dataset) -> tuple:
    return (dataset.ownerGroup, tuple(sorted(dataset.accessGroups)), dataset.creationLocation,
            tuple(dataset.proposals))


FROM_THE_CATALOGUE = {"ownerGroup": "g", "accessGroups": [], "proposalId": None, "creationLocation": "b",
                      "inputDatasets": []}
"""Fields copied from the input datasets, and a value of each that passes input rules."""


def _validated(fields: dict) -> Dataset:
    """The derived dataset: the job's parts validated as input, the parts copied from the
    catalogue (:data:`FROM_THE_CATALOGUE`) as the catalogue holds them."""
    Dataset.parse({**fields, **FROM_THE_CATALOGUE})  # InvalidInput for anything wrong from the job
    return Dataset.model_validate(fields, context=STORED)


def _inside(output_dir: Path, relative: str) -> Path | None:
    # the folder is the user's: links must not lead out of it (the previews' own rule)
    real = job_output(output_dir, relative)
    return Path(real) if real is not None else None


def derived_datasets(*, selection: Selection, inputs: Sequence[Dataset], manifest: Manifest,
                     output_dir: Path, parameters: dict[str, Any], step_title: str, pid_prefix: str,
                     ) -> list[Dataset]:
    """The derived datasets to register for a successful job."""
    by_pid = {d.pid: d for d in inputs}
    outputs: dict[str, list[tuple[OutputFile, Path]]] = {}
    for output in manifest.outputs:
        path = _inside(output_dir, output.path)
        if output.input_pid in by_pid and path is not None:
            outputs.setdefault(output.input_pid, []).append((output, path))
    groups: dict[tuple, list[Dataset]] = {}
    for pid in selection.datasets:
        if pid in by_pid and pid in outputs:
            groups.setdefault(_access_key(by_pid[pid]), []).append(by_pid[pid])
    derived = []
    for number, members in enumerate(groups.values(), start=1):
        first = members[0]
        files = [(o, p) for d in members for o, p in outputs[d.pid]]
        techniques = list(dict.fromkeys(t.name for d in members for t in d.techniques))
        head, head_path = files[0]
        derived.append(_validated({
            "pid": f"{pid_prefix}/{selection.id}-{number}",
            "datasetName": f"{selection.name}: {step_title}"[:500],
            "description": f"{step_title} of {len(members)} dataset(s) selected in '{selection.name}' "
                           f"by {selection.owner}"[:10_000],
            "type": "derived",
            "owner": selection.owner,
            "ownerGroup": first.ownerGroup,
            "accessGroups": list(first.accessGroups),
            "proposalId": next(iter(first.proposals), None),
            "creationLocation": first.creationLocation,
            "techniques": techniques,
            "creationTime": manifest.finished,
            "sourceFolder": str(output_dir),
            "size": sum(p.stat().st_size for _, p in files),
            "numberOfFiles": len(files),
            "keywords": ["fog-filter", manifest.step],
            "scientificMetadata": {
                "processing_step": {"value": manifest.step, "unit": ""},
                "selection_id": {"value": selection.id, "unit": ""},
                **_summary(o for o, _ in files),
            },
            "inputDatasets": [d.pid for d in members],
            "jobParameters": parameters,
            "usedSoftware": [f"beamhub {__version__}: fog-filter step {manifest.step} ({step_title})"],
            "files": [{"path": o.path, "size": p.stat().st_size} for o, p in files],
            "signal": SignalInfo(file=str(head_path), path=head.signal, shape=head.shape, dtype=head.dtype,
                                 axes=head.axes, entry="/entry"),
        }))
    return derived


def _summary(outputs) -> dict[str, dict]:
    """Numeric summaries averaged over the group's outputs (one output: as is)."""
    values: dict[str, list[float]] = {}
    for output in outputs:
        for name, value in output.summary.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values.setdefault(name, []).append(float(value))
    out = {}
    for name, numbers in values.items():
        key = name if len(numbers) == 1 else f"mean_{name}" if not name.startswith("mean_") else name
        mean = sum(numbers) / len(numbers)
        out[key[:128]] = {"value": round(mean, 6), "unit": ""}
    return out
