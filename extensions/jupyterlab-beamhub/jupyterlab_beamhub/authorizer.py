"""Roles on a shared server, enforced by the server: a jupyter_server Authorizer over
JupyterHub's scopes.

The hub (``beamhub.sharing``) grants a share one role as a custom scope filtered to this
server, ``custom:beamhub:viewer!server=alice/`` or ``custom:beamhub:collaborator!...``
(collaborator includes viewer). For each request of anyone but the owner, this
authorizer asks the hub again, bypassing ``HubOAuth``'s cache, whether the token still has
access to this server and which role the server's shares give its user (the shares, not
the token's scopes: the hub's OAuth grant keeps a share's custom scopes out of browser
tokens), so a revoked share or a changed role holds from the next request:

- the owner (``JUPYTERHUB_USER``), and a **collaborator**: everything;
- **support** (beamline staff the owner accepted): everything but terminals (files,
  kernels and code run as the owner's Unix user; the Share dialog says so);
- a **viewer**: ``read`` actions only, on everything but terminals; no ``write`` (files,
  checkpoints, sessions, kernels' settings), no ``execute`` (kernel channels, terminals,
  nbconvert runs). A viewer joins real-time collaboration rooms read-only: the server
  drops every document change and save request of that connection
  (:mod:`.collaboration`; jupyter-collaboration's own read-only mode is the client's).
  Opening a document's collaboration session (``PUT /api/collaboration/session/...``,
  which only looks up the file's id) counts as reading;
- anyone else with access to the server (a share without a beamhub role): nothing.

Open websockets of non-owners (kernel channels, terminals, collaboration rooms) are
checked again every :data:`RECHECK_SECONDS` against the hub and closed when the user's
role no longer allows them (revocation, or a collaborator made viewer).
"""

from __future__ import annotations

import os
import time
import weakref

from jupyter_server.auth import Authorizer
from tornado.ioloop import PeriodicCallback

from .collaboration import make_read_only

ROLE_PREFIX = "custom:beamhub:"
RECHECK_SECONDS = 2.0
WRITE_ACTIONS = frozenset({"write", "execute"})
ROLES_STRONGEST_FIRST = ("collaborator", "support", "viewer")
OPENING_SECONDS = 120.0
"""How long an authorized websocket may take to open and still be followed."""
CONNECTED_SECONDS = 60.0
"""A user counts as connected for this long after an allowed request (or while a
websocket of theirs is open)."""

_seen: dict[str, dict] = {}
_open: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def connected_users(now: float | None = None) -> list[dict]:
    """[{name, role, last_seen, connections}] of those connected now (owner included)."""
    now = time.time() if now is None else now
    sockets: dict[str, int] = {}
    for handler, name in list(_open.items()):
        if getattr(handler, "ws_connection", None) is not None:
            sockets[name] = sockets.get(name, 0) + 1
    out = []
    for name, seen in sorted(_seen.items()):
        if sockets.get(name) or now - seen["last_seen"] <= CONNECTED_SECONDS:
            out.append({"name": name, "role": seen["role"], "last_seen": seen["last_seen"],
                        "connections": sockets.get(name, 0)})
    return out


def server_filter() -> str:
    return f"!server={os.environ.get('JUPYTERHUB_USER', '')}/{os.environ.get('JUPYTERHUB_SERVER_NAME', '')}"


def role_from_shares(shares, name: str, groups=()) -> str | None:
    """The strongest role the hub's ``shares`` of this server ({items: [share model]})
    give the user ``name`` (directly or through one of ``groups``). The hub's OAuth grant
    keeps a share's custom scopes out of browser tokens (it grants only the user's *role*
    scopes), so the shares themselves say who has which role."""
    groups = set(groups or ())
    found = set()
    for share in (shares or {}).get("items", []):
        if (share.get("user") or {}).get("name") == name or (share.get("group") or {}).get("name") in groups:
            found |= {s.split("!", 1)[0].removeprefix(ROLE_PREFIX) for s in share.get("scopes") or ()
                      if s.startswith(ROLE_PREFIX)}
    for role in ROLES_STRONGEST_FIRST:
        if role in found:
            return role
    return None


