"""Login through a real OpenID Connect provider (Dex), in Chromium, end to end.

Each test drives Debian's chromium through the hub's login button and Dex's own login
page (``/dex/auth/local``), then checks what the user would: where they land, the
hub's groups of the user (from the token's ``groups`` claim), and the proposals the
catalogue gives them (``/me/proposals`` in the same browser, logged in to the
catalogue service through the hub). Dex's users are changed (and Dex restarted) to
show that a group removed at the provider is gone at the next login. Logout must end
the hub's session and Dex's own (single-sign-on) session.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from tests.services.browser import screenshot

from .conftest import DEX_LOGIN_FORM, catalogue_proposals, groups_at_dex, hub_groups, logged_in, login, user


def test_login_through_the_provider_gives_the_claims_groups_and_exactly_their_proposals(oidc_site, chromium):
    hub = oidc_site.hub
    for name, groups, proposals in (("alice", ["p1001", "p1002"], {"p1001", "p1002"}),
                                    ("carol", ["staff-i03"], {"p1001"})):  # carol: staff of i03, where p1001 is
        with logged_in(chromium, hub, name) as (context, page):
            assert page.url == f"{hub.url}/hub/home", screenshot(page, "oidc-login", name)
            assert hub_groups(hub, name) == groups
            assert catalogue_proposals(context, page, hub) == proposals


def test_a_group_removed_at_the_provider_is_gone_at_the_next_login(oidc_site, chromium):
    hub, dex = oidc_site.hub, oidc_site.dex
    with logged_in(chromium, hub, "alice"):
        assert hub_groups(hub, "alice") == ["p1001", "p1002"]
    with groups_at_dex(dex, "alice", ["p1002"]), logged_in(chromium, hub, "alice") as (context, page):
        assert page.url == f"{hub.url}/hub/home", screenshot(page, "oidc-group-removed", "after")
        assert hub_groups(hub, "alice") == ["p1002"]
        assert catalogue_proposals(context, page, hub) == {"p1002"}


def test_a_user_in_no_proposal_gets_a_page_saying_what_to_do(oidc_site, chromium):
    hub = oidc_site.hub
    with logged_in(chromium, hub, "dave") as (_, page):
        screenshot(page, "oidc-no-proposal", "page")
        text = page.inner_text("body")
        assert "not a member of any proposal" in text and "principal investigator" in text, text
        assert "dave" in text
        logout_link = page.get_attribute("#beamhub-provider-logout", "href")
        assert logout_link.startswith(oidc_site.dex.end_session_url), logout_link
        # not in: the hub never let him reach his home page
        page.goto(f"{hub.url}/hub/home")
        assert page.url.startswith(f"{hub.url}/hub/login"), page.url


def test_logout_ends_the_hub_session_and_the_providers(oidc_site, chromium):
    hub = oidc_site.hub
    context = chromium.new_context()
    try:
        page = context.new_page()
        visited: list[str] = []
        page.on("request", lambda request: visited.append(request.url) if request.is_navigation_request() else None)
        forms: list[str] = []  # Dex's password form, shown (200), not passed through (redirect)
        page.on("response", lambda response: forms.append(response.url) if (
            response.request.is_navigation_request() and response.status == 200
            and DEX_LOGIN_FORM.search(response.url)) else None)
        login(page, hub, user("alice"))
        assert page.url == f"{hub.url}/hub/home"
        # Dex keeps its own session: logging in again does not ask for the password.
        forms.clear()
        page.goto(f"{hub.url}/hub/oauth_login?next={quote('/hub/home')}")
        page.wait_for_url(f"{hub.url}/hub/home")
        assert forms == []

        visited.clear()
        page.goto(f"{hub.url}/hub/logout")
        page.wait_for_url(re.compile(re.escape(f"{hub.url}/hub/login")))
        through_dex = any(url.startswith(oidc_site.dex.end_session_url) for url in visited)
        # The hub's session has ended ...
        page.goto(f"{hub.url}/hub/home")
        assert page.url.startswith(f"{hub.url}/hub/login"), page.url
        # ... and Dex's: logging in asks for the password again.
        forms.clear()
        page.goto(f"{hub.url}/hub/oauth_login?next={quote('/hub/home')}")
        page.wait_for_load_state()
        assert forms and page.is_visible("#password"), (page.url, screenshot(page, "oidc-logout", "after"))
        assert through_dex, visited  # by the provider's end-session endpoint
    finally:
        context.close()



def test_a_refused_token_refresh_sends_the_user_to_log_in_again(oidc_site, chromium):
    """The hub re-checks a logged-in user's groups with the provider once they are older
    than refresh_seconds (1 s here). Dex restarted with changed groups (memory storage)
    no longer knows the user's tokens: the refresh is refused, and the user must log in
    again (a login page, not an error), which gives the new groups."""
    hub, dex = oidc_site.hub, oidc_site.dex
    with logged_in(chromium, hub, "alice") as (_, page):
        assert hub_groups(hub, "alice") == ["p1001", "p1002"]
        with groups_at_dex(dex, "alice", ["p1002"]):
            time.sleep(1.5)  # older than refresh_seconds (not a timed assertion)
            response = page.goto(f"{hub.url}/hub/home")
            assert response.status == 200 and page.url.startswith(f"{hub.url}/hub/login"), (
                response.status, page.url, screenshot(page, "oidc-refresh-refused", "page"))
            login(page, hub, user("alice"))
            assert page.url == f"{hub.url}/hub/home"
            assert hub_groups(hub, "alice") == ["p1002"]
