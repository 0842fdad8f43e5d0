"""Beamline templates: the models and the pure rules (no store, no HTTP).

A template is a notebook beamline staff publish for a beamline, kept as a list of
**versions**: every publish, rollback and retirement appends one, so the history is
complete and says who did what when. Users are given the latest version unless it
retires the template. Facility-wide templates are the notebooks shipped in beamhub's
``notebooks/`` folder (:mod:`.shipped`); they have no versions in the store.

Which datasets a template is for: ``techniques`` (as the catalogue spells them,
compared case-insensitively) and ``accepts``, the dataset kinds it reads: ``raw``, or
``derived:<step>`` for the output of the fog-filter processing step ``<step>``
(``derived:frame-score``). :func:`dataset_kind` gives a dataset's kind and
:func:`pick` the template for a set of datasets; a template never opens data of a kind
it does not accept.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from beamhub.catalogue.errors import InvalidInput, NotFound, PermissionDenied
from beamhub.catalogue.identity import NAME_PATTERN, Identity

TEMPLATE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
"""A template's name within its beamline: lower-case letters, digits, '_' and '-'."""
KIND_PATTERN = r"^(raw|derived:[a-z0-9][a-z0-9_-]{0,63})$"
"""A dataset kind: ``raw`` or ``derived:<processing step>``."""
PARAMETERS_TAG = "parameters"
"""The cell papermill fills (and the extension replaces with the datasets' loading code)."""
LEGACY_TAG = "beamhub-datasets"
"""The tag templates used before ``parameters``; still recognised."""
MAX_NOTEBOOK_BYTES = 900 * 1024
"""Largest notebook (outputs cleared, as JSON) a template version may hold."""
FACILITY = "facility"
"""The ``beamline`` of the facility-wide (shipped) templates."""

BeamlineName = Annotated[str, Field(pattern=NAME_PATTERN.pattern)]
TemplateName = Annotated[str, Field(pattern=TEMPLATE_NAME_PATTERN)]
Kind = Annotated[str, Field(pattern=KIND_PATTERN)]
Technique = Annotated[str, Field(min_length=1, max_length=100)]


def _check_notebook(value: dict) -> dict:
    import nbformat  # here, not at import: it loads jsonschema, seconds that every store opening paid

    try:
        node = nbformat.from_dict(copy.deepcopy(value))
        if node.get("nbformat") != 4:
            raise ValueError("only nbformat 4 notebooks can be templates")
        nbformat.validate(node)
    except nbformat.ValidationError as exc:
        raise ValueError(f"not a valid notebook: {str(exc).splitlines()[0][:300]}") from None
    except (AttributeError, KeyError, TypeError) as exc:
        raise ValueError(f"not a valid notebook: {exc}") from None
    if len(json.dumps(value)) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES} bytes with outputs cleared")
    return value


Notebook = Annotated[dict[str, Any], AfterValidator(_check_notebook),
                     Field(description="A valid nbformat 4 notebook (JSON), at most "
                           f"{MAX_NOTEBOOK_BYTES} bytes with outputs cleared; outputs are cleared when published.")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplateDraft(_Model):
    """What a publisher gives: everything of a version but its number and the record."""

    beamline: BeamlineName
    name: TemplateName
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=4000)] = ""
    techniques: Annotated[list[Technique], Field(min_length=1, max_length=20)]
    accepts: Annotated[list[Kind], Field(min_length=1, max_length=20)] = ["raw"]
    change_note: Annotated[str, Field(min_length=1, max_length=2000)]
    notebook: Notebook
    retired: bool = False


class TemplateVersion(_Model):
    """One version of a template, as stored. ``notebook`` is left out of listings."""

    beamline: str
    name: str
    version: int
    title: str
    description: str = ""
    techniques: list[str]
    accepts: list[str]
    change_note: str
    retired: bool = False
    publishedBy: str
    publishedAt: datetime
    sha256: str = Field(description="SHA-256 of the notebook's canonical JSON: equal content, equal hash.")
    notebook: dict[str, Any] | None = None
    shipped: bool = Field(False, description="A facility-wide template shipped with beamhub (no versions).")

    @property
    def key(self) -> str:
        return f"{self.beamline}/{self.name}"

    def listing(self) -> "TemplateVersion":
        return self.model_copy(update={"notebook": None})


