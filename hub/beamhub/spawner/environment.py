"""The names of the variables beamhub gives a single-user server.

The rest of its environment is JupyterHub's for the server (its own API token, URLs),
filtered by :func:`beamhub.environment.user_code_env` so that no secret reaches it.
"""

from __future__ import annotations

CATALOGUE_URL_ENV = "BEAMHUB_CATALOGUE_URL"
"""The catalogue service's REST API base (``.../services/catalogue/api/v1``) as reachable
from the server; the extension and the client authenticate with ``$JUPYTERHUB_API_TOKEN``
(which carries ``access:services!service=catalogue``)."""

PROFILE_ENV = "BEAMHUB_PROFILE"
"""The name of the profile the server was started with."""
