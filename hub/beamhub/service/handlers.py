"""Tornado handlers: thin over :class:`~.logic.CatalogueLogic`.

One handler class per path of the route table. A request goes: limits (query string,
body size, requests in flight) -> the hub says who the caller is -> path, query and
body validated into models -> the logic method -> JSON (or PNG). Every failure is a
JSON error with a stable code (:func:`error_body`).
"""

from __future__ import annotations

import json
import logging
import sys
import typing
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from tornado import web
from tornado.web import HTTPError, RequestHandler, stream_request_body

from jupyterhub.services.auth import HubOAuthenticated, UserNotAllowed

from beamhub.auth.identity import identity_from_hub_model
from beamhub.catalogue.errors import CatalogueError, InvalidInput, LimitExceeded, PermissionDenied
from beamhub.catalogue.model import describe_errors, error_list

from .api_models import Health
from .errors import STATUS_CODES, Busy, HubUnavailable, InternalError, TooManyRequests, Unauthorized
from .hubapi import within
from .idempotency import MAX_KEY_LENGTH, stored_key
from .routes import PATH_PARAMETERS, PNG, Route

log = logging.getLogger("beamhub.service")

ALWAYS_ALLOWED_QUERY = {"token", "_xsrf"}
"""Query parameters JupyterHub's auth itself may use."""



def error_body(exc: BaseException | None, status: int) -> tuple[int, dict]:
    """(HTTP status, JSON body) for anything raised while handling a request."""
    if isinstance(exc, CatalogueError):
        return exc.http_status, exc.to_dict()
    if isinstance(exc, HTTPError):
        status = exc.status_code
        message = exc.log_message % exc.args if exc.log_message and exc.args else exc.log_message
        return status, {"code": STATUS_CODES.get(status, "internal_error" if status >= 500 else "invalid_input"),
                        "message": message or HTTPStatus(status).phrase}
    if status < 500:
        return status, {"code": STATUS_CODES.get(status, "invalid_input"), "message": HTTPStatus(status).phrase}
    return 500, InternalError("internal error; it was logged").to_dict()


def parse_model(model: type[BaseModel], data: Any, what: str) -> BaseModel:
    """Validate; 400 invalid_input listing every problem. (Limits stated in the API
    description, such as a field's length, are input errors like any other; 413 is
    for limits the description cannot state: body and query sizes, quotas.)"""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"invalid {what}: {describe_errors(exc)}", details=error_list(exc)) from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"the request body is not valid JSON: {str(exc)[:200]}") from None


def _is_list(annotation) -> bool:
    return typing.get_origin(annotation) is list


class JsonErrorsMixin:
    """JSON error answers and quiet logs for expected (4xx) errors; a 405 names the
    methods the path has (``Allow``)."""

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        status, body = error_body(exc, status_code)
        self.clear()
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        if status == 503:
            self.set_header("Retry-After", str(getattr(exc, "retry_after", 5)))
        if status == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.finish(json.dumps(body))

    def allowed_methods(self) -> list[str]:
        """The methods this handler implements (tornado's unimplemented ones excluded)."""
        return [method for method in self.SUPPORTED_METHODS
                if getattr(type(self), method.lower(), None) is not getattr(RequestHandler, method.lower(), None)]

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, CatalogueError) and value.http_status < 500:
            return
        if isinstance(value, CatalogueError):
            log.warning("%s %s: %s %s", self.request.method, self.request.path, value.code, value.message)
            return
        super().log_exception(typ, value, tb)


class NotFoundHandler(JsonErrorsMixin, RequestHandler):
    """Any path the API does not have, whatever the method."""

    def prepare(self):
        raise web.HTTPError(404, "no such API path; see openapi.json")

    def send_error(self, status_code: int = 500, **kwargs) -> None:
        if status_code == 405:  # a method tornado does not know: the path is still unknown
            try:
                raise web.HTTPError(404, "no such API path; see openapi.json")
            except web.HTTPError:
                kwargs["exc_info"] = sys.exc_info()
            status_code = 404
        super().send_error(status_code, **kwargs)


