"""A :class:`~.model.SiteConfig` -> JupyterHub configuration.

Pure builders (``*_service``, ``roles``, ``authenticator_config``...) make plain dicts
from the site; :func:`configure_hub` applies them to the ``c`` of a
``jupyterhub_config.py``, adding to (never replacing) services, roles and groups that
are already configured.

What the hub gets:

- the ``catalogue`` service (``beamhub catalogue-service``) with the store URL and its
  settings in its environment, and a role letting it read users' groups;
- a ``beamhub-hub`` service whose token (given to the spawner as
  ``BeamhubSpawner.catalogue_token``, with ``catalogue_url``) lets the hub's spawner call
  ``/users/{name}/proposals`` (custom scope ``custom:beamhub:proposals``);
- the ``user`` and ``server`` roles extended with ``access:services!service=catalogue``,
  so browsers, single-user servers and notebooks reach the catalogue with their own
  tokens; single-user servers get ``BEAMHUB_CATALOGUE_URL``;
- the authenticator (OIDC: :mod:`beamhub.auth.oidc`, users' tokens kept encrypted with
  a key from the state directory), the spawner (beamhub.spawner's SpawnerSettings.apply) and
  jupyterhub-idle-culler as configured;
- sharing (beamhub.sharing): users may share their servers, with a role, with whom the
  site's policy admits (``shares!user`` and the role scopes in the ``user`` role).
- the session lifecycle (beamhub.lifecycle): time left, warnings and walltime extension
  for users and their servers (``custom:beamhub:session!user``), announcements on the
  hub's pages, the admins' page of running servers.

Each secret reaches only the process that needs it: the store URL only the catalogue
service (its service ``environment``), each service its own hub token (JupyterHub's
service ``api_token``), servers their own token (with beamhub.spawner.environment's
filter), the proxy its auth token and, of the hub's environment, only
:data:`PROXY_ENV_KEEP` (:func:`minimal_environment_command`); nothing is written to the
hub's own ``os.environ``, which the proxy would inherit.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from beamhub.catalogue.stores import STORE_ENV
from beamhub.lifecycle.hub import SESSION_SCOPE, Lifecycle, configure_lifecycle
from beamhub.service.settings import SETTINGS_ENV, STORE_FILE_ENV, ServiceSettings
from beamhub.spawner.culling import CullerSettings, config_list, configure_culling
from beamhub.sharing.hub import configure_sharing, sharing_on
from beamhub.sharing.hub import user_scopes as sharing_user_scopes
from beamhub.spawner.environment import CATALOGUE_URL_ENV

from .model import DemoAuth, OIDCAuth, SiteConfig
from .pages import configure_pages
from .ports import free_port

SERVICE_NAME = "catalogue"
SERVICE_START_SECONDS = 180
"""How long JupyterHub waits for the catalogue service to answer at start."""
HUB_CLIENT_NAME = "beamhub-hub"
PROPOSALS_SCOPE = "custom:beamhub:proposals"
ACCESS_CATALOGUE = f"access:services!service={SERVICE_NAME}"
DEFAULT_PROXY = "/opt/beamhub/proxy/beamhub-proxy.mjs"  # configurable-http-proxy behind a guard (hub/proxy/)


PROXY_ENV_KEEP = ("PATH", "LANG", "LC_*", "TZ", "NODE_*", "SSL_CERT_*", "CONFIGPROXY_AUTH_TOKEN")
"""The only hub environment variables the proxy sees (shell patterns)."""

_EXEC_WITH_ENV = ("import fnmatch, os, sys; keep = sys.argv[1].split(','); "
                  "os.execvpe(sys.argv[2], sys.argv[2:], {k: v for k, v in os.environ.items() "
                  "if any(fnmatch.fnmatchcase(k, p) for p in keep)})")


def minimal_environment_command(command: list[str], keep: tuple[str, ...], python: str = sys.executable) -> list[str]:
    """``command`` run with only the variables named by ``keep`` of the environment it is
    given: a Python that replaces itself (exec, same pid) with ``command``. Nothing secret
    travels on a command line, where every user could read it."""
    if command[:2] == [python, "-I"]:  # already wrapped
        return list(command)
    return [python, "-I", "-S", "-c", _EXEC_WITH_ENV, ",".join(keep), *command]


def service_settings(site: SiteConfig) -> ServiceSettings:
    """The catalogue service's settings (``BEAMHUB_SERVICE_SETTINGS``) from the site."""
    cat = site.catalogue

    def in_state(given: str | None, *parts: str) -> str:
        """``given``, else ``parts`` under hub.state_dir ('' without a state_dir)."""
        return given or (str(Path(site.hub.state_dir, *parts)) if site.hub.state_dir else "")

    cache = in_state(cat.preview_cache_dir, "preview-cache")
    snapshots = in_state(cat.columns_snapshot_dir, "search-columns")
    jobs = site.jobs.model_copy(update={"work_root": in_state(site.jobs.work_root, "jobs") or site.jobs.work_root})
    suggest = cat.suggest.model_copy(update={
        "features_file": in_state(cat.suggest.features_file, "suggest", "features.sqlite") or cat.suggest.features_file})
    return ServiceSettings(
        staff_group_pattern=cat.staff_group_pattern, staff_groups=cat.staff_groups, limits=cat.limits,
        workers=cat.workers, store_threads=cat.store_threads, preview_max_age=cat.preview_max_age, preview_cache_dir=cache,
        columns_snapshot_dir=snapshots, idempotency_keep_seconds=cat.idempotency_keep_seconds,
        hub_auth_cache_seconds=cat.hub_auth_cache_seconds, spawner_scope=PROPOSALS_SCOPE, jobs=jobs,
        suggest=suggest)


