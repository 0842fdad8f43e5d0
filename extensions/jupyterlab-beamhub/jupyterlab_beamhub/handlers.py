"""Tornado handlers: thin adapters from HTTP to :class:`BeamhubCatalogue` and
:class:`BeamhubTemplates`, which hold all the logic."""

from __future__ import annotations

import json

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from .catalogue import BeamhubCatalogue, ProxyError
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


def setup_handlers(server_app) -> None:
    """Register the handlers and the two logic objects (configurable from the server's config)."""
    web_app = server_app.web_app
    web_app.settings["beamhub_catalogue"] = BeamhubCatalogue(parent=server_app)
    web_app.settings["beamhub_templates"] = BeamhubTemplates(parent=server_app)
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base, API_PREFIX, "(.*)"), CatalogueHandler),
        (url_path_join(base, "beamhub/templates"), TemplatesHandler),
        (url_path_join(base, "beamhub/templates/(.+)"), TemplatesHandler),
    ])