@stream_request_body
class ApiHandler(JsonErrorsMixin, HubOAuthenticated, RequestHandler):
    """Serves the routes of one path; subclasses set ``routes`` (method -> Route)."""

    routes: dict[str, Route] = {}

    def initialize(self, *, logic, settings, hub_auth, hub_users, tokens, in_flight: dict, idempotency,
                   places) -> None:
        self.logic = logic
        self.places = places  # the requests this process works on at once (workers.Places)
        self._worker_counted = False
        self._place_waiter = None
        self.tokens = tokens
        self.limits = settings.limits
        self.service_settings = settings
        self.hub_auth = hub_auth
        self.hub_users = hub_users
        self.in_flight = in_flight
        self.idempotency = idempotency
        self._body = bytearray()
        self._too_large = False
        self._flight_user: str | None = None
        self.identity = None
        self.hub_model: dict | None = None

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> None:
        """No hash of every answer (tornado's default, about a third of a millisecond for
        a page of results): JSON answers are ``no-store``, and previews set their own ETag
        from the dataset's record."""
        return None

    # -- request intake -------------------------------------------------------------
    def send_error(self, status_code: int = 500, **kwargs) -> None:
        """Answer an error only once the request body has been read.

        tornado runs a streaming handler as soon as the request head arrives, and raises
        some errors before ``prepare`` (405 for a method the path lacks, 400 for a path
        that is not UTF-8). Answering then makes tornado close the connection after the
        answer without saying so (``Connection: close`` is decided with the head), and a
        proxy that keeps connections alive (configurable-http-proxy) sends another
        user's next request into the closing connection: a 503 for someone else. So the
        body is read (and discarded, up to the server's limit) first, and the connection
        stays usable."""
        body = getattr(self.request, "_body_future", None)  # tornado's, for streaming handlers
        if body is not None and not body.done() and not self._headers_written:
            self._error_after_body = (status_code, kwargs)
            body.add_done_callback(self._send_deferred_error)
            return
        super().send_error(status_code, **kwargs)

    def _send_deferred_error(self, _future) -> None:
        status_code, kwargs = self._error_after_body
        if self._finished:
            return
        try:
            super().send_error(status_code, **kwargs)
        except Exception:  # the client went away meanwhile
            log.debug("could not answer %s %s", self.request.method, self.request.path, exc_info=True)

    async def prepare(self) -> None:
        # Errors found here are answered only once the body has been read: answering
        # while a proxy still sends the body makes it drop the connection.
        self._early_error: BaseException | None = None
        try:
            await self._check_request()
        except (CatalogueError, HTTPError) as exc:
            self._early_error = exc

    async def _check_request(self) -> None:
        self.route = self.routes[self.request.method]  # tornado answers 405 for other methods
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.limits.max_body_bytes:
            self._too_large = True
        if self.route.access == "public":
            return
        await self._enter_worker()  # before the hub is asked anything: a refused request costs it nothing
        token = self.hub_auth.get_token(self, in_cookie=False)
        known = self.tokens.get(token) if token else None
        if known is not None:  # the hub's answer about this token, checked within hub_auth_cache_seconds
            self.hub_model, self.identity = known
            if self.identity is None and self.hub_model.get("kind", "user") == "user":  # another worker's
                self.identity = identity_from_hub_model(self.hub_model, self.logic.staff_rule)
                self.tokens.put(token, self.hub_model, self.identity, from_hub=False)
        elif token:  # one question to the hub per token, shared by the requests that need it meanwhile
            self.hub_model, self.identity = await self.tokens.ask(token, lambda: self._answer_for(token))
        else:  # the hub's OAuth cookie (a browser on the service's own pages)
            self.hub_model = await within(self._hub_user(None), "your login")
            if self.hub_model.get("kind", "user") == "user":
                self.identity = identity_from_hub_model(self.hub_model, self.logic.staff_rule)
        if self.route.access == "user":
            if self.identity is None:
                raise PermissionDenied("the catalogue answers hub users; a service token has no catalogue identity")
        elif self.service_settings.spawner_scope not in set(self.hub_model.get("scopes") or ()):
            raise PermissionDenied(f"this route is for the hub's spawner (scope {self.service_settings.spawner_scope})")
        self._enter_flight(f"{self.hub_model.get('kind', 'user')}:{self.hub_model['name']}")

    async def _answer_for(self, token: str) -> tuple[dict, object]:
        """The hub's answer about ``token`` and the catalogue identity built from it, kept
        for hub_auth_cache_seconds."""
        model = await self._hub_user(token)
        identity = identity_from_hub_model(model, self.logic.staff_rule) if model.get("kind", "user") == "user" \
            else None
        self.tokens.put(token, model, identity)
        return model, identity

    async def _hub_user(self, token: str | None) -> dict:
        """Ask the hub who sent a token (or, without one, whose OAuth cookie this is), and
        check the answer allows the catalogue."""
        try:
            if token:  # asked afresh: the answer is kept in self.tokens for hub_auth_cache_seconds
                model = await self.hub_auth.user_for_token(token, use_cache=False, sync=False)
            else:
                model = await self.hub_auth.get_user(self, sync=False)
        except HTTPError as exc:
            if exc.status_code >= 500:
                raise HubUnavailable("JupyterHub could not be asked who you are; retry shortly") from None
            raise
        if not model:
            raise Unauthorized("log in to JupyterHub: send 'Authorization: token <token>' (a token with "
                               "access:services!service=catalogue) or the hub's OAuth cookie",
                               details={"login_url": self.hub_auth.login_url or None})
        try:
            self._hub_auth_user_cache = self.check_hub_user(model)
        except UserNotAllowed:
            raise PermissionDenied(f"this token may not use the catalogue (it needs "
                                   f"{', '.join(sorted(self.hub_scopes or ()))})") from None
        return model

    def _enter_flight(self, key: str) -> None:
        count = self.in_flight.get(key, 0)
        if count >= self.limits.max_in_flight_per_user:
            raise TooManyRequests(f"you already have {count} requests in progress; wait for them")
        self.in_flight[key] = count + 1
        self._flight_user = key

    async def _enter_worker(self) -> None:
        if not await self.places.enter(on_wait=self._waiting_for_place):
            raise Busy(f"this catalogue process has {self.places.used} requests in progress and "
                       f"{self.places.waiting} waiting; retry in a second")
        self._place_waiter = None
        self._worker_counted = True

    def _waiting_for_place(self, waiter) -> None:
        self._place_waiter = waiter

    def on_connection_close(self) -> None:
        """The client (or the proxy) went away. Before its body had arrived the request
        never runs (tornado leaves it waiting for the body, and ``on_finish`` never
        comes): it stops counting now. Once running, it counts until it is done."""
        if self._place_waiter is not None:  # still waiting for a place: it leaves the queue
            self.places.give_up(self._place_waiter)
        body = getattr(self.request, "_body_future", None)
        if body is not None and not body.done():
            self.on_finish()
        super().on_connection_close()

    def on_finish(self) -> None:
        if self._worker_counted:
            self._worker_counted = False
            self.places.leave()
        if self._flight_user is not None:
            left = self.in_flight.get(self._flight_user, 1) - 1
            if left > 0:
                self.in_flight[self._flight_user] = left
            else:
                self.in_flight.pop(self._flight_user, None)
            self._flight_user = None

    def data_received(self, chunk: bytes) -> None:
        if self._too_large:
            return
        if len(self._body) + len(chunk) > self.limits.max_body_bytes:
            self._too_large = True
            self._body = bytearray()
            return
        self._body += chunk

    # -- dispatch -------------------------------------------------------------------
    async def get(self, **path: str) -> None:
        await self._dispatch(path)

    put = post = patch = delete = get

    async def _dispatch(self, path: dict[str, str]) -> None:
        if self._early_error is not None:
            raise self._early_error
        route = self.route
        if self._too_large:
            raise LimitExceeded(f"the request body is larger than {self.limits.max_body_bytes} bytes")
        args: list[Any] = [] if route.access != "user" else [self.identity]
        for name in route.path_names:
            kind, _ = PATH_PARAMETERS[name]
            try:
                args.append(_adapter(kind).validate_python(path[name]))
            except ValidationError as exc:
                raise InvalidInput(f"invalid {name} {path[name]!r}: {describe_errors(exc)}") from None
        if route.access == "spawner":
            user = await self.hub_users.user_model(args.pop())
            args.append(identity_from_hub_model(user, self.logic.staff_rule))
        args += self._query_args(route)
        if len(self.request.query) > self.limits.max_query_string_bytes:
            raise LimitExceeded(f"the query string is longer than {self.limits.max_query_string_bytes} bytes")
        args += self._body_args(route)
        key = self._idempotency_key(route)
        if key is not None:
            claim = await self.idempotency.claim(key)
            if claim.state == "done":
                self.set_status(claim.status)
                self.set_header("Idempotent-Replayed", "true")
                if claim.status == 204:
                    self.clear_header("Content-Type")
                self.finish(claim.body or None)
                return
        if route.response == PNG:
            await self._write_png(args)
            return
        try:
            # a keyed write keeps its answer with itself (one transaction); others, such as
            # a job submission (a state change that refuses repeating), just after it
            pending = (self.idempotency.pending(key, lambda result: encode_answer(route, result), claim.resumed)
                       if key else None)
            result = await getattr(self.logic, route.operation)(*args)
            status, body = self._answer(route, result)
            if key is not None and 200 <= status < 300 and not pending.answered:
                await self.idempotency.complete(key, status, body)  # kept before it is acknowledged
        except BaseException:
            if key is not None:
                await self.idempotency.release_quietly(key)
            raise
        self.finish(body or None)

    def _query_args(self, route: Route) -> list[Any]:
        given = {k: v for k, v in self.request.query_arguments.items() if k not in ALWAYS_ALLOWED_QUERY}
        fields = route.query.model_fields if route.query is not None else {}
        unknown = sorted(set(given) - set(fields))
        if unknown:
            raise InvalidInput(f"unknown query parameter(s): {', '.join(unknown)[:200]}",
                               details={"unknown": unknown[:50]})
        if route.query is None:
            return []
        data: dict[str, Any] = {}
        for name, raw in given.items():
            try:
                values = [value.decode("utf-8") for value in raw]
            except UnicodeDecodeError:
                raise InvalidInput(f"query parameter {name} is not UTF-8") from None
            if _is_list(fields[name].annotation):
                data[name] = values
            elif len(values) > 1:
                raise InvalidInput(f"query parameter {name} may be given only once")
            else:
                data[name] = values[0]
        return [parse_model(route.query, data, "query parameters")]

    def _body_args(self, route: Route) -> list[Any]:
        raw = bytes(self._body).strip()
        if route.body is None:
            if raw not in (b"", b"{}", b"null"):
                raise InvalidInput("this request takes no body")
            return []
        if not raw:
            raise InvalidInput("a JSON body is required")
        data = parse_json_body(raw)
        if not isinstance(data, dict):
            raise InvalidInput("the request body must be a JSON object")
        return [parse_model(route.body, data, "request body")]

    def _idempotency_key(self, route: Route) -> str | None:
        value = self.request.headers.get("Idempotency-Key")
        if not route.idempotency_key or value is None:
            return None
        if not value or len(value) > MAX_KEY_LENGTH:
            raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        return stored_key(self.identity.user if self.identity else "", route.operation, self.request.path, value)

    # -- answers --------------------------------------------------------------------
    def _answer(self, route: Route, result: Any) -> tuple[int, bytes]:
        """Set the status (and headers) of a result; its body, encoded once."""
        status, body = encode_answer(route, result)
        self.set_status(status)
        if result is None:
            self.clear_header("Content-Type")
        return status, body

    async def _write_png(self, args: list[Any]) -> None:
        png, etag = await self.logic.preview(*args, if_none_match=self.request.headers.get("If-None-Match"))
        self.set_header("ETag", etag)
        self.set_header("Cache-Control", f"private, max-age={self.service_settings.preview_max_age}")
        self.set_header("Vary", "Authorization, Cookie")
        if png is None:
            self.clear_header("Content-Type")
            self.set_status(304)
            self.finish()
            return
        self.set_header("Content-Type", PNG)
        self.finish(png)

    # RequestHandler's own XSRF check is off (xsrf_cookies is not set): HubOAuth checks
    # XSRF itself before it accepts a cookie on a non-GET request.


