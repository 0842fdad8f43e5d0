"""The OpenAPI 3.1 description, generated from the route table and the pydantic models.

Nothing here is written by hand per endpoint: paths, parameters, bodies and answers
come from :data:`~.routes.ROUTES`; schemas from the models' own JSON Schema (pydantic
writes JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
"""

from __future__ import annotations

import functools
import typing
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from beamhub import __version__

from .api_models import PARAMETER_VALUE, PARAMETER_VALUE_SCHEMA, ErrorBody
from .errors import ERROR_CODES
from .routes import AUTHENTICATED_ERRORS, COMMON_ERRORS, PATH_PARAMETERS, PNG, ROUTES

REF = "#/components/schemas/{model}"

DESCRIPTION = """\
The beamhub catalogue: search datasets, preview them, vote on them and select them for
processing (the fog filter). Every answer covers only what the caller may see.

Authentication is JupyterHub's: the hub's OAuth cookie in a browser, or the header
`Authorization: token <token>` (or `Bearer`) with a token holding the scope
`access:services!service=catalogue`. Who the caller is and their groups come from the
hub, never from the request.

Errors are JSON `{"code", "message", "details"}` with a stable code:
""" + "\n".join(f"- `{code}`: HTTP {status}" for code, status in sorted(ERROR_CODES.items(), key=lambda item: (item[1], item[0]))) + """

Limits: a page holds at most 200 datasets, search text at most 256 characters and 16
words, at most 10 metadata conditions (each at most 400 characters, written as the
`condition` parameter's pattern: units are bounded expressions or plain literals, never
arbitrary arithmetic) and 50 values per filter, a selection at most 1000 datasets;
integers anywhere (parameters, versions) fit in 64 bits and numbers are finite; a cursor
is only ever one this service gave out for the same search. Request bodies, query
strings and concurrent requests per user are limited as configured (413
`limit_exceeded`, 429 `too_many_requests`); a read that takes longer than 30 s gets 503
`timeout`. A method a path does not have gets 405 `method_not_allowed` with an `Allow`
header listing the ones it has; the proxy refuses request heads over 16 KiB (431) and
paths that are not percent-encoded UTF-8 (400, JSON).
"""


def _models(routes) -> list[tuple[type[BaseModel], str]]:
    found: dict[tuple[type, str], None] = {(ErrorBody, "serialization"): None}
    for route in routes:
        for kind, mode in ((route.response, "serialization"), (route.query, "validation"),
                           (route.body, "validation")):
            model = _inner_model(kind)
            if model is not None:
                found[(model, mode)] = None
    return list(found)


def _inner_model(kind) -> type[BaseModel] | None:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind
    if typing.get_origin(kind) is list:
        return _inner_model(typing.get_args(kind)[0])
    return None


@functools.cache
def build_openapi(base_path: str) -> dict[str, Any]:
    """The description of the API served under ``base_path`` (e.g.
    ``/services/catalogue/api/v1``)."""
    refs, top = models_json_schema(_models(ROUTES), ref_template=REF)
    schemas = top.get("$defs", {})
    schemas[PARAMETER_VALUE] = PARAMETER_VALUE_SCHEMA

    def ref(model, mode):
        return refs[(model, mode)]

    def response_schema(kind):
        if kind is dict:
            return {"type": "object"}
        if typing.get_origin(kind) is list:
            return {"type": "array", "items": ref(_inner_model(kind), "serialization")}
        return ref(kind, "serialization")

    error = {"description": "", "content": {"application/json": {"schema": ref(ErrorBody, "serialization")}}}
    paths: dict[str, dict] = {}
    for route in ROUTES:
        operation: dict[str, Any] = {
            "operationId": route.operation,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": [_path_parameter(name) for name in route.path_names],
        }
        if route.description:
            operation["description"] = route.description
        if route.query is not None:
            operation["parameters"] += _query_parameters(route.query, schemas)
        if route.idempotency_key:
            operation["parameters"].append({
                "name": "Idempotency-Key", "in": "header", "required": False,
                "description": "Any string up to 200 characters: a retry with the same key returns the "
                               "first answer instead of acting twice (kept for 24 hours, in the store: also across "
                               "service restarts). While the first is in progress a retry gets 409 conflict.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200}})
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": ref(route.body, "validation")}}}
        answer: dict[str, Any] = {"description": HTTPStatus(route.status).phrase}
        if route.response == PNG:
            answer["content"] = {PNG: {"schema": {"type": "string", "format": "binary"}}}
            answer["headers"] = {"ETag": {"schema": {"type": "string"}},
                                 "Cache-Control": {"schema": {"type": "string"}}}
        elif route.response is not None:
            answer["content"] = {"application/json": {"schema": response_schema(route.response)}}
        responses = {str(route.status): answer}
        if route.response == PNG:
            responses["304"] = {"description": "Not Modified (the If-None-Match ETag still holds)"}
        statuses = set(COMMON_ERRORS) | set(route.errors)
        if route.access != "public":
            statuses |= set(AUTHENTICATED_ERRORS)
        for status in sorted(statuses):
            responses[str(status)] = {**error, "description": HTTPStatus(status).phrase}
        responses["431"] = {"description": "The proxy refuses request heads (URL and headers) over 16 KiB"}
        if route.access != "public":
            operation["security"] = [{"hubToken": []}, {"hubOAuthCookie": []}]
        else:
            operation["security"] = []
        operation["responses"] = responses
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "beamhub catalogue", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": base_path.rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "hubToken": {"type": "apiKey", "in": "header", "name": "Authorization",
                             "description": "'token <JupyterHub API token>' or 'Bearer <token>'"},
                "hubOAuthCookie": {"type": "apiKey", "in": "cookie", "name": "service-catalogue",
                                   "description": "Set by the OAuth login at /services/catalogue/"},
            },
        },
    }


def _path_parameter(name: str) -> dict:
    kind, description = PATH_PARAMETERS[name]
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": TypeAdapter(kind).json_schema()}


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    out = []
    for name, prop in schema["properties"].items():
        info = model.model_fields[name]
        parameter = {"name": name, "in": "query", "required": info.is_required(), "schema": prop}
        if info.description:
            parameter["description"] = info.description
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        out.append(parameter)
    return out


if __name__ == "__main__":  # python -m beamhub.service.openapi: the JSON the extension's types come from
    import json
    import sys

    json.dump(build_openapi(sys.argv[1] if len(sys.argv) > 1 else "/services/catalogue"), sys.stdout,
              indent=1, sort_keys=True)
    sys.stdout.write("\n")
