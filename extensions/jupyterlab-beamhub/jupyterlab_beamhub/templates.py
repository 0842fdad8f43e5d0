"""Template notebooks for "Open in notebook": found by technique, read from disk.

A template is a notebook whose metadata names the techniques it is for::

    {"beamhub": {"techniques": ["SAXS", "WAXS"], "title": "Azimuthal integration"}}

A code cell tagged ``beamhub-datasets`` marks where the front end puts the code that
loads the chosen datasets (without one, that code goes first). Templates are read from
``$BEAMHUB_TEMPLATES`` and every Jupyter data folder's ``beamhub/templates``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jupyter_core.paths import jupyter_path
from traitlets import Int, List, Unicode, default
from traitlets.config import LoggingConfigurable

from .catalogue import ProxyError


class BeamhubTemplates(LoggingConfigurable):
    """Finds and reads template notebooks."""

    template_dirs = List(
        Unicode(), config=True,
        help="Folders searched for template notebooks (*.ipynb, not recursively below two "
             "levels). Default: $BEAMHUB_TEMPLATES (os.pathsep-separated), then "
             "beamhub/templates in every Jupyter data folder (e.g. <sys.prefix>/share/jupyter/beamhub/templates).",
    )
    max_bytes = Int(
        20 * 1024 * 1024, config=True,
        help="Largest template notebook served (bytes).",
    )

    @default("template_dirs")
    def _default_dirs(self):
        extra = [d for d in os.environ.get("BEAMHUB_TEMPLATES", "").split(os.pathsep) if d]
        return extra + jupyter_path("beamhub", "templates")

    def _candidates(self):
        for root in self.template_dirs:
            base = Path(root)
            if not base.is_dir():
                continue
            for path in sorted([*base.glob("*.ipynb"), *base.glob("*/*.ipynb")]):
                if ".ipynb_checkpoints" not in path.parts:
                    yield base, path

    def list(self) -> list[dict]:
        """Every template: ``{name, title, techniques, path}``; unreadable ones are skipped."""
        seen: set[str] = set()
        found = []
        for base, path in self._candidates():
            name = path.relative_to(base).as_posix()
            if name in seen:  # earlier folders win
                continue
            try:
                meta = self._read(path).get("metadata", {}).get("beamhub", {})
            except (OSError, ValueError) as exc:
                self.log.warning("beamhub: skipping template %s: %s", path, exc)
                continue
            if not isinstance(meta, dict):
                continue
            seen.add(name)
            techniques = [t for t in meta.get("techniques", []) if isinstance(t, str)]
            found.append({"name": name, "title": str(meta.get("title") or path.stem),
                          "techniques": techniques})
        return found

    def get(self, name: str) -> dict:
        """The notebook ``name`` (as :meth:`list` gives it); ``ProxyError`` 404 otherwise."""
        if not name.endswith(".ipynb") or ".." in name.split("/") or name.startswith("/"):
            raise ProxyError(404, "not_found", f"no template {name!r}")
        for base, path in self._candidates():
            if path.relative_to(base).as_posix() == name:
                try:
                    return self._read(path)
                except (OSError, ValueError) as exc:
                    raise ProxyError(500, "template_unreadable", f"template {name!r} cannot be read: {exc}") from None
        raise ProxyError(404, "not_found", f"no template {name!r}")

    def _read(self, path: Path) -> dict:
        if path.stat().st_size > self.max_bytes:
            raise ValueError(f"larger than {self.max_bytes} bytes")
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(notebook, dict) or "cells" not in notebook:
            raise ValueError("not a notebook")
        return notebook