def catalogue_service(site: SiteConfig, *, port: int, python: str = sys.executable) -> dict[str, Any]:
    """The hub's service entry for the catalogue."""
    cat = site.catalogue
    environment = {
        SETTINGS_ENV: service_settings(site).model_dump_json(),
        "BEAMHUB_LOG_LEVEL": cat.log_level,
        **cat.environment,
    }
    if cat.store_file:
        environment[STORE_FILE_ENV] = cat.store_file
    elif cat.store:
        environment[STORE_ENV] = cat.store
    elif site.hub.state_dir:
        environment[STORE_ENV] = f"sqlite:///{Path(site.hub.state_dir) / 'catalogue.sqlite'}"
    return {
        "name": SERVICE_NAME,
        "url": f"http://{cat.ip}:{port}",
        "command": [python, "-m", "beamhub", "catalogue-service"],
        "environment": environment,
        "oauth_no_confirm": True,
        # the hub exits if the service does not answer within this: 30 s (JupyterHub's
        # default) was too short for a busy host importing the service's libraries
        "timeout": SERVICE_START_SECONDS,
        "display": True,
    }


def culler_settings(site: SiteConfig) -> CullerSettings | None:
    """The idle culler: ``spawner.culling`` if given, else the site's ``culler`` section."""
    if site.spawner.culling is not None:
        return site.spawner.culling
    culler = site.culler
    return CullerSettings(enabled=culler.enabled, idle_timeout=culler.timeout, every=culler.every,
                          max_age=culler.max_age, cull_users=culler.cull_users)


def roles(site: SiteConfig) -> list[dict[str, Any]]:
    """Roles to load: users' and servers' access to the catalogue, the catalogue's own and
    the hub client's (the culler's comes with its service, see configure_culling)."""
    out = [
        {"name": "user", "description": "Standard user privileges, the catalogue, and sharing their servers",
         "scopes": ["self", ACCESS_CATALOGUE, f"{SESSION_SCOPE}!user", *sharing_user_scopes(site.sharing)]},
        {"name": "server", "description": "Single-user servers: activity, and the catalogue as their user",
         "scopes": ["users:activity!user", "access:servers!server", ACCESS_CATALOGUE,
                    *(["shares!server"] if sharing_on(site.sharing) else [])]},
        {"name": "beamhub-catalogue", "description": "The catalogue service reads users' groups",
         "scopes": ["read:users:name", "read:users:groups"], "services": [SERVICE_NAME]},
        {"name": "beamhub-hub-client", "description": "The hub's spawner asks which proposals a user may mount",
         "scopes": [ACCESS_CATALOGUE, PROPOSALS_SCOPE], "services": [HUB_CLIENT_NAME]},
    ]
    return out


def lifecycle(site: SiteConfig) -> Lifecycle:
    """The session lifecycle (beamhub.lifecycle): the culler's limits, the announcements."""
    culler = culler_settings(site)
    path = site.lifecycle.announcements_file or (
        str(Path(site.hub.state_dir) / "announcements.json") if site.hub.state_dir else "")
    return Lifecycle(site.lifecycle, announcements_file=path,
                     idle_timeout=culler.idle_timeout if culler.enabled else None,
                     max_age=culler.max_age if culler.enabled else None)


