"""The extension's types of the service's JSON are generated from the service's OpenAPI
description (src/api.gen.ts, by scripts/api-types.mjs with openapi-typescript): this
fails when the committed file is not what the current description gives, and says how
to regenerate it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from beamhub.service.openapi import build_openapi
from tests.extension.test_frontend_models import jlpm
from tests.services.require import missing

EXTENSION = Path(__file__).resolve().parents[2] / "extensions" / "jupyterlab-beamhub"
GENERATED = EXTENSION / "src" / "api.gen.ts"
REGENERATE = ("PYTHONPATH=hub python -m beamhub.service.openapi | node extensions/jupyterlab-beamhub/"
              "scripts/api-types.mjs > extensions/jupyterlab-beamhub/src/api.gen.ts")


def test_generated_types_match_the_api_description():
    node = shutil.which("node") or missing("Node.js", "the extension's types are generated with Node.js 20")
    if not (EXTENSION / "node_modules" / "openapi-typescript").exists():
        command = jlpm()  # the environment's, as the front-end model tests find it
        env = {**os.environ, "PATH": f"{Path(command).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        subprocess.run([command, "install", "--immutable"], cwd=EXTENSION, env=env, check=True, capture_output=True,
                       timeout=540)
    description = json.dumps(build_openapi("/services/catalogue"))
    result = subprocess.run([node, "scripts/api-types.mjs"], cwd=EXTENSION, input=description, text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "export interface components" in result.stdout and "Dataset: {" in result.stdout
    assert GENERATED.read_text() == result.stdout, f"src/api.gen.ts is stale; regenerate it:\n  {REGENERATE}"


def test_wire_types_are_the_generated_ones():
    """types.ts declares no wire type by hand: each is an alias of a generated schema."""
    text = (EXTENSION / "src" / "types.ts").read_text()
    for name in ("IDataset", "ISearchResult", "ISelection", "IVoteState", "IProcessingStep", "IMe"):
        assert f"export type {name} = Schemas[" in text, name
        assert f"export interface {name} " not in text, name
