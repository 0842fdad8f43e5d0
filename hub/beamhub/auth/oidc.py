"""Login through a facility's OpenID Connect provider: oauthenticator's
``GenericOAuthenticator`` with what beamhub adds.

- **Groups from the token's claims at every login** (``manage_groups``): the hub's groups of
  a user are replaced by the provider's ``groups`` claim, so a group removed at the
  provider is gone at the next login; with auth state kept (``enable_auth_state``),
  oauthenticator's ``refresh_user`` asks the provider again once they are older than
  ``auth_refresh_age``, with the refresh token once the access token has expired, and a
  refused refresh means a new login.
- **A user with no proposal group** (and no staff group) is not let in with a bare 403:
  :meth:`BeamhubOIDCAuthenticator.check_blocked_users` answers with a page that says why and
  what to do (``no_proposal_message``), and offers to log out at the provider to
  try another account.
- **Logout ends both sessions**: with ``end_session_url`` the hub's logout sends the
  browser to the provider's RP-initiated logout endpoint with the user's ID token as
  ``id_token_hint`` (kept in the encrypted auth state) and ``post_logout_redirect_uri``.

Configured from the site file's ``auth: {kind: oidc}`` by
:func:`beamhub.config.jupyterhub.authenticator_config`.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from jupyterhub.utils import maybe_future
from oauthenticator.generic import GenericOAuthenticator
from oauthenticator.oauth2 import OAuthLogoutHandler
from tornado import web
from traitlets import Dict, List, Unicode

from .staff import DEFAULT_PATTERN, StaffRule


def proposal_groups(groups, staff_rule: StaffRule, pattern: str | None = None) -> set[str]:
    """The proposal groups among ``groups``: those matching ``pattern`` (a regular
    expression) if given, else every group that does not make its holder staff."""
    if pattern:
        regex = re.compile(pattern)
        return {g for g in groups if regex.search(g)}
    return {g for g in groups if not staff_rule.beamlines([g])}


class NoProposalError(web.HTTPError):
    """403 with a page telling the user what to do (JupyterHub's error page shows
    ``jupyterhub_html_message``)."""

    def __init__(self, message: str, logout_url: str | None):
        super().__init__(403, "user has no proposal group", reason="Not a member of any proposal yet")
        self.jupyterhub_message = message
        link = (f' <a id="beamhub-provider-logout" href="{html.escape(logout_url)}">Log out of your account '
                f'at the login service</a> to log in with another one.') if logout_url else ""
        self.jupyterhub_html_message = f'<span id="beamhub-no-proposal">{html.escape(message)}</span>{link}'


class BeamhubOIDCLogoutHandler(OAuthLogoutHandler):
    """Hub logout, then the provider's end-session endpoint (if configured)."""

    async def handle_logout(self):
        await super().handle_logout()
        # current_user is still the user being logged out here (cleared after this).
        self._provider_logout = await self.authenticator.provider_logout_url(self, self.current_user)

    async def render_logout_page(self):
        url = getattr(self, "_provider_logout", None)
        if url:
            self.redirect(url)
            return
        await super().render_logout_page()


class BeamhubOIDCAuthenticator(GenericOAuthenticator):
    """GenericOAuthenticator + the no-proposal page + logout at the provider."""

    logout_handler = BeamhubOIDCLogoutHandler

    end_session_url = Unicode("", help="The provider's end-session endpoint (OpenID Connect RP-initiated "
                              "logout); empty: hub logout leaves the provider's session alone.").tag(config=True)
    post_logout_redirect_url = Unicode("", help="post_logout_redirect_uri sent to the provider (registered "
                                       "there); empty: this hub's login page.").tag(config=True)
    proposal_group_pattern = Unicode("", help="Regular expression naming proposal groups; empty: every group "
                                     "that is not a staff group.").tag(config=True)
    staff_group_pattern = Unicode(DEFAULT_PATTERN, allow_none=True,
                                  help="Staff groups, as the catalogue's (with '{beamline}').").tag(config=True)
    staff_groups = Dict(value_trait=List(Unicode()), help="Further staff groups -> beamlines, as the "
                        "catalogue's.").tag(config=True)
    no_proposal_message = Unicode(
        "Your account {username} is not a member of any proposal yet. Ask your proposal's principal "
        "investigator or the user office to add you, then log in again.",
        help="Shown to a user with no proposal and no staff group ('{username}' is replaced).").tag(config=True)

    async def refresh_user(self, user, handler=None, **kwargs):
        """oauthenticator's refresh (userinfo with the access token, else the refresh
        token); a refused one (``False``) makes the hub ask for a new login."""
        result = await super().refresh_user(user, handler, **kwargs)
        if result is False and handler is not None and not hasattr(handler, "_token_authenticated"):
            # JupyterHub 6.1 reads this (set only for token requests) to choose between a
            # new login and stale auth; unset, it logs a traceback at each such request.
            handler._token_authenticated = False
        return result

    def staff_rule(self) -> StaffRule:
        return StaffRule(self.staff_group_pattern or None, self.staff_groups)

    async def check_blocked_users(self, username, authentication=None):
        """Blocked users, then users with no proposal and no staff group: refused with
        a page (here, not in ``check_allowed``, which ``allow_all`` skips)."""
        passed = await maybe_future(super().check_blocked_users(username, authentication))
        auth_model = authentication if isinstance(authentication, dict) else None
        if passed and auth_model is not None and self.manage_groups and not auth_model.get("admin"):
            groups = set(auth_model.get("groups") or ())
            rule = self.staff_rule()
            if not proposal_groups(groups, rule, self.proposal_group_pattern) and not rule.beamlines(groups):
                self.log.warning("refusing %s: no proposal or staff group in %s", username, sorted(groups))
                raise NoProposalError(self.no_proposal_message.replace("{username}", username),
                                      self.end_session_url or None)
        return passed

    def _post_logout_redirect(self, handler) -> str:
        if self.post_logout_redirect_url:
            return self.post_logout_redirect_url
        return f"{handler.request.protocol}://{handler.request.host}{handler.settings['login_url']}"

    async def provider_logout_url(self, handler, user) -> str | None:
        """The provider's end-session URL for ``user`` (``None``: no provider logout).
        Without an ID token (no auth state) the provider asks the user to confirm."""
        if not self.end_session_url:
            return None
        auth_state = await user.get_auth_state() if user is not None else None
        id_token = ((auth_state or {}).get("token_response") or {}).get("id_token")
        params = {"client_id": self.client_id}
        if id_token:
            params.update(id_token_hint=id_token, post_logout_redirect_uri=self._post_logout_redirect(handler))
        separator = "&" if "?" in self.end_session_url else "?"
        return self.end_session_url + separator + urlencode(params)