def authenticator_config(site: SiteConfig) -> tuple[str, dict[str, dict[str, Any]]]:
    """(authenticator class, {config section: {trait: value}})."""
    auth = site.auth
    admins = set(site.hub.admin_users)
    if isinstance(auth, DemoAuth):
        admins |= {name for name, user in auth.users.items() if user.admin}
        return "beamhub.auth.authenticators.DemoAuthenticator", {
            "DemoAuthenticator": {"passwords": {name: user.password for name, user in auth.users.items()}},
            "Authenticator": {"allowed_users": set(auth.users), "admin_users": admins},
        }
    assert isinstance(auth, OIDCAuth)
    secret = auth.client_secret or Path(auth.client_secret_file).read_text().strip()
    generic = {
        "client_id": auth.client_id, "client_secret": secret, "authorize_url": auth.authorize_url,
        "token_url": auth.token_url, "userdata_url": auth.userdata_url, "scope": auth.scope,
        "username_claim": auth.username_claim, "manage_groups": True,
        "auth_state_groups_key": f"oauth_user.{auth.groups_claim}",
        "allowed_groups": set(auth.allowed_groups), "admin_groups": set(auth.admin_groups),
        "allow_all": auth.allow_all, "login_service": auth.login_service,
    }
    if auth.callback_url or site.hub.public_url:
        generic["oauth_callback_url"] = auth.callback_url or site.hub.public_url.rstrip("/") + "/hub/oauth_callback"
    beamhub = {  # beamhub.auth.oidc: the no-proposal page, logout at the provider
        "end_session_url": auth.end_session_url or "", "proposal_group_pattern": auth.proposal_group_pattern or "",
        "staff_group_pattern": site.catalogue.staff_group_pattern, "staff_groups": site.catalogue.staff_groups,
        "no_proposal_message": auth.no_proposal_message,
        "post_logout_redirect_url": auth.post_logout_redirect_url or (
            site.hub.public_url.rstrip("/") + "/hub/login" if site.hub.public_url else ""),
    }
    authenticator = {"allowed_users": set(auth.allowed_users), "admin_users": admins,
                     "auth_refresh_age": auth.refresh_seconds, "refresh_pre_spawn": auth.refresh_seconds > 0}
    sections = {"GenericOAuthenticator": generic, "BeamhubOIDCAuthenticator": beamhub, "Authenticator": authenticator}
    key = auth_state_key(site)
    if key:  # users' tokens kept encrypted: ID token for logout, refresh token for group refresh
        authenticator["enable_auth_state"] = True
        sections["CryptKeeper"] = {"keys": [bytes.fromhex(key)]}
    return "beamhub.auth.oidc.BeamhubOIDCAuthenticator", sections


def auth_state_key(site: SiteConfig) -> str | None:
    """The hex key encrypting auth state: ``auth.auth_state_key_file``, else one kept in
    the state directory (made at first start), else ``None`` (no auth state)."""
    auth = site.auth
    if auth.auth_state_key_file:
        return Path(auth.auth_state_key_file).read_text().strip()
    if not site.hub.state_dir:
        return None
    path = Path(site.hub.state_dir) / "auth-state-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def demo_groups(site: SiteConfig) -> dict[str, dict[str, list[str]]]:
    """``load_groups`` for the demo authenticator (fixed memberships, users created)."""
    if not isinstance(site.auth, DemoAuth):
        return {}
    groups: dict[str, dict[str, list[str]]] = {}
    for name, user in site.auth.users.items():
        for group in user.groups:
            groups.setdefault(group, {"users": []})["users"].append(name)
    return groups


def catalogue_url_for_servers(site: SiteConfig):
    """``catalogue.url_for_servers`` if set, else a callable JupyterHub calls at each spawn:
    the running hub's public URL (or where its proxy listens) + the catalogue's path."""
    if site.catalogue.url_for_servers:
        return site.catalogue.url_for_servers
    return _catalogue_url_from_running_hub


def _catalogue_url_from_running_hub(spawner) -> str:
    from urllib.parse import urlsplit, urlunsplit

    from jupyterhub.app import JupyterHub

    app = JupyterHub.instance()
    parts = urlsplit(app.public_url or app.bind_url)
    if parts.hostname in (None, "", "0.0.0.0", "::"):
        parts = parts._replace(netloc=f"127.0.0.1:{parts.port or 80}")
    return urlunsplit(parts).rstrip("/") + f"/services/{SERVICE_NAME}/api/v1"


def server_environment(site: SiteConfig) -> dict[str, object]:
    """What every single-user server gets besides JupyterHub's own variables."""
    return {CATALOGUE_URL_ENV: catalogue_url_for_servers(site)}


