"""The site file: clear errors naming the key, and the JupyterHub set-up made from it."""

from __future__ import annotations

import json
import os

import pytest
from traitlets import import_item
from traitlets.config import Config

from beamhub.auth.oidc import BeamhubOIDCAuthenticator
from beamhub.config import SiteConfigError, configure_hub, load_site_config, parse_site_config

@pytest.fixture(autouse=True)
def keep_environment():
    """configure_hub exports the hub client's token and URL to the hub's environment."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


DEMO = {"auth": {"kind": "demo", "users": {"alice": {"password": "a-long-password", "groups": ["p1001"]},
                                           "carol": {"password": "another-password", "groups": ["staff-i03"]}}}}


def test_yaml_and_toml_files_load(tmp_path):
    (tmp_path / "site.yaml").write_text("hub:\n  port: 8123\nauth:\n  kind: demo\n  users: {}\n")
    (tmp_path / "site.toml").write_text('[hub]\nport = 8123\n[auth]\nkind = "demo"\nusers = {}\n')
    assert load_site_config(tmp_path / "site.yaml") == load_site_config(tmp_path / "site.toml")
    assert load_site_config(tmp_path / "site.yaml").hub.port == 8123


@pytest.mark.parametrize("site, key, words", [
    ({**DEMO, "hub": {"prot": 8000}}, "hub.prot", "unknown key"),
    ({**DEMO, "hub": {"port": 99999}}, "hub.port", "less than or equal"),
    ({**DEMO, "catalogue": {"limits": {"max_body_bytes": "big"}}}, "catalogue.limits.max_body_bytes", "integer"),
    ({**DEMO, "jobs": {"runner": "kubernetes"}}, "jobs.runner", "'local'"),
    ({**DEMO, "jobs": {"slurm": {"cpus": 0}}}, "jobs.slurm.cpus", "greater than or equal"),
    ({"auth": {"kind": "demo", "users": {"alice": {"password": "short"}}}}, "auth.users.alice.password", "8"),
    ({"auth": {"kind": "ldap"}}, "auth", "kind"),
    ({"auth": {"kind": "oidc", "client_id": "x", "authorize_url": "a", "token_url": "t", "userdata_url": "u"}},
     "auth", "client_secret"),
    ({**DEMO, "catalogue": {"store": "sqlite:///a", "store_file": "/b"}}, "catalogue", "not both"),
    ({}, "auth", "Field required"),
    ({**DEMO, "spawner": {"kind": "kubernetes"}}, "spawner.kind", "'slurm'"),
    ({**DEMO, "spawner": {"profiles": [{"nme": "x"}]}}, "spawner.profiles.0.nme", "unknown key"),
])
def test_errors_name_the_key(site, key, words):
    with pytest.raises(SiteConfigError) as raised:
        parse_site_config(site, source="site.yaml")
    message = str(raised.value)
    assert message.startswith("site.yaml:")
    assert any(line.strip().startswith(key + ":") and words in line for line in message.splitlines()), message


def test_unreadable_or_malformed_files(tmp_path):
    with pytest.raises(SiteConfigError, match="cannot read"):
        load_site_config(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("hub: [unclosed\n")
    with pytest.raises(SiteConfigError, match="not valid YAML"):
        load_site_config(tmp_path / "bad.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(SiteConfigError, match="mapping of sections"):
        load_site_config(tmp_path / "list.yaml")


def configured(site: dict, tmp_path) -> Config:
    c = Config()
    site = {**site, "hub": {"state_dir": str(tmp_path / "state"), **site.get("hub", {})}}
    configure_hub(c, parse_site_config(site), python="/opt/beamhub/venv/bin/python")
    return c


def test_the_catalogue_service_alone_gets_the_store(tmp_path):
    c = configured({**DEMO, "catalogue": {"store": "mongodb://u:secret@db/beamhub", "staff_group_pattern": "bl-{beamline}"},
                    "jobs": {"runner": "slurm"}}, tmp_path)
    services = {s["name"]: s for s in c.JupyterHub.services}
    catalogue = services["catalogue"]
    assert catalogue["command"] == ["/opt/beamhub/venv/bin/python", "-m", "beamhub", "catalogue-service"]
    assert catalogue["environment"]["BEAMHUB_STORE"] == "mongodb://u:secret@db/beamhub"
    settings = json.loads(catalogue["environment"]["BEAMHUB_SERVICE_SETTINGS"])
    assert settings["staff_group_pattern"] == "bl-{beamline}" and settings["jobs"]["runner"] == "slurm"
    assert settings["jobs"]["work_root"] == str(tmp_path / "state" / "jobs")
    assert c.JupyterHub.spawner_class == "beamhub.spawner.BeamhubDemoSpawner"
    spawner_env = c.Spawner.environment
    assert "secret" not in json.dumps({k: v for k, v in spawner_env.items() if isinstance(v, str)})
    assert "BEAMHUB_STORE" not in spawner_env
    assert callable(spawner_env["BEAMHUB_CATALOGUE_URL"])


def test_roles_give_users_and_servers_the_catalogue_and_the_hub_its_proposals_scope(tmp_path):
    c = configured(DEMO, tmp_path)
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    assert "access:services!service=catalogue" in roles["user"]["scopes"]
    assert "access:services!service=catalogue" in roles["server"]["scopes"]
    assert roles["beamhub-catalogue"]["scopes"] == ["read:users:name", "read:users:groups"]
    assert "custom:beamhub:proposals" in roles["beamhub-hub-client"]["scopes"]
    assert "custom:beamhub:proposals" in c.JupyterHub.custom_scopes
    assert roles["idle-culler"]["services"] == ["idle-culler"]
    token_file = tmp_path / "state" / "beamhub-hub-token"
    hub_client = next(s for s in c.JupyterHub.services if s["name"] == "beamhub-hub")
    assert hub_client["api_token"] == token_file.read_text()
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert configured(DEMO, tmp_path).JupyterHub.services[1]["api_token"] == hub_client["api_token"]  # kept


def test_demo_users_and_their_groups(tmp_path):
    c = configured(DEMO, tmp_path)
    authenticator = c.JupyterHub.authenticator_class  # wrapped in a subclass routing sharing's handlers
    authenticator = import_item(authenticator) if isinstance(authenticator, str) else authenticator
    assert issubclass(authenticator, import_item("beamhub.auth.authenticators.DemoAuthenticator"))
    assert c.DemoAuthenticator.passwords == {"alice": "a-long-password", "carol": "another-password"}
    assert c.JupyterHub.load_groups == {"p1001": {"users": ["alice"]}, "staff-i03": {"users": ["carol"]}}


def test_oidc_takes_groups_from_a_claim(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    c = configured({"hub": {"public_url": "https://beamhub.example.org/"}, "auth": {
        "kind": "oidc", "client_id": "beamhub", "client_secret_file": str(secret),
        "authorize_url": "https://id/auth", "token_url": "https://id/token", "userdata_url": "https://id/userinfo",
        "groups_claim": "entitlements", "allowed_groups": ["users"], "admin_groups": ["admins"]}}, tmp_path)
    generic = c.GenericOAuthenticator
    authenticator = c.JupyterHub.authenticator_class  # a GenericOAuthenticator, maybe wrapped in a subclass
    authenticator = import_item(authenticator) if isinstance(authenticator, str) else authenticator
    assert issubclass(authenticator, BeamhubOIDCAuthenticator)
    assert generic.client_secret == "s3cret" and generic.manage_groups is True
    assert generic.auth_state_groups_key == "oauth_user.entitlements"
    assert generic.allowed_groups == {"users"} and generic.admin_groups == {"admins"}
    assert generic.oauth_callback_url == "https://beamhub.example.org/hub/oauth_callback"
    assert "load_groups" not in c.JupyterHub
    # Tokens kept encrypted (logout at the provider, refresh) with a key of the state directory only.
    key_file = tmp_path / "state" / "auth-state-key"
    assert c.Authenticator.enable_auth_state is True and c.Authenticator.auth_refresh_age == 300
    keys = c.CryptKeeper["keys"]  # (Config.keys is the dict method)
    assert keys == [bytes.fromhex(key_file.read_text())] and len(keys[0]) == 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert c.BeamhubOIDCAuthenticator.post_logout_redirect_url == "https://beamhub.example.org/hub/login"
    assert c.BeamhubOIDCAuthenticator.end_session_url == ""  # no logout at the provider unless configured


def test_cluster_servers_outlive_a_hub_restart_and_demo_servers_do_not(tmp_path):
    assert configured(DEMO, tmp_path).JupyterHub.cleanup_servers is True
    slurm = configured({**DEMO, "spawner": {"kind": "slurm"}}, tmp_path)
    assert slurm.JupyterHub.cleanup_servers is False
    docker = configured({**DEMO, "spawner": {"kind": "docker"}}, tmp_path)
    assert docker.JupyterHub.cleanup_servers is False
    told = configured({**DEMO, "hub": {"keep_servers_on_restart": False}, "spawner": {"kind": "slurm"}}, tmp_path)
    assert told.JupyterHub.cleanup_servers is True


def test_the_culler_can_be_turned_off_and_tuned(tmp_path):
    off = configured({**DEMO, "culler": {"enabled": False}}, tmp_path)
    assert "idle-culler" not in {s["name"] for s in off.JupyterHub.services}
    on = configured({**DEMO, "culler": {"timeout": 600, "every": 60, "max_age": 86400}}, tmp_path)
    culler = next(s for s in on.JupyterHub.services if s["name"] == "idle-culler")
    assert {"--timeout=600", "--cull-every=60", "--max-age=86400"} <= set(culler["command"])
    roles = {r["name"]: r for r in on.JupyterHub.load_roles}
    assert "delete:servers" in roles["idle-culler"]["scopes"]


def test_existing_services_and_roles_are_kept(tmp_path):
    c = Config()
    c.JupyterHub.services = [{"name": "monitoring", "api_token": "x"}]
    c.JupyterHub.load_roles = [{"name": "monitoring", "scopes": ["read:metrics"], "services": ["monitoring"]}]
    site = parse_site_config({**DEMO, "hub": {"state_dir": str(tmp_path)}})
    configure_hub(c, site)
    assert "monitoring" in {s["name"] for s in c.JupyterHub.services}
    assert "monitoring" in {r["name"] for r in c.JupyterHub.load_roles}
