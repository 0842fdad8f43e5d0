"""The catalogue service process: ``beamhub catalogue-service`` (started by JupyterHub).

JupyterHub starts it as a managed service named ``catalogue`` with
``JUPYTERHUB_SERVICE_URL`` (where to listen), ``JUPYTERHUB_SERVICE_PREFIX``
(``/services/catalogue/``), ``JUPYTERHUB_API_URL`` and ``JUPYTERHUB_API_TOKEN``; the
site configuration adds ``BEAMHUB_STORE`` and ``BEAMHUB_SERVICE_SETTINGS`` (see
:mod:`.settings`). Routes, below the prefix:

- ``api/v1/...``: the REST API (:mod:`.routes`), its description at ``api/v1/openapi.json``;
- ``oauth_callback``: the end of the hub's OAuth login for browsers;
- ``""``: a page that logs a browser in and links to the description.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.log import access_log
from tornado.ioloop import PeriodicCallback

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join

from beamhub.catalogue import units
from beamhub.catalogue.store import Store
from beamhub.catalogue.stores import open_store, redact_url, request_keys_for

from .handlers import LandingHandler, NotFoundHandler, handler_for
from .hubapi import HubUsers, TokenAnswers
from .idempotency import IdempotencyKeys
from .logic import CatalogueLogic
from .routes import API_PREFIX, ROUTES, tornado_pattern
from .settings import ServiceSettings, store_url_from_env
from .workers import Places, Supervisor, default_workers, listen, quiet_gc, reserve

log = logging.getLogger("beamhub.service")

PROFILE_ENV = "BEAMHUB_SERVICE_PROFILE"
"""If set, each service process runs under cProfile and writes its statistics to
``$BEAMHUB_SERVICE_PROFILE.<pid>`` when stopped (for measuring, not for production)."""

SHARED_TOKENS_ENV = "BEAMHUB_SERVICE_SHARED_TOKENS"
"""Set by the supervisor for its workers: the SQLite file (in a private directory,
removed when the supervisor stops) where they share the hub's answers about tokens."""

SHARED_PREFIX = "beamhub-catalogue-"


