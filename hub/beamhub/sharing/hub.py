"""The hub-side piece of sharing: JupyterHub's own share handlers, with the site policy
checked first.

JupyterHub (6) lets a user holding ``shares!user`` grant others access to a server,
directly (``POST /hub/api/shares/{owner}/{server}``) or through a share code that anyone
logged in may accept at ``/hub/accept-share``. Neither asks whether the one joining may
see the data mounted in the server. Here, subclasses of those handlers are routed in front
of JupyterHub's (through the authenticator's ``get_handlers``, the only handlers the hub
places before its defaults) and:

- a share must grant exactly one beamhub role (:mod:`.policy`), and its user must pass
  :func:`~.policy.may_join` for the proposals mounted in the server (read from the
  spawner's ``user_options`` and the proposal source, i.e. the catalogue, at that moment);
- sharing with a group shares with each of its current members that the policy admits,
  one by one (a group's later members are not admitted silently); the answer names who
  was refused;
- a share code carries one role and expires within the site's ``link_max_seconds``;
- accepting a code (GET shows the page, POST exchanges it) checks the one accepting
  (``links: policy``, the default) exactly as a direct invitation; a refusal is a 403 page.

Support (beamline staff asking to join, :mod:`.support`):

- ``GET /hub/api/beamhub/support``: the running servers the logged-in user may ask to
  join as support (staff of the beamlines of their mounted proposals, and admitted by
  the invitation policy), with their request's state; the hub's home page shows them with
  an "Ask to join" button;
- ``POST /hub/api/beamhub/support/{owner}/{server}``: ask (403 with the policy's reason);
  the request expires after ``support_request_seconds`` unless answered;
- ``GET`` / ``POST /hub/api/beamhub/support-requests/{owner}/{server}`` (``read:shares``
  / ``shares`` on that server: its owner, or its own token, through which JupyterLab
  asks): the pending requests; ``{"user": name, "accept": true|false}`` answers one.
  Accepting checks the policy again and grants a share with the ``support`` role;
- when the server stops (``Spawner.post_stop_hook``) its support shares and requests
  are removed: support lasts one session.

Revocation is JupyterHub's own (``DELETE``/``PATCH`` on the same routes): the share is
gone at once; the single-user server's authorizer asks the hub about a member's token at
each request (no cache) and closes their open websockets within seconds (see
``jupyterlab_beamhub.authorizer``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tornado import web

from .policy import (
    ROLE_DESCRIPTIONS, ROLE_PREFIX, ROLES, SUPPORT, Decision, MountedProposal, SharingSettings, may_ask_support,
    may_join, role_from_request, share_scopes, staff_beamlines,
)
from .support import SupportRequests

SERVER_SHARES_SCOPE = "shares!server"
TEMPLATES = str(Path(__file__).parent / "templates")


def custom_scopes() -> dict[str, dict[str, Any]]:
    """The roles as JupyterHub custom scopes (collaborator includes viewer)."""
    return {
        f"{ROLE_PREFIX}viewer": {"description": "Shared server, viewer: " + ROLE_DESCRIPTIONS["viewer"]},
        f"{ROLE_PREFIX}collaborator": {"description": "Shared server, collaborator: "
                                       + ROLE_DESCRIPTIONS["collaborator"],
                                       "subscopes": [f"{ROLE_PREFIX}viewer"]},
        f"{ROLE_PREFIX}{SUPPORT}": {"description": "Shared server, support: " + ROLE_DESCRIPTIONS[SUPPORT]},
    }


AUTHORIZER = "jupyterlab_beamhub.authorizer.BeamhubAuthorizer"


def authorizer_available() -> bool:
    """Whether this environment (the hub's, which single-user servers share or mirror:
    same lock, same wheels) has the authorizer that enforces the roles. Without it,
    sharing stays off: a share would otherwise give full access."""
    import importlib.util

    try:
        return importlib.util.find_spec(AUTHORIZER.rsplit(".", 1)[0]) is not None
    except ImportError:
        return False


def sharing_on(settings: SharingSettings) -> bool:
    return settings.enabled and authorizer_available()


def user_scopes(settings: SharingSettings) -> list[str]:
    """What the ``user`` role adds so that users may share their own servers."""
    if not sharing_on(settings):
        return []
    return ["shares!user", *(f"{ROLE_PREFIX}{role}!user" for role in ROLES)]


# -- the policy's inputs, read on the hub ----------------------------------------------------
async def mounted_proposals(owner, spawner) -> list[MountedProposal]:
    """The proposals mounted in ``spawner`` (a running server of ``owner``), with who may
    see them, from the catalogue as it is now. Raises 503 if they cannot be known."""
    chosen = list((spawner.user_options or {}).get("proposals") or [])
    if not chosen:
        return []
    source = getattr(spawner, "proposal_source", None)
    if source is None:
        raise web.HTTPError(503, "the server's mounted proposals cannot be checked (no proposal source)")
    groups = frozenset(g.name for g in owner.groups)
    try:
        mountable = {p.proposalId: p for p in await source.mountable(owner.name, groups)}
    except Exception as exc:  # the catalogue is down: refuse rather than guess
        raise web.HTTPError(503, f"the mounted proposals cannot be checked now: {exc}") from None
    out = []
    for pid in chosen:
        p = mountable.get(pid)
        if p is None:  # no longer visible to the owner: nobody else may join on its account
            out.append(MountedProposal(pid, frozenset()))
        else:
            out.append(MountedProposal(pid, frozenset([p.ownerGroup, *p.accessGroups]), frozenset(p.members),
                                       p.beamline))
    return out


def _settings(handler) -> SharingSettings:
    return handler.settings.get("beamhub_sharing") or SharingSettings()


def _staff_rule(handler):
    return handler.settings.get("beamhub_staff_rule")


async def check_user(handler, owner, spawner, user, *, via_link: bool = False, support: bool = False,
                     mounted: list[MountedProposal] | None = None) -> Decision:
    """The policy's answer for ``user`` (a hub User or orm.User) joining ``spawner``
    (``support``: asking to join as beamline staff)."""
    groups = [g.name for g in user.groups]
    if mounted is None:
        mounted = await mounted_proposals(owner, spawner)
    staff_of = staff_beamlines(groups, _staff_rule(handler))
    if support:
        return may_ask_support(_settings(handler), owner=owner.name, user=user.name, user_groups=groups,
                               mounted=mounted, staff_of=staff_of)
    return may_join(_settings(handler), owner=owner.name, user=user.name, user_groups=groups, mounted=mounted,
                    staff_of=staff_of, via_link=via_link)


def _running_spawner(handler, owner_name: str, server_name: str, *, running: bool = False):
    owner = handler.find_user(owner_name)
    if owner is None or server_name not in owner.spawners:
        raise web.HTTPError(404, f"no server {owner_name}/{server_name}")
    spawner = owner.spawners[server_name]
    if running and not (spawner.active and not spawner.pending):
        raise web.HTTPError(404, f"{owner_name}'s server is not running")
    return owner, spawner


def _requested_role(handler, user_name: str, server_name: str | None) -> tuple[dict, str]:
    """(the JSON body, the one role it asks for) of a share or share-code POST."""
    if server_name is None:
        raise web.HTTPError(405)
    model = handler.get_json_body() or {}
    if not isinstance(model, dict):
        raise web.HTTPError(400, "expected a JSON object")
    try:
        return model, role_from_request(model.get("scopes"), user_name, server_name)
    except ValueError as exc:
        raise web.HTTPError(400, str(exc)) from None


def _support_requests(handler) -> SupportRequests:
    return handler.settings["beamhub_support"]


def is_support_share(scopes) -> bool:
    return any(s.split("!", 1)[0] == ROLE_PREFIX + SUPPORT for s in scopes or ())


def support_ends(previous=None):
    """A ``Spawner.post_stop_hook``: the server stopped, so its support ends: its pending
    requests are dropped and the shares with the support role deleted (then ``previous``).
    The requests are the hub's (its tornado settings, which the hub's User holds: the
    configuration's copy of them is not the hub's)."""
    def hook(spawner):
        requests = (getattr(spawner.user, "settings", None) or {}).get("beamhub_support")
        if requests is not None:
            requests.end_session(spawner.user.name, spawner.name)
        orm_spawner = spawner.orm_spawner
        gone = [share for share in list(orm_spawner.shares) if is_support_share(share.scopes)] \
            if orm_spawner is not None else []
        for share in gone:
            spawner.log.info("beamhub: %s's server stopped: support access of %s ends", spawner.user.name,
                             share.user.name if share.user else share.group.name)
            spawner.db.delete(share)
        if gone:
            spawner.db.commit()
        if previous is not None:
            return previous(spawner)
        return None

    return hook


def _handlers():
    """The handler classes (imported late: JupyterHub's modules only inside the hub)."""
    from jupyterhub import orm
    from jupyterhub.apihandlers.base import APIHandler
    from jupyterhub.apihandlers.shares import ServerShareAPIHandler, ServerShareCodeAPIHandler
    from jupyterhub.handlers.pages import AcceptShareHandler
    from jupyterhub.scopes import needs_scope

    class PolicyShareAPIHandler(ServerShareAPIHandler):
        @needs_scope("shares")
        async def post(self, user_name, server_name=None):
            model, role = _requested_role(self, user_name, server_name)
            owner, spawner = _running_spawner(self, user_name, server_name)
            scopes = share_scopes(role, user_name, server_name)
            if model.get("group") and not model.get("user"):
                return await self._share_with_group(owner, spawner, model["group"], scopes)
            name = model.get("user")
            if not isinstance(name, str) or not name:
                raise web.HTTPError(400, "say whom to share with: 'user' or 'group'")
            user = self.find_user(name)
            if user is None:
                raise web.HTTPError(400, f"No such user: {name}")
            decision = await check_user(self, owner, spawner, user)
            if not decision.allowed:
                raise web.HTTPError(403, decision.reason)
            # A role change replaces the role: revoke the other role's scope first.
            existing = orm.Share.find(self.db, spawner.orm_spawner, share_with=user.orm_user)
            if existing is not None:
                stale = [s for s in existing.scopes if s.startswith(ROLE_PREFIX) and s not in scopes]
                if stale:
                    orm.Share.revoke(self.db, spawner.orm_spawner, user.orm_user, scopes=stale)
            share = orm.Share.grant(self.db, spawner.orm_spawner, user.orm_user, scopes=scopes)
            self.finish(json.dumps(self.share_model(share)))

        async def _share_with_group(self, owner, spawner, group_name, scopes):
            group = orm.Group.find(self.db, name=group_name)
            if group is None:
                raise web.HTTPError(400, f"No such group: {group_name}")
            shares, refused = [], []
            for member in sorted(group.users, key=lambda u: u.name):
                if member.name == owner.name:
                    continue
                decision = await check_user(self, owner, spawner, member)
                if not decision.allowed:
                    refused.append({"user": member.name, "reason": decision.reason})
                    continue
                shares.append(self.share_model(orm.Share.grant(self.db, spawner.orm_spawner, member,
                                                               scopes=scopes)))
            self.finish(json.dumps({"group": group_name, "shares": shares, "refused": refused}))

    class PolicyShareCodeAPIHandler(ServerShareCodeAPIHandler):
        @needs_scope("shares")
        async def post(self, user_name, server_name=None):
            model, role = _requested_role(self, user_name, server_name)
            limit = _settings(self).link_max_seconds
            expires_in = model.get("expires_in", min(86400, limit))
            if not isinstance(expires_in, int) or not 60 <= expires_in <= limit:
                raise web.HTTPError(400, f"expires_in must be a whole number of seconds from 60 to {limit}")
            _, spawner = _running_spawner(self, user_name, server_name)
            share_code, code = orm.ShareCode.new(self.db, spawner.orm_spawner,
                                                 scopes=share_scopes(role, user_name, server_name),
                                                 expires_in=expires_in)
            self.finish(json.dumps(self.share_code_model(share_code, code=code)))

    class PolicyAcceptShareHandler(AcceptShareHandler):
        async def _check(self):
            code = self.get_argument("code", "")
            share_code = orm.ShareCode.find(self.db, code=code)
            if share_code is None:
                raise web.HTTPError(404, "This invitation link is not valid: it has expired or was revoked.")
            if share_code.owner == self.current_user.orm_user:
                return
            owner = self._user_from_orm(share_code.owner)
            spawner = owner.spawners[share_code.spawner.name]
            decision = await check_user(self, owner, spawner, self.current_user, via_link=True)
            if not decision.allowed:
                raise web.HTTPError(403, f"This invitation cannot be accepted: {decision.reason}.")

        @web.authenticated
        async def get(self):
            await self._check()
            return await super().get()

        @web.authenticated
        async def post(self):
            await self._check()
            return super().post()

    class SupportListHandler(APIHandler):
        """The servers the logged-in user may ask to join as support; asking."""

        def _me(self):
            if self.current_user is None or self.current_user.kind != "user":
                raise web.HTTPError(403, "log in to ask to join a server as support")
            return self.current_user

        async def get(self):
            me = self._me()
            if not staff_beamlines([g.name for g in me.groups], _staff_rule(self)):
                return self.finish(json.dumps({"items": []}))  # not staff: nothing to look up
            running = [(self._user_from_orm(s.user), s.name) for s in
                       self.db.query(orm.Spawner).filter(orm.Spawner.server_id.isnot(None))]
            candidates = [(owner, owner.spawners[name]) for owner, name in running
                          if owner.name != me.name and name in owner.spawners
                          and (owner.spawners[name].user_options or {}).get("proposals")]

            async def entry(owner, spawner):
                try:
                    mounted = await mounted_proposals(owner, spawner)
                except web.HTTPError:
                    return None
                if not (await check_user(self, owner, spawner, me, support=True, mounted=mounted)).allowed:
                    return None
                share = orm.Share.find(self.db, spawner.orm_spawner, share_with=me.orm_user)
                request = _support_requests(self).of(owner.name, spawner.name, me.name)
                return {"owner": owner.name, "server": spawner.name,
                        "proposals": [{"proposalId": p.proposal_id, "beamline": p.beamline} for p in mounted],
                        "url": owner.server_url(spawner.name),
                        "request": request.public() if request else None,
                        "member": bool(share and share.scopes)}

            import asyncio

            items = [e for e in await asyncio.gather(*(entry(o, s) for o, s in candidates)) if e]
            self.finish(json.dumps({"items": sorted(items, key=lambda e: (e["owner"], e["server"]))}))

        async def post(self, user_name=None, server_name=None):
            if user_name is None:
                raise web.HTTPError(405, "ask to join one server: POST .../support/{owner}/{server}")
            me = self._me()
            owner, spawner = _running_spawner(self, user_name, server_name, running=True)
            decision = await check_user(self, owner, spawner, me, support=True)
            if not decision.allowed:
                raise web.HTTPError(403, decision.reason)
            request = _support_requests(self).ask(owner.name, server_name, me.name)
            self.log.info("beamhub: %s asks to join %s/%s as support", me.name, owner.name, server_name)
            self.set_status(201)
            self.finish(json.dumps(request.public()))

    class SupportAnswerHandler(APIHandler):
        """The owner's side: the server's pending support requests; accepting or declining one."""

        @needs_scope("read:shares")
        async def get(self, user_name, server_name):
            _running_spawner(self, user_name, server_name)
            pending = _support_requests(self).pending(user_name, server_name)
            self.finish(json.dumps({"items": [r.public() for r in pending]}))

        @needs_scope("shares")
        async def post(self, user_name, server_name):
            body = self.get_json_body() or {}
            if not isinstance(body, dict) or not isinstance(body.get("user"), str) \
                    or not isinstance(body.get("accept"), bool):
                raise web.HTTPError(400, 'send {"user": name, "accept": true or false}')
            owner, spawner = _running_spawner(self, user_name, server_name, running=True)
            requests = _support_requests(self)
            request = requests.of(user_name, server_name, body["user"])
            if request is None or request.state != "pending":
                raise web.HTTPError(404, f"{body['user']} has no pending request to join (it may have expired)")
            staff = self.find_user(body["user"])
            if body["accept"]:
                # The policy again: the mounted proposals or the staff's groups may have changed.
                decision = await check_user(self, owner, spawner, staff, support=True) if staff else \
                    Decision(False, f"no user {body['user']}")
                if not decision.allowed:
                    requests.answer(user_name, server_name, body["user"], accept=False)
                    raise web.HTTPError(403, decision.reason)
                requests.answer(user_name, server_name, body["user"], accept=True)
                share = orm.Share.grant(self.db, spawner.orm_spawner, staff.orm_user,
                                        scopes=share_scopes(SUPPORT, user_name, server_name))
                self.log.info("beamhub: %s accepted %s as support", user_name, body["user"])
                return self.finish(json.dumps(self.share_model(share)))
            requests.answer(user_name, server_name, body["user"], accept=False)
            self.log.info("beamhub: %s declined %s's support request", user_name, body["user"])
            self.finish(json.dumps(request.public()))

        share_model = PolicyShareAPIHandler.share_model

    return [
        (r"/api/beamhub/support", SupportListHandler),
        (r"/api/beamhub/support/([^/]+)/([^/]*)", SupportListHandler),
        (r"/api/beamhub/support-requests/([^/]+)/([^/]*)", SupportAnswerHandler),
        (r"/api/shares/([^/]+)/([^/]*)", PolicyShareAPIHandler),
        (r"/api/share-codes/([^/]+)/([^/]*)", PolicyShareCodeAPIHandler),
        (r"/accept-share", PolicyAcceptShareHandler),
    ]


class SharingHandlersMixin:
    """Put beamhub's sharing handlers in front of JupyterHub's (mixed into the
    authenticator class, whose handlers the hub routes first)."""

    def get_handlers(self, app):
        return [*_handlers(), *super().get_handlers(app)]


def with_sharing_handlers(authenticator_class: str | type) -> type:
    """A subclass of ``authenticator_class`` (a class or its import string) routing the
    sharing handlers first. Its configuration sections are its bases' (traitlets)."""
    if isinstance(authenticator_class, str):
        from importlib import import_module

        module, _, name = authenticator_class.rpartition(".")
        authenticator_class = getattr(import_module(module), name)
    return type(authenticator_class.__name__, (SharingHandlersMixin, authenticator_class),
                {"__module__": __name__})


def configure_sharing(c, settings: SharingSettings, staff_rule=None) -> None:
    """Apply the sharing set-up to the JupyterHub config ``c`` (after the authenticator
    and the spawner are configured): custom scopes, the handlers, tornado settings the
    handlers read, and what single-user servers need to enforce the roles."""
    scopes = dict(c.JupyterHub.custom_scopes) if "custom_scopes" in c.JupyterHub else {}
    scopes.update(custom_scopes())
    c.JupyterHub.custom_scopes = scopes
    if not sharing_on(settings):
        if settings.enabled:
            import logging

            logging.getLogger("beamhub.sharing").warning(
                "sharing is off: %s is not installed (run hub/scripts/install)", AUTHORIZER)
        return
    c.JupyterHub.authenticator_class = with_sharing_handlers(c.JupyterHub.authenticator_class)
    tornado = dict(c.JupyterHub.tornado_settings) if "tornado_settings" in c.JupyterHub else {}
    requests = SupportRequests(settings.support_request_seconds)
    tornado.update(beamhub_sharing=settings, beamhub_staff_rule=staff_rule, beamhub_support=requests)
    c.JupyterHub.tornado_settings = tornado
    # Support lasts one session: when the server stops, its support shares and requests go.
    previous = c.Spawner.post_stop_hook if "post_stop_hook" in c.Spawner else None
    c.Spawner.post_stop_hook = support_ends(previous)
    # The home page also lists the servers shared with the user (templates/home.html).
    paths = list(c.JupyterHub.template_paths) if "template_paths" in c.JupyterHub else []
    if TEMPLATES not in paths:
        c.JupyterHub.template_paths = [*paths, TEMPLATES]
    # The server's authorizer reads a member's role from the server's shares, asked of the
    # hub at each request (a revoked share or a changed role holds at once). Not from the
    # member's token: the hub's OAuth grant gives browser tokens the user's role scopes
    # only, never a share's custom scopes.
    # The server's own token may manage shares of this one server: the Share dialog's
    # server side relays the owner's requests with it (jupyterlab_beamhub.sharing).
    if "server_token_scopes" not in c.BeamhubSpawner:
        from beamhub.spawner.base import DEFAULT_SERVER_SCOPES

        c.BeamhubSpawner.server_token_scopes = [*DEFAULT_SERVER_SCOPES, SERVER_SHARES_SCOPE]
    args = list(c.Spawner.args) if "args" in c.Spawner else []
    c.Spawner.args = [*args, f"--ServerApp.authorizer_class={AUTHORIZER}",
                      "--HubOAuth.cache_max_age=5"]
