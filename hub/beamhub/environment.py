"""The single-user server's environment: what it needs and nothing more.

It runs user code, so it gets JupyterHub's variables for the server (its own API token,
URLs), the catalogue service's URL, the list of mounted data, and never the hub's
secrets nor the catalogue store's credentials, even if a site's ``Spawner.env_keep``
or ``Spawner.environment`` would pass them on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

CATALOGUE_URL_ENV = "BEAMHUB_CATALOGUE_URL"
"""The catalogue service's REST API base (``.../services/catalogue/api/v1``) as reachable
from the server; the extension and the client authenticate with ``$JUPYTERHUB_API_TOKEN``
(which carries ``access:services!service=catalogue``)."""

PROFILE_ENV = "BEAMHUB_PROFILE"
"""The name of the profile the server was started with."""

FORBIDDEN_ENV = (
    "BEAMHUB_STORE*", "BEAMHUB_SERVICE_SETTINGS", "BEAMHUB_CATALOGUE_HUB_TOKEN", "BEAMHUB_*SECRET*",
    "CONFIGPROXY_AUTH_TOKEN", "JUPYTERHUB_CRYPT_KEY", "JUPYTERHUB_COOKIE_SECRET*", "JPY_COOKIE_SECRET",
    "MONGO*", "*PASSWORD*", "*_SECRET", "*SECRET_KEY*", "AWS_SECRET_ACCESS_KEY", "OAUTH_CLIENT_SECRET",
    "*_CLIENT_SECRET",
)
"""Names (shell patterns) never passed to a single-user server."""


def is_forbidden(name: str, patterns: Iterable[str] = FORBIDDEN_ENV) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, pattern.upper()) for pattern in patterns)


def single_user_env(env: Mapping[str, str], additions: Mapping[str, str] = {},
                    forbidden: Iterable[str] = FORBIDDEN_ENV) -> dict[str, str]:
    """``env`` plus ``additions``, without any variable whose name is forbidden."""
    patterns = tuple(forbidden)
    merged = {**env, **additions}
    return {k: v for k, v in merged.items() if not is_forbidden(k, patterns)}
