"""``notebook``: a user's or staff's notebook run over each selected dataset (papermill).

The software users bring, run as a fog-filter job: for each dataset of the selection
papermill executes the notebook (``notebook``: an absolute path to an ``.ipynb`` the job
can read; under Slurm the job runs as the selection's owner, so it reads what the owner
may read) with these parameters injected after the notebook's cell tagged
``parameters``:

- ``input_pid``, ``input_name``, ``input_file``, ``input_path``: the dataset, its
  NeXus/HDF5 file and the HDF5 path of its signal;
- ``output_file``: where the notebook writes its result, a NeXus/HDF5 file whose
  default plot (the ``default`` attributes to an NXdata with ``@signal``) becomes the
  derived dataset's signal;
- and the selection's ``parameters`` (names must be Python identifiers).

The kernel reads compressed detector data without importing ``hdf5plugin`` (its filters
are on ``HDF5_PLUGIN_PATH``). The executed notebook is kept beside the result (``..._executed.ipynb``); a cell that
raises fails that dataset with papermill's message, and the executed notebook shows
where. ``cell_timeout`` bounds each cell.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..spec import JobInput, OutputFile
from .base import Step
from .io import output_name

RESERVED = ("input_pid", "input_name", "input_file", "input_path", "output_file")


class NotebookParameters(BaseModel):
    """Parameters of ``notebook``."""

    model_config = ConfigDict(extra="forbid", title="notebook parameters")

    notebook: Annotated[str, Field(min_length=1, max_length=4096)] = Field(
        description="Absolute path of the notebook (.ipynb) to run for each dataset.")
    parameters: dict[str, Any] = Field(
        {}, description="Values given to the notebook's 'parameters' cell (names are Python identifiers).")
    kernel: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._-]+$")] = Field(
        "python3", description="Jupyter kernel to run it with.")
    cell_timeout: Annotated[int, Field(ge=1, le=86_400)] = Field(
        600, description="Seconds one cell may run before the dataset fails.")

    @field_validator("notebook")
    @classmethod
    def _notebook_path(cls, value: str) -> str:
        if not os.path.isabs(value) or not value.endswith(".ipynb") or "\x00" in value:
            raise ValueError("give the absolute path of a .ipynb notebook")
        return value

    @field_validator("parameters")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 100:
            raise ValueError("at most 100 parameters")
        for name in value:
            if not name.isidentifier() or name in RESERVED:
                raise ValueError(f"{name!r} cannot be a parameter name (a Python identifier, not one of "
                                 f"{', '.join(RESERVED)})")
        return value


def result_signal(path: Path):
    """The default plottable signal of the notebook's result file (or ValueError)."""
    from beamhub.catalogue.nexus.hdf import open_h5
    from beamhub.catalogue.nexus.read import entry_names
    from beamhub.catalogue.nexus.signal import file_signal

    if not path.is_file():
        raise ValueError("the notebook wrote no output_file")
    with open_h5(str(path)) as f:
        signal = file_signal(f, entry_names(f))
    if signal is None:
        raise ValueError("the notebook's output_file has no default plot (an NXdata with @signal, reached "
                         "by the 'default' attributes)")
    return signal


def process(item: JobInput, params: NotebookParameters, output_dir: Path, index: int) -> OutputFile:
    import papermill

    if not os.access(params.notebook, os.R_OK):
        raise ValueError(f"the notebook {params.notebook} cannot be read by this job")
    relative = output_name(index, item, "notebook.nxs")
    executed = output_name(index, item, "executed.ipynb")
    import hdf5plugin

    # Kernels' connection files: in the job's own folder, whatever the user's home holds.
    os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(output_dir.parent / ".jupyter-runtime"))
    # Detector data's compression filters (bitshuffle, LZ4, ...) for the notebook's h5py too.
    os.environ.setdefault("HDF5_PLUGIN_PATH", hdf5plugin.PLUGIN_PATH)
    injected = {**params.parameters, "input_pid": item.pid, "input_name": item.name, "input_file": item.file,
                "input_path": item.path, "output_file": str(output_dir / relative)}
    try:
        papermill.execute_notebook(params.notebook, str(output_dir / executed), parameters=injected,
                                   kernel_name=params.kernel, cwd=str(output_dir), progress_bar=False,
                                   execution_timeout=params.cell_timeout, log_output=False)
    except papermill.PapermillExecutionError as exc:
        raise ValueError(f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue} (see {executed})") from None
    signal = result_signal(output_dir / relative)
    return OutputFile(path=relative, input_pid=item.pid, signal=signal.path, shape=list(signal.shape),
                      dtype=signal.dtype, axes=[a for a in signal.axes if a],
                      summary={"notebook": os.path.basename(params.notebook), "executed_notebook": executed})


STEP = Step(
    name="notebook",
    title="Notebook",
    description="Runs your (or your facility's) notebook once per dataset with papermill, giving it the "
                "dataset's file and signal and where to write its NeXus result; the executed notebooks are kept.",
    techniques=(),
    parameters=NotebookParameters,
    process=process,
    dimensions=(1, 2, 3, 4),
    needs="datasets with data",
)
