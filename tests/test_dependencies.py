"""What the code imports is declared: beamhub's pyproject lists every distribution that
hub/ and the template notebooks import, the extension's every one its server half imports,
and none of beamhub's own declarations is a library nothing uses.

The import names are read from the source (no module is imported); the installed
environment says which distribution provides each (importlib.metadata).
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "extensions" / "jupyterlab-beamhub"
OWN = {"beamhub", "jupyterlab_beamhub", "__future__"}

# Declared for what they run rather than for an import: the hub and the programs it starts
# (jupyterlab, the kernel, the culler) and the authenticator named by its class path.
# hvplot is offered to users' notebooks in the analysis kernel (kernels/README.md).
RUN_NOT_IMPORTED = {"jupyterlab", "ipykernel", "jupyterhub-idle-culler", "oauthenticator", "hvplot"}


def imported(paths) -> set[str]:
    """Top-level third-party module names imported anywhere in these Python sources."""
    names = set()
    for text in paths:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in OWN}


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "code" for line in "".join(cell["source"]).splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def distributions(modules: set[str]) -> set[str]:
    provided = packages_distributions()
    missing = sorted(m for m in modules if m not in provided)
    assert not missing, f"no installed distribution provides {missing}"
    return {normal(provided[m][0]) for m in modules}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Path) -> set[str]:
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return {normal(re.match(r"[A-Za-z0-9_.-]+", d).group(0)) for d in dependencies}


def test_beamhub_declares_what_hub_and_the_templates_import_and_nothing_unused():
    sources = [p.read_text() for p in (ROOT / "hub").rglob("*.py")]
    sources += [notebook_code(p) for p in (ROOT / "notebooks").rglob("*.ipynb")]
    needed = distributions(imported(sources))
    listed = declared(ROOT / "pyproject.toml")
    assert needed - listed == set(), "imported but not declared in pyproject.toml"
    assert listed - needed - RUN_NOT_IMPORTED == set(), "declared in pyproject.toml but never imported"


def test_the_extension_declares_what_its_server_half_imports():
    sources = [p.read_text() for p in (EXTENSION / "jupyterlab_beamhub").rglob("*.py")]
    needed = distributions(imported(sources))
    assert needed - declared(EXTENSION / "pyproject.toml") == set()
