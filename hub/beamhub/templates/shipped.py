"""The facility-wide templates: the notebooks shipped in beamhub's ``notebooks/`` folder.

``hub/scripts/install`` copies that folder to ``<prefix>/share/jupyter/beamhub/templates``;
the catalogue service offers every notebook found there (and in the other Jupyter data
folders' ``beamhub/templates``, earlier folders first) to every user, as beamline
``facility``, named ``<folder>-<file stem>`` (``saxs-guinier``). Their notebook metadata
says what they are for: ``{"beamhub": {"title", "techniques", "accepts"}}`` (``accepts``
defaults to ``["raw"]``). They are versioned by beamhub's releases, not in the store.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from pathlib import Path

from jupyter_core.paths import jupyter_path

from .model import FACILITY, KIND_PATTERN, MAX_NOTEBOOK_BYTES, TemplateVersion, clean_notebook, notebook_hash

log = logging.getLogger(__name__)

PLAIN_NOTEBOOK: dict[str, str] = {
    "derived:azimuthal-integration": "I(q) curves, one file per input: the plain notebook loads them all "
                                     "(OutputFiles) and .combined().plot() draws them; no analysis to add yet",
    "derived:xas-normalisation": "normalised spectra, one file per input: the plain notebook loads and plots them",
    "derived:tomo-reconstruction": "reconstructed slices: the plain notebook loads them lazily; viewing is the user's",
    "derived:notebook": "whatever a user's own notebook wrote: no template can know what it means",
}
"""The processing steps' output kinds deliberately opened in a plain notebook (which loads
every output file and says so), with why; every other step's kind has a shipped template
(tests/notebooks/test_templates.py checks the two together cover every step)."""


def default_dirs() -> list[Path]:
    return [Path(p) for p in jupyter_path("beamhub", "templates")]


def shipped_name(relative: Path) -> str:
    stem = "-".join([*relative.parent.parts, relative.stem]).lower()
    return re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-")[:64] or "template"


def read_shipped(dirs: list[Path] | None = None) -> list[TemplateVersion]:
    """Every shipped template (with its notebook); unreadable files are logged and skipped."""
    found: dict[str, TemplateVersion] = {}
    for base in dirs if dirs is not None else default_dirs():
        if not base.is_dir():
            continue
        for path in sorted([*base.glob("*.ipynb"), *base.glob("*/*.ipynb")]):
            name = shipped_name(path.relative_to(base))
            if name in found or ".ipynb_checkpoints" in path.parts:
                continue
            try:
                if path.stat().st_size > 4 * MAX_NOTEBOOK_BYTES:
                    raise ValueError("too large")
                notebook = clean_notebook(json.loads(path.read_text(encoding="utf-8")))
                meta = notebook.get("metadata", {}).get("beamhub", {})
                accepts = [k for k in meta.get("accepts", ["raw"]) if isinstance(k, str) and re.match(KIND_PATTERN, k)]
                found[name] = TemplateVersion(
                    beamline=FACILITY, name=name, version=1, title=str(meta.get("title") or path.stem),
                    description=str(meta.get("description") or ""),
                    techniques=[t for t in meta.get("techniques", []) if isinstance(t, str)],
                    accepts=accepts or ["raw"], change_note="shipped with beamhub", publishedBy="beamhub",
                    publishedAt=datetime.fromtimestamp(path.stat().st_mtime, timezone.utc),
                    sha256=notebook_hash(notebook), notebook=notebook, shipped=True)
            except (OSError, ValueError, AttributeError) as exc:
                log.warning("shipped template %s skipped: %s", path, exc)
    return list(found.values())
