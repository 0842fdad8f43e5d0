"""The extension's front-end model tests (Vitest, src/__tests__/) run from pytest, so the
suite's one command covers them. ``jlpm test`` in the extension folder runs them alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.require import missing

EXTENSION = Path(__file__).resolve().parents[2] / "extensions" / "jupyterlab-beamhub"


def jlpm() -> str:
    found = shutil.which("jlpm") or str(Path(sys.executable).parent / "jlpm")
    if not Path(found).exists():
        missing("jlpm", "it comes with jupyterlab (jupyter-builder) in the environment")
    if not shutil.which("node"):
        missing("Node.js", "the front-end tests run on Node.js 20")
    return found


@pytest.mark.timeout(600)
def test_front_end_models():
    command = jlpm()
    env = {**os.environ, "PATH": f"{Path(command).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if not (EXTENSION / "node_modules").exists():  # a fresh clone: install from yarn.lock
        subprocess.run([command, "install", "--immutable"], cwd=EXTENSION, env=env, check=True,
                       capture_output=True, timeout=540)
    result = subprocess.run([command, "test"], cwd=EXTENSION, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout[-3000:]
