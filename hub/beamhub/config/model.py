"""The site configuration: one YAML (or TOML) file describing a beamhub deployment.

Every option is documented here (``Field(description=...)``); ``beamhub.config.load``
validates a file against it and names the key of every problem. Unknown keys are
errors, so a typo never silently does nothing.

A minimal site (the demo writes a fuller one)::

    hub:
      port: 8000
      state_dir: /var/lib/beamhub
    auth:
      kind: oidc
      client_id: beamhub
      client_secret_file: /etc/beamhub/oidc-secret
      authorize_url: https://login.facility.org/auth
      token_url: https://login.facility.org/token
      userdata_url: https://login.facility.org/userinfo
    catalogue:
      store_file: /etc/beamhub/store-url      # mongodb://user:pass@db/beamhub
    jobs:
      runner: slurm
      work_root: /gpfs/beamhub/jobs
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from beamhub.jobs.settings import JobsSettings
from beamhub.lifecycle.model import LifecycleSettings
from beamhub.service.settings import Limits
from beamhub.sharing.policy import SharingSettings
from beamhub.spawner.settings import SpawnerSettings
from beamhub.suggest.settings import SuggestSettings


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HubSection(_Section):
    """JupyterHub itself. Unset options keep JupyterHub's defaults."""

    ip: str | None = Field(None, description="Address the proxy listens on for users (JupyterHub.ip); "
                           "default all interfaces.")
    port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        None, description="Port the proxy listens on for users (JupyterHub.port; JupyterHub's default 8000).")
    base_url: str | None = Field(None, description="URL prefix of the whole site, e.g. '/beamhub/'.")
    public_url: str | None = Field(
        None, description="The URL users reach the site at (JupyterHub.public_url), e.g. "
        "'https://beamhub.facility.org/'. Also how single-user servers reach the catalogue service.")
    hub_ip: str | None = Field(None, description="Address the hub's own API listens on (JupyterHub.hub_ip); "
                               "must be reachable from single-user servers.")
    hub_port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        None, description="JupyterHub.hub_port (JupyterHub's default 8081; the demo picks a free one).")
    proxy_api_port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        None, description="Port of the proxy's REST API on 127.0.0.1 (ConfigurableHTTPProxy.api_url; "
        "JupyterHub's default 8001; the demo picks a free one). Set it when another hub runs on the machine.")
    state_dir: str | None = Field(
        None, description="Directory for the hub's database, cookie secret and generated tokens. "
        "Unset: JupyterHub's defaults (the working directory).")
    db_url: str | None = Field(None, description="JupyterHub's database URL; default sqlite in state_dir.")
    admin_users: list[str] = Field([], description="Hub users with JupyterHub admin rights.")
    site_name: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        "beamhub", description="The site's name, on the login and spawn pages (e.g. 'Diamond beamhub').")
    login_hint: Annotated[str, Field(max_length=500)] = Field(
        "Sign in with your facility account to analyse your proposals' data in JupyterLab.",
        description="One line on the login page saying what to do ('' for none).")
    spawn_hint: Annotated[str, Field(max_length=500)] = Field(
        "Choose the resources and tick the proposals whose data you want, then start your server.",
        description="One line on the spawn page saying what to do ('' for none).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = Field(None, description="Hub log level.")
    keep_servers_on_restart: bool | None = Field(
        None, description="Leave users' servers running when the hub stops or restarts (JupyterHub.cleanup_servers "
        "= false), so an upgrade or a crash does not end anyone's session; the restarted hub finds them again. "
        "Default: true for the slurm and docker spawners, false for demo and local (their servers are the "
        "hub's own child processes).")
    proxy_command: list[str] | None = Field(
        None, description="The configurable-http-proxy command (ConfigurableHTTPProxy.command); "
        "default: /opt/beamhub/proxy's if installed there, else from PATH. It runs with its auth token and, "
        "of the hub's environment, only PATH, LANG, LC_*, TZ, NODE_* and SSL_CERT_*.")


class DemoUser(_Section):
    password: Annotated[str, Field(min_length=8)] = Field(description="The user's password (demo only).")
    groups: list[str] = Field([], description="Hub groups: proposal groups such as 'p1001', staff "
                              "groups such as 'staff-i03'.")
    admin: bool = Field(False, description="Whether the user is a JupyterHub admin.")


class DemoAuth(_Section):
    """Fixed users with passwords in this file and fixed groups: for demos and tests only."""

    kind: Literal["demo"]
    users: dict[str, DemoUser] = Field(description="User name -> password and groups.")


class OIDCAuth(_Section):
    """A facility's OpenID Connect provider through oauthenticator's GenericOAuthenticator;
    hub groups are taken from a claim at every login (manage_groups)."""

    kind: Literal["oidc"]
    client_id: str = Field(description="The OAuth client id registered for the hub.")
    client_secret: str | None = Field(None, description="The client secret (prefer client_secret_file).")
    client_secret_file: str | None = Field(None, description="A file holding the client secret.")
    authorize_url: str = Field(description="The provider's authorization endpoint.")
    token_url: str = Field(description="The provider's token endpoint.")
    userdata_url: str = Field(description="The provider's userinfo endpoint.")
    callback_url: str | None = Field(None, description="This hub's OAuth callback URL "
                                     "(default: public_url + hub/oauth_callback).")
    scope: list[str] = Field(["openid", "profile", "email"], description="Scopes asked of the provider.")
    username_claim: str = Field("preferred_username", description="The userinfo claim holding the user name.")
    groups_claim: str = Field("groups", description="The userinfo claim holding the user's groups "
                              "(proposal groups and beamline staff groups).")
    allowed_groups: list[str] = Field([], description="Only members of these groups may log in; empty "
                                      "with allow_all=false means only admin_users and allowed_users.")
    allowed_users: list[str] = Field([], description="Users allowed in whatever their groups.")
    allow_all: bool = Field(False, description="Let every user the provider authenticates in.")
    admin_groups: list[str] = Field([], description="Members of these groups are hub admins.")
    login_service: str = Field("facility account", description="Shown on the login button.")
    end_session_url: str | None = Field(
        None, description="The provider's end-session (RP-initiated logout) endpoint: hub logout sends the "
        "browser there with id_token_hint and post_logout_redirect_uri, so the provider's session ends too "
        "(Dex: ISSUER/logout; Keycloak: REALM/protocol/openid-connect/logout).")
    post_logout_redirect_url: str | None = Field(
        None, description="Where the provider sends the browser after logout (register it at the provider; "
        "default: public_url + hub/login, or the hub's login page as the browser reached it).")
    proposal_group_pattern: str | None = Field(
        None, description="A regular expression for proposal group names (e.g. '^p[0-9]+$'); null: every group "
        "that is not a staff group is a proposal group. A user with neither gets no_proposal_message.")
    no_proposal_message: str = Field(
        "Your account {username} is not a member of any proposal yet, so there is no data for you here. "
        "Ask your proposal's principal investigator or the user office to add your account to the proposal, "
        "then log in again.", description="The page shown to a user with no proposal and no staff group "
        "('{username}' is replaced).")
    auth_state_key_file: str | None = Field(
        None, description="A file holding the hex key that encrypts users' tokens in the hub database (needed "
        "for logout at the provider and group refresh on token refresh); default: hub.state_dir/auth-state-key, "
        "made at first start; neither: tokens are not kept.")
    refresh_seconds: Annotated[int, Field(ge=0, le=86400)] = Field(
        300, description="How old a user's groups may get before the hub asks the provider again (with the "
        "refresh token if the access token has expired); 0: only at login.")

    @model_validator(mode="after")
    def _one_secret(self):
        if bool(self.client_secret) == bool(self.client_secret_file):
            raise ValueError("give exactly one of client_secret and client_secret_file")
        return self


AuthSection = Annotated[Union[DemoAuth, OIDCAuth], Field(discriminator="kind")]


class CatalogueSection(_Section):
    """The catalogue service (a JupyterHub-managed service named 'catalogue'). Only it
    receives the store URL; single-user servers never do."""

    store: str | None = Field(None, description="Store URL: sqlite:///PATH or mongodb://USER:PASS@HOST/DB. "
                              "Prefer store_file for URLs holding credentials.")
    store_file: str | None = Field(None, description="A file holding the store URL (read by the service).")
    port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        None, description="Port the service listens on (loopback); default: a free port at each start.")
    ip: str = Field("127.0.0.1", description="Address the service listens on; the proxy must reach it.")
    url_for_servers: str | None = Field(
        None, description="The catalogue API URL single-user servers use (BEAMHUB_CATALOGUE_URL); default "
        "hub.public_url or http://127.0.0.1:<hub.port> + /services/catalogue/api/v1.")
    staff_group_pattern: str | None = Field(
        "staff-{beamline}", description="Hub groups naming beamline staff, with one '{beamline}' placeholder; "
        "null: only staff_groups count.")
    staff_groups: dict[str, list[str]] = Field(
        {}, description="Further groups whose members are staff of the listed beamlines.")
    limits: Limits = Field(Limits(), description="Request limits of the REST API.")
    workers: Annotated[int, Field(ge=0, le=256)] = Field(
        0, description="Worker processes of the service behind its one port (what they share is in the store); "
        "0: one per core. Each serves requests on its own event loop; request limits apply per worker.")
    store_threads: Annotated[int, Field(ge=1, le=256)] = Field(
        16, description="Threads per worker running store calls (each may hold a database connection). 1, 2, 4 "
        "and 16 cost the same CPU per request (measured, issue 18); with few, searches wait behind previews.")
    preview_max_age: Annotated[int, Field(ge=0, le=86400)] = Field(300, description="Previews' Cache-Control max-age (s).")
    idempotency_keep_seconds: Annotated[int, Field(ge=60, le=30 * 86400)] = Field(
        86400, description="How long the answer of a write sent with an Idempotency-Key is kept in the store (seconds), so the client's retry within it gets the first answer instead of acting again (after a restart too, on any worker); expired keys are removed by a TTL index on MongoDB/DocumentDB and a periodic purge on both stores.")
    columns_snapshot_dir: str | None = Field(
        None, description="Directory keeping the MongoDB store's search columns between service starts (a "
        "worker starts from it in seconds and applies what changed since); default hub.state_dir/search-columns "
        "(none without a state_dir).")
    preview_cache_dir: str | None = Field(
        None, description="Directory caching rendered previews; default hub.state_dir/preview-cache "
        "(none without a state_dir).")
    hub_auth_cache_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        5, description="How long the service keeps the hub's answer about a token (its user and groups): "
        "a revoked token, a removed or added group membership reach the catalogue at most this long after "
        "the change. Each token in use costs the hub one lookup (about 2 ms of its CPU) per period. At least "
        "1 (JupyterHub's cache would keep answers forever at 0).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="The service's log level.")
    environment: dict[str, str] = Field({}, description="Extra environment variables for the service.")
    suggest: SuggestSettings = Field(
        SuggestSettings(), description="Suggestions (the AI-assisted fog filter): features_file (default "
        "hub.state_dir/suggest/features.sqlite), compute_per_request, refresh_seconds, refresh_batch.")

    @model_validator(mode="after")
    def _one_store(self):
        if self.store and self.store_file:
            raise ValueError("give store or store_file, not both")
        return self


