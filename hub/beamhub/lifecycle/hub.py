"""The hub's side of the session lifecycle: thin handlers over :class:`Lifecycle`.

- ``GET /hub/api/beamhub/session/{user}``: the user's running server: time left
  (walltime, idle cull, maximum age), the warnings due and the announcements shown now;
- ``POST /hub/api/beamhub/session/{user}`` ``{"minutes": N}``: extend the walltime by N
  minutes, up to the profile's ``max_walltime`` (400 with the reason beyond it). On Slurm
  the hub runs ``scontrol update`` (:meth:`~beamhub.spawner.slurm.BeamhubSlurmSpawner.set_walltime`);
- ``GET /hub/beamhub/admin``: the admins' page listing running servers.

Both API routes need the custom scope ``custom:beamhub:session`` for that user: the
``user`` role has it for the user (``!user``), and each server's token too (JupyterLab asks
through its server, ``jupyterlab_beamhub.lifecycle``). The handlers are routed in front of
JupyterHub's through the authenticator's ``get_handlers`` (as :mod:`beamhub.sharing`'s).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from tornado import web

from .announcements import AnnouncementFile, as_html, current
from .model import ExtensionRefused, LifecycleSettings, ServerFacts, extended_limit, session_status

SESSION_SCOPE = "custom:beamhub:session"
TEMPLATES = str(Path(__file__).parent / "templates")


class Lifecycle:
    """Everything the handlers do: facts about running servers, extensions, announcements."""

    def __init__(self, settings: LifecycleSettings, *, announcements_file: str = "", idle_timeout: int | None = None,
                 max_age: int | None = None):
        self.settings = settings
        self.file = AnnouncementFile(announcements_file) if announcements_file else None
        self.idle_timeout = idle_timeout or None
        self.max_age = max_age or None

    # -- announcements -------------------------------------------------------------------
    def announcements(self, now: datetime | None = None):
        return current([*self.settings.announcements, *(self.file.load() if self.file else [])], now)

    def announcement_html(self, user=None) -> str:
        """JupyterHub's ``announcement`` template variable (called with the page's user)."""
        return as_html(self.announcements())

    # -- servers -------------------------------------------------------------------------
    async def facts(self, user, server_name: str = "", refresh: bool = False) -> ServerFacts:
        spawner = user.spawners.get(server_name) if server_name in user.spawners else None
        if spawner is None or not spawner.active or spawner.pending:
            raise web.HTTPError(404, f"{user.name} has no running server")
        options = spawner.user_options or {}
        profile = _profile(spawner)
        job_id, start, limit = "", None, None
        if hasattr(spawner, "job_walltime"):
            job_id, start, limit = await spawner.job_walltime(refresh=refresh)
        maximum = None
        if profile is not None and limit is not None:
            maximum = max(profile.max_walltime or profile.walltime, limit)
        orm = spawner.orm_spawner
        return ServerFacts(
            user=user.name, server=server_name, profile=profile.display_name if profile else "",
            profile_name=profile.name if profile else str(options.get("profile") or ""),
            proposals=tuple(options.get("proposals") or ()), node=_node(spawner),
            started=_aware(orm.started), job_id=job_id, job_start=start, limit_minutes=limit,
            max_minutes=maximum, last_activity=_aware(orm.last_activity),
            idle_timeout=self.idle_timeout, max_age=self.max_age)

    async def status(self, user, server_name: str = "", refresh: bool = False) -> dict:
        now = datetime.now(timezone.utc)
        status = session_status(await self.facts(user, server_name, refresh), self.settings, now)
        status["announcements"] = [a.public() for a in self.announcements(now)]
        return status

    async def extend(self, user, minutes, server_name: str = "") -> dict:
        facts = await self.facts(user, server_name, refresh=True)
        new_limit = extended_limit(facts, minutes)
        spawner = user.spawners[server_name]
        from beamhub.spawner.errors import SchedulerUnavailable

        try:
            await spawner.set_walltime(new_limit)
        except SchedulerUnavailable as exc:
            raise ExtensionRefused(exc.message, status=503) from None
        except RuntimeError as exc:
            raise ExtensionRefused(str(exc), status=409) from None
        return await self.status(user, server_name)

    async def running(self, users) -> list[dict]:
        """The status of every running server (the admin view)."""
        out = []
        for user in users:
            for name, spawner in list(user.spawners.items()):
                if spawner.active and not spawner.pending:
                    try:
                        out.append(await self.status(user, name))
                    except web.HTTPError:  # stopped meanwhile
                        continue
        return sorted(out, key=lambda s: (s["user"], s["server"]))


def _aware(moment):
    """JupyterHub's database times are naive UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _profile(spawner):
    plan = getattr(spawner, "_plan", None)
    if plan is not None:
        return plan.profile
    models = getattr(spawner, "profile_models", None)
    if not models:
        return None
    name = (spawner.user_options or {}).get("profile") or getattr(spawner, "default_profile", "") or models[0].name
    return next((p for p in models if p.name == name), None)


