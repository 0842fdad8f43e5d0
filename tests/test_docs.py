"""README tells the truth: its commands exist, CI runs the same one, its reference is current."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_configuration_reference_is_the_generated_one():
    from beamhub.config.reference import markdown

    section = re.search(r"<!-- config-reference:start -->\n(.*?)<!-- config-reference:end -->", README, re.S)
    assert section, "README lost its configuration reference markers"
    assert section.group(1) == markdown(), (
        "README's configuration reference is out of date: replace the table between the markers "
        "with the output of `beamhub config reference`")


def test_the_quick_start_commands_exist_and_ci_runs_the_test_one():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^    (\S+)", quick_start, re.M)
    assert commands == ["hub/scripts/demo", "tests/run"]
    for command in commands:
        assert os.access(ROOT / command, os.X_OK), f"{command} is not an executable file"
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec tests/run$", ci, re.M), ".ci/run must run exactly the README's test command"


def test_every_command_in_the_table_has_help():
    for command in sorted(set(re.findall(r"^\| `beamhub ([a-z-]+)", README, re.M))):
        result = subprocess.run([sys.executable, "-m", "beamhub", command, "--help"], capture_output=True,
                                text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "hub")})
        assert result.returncode == 0 and "usage: beamhub" in result.stdout, command
