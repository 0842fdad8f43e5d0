"""A real hub for the sharing tests: beamhub's site configuration (``CatalogueHub``) over
the demo data, the demo spawner mounting proposals from the demo data's folders, and
single-user JupyterLab servers running this source tree's ``jupyterlab_beamhub`` (its
authorizer) ahead of the installed one.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import requests

from tests.demo.catalogue import demo_catalogue

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extensions" / "jupyterlab-beamhub"




def start_hub(tmp: Path, sharing: dict | None = None):
    """A started ``CatalogueHub`` (its ``.hub`` is tests/services/jupyterhub.Hub)."""
    from tests.api.hubsetup import CatalogueHub, demo_users

    store_url, data = demo_catalogue(tmp)
    workdir = tmp / "hub"
    (workdir / "homes").mkdir(parents=True, exist_ok=True)
    pythonpath = os.pathsep.join([str(EXTENSION), str(REPO / "hub"), str(REPO)])
    # The hub checks that the environment has the authorizer (else sharing stays off).
    hub = CatalogueHub(store_url, demo_users(data / "proposals.yaml"), workdir, state_dir=workdir / "state",
                       spawner={"kind": "demo", "data_roots": [str(data)],
                                "home": str(workdir / "homes" / "{username}")},
                       extra_env={"PYTHONPATH": pythonpath})
    if sharing is not None:
        import yaml

        site = yaml.safe_load(hub.site_file.read_text())
        site["sharing"] = sharing
        hub.site_file.write_text(yaml.safe_dump(site))
    # The front end built from this tree (hub/scripts/install builds it; so may the
    # developer: jlpm build), served ahead of the installed one.
    jupyter_path = tmp / "jupyter"
    built = EXTENSION / "jupyterlab_beamhub" / "labextension"
    if (built / "package.json").exists():
        (jupyter_path / "labextensions").mkdir(parents=True, exist_ok=True)
        (jupyter_path / "labextensions" / "jupyterlab-beamhub").symlink_to(built)
    hub.hub.config_text += (
        "\n# --- tests/sharing/hubsetup.py ---\n"
        "c.Spawner.default_url = '/lab'\n"
        "c.Spawner.start_timeout = 120\n"
        "c.Spawner.http_timeout = 120\n"
        f"c.Spawner.environment = {{**c.Spawner.environment, 'PYTHONPATH': {pythonpath!r}, "
        f"'JUPYTER_PATH': {str(jupyter_path)!r}}}\n"
    )
    return hub.start()


def spawn(hub, user: str, proposals: list[str], timeout: float = 120) -> None:
    """Start ``user``'s server with ``proposals`` mounted (the REST API's user_options)."""
    response = hub.hub.api("POST", f"/users/{user}/server", json={"proposals": proposals})
    assert response.status_code in (201, 202), response.text
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = hub.hub.server(user)
        if server.get("ready"):
            return
        time.sleep(0.5)
    raise TimeoutError(f"{user}'s server did not start:\n{hub.hub.log_tail(60)}")


class Client:
    """Requests to a single-user server (and the hub's API) with one token."""

    def __init__(self, hub, token: str, owner: str):
        self.hub, self.token, self.owner = hub, token, owner
        self.base = f"{hub.hub.url}/user/{owner}"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, headers=self.headers, allow_redirects=False,
                                timeout=60, **kwargs)

    def hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.hub.hub.api_url + path, headers=self.headers, timeout=60, **kwargs)

    def websocket(self, path: str):
        """(status, connection): 101 and an open connection, or the refusal's status."""
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.base.replace("http://", "ws://") + path
        request = HTTPRequest(url, headers=self.headers, request_timeout=30)

        async def connect():
            try:
                return 101, await websocket_connect(request)
            except HTTPClientError as exc:
                return exc.code, None

        return run(connect())


_LOOP = None


def run(coroutine):
    """Run ``coroutine`` on one event loop kept for the test module (websockets live on it)."""
    global _LOOP
    if _LOOP is None or _LOOP.is_closed():
        _LOOP = asyncio.new_event_loop()
    return _LOOP.run_until_complete(coroutine)


def closed_within(connection, seconds: float) -> bool:
    """Whether the server closes ``connection`` within ``seconds`` (messages read meanwhile)."""
    async def wait():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(connection.read_message(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                return False
            if message is None:
                return True
        return False

    return run(wait())


def notebook(source: str) -> dict:
    return {"type": "notebook", "format": "json", "content": {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": None, "outputs": [],
                   "source": source}]}}


def dumps(value) -> str:
    return json.dumps(value)


