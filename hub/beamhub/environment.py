"""What a process that runs user code may inherit: every variable but the secrets.

A single-user server (:mod:`beamhub.spawner`) and a fog-filter job
(:mod:`beamhub.jobs.runners.local`) both run user code, so neither gets the hub's
secrets nor the catalogue store's credentials, even if a site's ``Spawner.env_keep``,
``Spawner.environment`` or ``jobs.environment`` would pass them on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

FORBIDDEN_ENV = (
    "BEAMHUB_STORE*", "BEAMHUB_SERVICE_SETTINGS", "BEAMHUB_CATALOGUE_HUB_TOKEN", "BEAMHUB_*SECRET*",
    "CONFIGPROXY_AUTH_TOKEN", "JUPYTERHUB_CRYPT_KEY", "JUPYTERHUB_COOKIE_SECRET*", "JPY_COOKIE_SECRET",
    "MONGO*", "*PASSWORD*", "*_SECRET", "*SECRET_KEY*", "AWS_SECRET_ACCESS_KEY", "OAUTH_CLIENT_SECRET",
    "*_CLIENT_SECRET",
)
"""Names (shell patterns) never passed to a process that runs user code."""


def is_forbidden(name: str, patterns: Iterable[str] = FORBIDDEN_ENV) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, pattern.upper()) for pattern in patterns)


def user_code_env(env: Mapping[str, str], additions: Mapping[str, str] = {},
                  forbidden: Iterable[str] = FORBIDDEN_ENV) -> dict[str, str]:
    """``env`` plus ``additions``, without any variable whose name is forbidden."""
    patterns = tuple(forbidden)
    merged = {**env, **additions}
    return {k: v for k, v in merged.items() if not is_forbidden(k, patterns)}
