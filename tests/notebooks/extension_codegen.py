"""The JupyterLab extension's own notebook builder (``src/codegen.ts``), run with Node.js.

"Open in notebook" builds the notebook in the browser with ``makeNotebook``; the tests
run that same TypeScript, transpiled on the fly with the extension's TypeScript, so a
template is checked against exactly the code users get.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.services.require import missing

EXTENSION = Path(__file__).resolve().parents[2] / "extensions" / "jupyterlab-beamhub"
CODEGEN = EXTENSION / "src" / "codegen.ts"
TYPESCRIPT = EXTENSION / "node_modules" / "typescript"

RUN_EXPORT = r"""
const fs = require('fs');
const ts = require(process.argv[1]);
const js = ts.transpileModule(fs.readFileSync(process.argv[2], 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 }
}).outputText;
const module = { exports: {} };
new Function('module', 'exports', 'require', js)(module, module.exports, require);
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(module.exports[input.function](...input.args)));
"""

BEAMLINE_NOTEBOOK = EXTENSION / "src" / "model" / "beamlineNotebook.ts"


KERNEL = {"name": "beamhub", "display_name": "Python 3 (beamhub)"}
"""The kernel the extension's notebooks are made for."""


def run_export(source: Path, function: str, *args):
    """``function(*args)`` exported by the extension's TypeScript module ``source``."""
    node = shutil.which("node")
    if node is None:
        missing("Node.js", "needed to run the extension's notebook builder")
    if not TYPESCRIPT.is_dir():
        missing("the extension's TypeScript", f"{TYPESCRIPT} is missing (jlpm install in {EXTENSION})")
    done = subprocess.run([node, "-e", RUN_EXPORT, str(TYPESCRIPT), str(source)],
                          input=json.dumps({"function": function, "args": list(args)}),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def make_notebook(datasets: list[dict], template: dict | None) -> dict:
    """What "Open in notebook" makes of ``template`` for ``datasets`` (catalogue JSON)."""
    return run_export(CODEGEN, "makeNotebook", datasets, template, KERNEL)


def pick_template(templates: list[dict], datasets: list[dict]) -> dict | None:
    """The template "Open in notebook" picks for ``datasets`` (``pickTemplate`` in codegen.ts)."""
    return run_export(CODEGEN, "pickTemplate", templates, datasets)


def overview_notebook(beamline: str) -> dict:
    """The staff's hvplot overview notebook of ``beamline``, as the extension builds it
    (``overviewNotebook`` in src/model/beamlineNotebook.ts), for the beamhub kernel."""
    return run_export(BEAMLINE_NOTEBOOK, "overviewNotebook", beamline, KERNEL)
