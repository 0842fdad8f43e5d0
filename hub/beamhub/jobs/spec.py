"""What a job is given (``job.json``) and what it leaves behind (``manifest.json``).

The service writes the spec: the inputs' files are resolved from the catalogue on the
service's side, so a job reads exactly the data of the selection and nothing a user
typed. The manifest is written by the job, which runs as the user: the service treats
it as untrusted input (validated, output paths kept inside the job's output folder,
input pids kept to the selection's).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from beamhub.catalogue.model import Pid, UtcDatetime

SPEC_FILE = "job.json"
MANIFEST_FILE = "manifest.json"
LOG_FILE = "job.log"
OUTPUT_DIR = "outputs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobInput(_Strict):
    """One selected dataset, with the data file and the HDF5 path of its signal."""

    pid: Pid
    name: str
    file: str = Field(description="Absolute path of the HDF5/NeXus file holding the signal.")
    path: str = Field(description="HDF5 path of the signal dataset inside the file.")


class JobSpec(_Strict):
    selection_id: str
    selection_name: str
    owner: str
    step: str
    parameters: dict[str, Any]
    inputs: list[JobInput]
    created: UtcDatetime


class OutputFile(_Strict):
    """One file a step wrote for one input: its signal and what was measured."""

    path: Annotated[str, Field(max_length=4096)] = Field(description="Relative to the outputs folder.")
    input_pid: Pid
    signal: Annotated[str, Field(max_length=1024)]
    shape: list[Annotated[int, Field(ge=0)]]
    dtype: Annotated[str, Field(max_length=64)]
    axes: list[Annotated[str, Field(max_length=1024)]] = []
    summary: dict[str, float | int | str | bool] = {}


class InputFailure(_Strict):
    pid: Pid
    message: Annotated[str, Field(max_length=2000)]


class Manifest(_Strict):
    """The job's own report, written last (its presence means the step finished)."""

    status: Literal["ok", "failed"]
    message: Annotated[str, Field(max_length=10_000)] = ""
    step: str
    outputs: list[OutputFile] = []
    failures: list[InputFailure] = []
    finished: UtcDatetime


def write_json_atomically(path: Path, body: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(body)
    os.replace(partial, path)


def read_manifest(job_dir: Path) -> Manifest | None:
    """The manifest if the job wrote a valid one, else None."""
    try:
        raw = (job_dir / MANIFEST_FILE).read_text()
    except OSError:
        return None
    try:
        return Manifest.model_validate(json.loads(raw))
    except ValueError:
        return None