def clean_notebook(notebook: dict) -> dict:
    """The notebook with outputs and execution counts cleared (what is stored)."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    return notebook


def notebook_hash(notebook: dict) -> str:
    return hashlib.sha256(json.dumps(notebook, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def parse_draft(data: Any) -> TemplateDraft:
    try:
        return TemplateDraft.model_validate(data)
    except ValidationError as exc:
        from beamhub.catalogue.model import describe_errors, error_list

        raise InvalidInput(f"invalid template: {describe_errors(exc)}", details=error_list(exc)) from None


def new_version(draft: TemplateDraft, version: int, user: str, when: datetime) -> TemplateVersion:
    """The stored version for a draft (outputs cleared)."""
    notebook = clean_notebook(draft.notebook)
    return TemplateVersion(beamline=draft.beamline, name=draft.name, version=version, title=draft.title,
                           description=draft.description, techniques=list(draft.techniques),
                           accepts=list(dict.fromkeys(draft.accepts)), change_note=draft.change_note,
                           retired=draft.retired, publishedBy=user, publishedAt=when,
                           sha256=notebook_hash(notebook), notebook=notebook)


def draft_of(version: TemplateVersion, change_note: str, *, retired: bool = False) -> TemplateDraft:
    """A draft repeating ``version``'s content (rollback, retirement)."""
    return TemplateDraft(beamline=version.beamline, name=version.name, title=version.title,
                         description=version.description, techniques=version.techniques,
                         accepts=version.accepts, change_note=change_note, notebook=version.notebook or {},
                         retired=retired)


# -- who may do what ---------------------------------------------------------------
def check_publisher(identity: Identity, beamline: str) -> None:
    """Only staff of the beamline (and operators) publish, roll back and retire."""
    if beamline == FACILITY and not identity.operator:
        raise PermissionDenied("facility-wide templates are shipped with beamhub; publish for your beamline")
    if not identity.keeps(beamline):
        raise PermissionDenied(f"only staff of {beamline} publish templates for it"
                               + (f" (you are staff of {', '.join(sorted(identity.staff_of))})"
                                  if identity.staff_of else " (you are staff of no beamline)"))


def check_history_reader(identity: Identity, beamline: str) -> None:
    """History, diffs and retired templates: staff of the beamline and operators."""
    if not identity.keeps(beamline):
        raise PermissionDenied(f"only staff of {beamline} see the history of its templates")


def check_template_reader(identity: Identity, offered: frozenset[str] | None, beamline: str, name: str,
                          version: int | None) -> NotFound:
    """Who may read a template, decided before a store looks for it. A beamline not
    ``offered`` (:func:`visible_beamlines`) is answered as if it had no such template,
    so nobody learns which templates other beamlines keep; an older ``version`` is for
    the beamline's staff (:meth:`Identity.keeps`). Returns the NotFound a store raises
    when nothing is found, or when :func:`readable` says what it found is not for the
    caller."""
    missing = NotFound(f"no template {beamline}/{name}" + (f" version {version}" if version else ""))
    if offered is not None and beamline not in offered:
        raise missing
    if version is not None:
        check_history_reader(identity, beamline)
    return missing


def readable(identity: Identity, found: TemplateVersion, version: int | None) -> bool:
    """Whether a template a reader asked for by name (``version`` None: the latest) or
    by version is given: a retired template's latest version is only for the
    beamline's staff (:meth:`Identity.keeps`)."""
    return not (found.retired and version is None and not identity.keeps(found.beamline))


def listed(identity: Identity, version: TemplateVersion, include_retired: bool) -> bool:
    """Whether a template's latest version is in the caller's list: retired ones only
    for staff of the beamline (:meth:`Identity.keeps`), when asked."""
    return not version.retired or (include_retired and identity.keeps(version.beamline))