def remove_stale_shared(parent: Path) -> list[Path]:
    """Remove what supervisors killed without a chance to clean up (SIGKILL) left in
    ``parent``: this user's own directories whose supervisor is no longer running."""
    removed = []
    for path in parent.glob(SHARED_PREFIX + "*"):
        try:
            if path.is_symlink() or not path.is_dir() or path.stat().st_uid != os.getuid():
                continue
            pid = int((path / "supervisor.pid").read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
            continue  # still running (or the number was reused): left alone
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


MAX_STREAMED_BODY = 256 * 2**20
"""Tornado drops connections sending more than this; below it, bodies over the
configured limit are read, discarded and answered with 413 limit_exceeded."""


def default_work_root(store_url: str) -> Path:
    if store_url.startswith("sqlite:///"):
        return Path(store_url.removeprefix("sqlite:///")).parent / "beamhub-jobs"
    return Path.cwd() / "beamhub-jobs"


def make_app(logic: CatalogueLogic, settings: ServiceSettings, *, prefix: str, hub_auth: HubOAuth,
             hub_users: HubUsers, shared_tokens: str | None = None) -> web.Application:
    api_base = url_path_join(prefix, API_PREFIX)
    shared = {"logic": logic, "settings": settings, "hub_auth": hub_auth, "hub_users": hub_users,
              "tokens": TokenAnswers(settings.hub_auth_cache_seconds, shared=shared_tokens),
              "in_flight": defaultdict(int),
              "places": Places(settings.limits.max_in_flight_per_worker, settings.limits.max_wait_seconds,
                               max_waiting=10 * settings.limits.max_in_flight_per_worker),
              "idempotency": IdempotencyKeys(request_keys_for(logic.store), logic._run,
                                             settings.idempotency_keep_seconds)}
    by_path: dict[str, list] = {}
    for route in ROUTES:
        by_path.setdefault(route.path, []).append(route)
    handlers = [(api_base + tornado_pattern(path), handler_for(routes), shared) for path, routes in by_path.items()]
    handlers += [
        (url_path_join(prefix, "oauth_callback"), OAuthCallbackHandler, {"hub_auth": hub_auth}),
        (prefix, LandingHandler, {"hub_auth": hub_auth, "api_base": api_base}),
    ]
    return web.Application(
        handlers,
        cookie_secret=os.environ.get("BEAMHUB_SERVICE_COOKIE_SECRET", "").encode() or secrets.token_bytes(32),
        default_handler_class=NotFoundHandler,
        xsrf_cookies=False,
        login_url=url_path_join(prefix, "oauth_callback"),
        log_function=log_request,
    )


def log_request(handler: web.RequestHandler) -> None:
    """tornado's access log line, naming the client the proxy forwarded for. (The server
    does not apply ``X-Forwarded-For`` itself: tornado's ``xheaders`` checks the address
    with ``getaddrinfo`` on every request, for nothing but this line.)"""
    status = handler.get_status()
    method = access_log.info if status < 400 else access_log.warning if status < 500 else access_log.error
    if not access_log.isEnabledFor(logging.INFO if status < 400 else logging.WARNING):
        return
    request = handler.request
    client = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip() or request.remote_ip
    method("%d %s %s (%s) %.2fms", status, request.method, request.uri, client, 1000.0 * request.request_time())


class OAuthCallbackHandler(HubOAuthCallbackHandler):
    def initialize(self, *, hub_auth) -> None:
        self.hub_auth = hub_auth


class CatalogueService:
    """The running service: store, logic, HTTP server and the job follower."""

    def __init__(self, settings: ServiceSettings | None = None, store: Store | None = None,
                 environ: dict | None = None):
        environ = os.environ if environ is None else environ
        self.settings = settings or ServiceSettings.from_env(environ)
        store_url = store.url if store is not None else store_url_from_env(environ)
        self.store = store or open_store(store_url)
        self.prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/catalogue/")
        self.url = environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")
        work_root = Path(self.settings.jobs.work_root or default_work_root(store_url))
        self.logic = CatalogueLogic(self.store, self.settings, work_root=work_root,
                                    api_base=url_path_join(self.prefix, API_PREFIX))
        self.hub_auth = HubOAuth(api_token=environ.get("JUPYTERHUB_API_TOKEN", ""),
                                 cache_max_age=self.settings.hub_auth_cache_seconds)
        self.hub_users = HubUsers(self.hub_auth.api_url, self.hub_auth.api_token,
                                  cache_seconds=self.settings.hub_auth_cache_seconds)
        self.app = make_app(self.logic, self.settings, prefix=self.prefix, hub_auth=self.hub_auth,
                            hub_users=self.hub_users, shared_tokens=environ.get(SHARED_TOKENS_ENV) or None)
        log.info("catalogue service: store %s, jobs %s in %s", redact_url(store_url),
                 self.settings.jobs.runner, work_root)

    async def run(self, sockets: list | None = None, *, follow_jobs: bool = True) -> None:
        """Serve until SIGTERM or SIGINT: on ``sockets`` (bound by the supervisor, shared
        with the other workers) or on the service URL's own; ``follow_jobs``: this
        process follows the jobs (one process of the service does)."""
        server = HTTPServer(self.app, max_body_size=MAX_STREAMED_BODY)
        if sockets is None:
            url = urlparse(self.url)
            server.listen(url.port or 80, url.hostname or "127.0.0.1")
        else:
            server.add_sockets(sockets)
        follower = PeriodicCallback(self.logic.follow_jobs, self.settings.jobs.poll_seconds * 1000)
        if follow_jobs:
            self.logic.jobs.rescan = sockets is not None  # other workers submit jobs too
            follower.start()
        warm = getattr(self.store, "keep_columns_warm", None)  # SQLite: search columns loaded ahead
        if warm is not None:
            warm(snapshot_dir=self.settings.columns_snapshot_dir or None)
        threading.Thread(target=units.prepare, name="units", daemon=True).start()  # before a first unit
        features = PeriodicCallback(self.logic.refresh_features,
                                    max(1, self.settings.suggest.refresh_seconds) * 1000)
        if follow_jobs and self.settings.suggest.refresh_seconds:  # one process computes missing features
            features.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        log.info("listening on %s%s", self.url.rstrip("/"), self.prefix)
        await stop.wait()
        follower.stop()
        features.stop()
        server.stop()
        await server.close_all_connections()
        self.logic.close()


def run_worker(sockets: list | None, index: int = 0) -> int:
    """One service process: worker ``index`` (worker 0 follows the jobs)."""
    service = CatalogueService()
    work = service.run(sockets, follow_jobs=index == 0)
    quiet_gc()
    profile = os.environ.get(PROFILE_ENV)
    if profile:  # a developer's measurement: the event loop thread's CPU, written at a clean stop
        import cProfile

        profiler = cProfile.Profile(time.thread_time)
        profiler.runcall(asyncio.run, work)
        profiler.dump_stats(f"{profile}.{os.getpid()}")
        return 0
    asyncio.run(work)
    return 0


def main() -> int:
    level = os.environ.get("BEAMHUB_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=logging.INFO, format="[%(levelname).1s %(asctime)s %(name)s] %(message)s")
    for name in ("beamhub", "tornado.access"):  # not pymongo's command-by-command DEBUG log
        logging.getLogger(name).setLevel(level)
    settings = ServiceSettings.from_env()
    workers = settings.workers or default_workers()
    if workers == 1:
        return run_worker(None)
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    host, port = url.hostname or "127.0.0.1", url.port or 80
    reserved = reserve(host, port)  # noqa: F841 (held while the supervisor runs)
    log.info("catalogue service: %d worker processes on %s", workers, url.netloc)
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    remove_stale_shared(Path(shm or tempfile.gettempdir()))
    shared = tempfile.mkdtemp(prefix=SHARED_PREFIX, dir=shm)  # 0700: hub answers, keyed by token hashes
    Path(shared, "supervisor.pid").write_text(str(os.getpid()))
    os.environ[SHARED_TOKENS_ENV] = os.path.join(shared, "token-answers.sqlite")
    try:
        return Supervisor(workers, lambda index: run_worker(listen(host, port), index)).run()
    finally:
        shutil.rmtree(shared, ignore_errors=True)
