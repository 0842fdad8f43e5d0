"""The processing steps a selection can be submitted to.

A step is a :class:`Step`: a name, a title and description for people, the
techniques and signal dimensions it accepts, a pydantic model of its parameters (its
JSON Schema is published by ``GET /processing`` and used to validate a selection's
parameters before a job is submitted) and a function that processes one input dataset
into one output file.

What a step accepts is checked against the catalogue's record of each selected dataset
(its techniques and its signal's shape) when the selection is submitted, before any job
starts (:meth:`Step.check_inputs`); the job checks the shape again on the file itself.

The steps: ``frame-score`` (quality of each frame of MX/SAXS/tomography stacks),
``azimuthal-integration`` (pyFAI: I(q) of SAXS/WAXS/powder frames),
``xas-normalisation`` (edge step normalisation of XAS spectra), ``tomo-reconstruction``
(flat-field correction and filtered back-projection of an NXtomo scan, scikit-image)
and ``notebook`` (a user's or staff's notebook run over each dataset with papermill).
"""

from __future__ import annotations

from beamhub.catalogue.errors import InvalidInput

from .base import Step

__all__ = ["STEPS", "Step", "get_step"]


def _registry() -> dict[str, Step]:
    from .azimuthal import STEP as azimuthal
    from .frame_score import STEP as frame_score
    from .notebook import STEP as notebook
    from .tomo import STEP as tomo
    from .xas import STEP as xas

    return {step.name: step for step in (frame_score, azimuthal, xas, tomo, notebook)}


STEPS: dict[str, Step] = _registry()


def get_step(name: str) -> Step:
    """The step called ``name``; ``InvalidInput`` listing the known ones otherwise."""
    try:
        return STEPS[name]
    except KeyError:
        raise InvalidInput(f"unknown processing step {name!r}: choose one of {', '.join(sorted(STEPS))}") from None