def hub_client_token(site: SiteConfig) -> str:
    """The ``beamhub-hub`` service's token, kept in the state directory if there is one."""
    if not site.hub.state_dir:
        return secrets.token_hex(32)
    path = Path(site.hub.state_dir) / "beamhub-hub-token"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(token)
    return token


def configure_hub(c, site: SiteConfig, *, python: str = sys.executable) -> None:
    """Apply ``site`` to the JupyterHub config object ``c``."""
    hub = site.hub
    for option, trait in (("ip", "ip"), ("port", "port"), ("base_url", "base_url"), ("public_url", "public_url"),
                          ("hub_ip", "hub_ip"), ("hub_port", "hub_port"), ("log_level", "log_level")):
        value = getattr(hub, option)
        if value is not None:
            setattr(c.JupyterHub, trait, value)
    if hub.state_dir:
        state = Path(hub.state_dir)
        state.mkdir(parents=True, exist_ok=True)
        c.JupyterHub.db_url = hub.db_url or f"sqlite:///{state / 'jupyterhub.sqlite'}"
        c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
        c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
        c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
    elif hub.db_url:
        c.JupyterHub.db_url = hub.db_url
    if hub.proxy_api_port is not None:
        c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{hub.proxy_api_port}"
    keep = hub.keep_servers_on_restart
    if keep is None:
        keep = site.spawner.kind in ("slurm", "docker")
    c.JupyterHub.cleanup_servers = not keep
    if hub.proxy_command:
        c.ConfigurableHTTPProxy.command = hub.proxy_command
    elif "command" not in c.ConfigurableHTTPProxy and Path(DEFAULT_PROXY).exists():
        c.ConfigurableHTTPProxy.command = [DEFAULT_PROXY]

    authenticator, sections = authenticator_config(site)
    c.JupyterHub.authenticator_class = authenticator
    for section, traits in sections.items():
        for name, value in traits.items():
            setattr(c[section], name, value)
    groups = demo_groups(site)
    if groups:
        c.JupyterHub.load_groups = {**(c.JupyterHub.load_groups if "load_groups" in c.JupyterHub else {}),
                                    **groups}

    port = site.catalogue.port or free_port()
    token = hub_client_token(site)
    services = [catalogue_service(site, port=port, python=python), {"name": HUB_CLIENT_NAME, "api_token": token}]
    c.JupyterHub.services = config_list(c.JupyterHub, "services") + services
    c.JupyterHub.load_roles = config_list(c.JupyterHub, "load_roles") + roles(site)
    configure_culling(c, culler_settings(site), python)

    site.spawner.model_copy(update={"culling": None}).apply(c, spawner_token=token)
    if site.spawner.kind == "demo" and not site.spawner.home and hub.state_dir:
        # Not JupyterHub's /tmp/{username}, which every demo on the machine would share.
        c.BeamhubSpawner.home_path = str(Path(hub.state_dir) / "homes" / "{username}")
    c.Spawner.environment = {**server_environment(site), **(c.Spawner.environment if "environment" in c.Spawner
                                                            else {})}
    if site.spawner.kind == "demo" and os.geteuid() == 0:
        # Demo servers run as the hub's own user; as root, jupyter-server must be told it may.
        c.Spawner.args = [*config_list(c.Spawner, "args"), "--allow-root"]
    custom = dict(c.JupyterHub.custom_scopes) if "custom_scopes" in c.JupyterHub else {}
    custom[PROPOSALS_SCOPE] = {"description": "List the proposals a user may mount (the hub's spawner)."}
    c.JupyterHub.custom_scopes = custom
    configure_sharing(c, site.sharing, service_settings(site).staff_rule())
    configure_pages(c, site.hub)  # the login and spawn pages: the site's name, what to do

    # The spawner inside the hub reaches the catalogue directly, with the beamhub-hub token
    # (given as configuration above, never through the hub's environment, which the
    # proxy would inherit).
    configure_lifecycle(c, lifecycle(site))
    if "catalogue_url" not in c.BeamhubSpawner:
        base_url = (hub.base_url or "/").rstrip("/")
        c.BeamhubSpawner.catalogue_url = \
            f"http://{site.catalogue.ip}:{port}{base_url}/services/{SERVICE_NAME}/api/v1"
    # The proxy gets its own auth token (ConfigurableHTTPProxy puts it in its environment)
    # and nothing else of the hub's environment.
    command = config_list(c.ConfigurableHTTPProxy, "command") or ["configurable-http-proxy"]
    c.ConfigurableHTTPProxy.command = minimal_environment_command(command, PROXY_ENV_KEEP, python)
