"""A fog-filter processing step: what it declares (techniques, data shapes, parameters)
and how it checks datasets before submission. Each step module makes one ``STEP``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from beamhub.catalogue.errors import InvalidInput
from beamhub.catalogue.model import Dataset, error_list

from ..spec import JobInput, OutputFile


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    description: str
    techniques: tuple[str, ...]
    """Techniques (the catalogue's names, e.g. "SAXS") whose datasets it accepts; () = any."""
    parameters: type[BaseModel]
    process: Callable[[JobInput, BaseModel, Path, int], OutputFile]
    """``process(input, parameters, output_dir, index)`` writes one output file."""
    dimensions: tuple[int, ...] = (1, 2, 3, 4)
    """Signal dimensions it accepts (1: a curve, 2: an image, 3: a stack of images)."""
    needs: str = ""
    """What it needs in words, for the refusal ("2-D images or 3-D stacks of frames")."""

    def accepts(self) -> str:
        """What this step takes, in one sentence for people."""
        needs = self.needs or _dimensions(self.dimensions)
        if not self.techniques:
            return f"{self.title} takes {needs} of any technique"
        *first, last = self.techniques
        kinds = f"{', '.join(first)} or {last}" if first else last
        return f"{self.title} takes {needs} from {kinds}"

    def refusal(self, dataset: Dataset) -> str | None:
        """Why this step cannot process ``dataset`` (None when it can)."""
        names = [t.name for t in dataset.techniques]
        if self.techniques and not set(names) & set(self.techniques):
            shown = ", ".join(names) if names else "no technique recorded"
            return f"{dataset.datasetName} ({dataset.pid}) is {shown}"
        if dataset.signal is not None and len(dataset.signal.shape) not in self.dimensions:
            shape = " x ".join(map(str, dataset.signal.shape)) or "a scalar"
            return f"{dataset.datasetName} ({dataset.pid}) has a {len(dataset.signal.shape)}-D signal ({shape})"
        return None

    def check_inputs(self, datasets: Sequence[Dataset]) -> None:
        """``InvalidInput`` naming every dataset this step cannot process, before submission."""
        refused = [(d.pid, why) for d in datasets if (why := self.refusal(d)) is not None]
        if refused:
            shown = "; ".join(why for _, why in refused[:5])
            more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
            raise InvalidInput(f"{self.accepts()}: {shown}{more}. Remove them from the selection or choose "
                               f"another step.", details={"pids": [pid for pid, _ in refused]})

    def check_signal(self, ndim: int, shape: Sequence[int]) -> None:
        """The job's own check on the file (the catalogue's record may be stale)."""
        if ndim not in self.dimensions:
            raise ValueError(f"{self.accepts()}; this signal is {ndim}-D "
                             f"({' x '.join(map(str, shape)) or 'a scalar'})")

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


def _dimensions(dimensions: Sequence[int]) -> str:
    words = {1: "1-D curves", 2: "2-D images", 3: "3-D stacks", 4: "4-D arrays"}
    return " or ".join(words.get(n, f"{n}-D arrays") for n in dimensions)