def role_from_scopes(scopes, owner: str, server_name: str = "") -> str | None:
    """'collaborator', 'support', 'viewer' or None from a hub user's expanded ``scopes``."""
    scopes = set(scopes or ())
    for role in ROLES_STRONGEST_FIRST:
        scope = ROLE_PREFIX + role
        if scope in scopes or f"{scope}!server={owner}/{server_name}" in scopes \
                or f"{scope}!user={owner}" in scopes:
            return role
    return None


def allowed(role: str | None, action: str, resource: str, *, collaboration_room: bool = False) -> bool:
    """What ``role`` may do (pure: the table the module docstring describes). A viewer's
    collaboration room is allowed on the condition that it is made read-only."""
    if role == "collaborator":
        return True
    if role == "support":
        return resource != "terminals"
    if role == "viewer":
        if resource == "terminals":
            return False
        if resource == "events" and action == "execute":  # the events websocket only listens
            return True
        return action not in WRITE_ACTIONS
    return False


def _is_collaboration_room(handler) -> bool:
    name = f"{type(handler).__module__}.{type(handler).__name__}".lower()
    return ("ydoc" in name or "collaboration" in name) and "websocket" in name


def _is_collaboration_session(handler) -> bool:
    """jupyter_server_ydoc's DocSessionHandler: its PUT only looks up a file's id."""
    return type(handler).__name__ == "DocSessionHandler" and "ydoc" in type(handler).__module__


def _is_websocket(handler) -> bool:
    from tornado.websocket import WebSocketHandler

    return isinstance(handler, WebSocketHandler)


try:  # inside a JupyterHub single-user server
    from jupyterhub.singleuser.extension import JupyterHubAuthorizer as _Base
except ImportError:  # pragma: no cover - without JupyterHub nothing is shared
    _Base = Authorizer