def visible_beamlines(identity: Identity, proposal_beamlines: Iterable[str | None]) -> frozenset[str] | None:
    """Beamlines whose templates the identity is offered (None: all, for operators):
    those of its proposals and those it is staff of."""
    if identity.operator:
        return None
    return frozenset(b for b in proposal_beamlines if b) | identity.staff_of


def latest(versions: Iterable[TemplateVersion], *, include_retired: bool) -> list[TemplateVersion]:
    """The newest version of each template (retired ones left out unless asked),
    ordered by beamline and name."""
    newest: dict[tuple[str, str], TemplateVersion] = {}
    for v in versions:
        key = (v.beamline, v.name)
        if key not in newest or v.version > newest[key].version:
            newest[key] = v
    return [v for _, v in sorted(newest.items()) if include_retired or not v.retired]


# -- which template for which datasets ---------------------------------------------
def dataset_kind(dataset: Any) -> str:
    """``raw`` or ``derived:<step>`` (the fog-filter step recorded in the dataset's
    ``processing_step`` metadata; ``derived:unknown`` without one)."""
    get = dataset.get if isinstance(dataset, dict) else lambda k, d=None: getattr(dataset, k, d)
    if (get("type") or "raw") == "raw":
        return "raw"
    metadata = get("scientificMetadata") or {}
    step = metadata.get("processing_step") if isinstance(metadata, dict) else None
    if isinstance(step, dict):
        step = step.get("value")
    step = str(step or "unknown").lower()
    return "derived:" + (step if re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", step) else "unknown")


def _most_common(values: Iterable[str]) -> str | None:
    counts = Counter(values)
    return counts.most_common(1)[0][0] if counts else None


def pick(templates: Sequence[TemplateVersion], datasets: Sequence[Any]) -> TemplateVersion | None:
    """The template for ``datasets``: one accepting the kind of every dataset and made
    for their (most common) technique; the datasets' beamline's own before a
    facility-wide one. None if none fits (then a plain notebook)."""
    if not datasets:
        return None

    def get(d, k):
        return d.get(k) if isinstance(d, dict) else getattr(d, k, None)

    kinds = {dataset_kind(d) for d in datasets}
    techniques = [(t.get("name") if isinstance(t, dict) else getattr(t, "name", None)) or ""
                  for d in datasets for t in (get(d, "techniques") or [])]
    technique = _most_common(t.lower() for t in techniques if t)
    beamline = _most_common(b for b in (get(d, "creationLocation") for d in datasets) if b)
    fitting = [t for t in templates if not t.retired and kinds <= set(t.accepts)
               and (technique is None or technique in {x.lower() for x in t.techniques})]
    if technique is None:
        return None
    own = [t for t in fitting if beamline and t.beamline == beamline]
    return (own or fitting or [None])[0]


# -- diffs ---------------------------------------------------------------------------
def _cell_text(cell: dict) -> list[str]:
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    tags = (cell.get("metadata") or {}).get("tags") or []
    head = f"# --- {cell.get('cell_type', 'code')} cell" + (f" [tags: {', '.join(tags)}]" if tags else "")
    return [head] + source.splitlines()


def notebook_lines(version: TemplateVersion) -> list[str]:
    meta = [f"title: {version.title}", f"techniques: {', '.join(version.techniques)}",
            f"accepts: {', '.join(version.accepts)}", f"retired: {version.retired}",
            f"description: {version.description}"]
    lines = list(meta)
    for cell in (version.notebook or {}).get("cells", []):
        lines.extend(_cell_text(cell))
    return lines


def diff(old: TemplateVersion, new: TemplateVersion) -> str:
    """A unified diff of two versions: their settings and each cell's source."""
    return "\n".join(difflib.unified_diff(notebook_lines(old), notebook_lines(new),
                                          f"{old.key} version {old.version}", f"{new.key} version {new.version}",
                                          lineterm=""))


def has_parameters_cell(notebook: dict) -> bool:
    return any(PARAMETERS_TAG in tags or LEGACY_TAG in tags
               for tags in ((c.get("metadata") or {}).get("tags") or [] for c in notebook.get("cells", [])))
