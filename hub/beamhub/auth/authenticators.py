"""The demo's authenticator: fixed users, each with a password of its own.

For demos and tests only: passwords sit in the site file (the demo generates them
and prints them on start). Group memberships come from the same file through
JupyterHub's ``load_groups``. A facility uses its OIDC provider instead
(``auth: {kind: oidc}``: oauthenticator's GenericOAuthenticator).
"""

from __future__ import annotations

import hmac

from jupyterhub.auth import Authenticator
from traitlets import Dict, Unicode


class DemoAuthenticator(Authenticator):
    """Checks a user's password against ``passwords``."""

    passwords = Dict(key_trait=Unicode(), value_trait=Unicode(),
                     help="User name -> password. Demo only: stored in clear in the site file.").tag(config=True)

    async def authenticate(self, handler, data):
        name = self.normalize_username(data.get("username", ""))
        expected = self.passwords.get(name)
        given = data.get("password", "")
        if expected is None or not hmac.compare_digest(expected.encode(), given.encode()):
            self.log.warning("demo login failed for %r", name)
            return None
        return name
