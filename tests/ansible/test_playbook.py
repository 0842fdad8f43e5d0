"""The Ansible deployment, linted and run for real on this machine (connection local).

The inventory is the operator's: the example group variables as they are, the secrets
from an Ansible Vault (``tests/ansible/vault.yml``, ``ansible/group_vars/vault.example.yml``
encrypted with the test password in ``tests/ansible/vault-password``). Two inventory
hosts, ``hub`` and ``node01``, are this machine; their host variables send every file
into scratch folders, so the run leaves the machine as it was. What cannot run here is
left out, by variables an operator has too: the apt tasks (the packages the tests need
are installed by hub/scripts/install; apt would install python3-apt and nginx), the
install step (the suite already runs on an installed beamhub) and everything systemd
does (there is no systemd here): units are written, not started. The single-user SIF
copied to the node is a fake (a few bytes): Apptainer is not installable here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ANSIBLE = ROOT / "ansible"
PLAYBOOK = ANSIBLE / "site.yml"
HERE = Path(__file__).resolve().parent
VAULT, VAULT_PASSWORD = HERE / "vault.yml", HERE / "vault-password"
BIN = Path(sys.executable).parent
PREFIX = BIN.parent.parent  # the environment is <prefix>/venv
VAULTED_STORE_URL = "mongodb://beamhub:vaulted-s3cret@scicat-db.facility.org/dacat?authSource=admin"


def environment(tmp_path: Path) -> dict:
    return {**os.environ, "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1", "ANSIBLE_PIPELINING": "1", "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"), "ANSIBLE_HOME": str(tmp_path / "ansible-home")}


def deployment(tmp_path: Path) -> Path:
    """An operator's inventory folder: example group_vars, the vault, scratch host_vars."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    (inventory / "host_vars").mkdir()
    local = f"ansible_connection=local ansible_python_interpreter={sys.executable}"
    (inventory / "inventory.ini").write_text(
        f"[beamhub_hub]\nhub {local}\n\n[beamhub_compute]\nnode01 {local}\n")
    shutil.copy(ANSIBLE / "group_vars" / "beamhub_hub.example.yml", inventory / "group_vars" / "beamhub_hub.yml")
    shutil.copy(ANSIBLE / "group_vars" / "beamhub_compute.example.yml", inventory / "group_vars" / "beamhub_compute.yml")
    shutil.copy(VAULT, inventory / "group_vars" / "all" / "vault.yml")
    hub, node = tmp_path / "hub", tmp_path / "node"
    (hub / "systemd").mkdir(parents=True)
    (hub / "nginx" / "sites-enabled").mkdir(parents=True)
    (hub / "nginx" / "sites-enabled" / "default").write_text("# Debian's default site\n")
    (node / "systemd").mkdir(parents=True)
    fake_sif = tmp_path / "fake-beamhub-singleuser.sif"
    fake_sif.write_text("a fake SIF: apptainer is not installable here\n")
    (inventory / "host_vars" / "hub.yml").write_text(yaml.safe_dump({
        "ansible_become": False,
        "beamhub_hub_prefix": str(PREFIX), "beamhub_hub_install": False, "beamhub_hub_manage_service": False,
        "beamhub_hub_install_packages": False, "beamhub_hub_src_dir": str(ROOT),
        "beamhub_hub_etc": str(hub / "etc"), "beamhub_hub_state_dir": str(hub / "state"),
        "beamhub_hub_systemd_dir": str(hub / "systemd"), "beamhub_hub_nginx_conf_dir": str(hub / "nginx"),
        "beamhub_hub_nginx_default_site": str(hub / "nginx" / "sites-enabled" / "default"),
        "beamhub_hub_log_dir": str(hub / "log"), "beamhub_catalogue_store_file": str(hub / "etc" / "store-url"),
    }))
    (inventory / "host_vars" / "node01.yml").write_text(yaml.safe_dump({
        "ansible_become": False,
        "beamhub_compute_install_packages": False, "beamhub_compute_manage_service": False,
        "beamhub_compute_etc": str(node / "etc"), "beamhub_compute_systemd_dir": str(node / "systemd"),
        "beamhub_compute_image_store": str(node / "containers" / "storage"), "beamhub_compute_oci_archive": "",
        "beamhub_compute_sif_source": str(fake_sif), "beamhub_compute_sif_path": str(node / "images" / "beamhub.sif"),
        "beamhub_compute_prolog_dir": str(node / "prolog.d"), "beamhub_compute_subid_dir": str(node / "etc"),
        "beamhub_compute_udev_rules_dir": str(node / "udev"),
        # /dev/shm is mounted on every Linux machine: the prolog's mount check passes here.
        "beamhub_compute_data_mounts": [{"what": "tmpfs", "where": "/dev/shm", "type": "tmpfs",
                                         "options": "rw,nosuid,nodev"}],
    }))
    return inventory


