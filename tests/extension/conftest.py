"""Fixtures for the JupyterLab extension's server side: a real jupyter_server with the
extension loaded (pytest-jupyter), and a recording stand-in for the catalogue service."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import pytest
import tornado.web
from tornado.httpserver import HTTPServer

from pytest_jupyter.jupyter_server import *  # noqa: F401,F403  (jp_fetch, jp_serverapp, ...)
from tests.demo.catalogue import demo_catalogue
from tests.services.ports import free_port

from .e2e_hub import demo_hub

TOKEN = "server-token-of-alice"


@pytest.fixture
async def jp_asyncio_loop():
    """pytest-jupyter's servers on the loop pytest-asyncio runs the tests in (the
    repository runs async tests with pytest-asyncio, one loop per session)."""
    return asyncio.get_running_loop()


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict
    body: bytes


@dataclass
class RecordingCatalogue:
    """A stand-in for the catalogue service (a fake: it checks what the extension
    *sends*; the real service is used by the end-to-end tests). It answers like the
    contract: JSON, error bodies with a code, a PNG preview with an ETag."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    server: HTTPServer | None = None


class _Handler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")

    def initialize(self, record: RecordingCatalogue):
        self.record = record

    def _answer(self, *_):
        request = self.request
        self.record.received.append(Received(request.method, request.path, request.query,
                                             dict(request.headers), request.body))
        path = request.path.split("/api/v1/", 1)[1]
        if path.endswith("/preview.png"):
            if request.headers.get("If-None-Match") == '"v1"':
                self.set_status(304)
                self.set_header("ETag", '"v1"')
                return self.finish()
            self.set_header("Content-Type", "image/png")
            self.set_header("ETag", '"v1"')
            self.set_header("Cache-Control", "private, max-age=60")
            self.set_header("Set-Cookie", "leak=1")
            return self.finish(b"\x89PNG\r\n\x1a\nfake")
        if path == "datasets/missing":
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            return self.finish(json.dumps({"code": "not_found", "message": "no dataset 'missing'"}))
        if path == "selections/sel-1" and request.method == "DELETE":
            self.set_status(204)
            return self.finish()
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"path": path, "method": request.method}))

    get = put = post = patch = delete = _answer


@pytest.fixture
def catalogue(jp_asyncio_loop):
    record = RecordingCatalogue()
    port = free_port()
    app = tornado.web.Application([(r"/services/catalogue/api/v1/.*", _Handler, {"record": record})])
    record.server = HTTPServer(app)
    record.server.listen(port, "127.0.0.1")
    record.url = f"http://127.0.0.1:{port}/services/catalogue/api/v1"
    yield record
    record.server.stop()


@pytest.fixture
def jp_server_config(catalogue, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    return {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_beamhub": True}},
        "BeamhubCatalogue": {"url": catalogue.url},
    }


@pytest.fixture
def fetch(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    """Request ``path`` (below the server's base URL, sent as written: pids stay
    percent-encoded) from the running server as its logged-in user. Returns
    ``(status, response)`` whatever the status."""
    from tornado.httpclient import HTTPClientError

    async def _fetch(path: str, method: str = "GET", body=None, headers=None, auth=True):
        sent = {**(jp_auth_header if auth else {}), **(headers or {})}
        if method in ("PUT", "POST", "PATCH") and body is None:
            body = ""
        try:
            response = await http_server_client.fetch(jp_base_url + path, method=method, body=body, headers=sent,
                                                      allow_nonstandard_methods=True, follow_redirects=False,
                                                      request_timeout=20)
        except HTTPClientError as exc:
            return exc.code, exc.response
        return response.code, response

    return _fetch


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """``(store url, data folder)``: a fresh copy of the demo catalogue for a module's
    end-to-end browser tests."""
    return demo_catalogue(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def hub(demo_store, tmp_path_factory):
    """The demo hub over ``demo_store`` (``e2e_hub.demo_hub``), for the module."""
    with demo_hub(tmp_path_factory, "extension-hub", demo_store) as hub:
        yield hub