def _node(spawner) -> str:
    info = getattr(spawner, "_job_info", None)
    if info is not None and info.batch_host:
        return info.batch_host
    return getattr(spawner, "ip", "") or (spawner.server.ip if spawner.server else "") or "localhost"


def _handlers(logic: Lifecycle):
    """The routes (handler classes imported late: JupyterHub's modules only inside the hub)."""
    from jupyterhub.apihandlers.base import APIHandler
    from jupyterhub.handlers.base import BaseHandler
    from jupyterhub.scopes import needs_scope

    def lifecycle(handler) -> Lifecycle:
        return handler.beamhub_lifecycle

    class WithLifecycle:
        def initialize(self, lifecycle: Lifecycle):
            self.beamhub_lifecycle = lifecycle

    class SessionAPIHandler(WithLifecycle, APIHandler):
        def _user(self, user_name):
            user = self.find_user(user_name)
            if user is None:
                raise web.HTTPError(404, f"no user {user_name}")
            return user

        @needs_scope(SESSION_SCOPE)
        async def get(self, user_name):
            refresh = self.get_argument("refresh", "") in ("1", "true")
            self.finish(json.dumps(await lifecycle(self).status(self._user(user_name), refresh=refresh)))

        @needs_scope(SESSION_SCOPE)
        async def post(self, user_name):
            body = self.get_json_body()
            if not isinstance(body, dict) or "minutes" not in body:
                raise web.HTTPError(400, 'send {"minutes": N}: the minutes to add to the walltime')
            try:
                status = await lifecycle(self).extend(self._user(user_name), body["minutes"])
            except ExtensionRefused as exc:
                raise web.HTTPError(exc.status, exc.message) from None
            self.finish(json.dumps(status))

    class AdminSessionsHandler(WithLifecycle, BaseHandler):
        @web.authenticated
        @needs_scope("admin:servers")
        async def get(self):
            from jupyterhub import orm

            users = [self._user_from_orm(u) for u in self.db.query(orm.User).all()]
            sessions = await lifecycle(self).running(users)
            page = await self.render_template("beamhub-admin.html", sessions=sessions,
                                              now=datetime.now(timezone.utc))
            self.finish(page)

    return [
        (r"/api/beamhub/session/([^/]+)", SessionAPIHandler, {"lifecycle": logic}),
        (r"/beamhub/admin", AdminSessionsHandler, {"lifecycle": logic}),
    ]


class LifecycleHandlersMixin:
    """Route the lifecycle handlers in front of JupyterHub's (mixed into the authenticator)."""

    beamhub_lifecycle: Lifecycle

    def get_handlers(self, app):
        return [*_handlers(self.beamhub_lifecycle), *super().get_handlers(app)]


def with_lifecycle_handlers(authenticator_class, lifecycle: Lifecycle) -> type:
    """A subclass of ``authenticator_class`` (a class or its import string) routing the
    lifecycle handlers first; its configuration sections are its bases' (traitlets)."""
    if isinstance(authenticator_class, str):
        from importlib import import_module

        module, _, name = authenticator_class.rpartition(".")
        authenticator_class = getattr(import_module(module), name)
    return type(authenticator_class.__name__, (LifecycleHandlersMixin, authenticator_class),
                {"__module__": __name__, "beamhub_lifecycle": lifecycle})


def configure_lifecycle(c, lifecycle: Lifecycle) -> None:
    """Apply to the JupyterHub config ``c`` (after the authenticator, sharing and spawner):
    the handlers, the scope for users and their servers, announcements on the hub's pages
    and the admin page's template."""
    c.JupyterHub.authenticator_class = with_lifecycle_handlers(c.JupyterHub.authenticator_class, lifecycle)
    scopes = dict(c.JupyterHub.custom_scopes) if "custom_scopes" in c.JupyterHub else {}
    scopes[SESSION_SCOPE] = {"description": "See how long a server has left and extend its walltime."}
    c.JupyterHub.custom_scopes = scopes
    variables = dict(c.JupyterHub.template_vars) if "template_vars" in c.JupyterHub else {}
    variables.setdefault("announcement", lifecycle.announcement_html)
    c.JupyterHub.template_vars = variables
    paths = list(c.JupyterHub.template_paths) if "template_paths" in c.JupyterHub else []
    if TEMPLATES not in paths:
        c.JupyterHub.template_paths = [*paths, TEMPLATES]
    if "server_token_scopes" in c.BeamhubSpawner:
        server_scopes = list(c.BeamhubSpawner.server_token_scopes)
    else:
        from beamhub.spawner.base import DEFAULT_SERVER_SCOPES

        server_scopes = list(DEFAULT_SERVER_SCOPES)
    if f"{SESSION_SCOPE}!user" not in server_scopes:
        c.BeamhubSpawner.server_token_scopes = [*server_scopes, f"{SESSION_SCOPE}!user"]