def play(inventory: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory / "inventory.ini"), str(PLAYBOOK),
         "--vault-password-file", str(VAULT_PASSWORD), *extra],
        capture_output=True, text=True, timeout=300, env=environment(inventory.parent))


def recap(result: subprocess.CompletedProcess) -> dict[str, dict[str, int]]:
    """PLAY RECAP lines: {host: {ok: n, changed: n, failed: n, ...}}."""
    hosts = {}
    for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", result.stdout, re.MULTILINE):
        hosts[host] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
    return hosts


def output(result: subprocess.CompletedProcess) -> str:
    return result.stdout[-4000:] + result.stderr[-3000:]


def test_ansible_lint_passes_at_the_production_profile(tmp_path):
    result = subprocess.run([str(BIN / "ansible-lint"), "--offline", "--profile", "production", "--nocolor"],
                            cwd=ANSIBLE, capture_output=True, text=True, timeout=300, env=environment(tmp_path))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Profile 'production' was required, and it passed" in result.stdout + result.stderr


def test_the_playbook_parses(tmp_path):
    result = play(deployment(tmp_path), "--syntax-check")
    assert result.returncode == 0, output(result)


def test_the_example_vault_is_encrypted_and_opens_with_the_test_password():
    assert VAULT.read_text().startswith("$ANSIBLE_VAULT;1.1;AES256\n")
    assert "vaulted-s3cret" not in VAULT.read_text()
    example = yaml.safe_load((ANSIBLE / "group_vars" / "vault.example.yml").read_text())
    opened = subprocess.run([str(BIN / "ansible-vault"), "view", "--vault-password-file", str(VAULT_PASSWORD),
                             str(VAULT)], capture_output=True, text=True, timeout=60)
    assert opened.returncode == 0, opened.stderr
    assert set(yaml.safe_load(opened.stdout)) == set(example)  # the same secrets as the example