class Room:
    """A real-time collaboration client (the Yjs websocket protocol, as JupyterLab's
    docprovider speaks it, with pycrdt) on one notebook of the shared server."""

    def __init__(self, client: Client, path: str):
        from pycrdt import Doc

        self.client, self.path, self.doc = client, path, Doc()
        self.updates: list[bytes] = []
        self.doc.observe(lambda event: self.updates.append(event.update))
        self.closed = False
        self.status = None
        self.connection = None

    def open(self) -> int:
        """Join the room (101) or the refusal's status; then sync with the server."""
        from pycrdt import create_sync_message

        session = self.client.server("PUT", f"/api/collaboration/session/{self.path}",
                                     json={"format": "json", "type": "notebook"})
        if session.status_code not in (200, 201):
            self.status = session.status_code
            return self.status
        body = session.json()
        self.status, self.connection = self.client.websocket(
            f"/api/collaboration/room/json:notebook:{body['fileId']}?sessionId={body['sessionId']}")
        if self.connection is not None:
            self.updates.clear()
            self.send(create_sync_message(self.doc))
            self.pump(lambda: self.cells() is not None, 20)
            self.updates.clear()
        return self.status

    def pump(self, until, seconds: float) -> bool:
        """Apply the server's messages until ``until()`` holds or ``seconds`` pass."""
        from pycrdt import handle_sync_message

        async def loop():
            deadline = time.monotonic() + seconds
            while not until():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                try:
                    message = await asyncio.wait_for(self.connection.read_message(), left)
                except asyncio.TimeoutError:
                    return until()
                if message is None:
                    self.closed = True
                    return until()
                if isinstance(message, bytes) and message and message[0] == 0:
                    reply = handle_sync_message(message[1:], self.doc)
                    if reply is not None:
                        await self.connection.write_message(reply, binary=True)
            return True

        return run(loop())

    def send(self, message: bytes) -> None:
        async def write():
            await self.connection.write_message(message, binary=True)

        run(write())

    def cells(self) -> list[str] | None:
        from pycrdt import Array

        cells = self.doc.get("cells", type=Array)
        if len(cells) == 0:
            return None
        return [str(cell["source"]) for cell in cells]

    def type(self, text: str) -> None:
        """Append ``text`` to the first cell's source and send the change."""
        from pycrdt import Array, create_update_message

        self.updates.clear()
        source = self.doc.get("cells", type=Array)[0]["source"]
        source.insert(len(source), text)
        for update in self.updates:
            self.send(create_update_message(update))
        self.updates.clear()

    def save(self) -> bytes | None:
        """Ask the server to save (the RAW "save" message); its answer."""
        from pycrdt import Encoder

        encoder = Encoder()
        encoder.write_var_uint(2)
        encoder.write_var_string("save")
        encoder.write_var_uint(1)
        self.send(encoder.to_bytes())

        async def answer():
            while True:
                message = await asyncio.wait_for(self.connection.read_message(), 20)
                if message is None or (isinstance(message, bytes) and message[:1] == b"\x02"):
                    return message

        return run(answer())


def open_server_lab(browser, hub, user: str, owner: str, path: str = "", timeout: float = 90):
    """``user`` logged in (a new browser context) on ``owner``'s JupyterLab at ``path``,
    through the hub's OAuth consent page when ``user`` is not the owner."""
    from tests.extension.e2e_hub import dismiss_news, password

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.beamhub_sockets = []  # every websocket the page opens (see open_rooms in the tests)
    page.on("websocket", lambda ws: page.beamhub_sockets.append(ws))
    page.goto(hub.hub.url + "/hub/login")
    page.fill("input#username_input", user)
    page.fill("input#password_input", password(user))
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url)
    page.goto(f"{hub.hub.url}/user/{owner}/lab/tree/{path}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.query_selector("input[type=submit][value*=uthorize], button:has-text('Authorize')"):
                page.click("input[type=submit][value*=uthorize], button:has-text('Authorize')")
            if f"/user/{owner}/lab" in page.url and page.query_selector(".jp-DirListing"):
                break
        except Exception:  # the page navigated while we looked: look again
            pass
        page.wait_for_timeout(300)
    page.wait_for_selector(".jp-DirListing")
    dismiss_news(page)
    return context, page


# Run in a page of a shared server: the statuses the server answers to what the user's
# browser session (its cookie and XSRF token, as JupyterLab sends them) asks.
SERVER_ANSWERS = """
async ([base, kernelId, terminal]) => {
  const xsrf = decodeURIComponent((document.cookie.split('; ').find(c => c.startsWith('_xsrf=')) || '=').split('=')[1]);
  const headers = {'Content-Type': 'application/json', 'X-XSRFToken': xsrf};
  const ask = async (method, path, body) => (await fetch(base + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin'})).status;
  const socket = path => new Promise(resolve => {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + base + path);
    ws.onopen = () => { resolve('open'); ws.close(); };
    ws.onerror = () => resolve('refused');
  });
  return {
    'read notebook': await ask('GET', 'api/contents/collab.ipynb'),
    'save notebook': await ask('PUT', 'api/contents/collab.ipynb', {type: 'file', format: 'text', content: 'x'}),
    'new file': await ask('POST', 'api/contents', {type: 'file'}),
    'start kernel': await ask('POST', 'api/kernels', {name: 'python3'}),
    'restart kernel': await ask('POST', 'api/kernels/' + kernelId + '/restart'),
    'new terminal': await ask('POST', 'api/terminals'),
    'kernel channels': await socket('api/kernels/' + kernelId + '/channels'),
    'terminal': await socket('terminals/websocket/' + terminal),
  };
}
"""