class CullerSection(_Section):
    """jupyterhub-idle-culler, run as a hub service."""

    enabled: bool = Field(True, description="Stop idle single-user servers.")
    timeout: Annotated[int, Field(ge=60)] = Field(3600, description="Idle seconds before a server is stopped.")
    every: Annotated[int, Field(ge=10)] = Field(300, description="Seconds between checks.")
    max_age: Annotated[int, Field(ge=0)] = Field(0, description="Stop servers older than this (s); 0: never.")
    cull_users: bool = Field(False, description="Also delete idle users (never wanted with an OIDC provider).")


class SiteConfig(_Section):
    """A whole beamhub site."""

    hub: HubSection = Field(HubSection(), description="JupyterHub and its proxy.")
    auth: AuthSection = Field(description="How users log in: 'demo' or 'oidc'.")
    catalogue: CatalogueSection = Field(CatalogueSection(), description="The catalogue service.")
    jobs: JobsSettings = Field(JobsSettings(), description="Fog-filter jobs (runner, folders, Slurm).")
    spawner: SpawnerSettings = Field(
        SpawnerSettings(), description="The spawner: kind (slurm, docker, local, demo), profiles, data roots "
        "and mounts (beamhub.spawner.settings.SpawnerSettings documents every key).")
    culler: CullerSection = Field(CullerSection(), description="Stopping idle servers (unless spawner.culling "
                                  "is given, which then wins).")
    sharing: SharingSettings = Field(SharingSettings(), description="Sharing a running server: who may be "
                                     "invited (the hub's policy) and invitation links (beamhub.sharing).")
    lifecycle: LifecycleSettings = Field(LifecycleSettings(), description="Users' sessions: warnings before "
                                         "a server ends, extending its walltime, announcements.")
