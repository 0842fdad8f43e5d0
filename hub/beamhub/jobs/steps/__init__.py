"""The processing steps a selection can be submitted to.

A step is a :class:`Step`: a name, a title and description for people, the
techniques it suits, a pydantic model of its parameters (its JSON Schema is published
by ``GET /processing`` and used to validate a selection's parameters before a job is
submitted) and a function that processes one input dataset into one output file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from beamhub.catalogue.errors import InvalidInput
from beamhub.catalogue.model import error_list

from ..spec import JobInput, OutputFile


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    description: str
    techniques: tuple[str, ...]
    parameters: type[BaseModel]
    process: Callable[[JobInput, BaseModel, Path, int], OutputFile]
    """``process(input, parameters, output_dir, index)`` writes one output file."""

    def parameters_schema(self) -> dict:
        return self.parameters.model_json_schema()

    def check_parameters(self, parameters: dict) -> BaseModel:
        """Validate parameters; ``InvalidInput`` naming each bad field."""
        try:
            return self.parameters.model_validate(parameters)
        except ValidationError as exc:
            problems = error_list(exc)
            shown = "; ".join(f"{p['field'] or '(parameters)'}: {p['message']}" for p in problems[:5])
            raise InvalidInput(f"invalid parameters for {self.name}: {shown}", details=problems) from None


def _registry() -> dict[str, Step]:
    from .frame_score import STEP as frame_score

    return {step.name: step for step in (frame_score,)}


STEPS: dict[str, Step] = _registry()


def get_step(name: str) -> Step:
    """The step called ``name``; ``InvalidInput`` listing the known ones otherwise."""
    try:
        return STEPS[name]
    except KeyError:
        raise InvalidInput(f"unknown processing step {name!r}: choose one of {', '.join(sorted(STEPS))}") from None
