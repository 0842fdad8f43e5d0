"""Tornado handlers: thin adapters from HTTP to :class:`BeamhubCatalogue` and
:class:`BeamhubTemplates`, which hold all the logic."""

from __future__ import annotations

import json

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .catalogue import BeamhubCatalogue, ProxyError
from .lifecycle import BeamhubSession, SessionError
from .sharing import BeamhubSharing, SharingError, role_of_request
from .templates import BeamhubTemplates

API_PREFIX = "beamhub/api/v1/"


def _fail(handler: APIHandler, exc: ProxyError) -> None:
    handler.set_status(exc.status)
    handler.finish(exc.to_json())


class CatalogueHandler(APIHandler):
    """``/beamhub/api/v1/<path>``: the same request, forwarded to the catalogue service."""

    @property
    def catalogue(self) -> BeamhubCatalogue:
        return self.settings["beamhub_catalogue"]

    async def _forward(self, method: str) -> None:
        prefix = url_path_join(self.base_url, API_PREFIX)
        path = self.request.path[len(prefix):] if self.request.path.startswith(prefix) else ""
        try:
            answer = await self.catalogue.forward(method, path, self.request.query,
                                                  self.request.body if method in ("PUT", "POST", "PATCH") else None,
                                                  self.request.headers)
        except ProxyError as exc:
            _fail(self, exc)
            return
        self.set_status(answer.status)
        content_type = "application/json"
        for name, value in answer.headers:
            if name == "Content-Type":
                content_type = value
            else:
                self.set_header(name, value)
        if answer.status in (204, 304):
            self.clear_header("Content-Type")
            super(APIHandler, self).finish()
            return
        self.finish(answer.body, set_content_type=content_type)

    @tornado.web.authenticated
    async def _any(self, _path=None):
        await self._forward(self.request.method)

    get = put = post = patch = delete = _any


class TemplatesHandler(APIHandler):
    """``/beamhub/templates`` (the list) and ``/beamhub/templates/<name>`` (one notebook)."""

    @property
    def templates(self) -> BeamhubTemplates:
        return self.settings["beamhub_templates"]

    @tornado.web.authenticated
    def get(self, name=None):
        try:
            body = self.templates.get(name) if name else self.templates.list()
        except ProxyError as exc:
            _fail(self, exc)
            return
        self.finish(json.dumps(body))


class SharingHandler(APIHandler):
    """``/beamhub/sharing`` (state), ``.../members`` (invite: POST; revoke: DELETE
    ``?kind=user&name=bob``), ``.../links`` (new: POST; revoke all: DELETE), ``.../requests``
    (GET: the pending support requests; POST ``{"user", "accept"}``: answer one). Owner only."""

    @property
    def sharing(self) -> BeamhubSharing:
        return self.settings["beamhub_sharing"]

    async def _run(self, what: str):
        if self.current_user is None or self.current_user.username != self.sharing.owner:
            self.set_status(403)
            return self.finish(SharingError(403, "only the owner of this server manages its sharing").to_json())
        try:
            body = self.get_json_body() if self.request.body else {}
        except tornado.web.HTTPError:
            body = None
        if not isinstance(body, dict):
            self.set_status(400)
            return self.finish(SharingError(400, "expected a JSON object").to_json())
        try:
            if what == "":
                answer = await self.sharing.state()
            elif what == "members" and self.request.method == "POST":
                answer = await self.sharing.invite(body)
            elif what == "members" and self.request.method == "DELETE":
                answer = await self.sharing.revoke(self.get_argument("kind", "user"), self.get_argument("name", ""))
            elif what == "links" and self.request.method == "POST":
                answer = await self.sharing.new_link(body)
            elif what == "links" and self.request.method == "DELETE":
                answer = await self.sharing.revoke_links()
            elif what == "requests" and self.request.method == "GET":
                answer = await self.sharing.requests()
            elif what == "requests" and self.request.method == "POST":
                answer = await self.sharing.answer_request(body)
            else:
                raise SharingError(405, f"{self.request.method} is not supported here")
        except SharingError as exc:
            self.set_status(exc.status)
            return self.finish(exc.to_json())
        self.finish(json.dumps(answer))

    @tornado.web.authenticated
    async def get(self, what=""):
        await self._run(what or "")

    post = delete = get


class SharingRoleHandler(APIHandler):
    """``/beamhub/sharing/me``: ``{"name", "role"}`` of the one asking (owner, collaborator,
    support, viewer), for any user the server admits."""

    @tornado.web.authenticated
    def get(self):
        sharing: BeamhubSharing = self.settings["beamhub_sharing"]
        user = self.current_user
        role = role_of_request(self.authorizer, self, user, sharing.owner)
        name = (getattr(user, "hub_user", None) or {}).get("name") or user.username
        self.finish(json.dumps({"name": name, "role": role}))


class SessionHandler(APIHandler):
    """``/beamhub/session``: GET this server's time left, warnings and announcements;
    POST ``{"minutes": N}`` extends its walltime. Owner only; the hub decides."""

    @property
    def session(self) -> BeamhubSession:
        return self.settings["beamhub_session"]

    @tornado.web.authenticated
    async def get(self):
        await self._run(None)

    @tornado.web.authenticated
    async def post(self):
        try:
            body = self.get_json_body()
        except tornado.web.HTTPError:
            body = None
        await self._run(body if body is not None else [])

    async def _run(self, body):
        try:
            if self.current_user is None or self.current_user.username != self.session.owner:
                raise SessionError(403, "only the owner of this server sees and extends its session")
            answer = await (self.session.status() if body is None else self.session.extend(body))
        except SessionError as exc:
            self.set_status(exc.status)
            return self.finish(exc.to_json())
        self.finish(json.dumps(answer))


def setup_handlers(server_app) -> None:
    """Register the handlers and the two logic objects (configurable from the server's config)."""
    web_app = server_app.web_app
    web_app.settings["beamhub_catalogue"] = BeamhubCatalogue(parent=server_app)
    web_app.settings["beamhub_templates"] = BeamhubTemplates(parent=server_app)
    web_app.settings["beamhub_sharing"] = BeamhubSharing(parent=server_app)
    web_app.settings["beamhub_session"] = BeamhubSession(parent=server_app)
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base, API_PREFIX, "(.*)"), CatalogueHandler),
        (url_path_join(base, "beamhub/templates"), TemplatesHandler),
        (url_path_join(base, "beamhub/templates/(.+)"), TemplatesHandler),
        (url_path_join(base, "beamhub/sharing/?"), SharingHandler),
        (url_path_join(base, "beamhub/sharing/(members|links|requests)"), SharingHandler),
        (url_path_join(base, "beamhub/sharing/me"), SharingRoleHandler),
        (url_path_join(base, "beamhub/session"), SessionHandler),
    ])
