"""The hub API endpoint where a batch job reports the port its server chose.

batchspawner's ``batchspawner-singleuser`` picks a free port on the compute node, POSTs
it to ``/hub/api/batchspawner`` with the server's own token, then starts the server on
it. batchspawner 1.3.0's handler for that endpoint sets *every* key of the JSON body as
an attribute of the user's spawner (``setattr(spawner, key, value)``). A user holding
the server token (it is in the server's environment) can therefore rewrite, for
example, the spawner's ``exec_prefix`` or ``batch_cancel_cmd``, which the hub later runs
in a shell with its own privileges. :class:`PortReportHandler` replaces it: it accepts
only ``{"port": <1..65535>}``, only with a server's own token, and only while that
server is starting.

Importing :mod:`beamhub.spawner` installs it in place of batchspawner's. JupyterHub
builds its routes from ``jupyterhub.apihandlers.default_handlers`` after loading the
configuration, and it imports every spawner registered under the ``jupyterhub.spawners``
entry points (beamhub registers its own) to document them: so any hub running where
beamhub is installed gets this handler, whichever spawner it uses (batchspawner's own
SlurmSpawner works with it unchanged: it only ever reports its port).
"""

from __future__ import annotations

import hmac
import json

from jupyterhub import apihandlers
from jupyterhub.apihandlers import APIHandler
from tornado import web

ROUTE = r"/api/batchspawner"


class PortReportHandler(APIHandler):
    """``POST /hub/api/batchspawner`` ``{"port": N}`` with a starting server's token."""

    @web.authenticated
    def post(self):
        body = self.get_json_body()
        if not isinstance(body, dict) or set(body) != {"port"}:
            raise web.HTTPError(400, 'The body must be exactly {"port": <number>}.')
        port = body["port"]
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise web.HTTPError(400, "port must be a number from 1 to 65535.")
        token = self.get_auth_token() or ""
        spawners = getattr(self.current_user, "spawners", None) or {}
        spawner = next((s for s in spawners.values()
                        if token and s.api_token and hmac.compare_digest(s.api_token, token)), None)
        if spawner is None:
            raise web.HTTPError(403, "Only a single-user server's own token may report its port.")
        if not spawner._start_pending or spawner.port:
            raise web.HTTPError(409, "This server is not waiting for its port.")
        spawner.port = port
        self.log.info("%s reported port %s", spawner._log_name, port)
        self.set_status(201)
        self.finish(json.dumps({"message": "port recorded"}))


def install() -> None:
    """Put :class:`PortReportHandler` at ``/api/batchspawner`` instead of batchspawner's."""
    import batchspawner.api  # noqa: F401  (registers its handler first, if not already)

    handlers = apihandlers.default_handlers
    handlers[:] = [h for h in handlers if h[0] != ROUTE]
    handlers.append((ROUTE, PortReportHandler))