class BeamhubAuthorizer(_Base):
    """See the module docstring."""

    _sockets: "weakref.WeakKeyDictionary"
    _recheck: PeriodicCallback | None = None

    @property
    def owner(self) -> str:
        return os.environ.get("JUPYTERHUB_USER", "")

    def role_of(self, user) -> str | None:
        hub_user = getattr(user, "hub_user", None)
        if hub_user is None:  # not a hub user (a server without JupyterHub): its own user
            return "collaborator"
        if hub_user.get("kind", "user") == "user" and hub_user.get("name") == self.owner:
            return "collaborator"
        return role_from_scopes(hub_user.get("scopes"), self.owner, os.environ.get("JUPYTERHUB_SERVER_NAME", ""))

    def fresh_role(self, handler, user) -> tuple[bool, str | None]:
        """(still has access, role) of a non-owner, asked of the hub now (no cache): a
        revoked share or a changed role holds from the next request on."""
        try:
            token = self.hub_auth.get_token(handler)
            model = self.hub_auth.user_for_token(token, use_cache=False, sync=True) if token else None
        except Exception as exc:  # noqa: BLE001 - the hub cannot say: refuse
            self.log.warning("beamhub: cannot check %s's access with the hub: %s", user.username, exc)
            return False, None
        if not model or model.get("name") != user.hub_user.get("name"):
            return False, None
        has_access = bool(self.hub_auth.check_scopes(self.hub_auth.oauth_scopes, model))
        if not has_access:
            return False, None
        try:
            shares = self.hub_auth._call_coroutine(True, self.hub_auth._api_request, "GET", self._shares_url)
        except Exception as exc:  # noqa: BLE001 - the hub cannot say: refuse
            self.log.warning("beamhub: cannot read the shares of this server from the hub: %s", exc)
            return False, None
        return True, role_from_shares(shares, model.get("name"), model.get("groups"))

    @property
    def _shares_url(self) -> str:
        from urllib.parse import quote

        server = quote(os.environ.get("JUPYTERHUB_SERVER_NAME", ""), safe="")
        return f"{self.hub_auth.api_url.rstrip('/')}/shares/{quote(self.owner, safe='')}/{server}"

    def is_authorized(self, handler, user, action, resource):
        if _Base is not Authorizer and not super().is_authorized(handler, user, action, resource):
            return False
        room = _is_collaboration_room(handler)
        if _is_collaboration_session(handler) and action == "write" and handler.request.method == "PUT":
            action = "read"
        role = self.role_of(user)
        hub_user = getattr(user, "hub_user", None)
        if hub_user is not None and hub_user.get("name") != self.owner:
            has_access, role = self.fresh_role(handler, user)
            if not has_access:
                role = None
        ok = allowed(role, action, resource, collaboration_room=room)
        name = (getattr(user, "hub_user", None) or {}).get("name") or user.username
        if ok and room and role == "viewer" and not getattr(handler, "beamhub_read_only", False):
            try:
                make_read_only(handler, name)
            except Exception as exc:  # noqa: BLE001 - cannot make it read-only: refuse it
                self.log.warning("beamhub: refusing %s's collaboration room: %s", name, exc)
                ok = False
        if ok:
            _seen[name] = {"last_seen": time.time(), "role": "owner" if name == self.owner else role}
            if _is_websocket(handler):
                _open[handler] = name
        if not ok:
            self.log.warning("beamhub: %s (%s) refused %s on %s", user.username, role or "no role", action,
                             resource)
        elif role and getattr(user, "hub_user", {}).get("name") != self.owner and _is_websocket(handler):
            self._follow(handler, action, resource, room, role)
        return ok

    # -- open connections of members, checked again ---------------------------------------
    def _follow(self, handler, action, resource, room, role) -> None:
        if not hasattr(self, "_sockets_store"):
            self._sockets_store = weakref.WeakKeyDictionary()
        token = None
        try:
            token = self.hub_auth.get_token(handler)
        except Exception:  # noqa: BLE001 - no token to follow: nothing to recheck with
            pass
        if not token:
            return
        self._sockets_store[handler] = (token, action, resource, room, role)
        handler.beamhub_followed_at = time.monotonic()
        if self._recheck is None:
            self._recheck = PeriodicCallback(self._recheck_sockets, RECHECK_SECONDS * 1000)
            self._recheck.start()

    async def _recheck_sockets(self) -> None:
        for handler, (token, action, resource, room, was) in list(self._sockets_store.items()):
            if getattr(handler, "ws_connection", None) is None:
                # Authorized but still opening (a kernel's channels take seconds to
                # connect: checked once open), or closed since: forgotten.
                if getattr(handler, "beamhub_was_open", False) or \
                        time.monotonic() - getattr(handler, "beamhub_followed_at", 0) > OPENING_SECONDS:
                    self._sockets_store.pop(handler, None)
                continue
            handler.beamhub_was_open = True
            try:
                model = await self.hub_auth.user_for_token(token, use_cache=False, sync=False)
                shares = await self.hub_auth._api_request("GET", self._shares_url) if model else None
            except Exception:  # noqa: BLE001 - the hub does not answer: keep, ask again later
                continue
            scopes = (model or {}).get("scopes") or ()
            has_access = bool(model) and bool(self.hub_auth.check_scopes(self.hub_auth.oauth_scopes, model))
            role = role_from_shares(shares, model.get("name"), model.get("groups")) if has_access else None
            # A room joined as viewer is read-only for its life; one joined as collaborator
            # is closed when the role changes (the client reconnects under the new role).
            if not model or not has_access or not allowed(role, action, resource, collaboration_room=room) \
                    or (room and role != was):
                self.log.warning("beamhub: closing %s's %s connection (%s)", (model or {}).get("name"),
                                 resource, role or "access revoked")
                self._sockets_store.pop(handler, None)
                try:
                    handler.close(4403, "access revoked")
                except Exception:  # noqa: BLE001
                    pass