def encode_answer(route: Route, result: Any) -> tuple[int, bytes]:
    """The status and body of a route's result (pure: also run in store threads, where a
    keyed write keeps its answer)."""
    status = route.status
    if isinstance(result, Health) and result.status != "ok":
        status = 503
    if result is None:
        return status, b""
    if route.response is dict:
        return status, json.dumps(result).encode()
    return status, _adapter(route.response).dump_json(result)


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(kind) -> TypeAdapter:
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def handler_for(routes: list[Route]) -> type[ApiHandler]:
    """A handler class serving the given routes (all on one path)."""
    table = {route.method: route for route in routes}
    return type(f"Handler_{routes[0].operation}", (ApiHandler,), {
        "routes": table, "SUPPORTED_METHODS": tuple(table)})


class LandingHandler(JsonErrorsMixin, HubOAuthenticated, RequestHandler):
    """``/services/catalogue/``: logs a browser in through the hub's OAuth (setting the
    service's cookie) and points to the API description."""

    def initialize(self, *, hub_auth, api_base: str) -> None:
        self.hub_auth = hub_auth
        self.api_base = api_base

    @web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        from html import escape

        name = escape(self.current_user["name"])
        # Reading xsrf_token sets the _xsrf cookie that cookie-authenticated writes send
        # back in an X-XSRFToken header.
        xsrf = escape(self.xsrf_token.decode() if isinstance(self.xsrf_token, bytes) else self.xsrf_token)
        self.finish(f"<!doctype html><title>beamhub catalogue</title><meta name='xsrf-token' content='{xsrf}'>"
                    f"<h1>beamhub catalogue</h1><p>Signed in as {name}.</p><p>API: "
                    f"<a href='{self.api_base}/openapi.json'>{self.api_base}/openapi.json</a></p>")