def test_the_site_deploys_a_check_run_then_changes_nothing_and_a_bad_site_file_is_refused(tmp_path):
    inventory = deployment(tmp_path)
    result = play(inventory)
    assert result.returncode == 0, output(result)
    assert set(recap(result)) == {"hub", "node01"}, output(result)
    hub, node = tmp_path / "hub", tmp_path / "node"

    # the hub host: the catalogue's database URL and the OIDC secret come from the vault
    store = hub / "etc" / "store-url"
    assert store.read_text().strip() == VAULTED_STORE_URL
    assert store.stat().st_mode & 0o777 == 0o600
    secret = hub / "etc" / "oidc-client-secret"
    assert secret.read_text().strip() == "vaulted-oidc-secret" and secret.stat().st_mode & 0o777 == 0o600
    assert "vaulted-s3cret" not in result.stdout + result.stderr  # no_log keeps secrets out of the output
    site = yaml.safe_load((hub / "etc" / "site.yaml").read_text())
    assert site["spawner"]["kind"] == "slurm" and site["auth"]["kind"] == "oidc"
    unit = (hub / "systemd" / "beamhub.service").read_text()
    assert f"ExecStart={PREFIX}/venv/bin/jupyterhub -f {ROOT}/hub/jupyterhub_config.py" in unit
    assert f"BEAMHUB_CONFIG={hub}/etc/site.yaml" in unit
    # the TLS reverse proxy: nginx forwards to the hub's public port, with a certificate
    nginx = (hub / "nginx" / "beamhub.conf").read_text()
    assert "server_name beamhub.facility.org;" in nginx and "proxy_pass http://127.0.0.1:8000;" in nginx
    assert f"ssl_certificate {hub}/etc/tls/beamhub.crt;" in nginx and "Upgrade $http_upgrade" in nginx
    certificate = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", str(hub / "etc" / "tls" / "beamhub.crt")],
                                 capture_output=True, text=True, check=True).stdout
    assert "beamhub.facility.org" in certificate
    assert (hub / "etc" / "tls" / "beamhub.key").stat().st_mode & 0o777 == 0o600
    assert not (hub / "nginx" / "sites-enabled" / "default").exists()

    # the compute node: the shared image store, /dev/fuse, the image, read-only data, the prolog
    storage = (node / "etc" / "containers-storage.conf").read_text()
    assert f'additionalimagestores = ["{node}/containers/storage"]' in storage
    assert 'MODE="0666"' in (node / "udev" / "99-beamhub-fuse.rules").read_text()
    assert (node / "images" / "beamhub.sif").read_text().startswith("a fake SIF")
    mount = (node / "systemd" / "dev-shm.mount").read_text()
    assert "Where=/dev/shm" in mount and "Options=ro,nosuid,nodev" in mount  # "rw" given, "ro" kept
    prolog = node / "prolog.d" / "50-beamhub.sh"
    assert os.access(prolog, os.X_OK)
    for _ in range(2):  # as Slurm runs it before each job of the user "daemon" (uid 1)
        ran = subprocess.run([str(prolog)], env={**os.environ, "SLURM_JOB_USER": "daemon"},
                             capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
    for name in ("subuid", "subgid"):
        assert (node / "etc" / name).read_text() == "daemon:1065536:65536\n"  # once, however many jobs

    # then: check mode shows no change on either host (the deployment is idempotent)
    check = play(inventory, "--check", "--diff")
    assert check.returncode == 0, output(check)
    counts = recap(check)
    assert set(counts) == {"hub", "node01"}
    assert all(host["changed"] == 0 and host["failed"] == 0 for host in counts.values()), output(check)
    assert "--- before" not in check.stdout, output(check)

    # a bad site file is refused by `beamhub config check`, and the running one is kept
    site_file = hub / "etc" / "site.yaml"
    before = site_file.read_text()
    bad = yaml.safe_load((ANSIBLE / "group_vars" / "beamhub_hub.example.yml").read_text())["beamhub_hub_site"]
    bad["catalogue"]["stor"] = "typo"
    (tmp_path / "bad.yml").write_text(yaml.safe_dump({"beamhub_hub_site": bad}))
    refused = play(inventory, "--limit", "hub", "-e", f"@{tmp_path / 'bad.yml'}")
    assert refused.returncode != 0
    assert "catalogue.stor: unknown key" in refused.stdout + refused.stderr
    assert site_file.read_text() == before


@pytest.mark.parametrize("kind, url", [("mongodb", "postgres://x@db/beamhub"), ("elastic", "mongodb://db/x")])
def test_a_wrong_catalogue_database_is_refused_before_anything_is_written(tmp_path, kind, url):
    inventory = deployment(tmp_path)
    (tmp_path / "wrong.yml").write_text(yaml.safe_dump({"beamhub_catalogue_kind": kind,
                                                        "beamhub_catalogue_store_url": url}))
    result = play(inventory, "--limit", "hub", "-e", f"@{tmp_path / 'wrong.yml'}")
    assert result.returncode != 0
    assert "beamhub_catalogue_kind must be mongodb, documentdb or sqlite" in result.stdout, output(result)
    assert not (tmp_path / "hub" / "etc").exists()


def test_the_prolog_fails_the_job_on_a_node_missing_its_data_or_for_a_uid_too_large(tmp_path):
    """Slurm drains a node whose prolog fails: rather that than a server seeing no data."""
    variables = {"beamhub_compute_data_mounts": [{"what": "nas01:/export/data", "where": str(tmp_path / "data")}],
                 "beamhub_compute_prolog_dir": str(tmp_path), "beamhub_compute_subid_dir": str(tmp_path),
                 "beamhub_compute_subid_base": 1000000, "beamhub_compute_subid_count": 65536}
    (tmp_path / "vars.yml").write_text(yaml.safe_dump(variables))
    (tmp_path / "data").mkdir()  # the folder is there, nothing is mounted on it
    prolog = tmp_path / "50-beamhub.sh"
    rendered = subprocess.run(
        [str(BIN / "ansible"), "localhost", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
         "-e", f"@{tmp_path / 'vars.yml'}", "-m", "ansible.builtin.template",
         "-a", f"src={ANSIBLE}/roles/beamhub_compute/templates/beamhub-prolog.sh.j2 dest={prolog} mode=0755"],
        capture_output=True, text=True, timeout=120, env=environment(tmp_path))
    assert rendered.returncode == 0, output(rendered)
    ran = subprocess.run([str(prolog)], env={**os.environ, "SLURM_JOB_USER": "daemon"},
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1
    assert f"beamhub prolog: {tmp_path}/data is not mounted" in ran.stderr
    # nobody's uid (65534) times 65536 ids is past 2^32: refused, not wrapped onto other ranges
    ran = subprocess.run([str(prolog)], env={**os.environ, "SLURM_JOB_USER": "nobody"},
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1 and "uid 65534 is too large" in ran.stderr
    assert "nobody" not in (tmp_path / "subuid").read_text()


@pytest.mark.mongodb
def test_a_small_site_gets_documentdb_on_the_hub_host_and_the_catalogue_uses_it(tmp_path):
    """kind documentdb with documentdb_local: the role builds DocumentDB with
    hub/scripts/documentdb (the build the suite caches), makes the cluster with the vaulted
    password, writes the service unit; the unit's own start command brings it up and the
    catalogue store opens on the URL the role wrote; a second run in check mode changes nothing."""
    import shlex
    import tempfile

    from beamhub.catalogue import Identity, Proposal, open_store
    from tests.services import documentdb
    from tests.services.ports import free_port

    documentdb.install()  # the suite's cached build (15-20 min the first time on a machine)
    inventory = deployment(tmp_path)
    data = Path(tempfile.mkdtemp(prefix="beamhub-ansible-documentdb-"))
    data.chmod(0o755)  # PostgreSQL runs as postgres: /tmp/pytest-of-root is closed to it
    port, pg_port = free_port(), free_port()
    host_vars = inventory / "host_vars" / "hub.yml"
    variables = yaml.safe_load(host_vars.read_text())
    variables.update({
        "beamhub_catalogue_kind": "documentdb", "beamhub_catalogue_documentdb_local": True,
        "beamhub_catalogue_manage_service": False,
        "beamhub_catalogue_documentdb_bin": str(tmp_path / "hub" / "bin" / "beamhub-documentdb"),
        "beamhub_catalogue_documentdb_vendor_dir": str(tmp_path / "hub" / "documentdb-sources"),
        "beamhub_catalogue_documentdb_cache": str(Path.home() / ".cache" / "beamhub"),
        "beamhub_catalogue_documentdb_data": str(data / "db"),
        "beamhub_catalogue_documentdb_pg_port": pg_port, "beamhub_catalogue_documentdb_port": port,
        "beamhub_catalogue_documentdb_systemd_dir": str(tmp_path / "hub" / "systemd"),
        "beamhub_catalogue_store_url":
            f"mongodb://beamhub:{{{{ vault_beamhub_documentdb_password }}}}@127.0.0.1:{port}/beamhub",
    })
    (tmp_path / "hub" / "bin").mkdir(parents=True)
    host_vars.write_text(yaml.safe_dump(variables))
    unit_file = tmp_path / "hub" / "systemd" / "beamhub-documentdb.service"
    try:
        result = play(inventory, "--limit", "hub")
        assert result.returncode == 0, output(result)
        assert "vaulted-docdb-pass" not in result.stdout + result.stderr
        url = (tmp_path / "hub" / "etc" / "store-url").read_text().strip()
        assert url == f"mongodb://beamhub:vaulted-docdb-pass@127.0.0.1:{port}/beamhub"
        unit = unit_file.read_text()
        assert "Before=beamhub.service" in unit
        # Start it as systemd would (no systemd here): the unit's environment and ExecStart.
        env = dict(line.split("=", 1)[1].split("=", 1) for line in unit.splitlines() if line.startswith("Environment="))
        start = next(line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart="))
        started = subprocess.run(shlex.split(start), env={**os.environ, **env}, capture_output=True, text=True,
                                 timeout=300)
        assert started.returncode == 0, started.stderr[-2000:]
        with open_store(url) as store:
            store.upsert_proposals(Identity.for_operator("ansible-test"), [
                Proposal(proposalId="P9", title="Small site", ownerGroup="p9", members=["alice"], beamline="b1",
                         dataPath="/data/P9")])
            assert [p.proposalId for p in store.list_proposals(Identity.for_operator("ansible-test"))] == ["P9"]

        check = play(inventory, "--limit", "hub", "--check", "--diff")
        assert check.returncode == 0, output(check)
        assert recap(check)["hub"]["changed"] == 0, output(check)
    finally:
        if unit_file.exists():
            stop = next(line.split("=", 1)[1] for line in unit_file.read_text().splitlines()
                        if line.startswith("ExecStop="))
            subprocess.run(shlex.split(stop), capture_output=True, timeout=120)
        shutil.rmtree(data, ignore_errors=True)
