"""The Ansible deployment, run for real on this machine (connection local).

It writes the site file, the secrets and the systemd unit into scratch folders; the
install step and systemd are left out (the test machine has neither systemd nor a
reason to reinstall what the suite already runs on).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "ansible" / "site.yml"
PREFIX = Path(sys.prefix).parent  # the environment is <prefix>/venv


def play(tmp_path: Path, site: dict, *extra: str) -> subprocess.CompletedProcess:
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"[beamhub_hub]\nlocalhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    variables = {
        "beamhub_prefix": str(PREFIX), "beamhub_install": False, "beamhub_manage_service": False,
        "beamhub_etc": str(tmp_path / "etc"), "beamhub_state_dir": str(tmp_path / "state"),
        "beamhub_systemd_dir": str(tmp_path / "systemd"), "beamhub_src_dir": str(ROOT),
        "beamhub_store_url": "mongodb://beamhub:s3cret@scicat-db/dacat", "beamhub_site": site,
        "ansible_become": False,
    }
    (tmp_path / "systemd").mkdir(exist_ok=True)
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(variables))
    ansible = Path(sys.executable).parent / "ansible-playbook"
    return subprocess.run(
        [str(ansible), "-i", str(inventory), str(PLAYBOOK), "-e", f"@{tmp_path / 'vars.yml'}", *extra],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
             "ANSIBLE_HOME": str(tmp_path / "ansible-home")},
    )


def example_site() -> dict:
    example = yaml.safe_load((ROOT / "ansible" / "group_vars" / "beamhub_hub.example.yml").read_text())
    return example["beamhub_site"]


def test_the_playbook_parses(tmp_path):
    result = play(tmp_path, {}, "--syntax-check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_site_deploys(tmp_path):
    result = play(tmp_path, example_site())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = yaml.safe_load((tmp_path / "etc" / "site.yaml").read_text())
    assert site["spawner"]["kind"] == "slurm" and site["auth"]["kind"] == "oidc"
    store = tmp_path / "etc" / "store-url"
    assert store.read_text().strip() == "mongodb://beamhub:s3cret@scicat-db/dacat"
    assert store.stat().st_mode & 0o777 == 0o600
    assert "s3cret" not in result.stdout  # no_log keeps the secret out of the output
    unit = (tmp_path / "systemd" / "beamhub.service").read_text()
    assert f"ExecStart={PREFIX}/venv/bin/jupyterhub -f {ROOT}/hub/jupyterhub_config.py" in unit
    assert f"BEAMHUB_CONFIG={tmp_path}/etc/site.yaml" in unit
    # a second run changes nothing
    again = play(tmp_path, example_site())
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout[-2000:]


def test_a_bad_site_file_is_refused_and_the_old_one_kept(tmp_path):
    assert play(tmp_path, example_site()).returncode == 0
    before = (tmp_path / "etc" / "site.yaml").read_text()
    bad = example_site()
    bad["catalogue"]["stor"] = "typo"
    result = play(tmp_path, bad)
    assert result.returncode != 0
    assert "catalogue.stor: unknown key" in result.stdout + result.stderr
    assert (tmp_path / "etc" / "site.yaml").read_text() == before
