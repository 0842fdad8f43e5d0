"""The Share dialog's server side: the owner's view of who has access to this server,
and changes to it, made through the hub's share API with the server's own hub token.

The hub (``beamhub.sharing``) decides whether an invitation is allowed (its policy) and
the server's authorizer (:mod:`.authorizer`) enforces roles; this class only relays, for
the owner only, and adds what the server itself knows: the proposals mounted here
(``BEAMHUB_DATA``) and who is connected now (seen by the authorizer). Beamline staff's
requests to join as support are listed with the rest and answered here (the hub grants
the share; the Share dialog and a notification offer Accept / Decline).
"""

from __future__ import annotations

import json
import os
import time
from urllib.parse import quote

from traitlets import Unicode
from traitlets.config import LoggingConfigurable

from .authorizer import ROLE_PREFIX, ROLES_STRONGEST_FIRST, connected_users
from .hubrelay import HubRelayError, hub_api_url, hub_request

ROLES = {
    "viewer": "Reads files and follows the notebooks; cannot write files, run code, open terminals or "
              "change kernels: the server refuses.",
    "collaborator": "Edits files, runs kernels and opens terminals, all as your Unix user "
                    "({owner}): what they run is done as you.",
}
"""The roles the owner may invite with."""
SUPPORT = ("Beamline staff you accept to help you: edits your files and runs code in your kernels, as "
           "your Unix user ({owner}), but opens no terminal (the server refuses). Ends when you revoke it "
           "or when this server stops.")
DATA_ENV = "BEAMHUB_DATA"


class SharingError(HubRelayError):
    code = "sharing"


def mounted_proposals(environ=os.environ) -> list[dict]:
    """[{proposalId, path}] from the spawner's ``BEAMHUB_DATA`` JSON ({proposalId: path})."""
    try:
        data = json.loads(environ.get(DATA_ENV) or "{}")
    except ValueError:
        return []
    return [{"proposalId": k, "path": v} for k, v in sorted(data.items())] if isinstance(data, dict) else []


def member_model(share: dict) -> dict:
    scopes = share.get("scopes") or []
    role = None
    for name in ROLES_STRONGEST_FIRST:
        if any(s.split("!", 1)[0] == ROLE_PREFIX + name for s in scopes):
            role = name
            break
    kind = share.get("kind") or ("group" if share.get("group") else "user")
    return {"kind": kind, "name": (share.get(kind) or {}).get("name", ""), "role": role,
            "created_at": share.get("created_at")}


def role_of_request(authorizer, handler, user, owner: str) -> str | None:
    """'owner', or the role the server's authorizer gives ``user`` now (asked of the hub,
    as for any request of theirs), or None. For the front end of a member (a viewer's
    notebooks are made read-only there; the server refuses his changes regardless)."""
    hub_user = getattr(user, "hub_user", None)
    if hub_user is None or hub_user.get("name") == owner:
        return "owner"
    if not hasattr(authorizer, "fresh_role"):
        return None
    has_access, role = authorizer.fresh_role(handler, user)
    return role if has_access else None


class BeamhubSharing(LoggingConfigurable):
    """Relays the owner's sharing requests to the hub's share API."""

    api_url = Unicode(help="The hub's API URL (default: $JUPYTERHUB_API_URL).").tag(config=True)

    @property
    def owner(self) -> str:
        return os.environ.get("JUPYTERHUB_USER", "")

    @property
    def server_name(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVER_NAME", "")

    async def _hub(self, method: str, path: str, body: dict | None = None) -> dict:
        return await hub_request(method, hub_api_url(self.api_url) + path, body, error=SharingError, timeout=30)

    @property
    def _target(self) -> str:
        return f"{quote(self.owner, safe='')}/{quote(self.server_name, safe='')}"

    async def state(self) -> dict:
        shares = await self._hub("GET", f"/shares/{self._target}")
        codes = await self._hub("GET", f"/share-codes/{self._target}")
        requests = await self.requests()
        members = [member_model(s) for s in shares.get("items", [])]
        links = [{"id": c.get("id"), "role": member_model(c)["role"], "created_at": c.get("created_at"),
                  "expires_at": c.get("expires_at"), "exchange_count": c.get("exchange_count", 0)}
                 for c in codes.get("items", [])]
        return {
            "owner": self.owner, "server": self.server_name,
            "mounted": mounted_proposals(),
            "roles": [{"name": k, "description": v.format(owner=self.owner)} for k, v in ROLES.items()],
            "support": SUPPORT.format(owner=self.owner),
            "requests": requests["items"],
            "members": members, "links": links,
            "connected": connected_users(),
            "now": time.time(),
        }

    async def invite(self, body: dict) -> dict:
        kind = "group" if body.get("group") else "user"
        name, role = body.get(kind), body.get("role")
        if not isinstance(name, str) or not name.strip():
            raise SharingError(400, "say whom to invite: a user or a group name")
        if role not in ROLES:
            raise SharingError(400, f"role must be one of {', '.join(ROLES)}")
        return await self._hub("POST", f"/shares/{self._target}",
                               {kind: name.strip(), "scopes": [ROLE_PREFIX + role]})

    async def revoke(self, kind: str, name: str) -> dict:
        if kind not in ("user", "group") or not name:
            raise SharingError(400, "revoke a 'user' or a 'group' by name")
        return await self._hub("PATCH", f"/shares/{self._target}", {kind: name})

    async def new_link(self, body: dict) -> dict:
        role, expires_in = body.get("role"), body.get("expires_in", 86400)
        if role not in ROLES:
            raise SharingError(400, f"role must be one of {', '.join(ROLES)}")
        if not isinstance(expires_in, int) or isinstance(expires_in, bool):
            raise SharingError(400, "expires_in: a whole number of seconds")
        code = await self._hub("POST", f"/share-codes/{self._target}",
                               {"scopes": [ROLE_PREFIX + role], "expires_in": expires_in})
        return {"id": code.get("id"), "role": role, "expires_at": code.get("expires_at"),
                "accept_url": code.get("accept_url"), "full_accept_url": code.get("full_accept_url")}

    async def revoke_links(self) -> dict:
        await self._hub("DELETE", f"/share-codes/{self._target}")
        return {}

    async def requests(self) -> dict:
        """{items: [{user, created_at, expires_at}], support: what support may do}: beamline
        staff asking to join as support, pending."""
        answer = await self._hub("GET", f"/beamhub/support-requests/{self._target}")
        return {"items": [{"user": r.get("user"), "created_at": r.get("created_at"),
                           "expires_at": r.get("expires_at")} for r in answer.get("items", [])],
                "support": SUPPORT.format(owner=self.owner)}

    async def answer_request(self, body: dict) -> dict:
        """Accept or decline a staff member's pending request to join as support."""
        user, accept = body.get("user"), body.get("accept")
        if not isinstance(user, str) or not user or not isinstance(accept, bool):
            raise SharingError(400, 'send {"user": name, "accept": true or false}')
        return await self._hub("POST", f"/beamhub/support-requests/{self._target}", {"user": user, "accept": accept})
