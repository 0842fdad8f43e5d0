"""The site configuration's reference, rendered from the models themselves.

README's "Configuration reference" is this output (``beamhub config reference``), and a
test keeps the two equal, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .model import SiteConfig


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold (through Optional, Union, list, dict)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args if a is not type(None)) + (
            " | null" if type(None) in args else "")
    if origin in (list, tuple, set, frozenset):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}" if args else "mapping"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    return getattr(annotation, "__name__", str(annotation)).replace("NoneType", "null")


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()
    if isinstance(value, BaseModel):
        return ""
    try:
        return "`" + json.dumps(value, default=str) + "`"
    except TypeError:
        return f"`{value!r}`"


def rows(model: type[BaseModel] = SiteConfig, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, type, default, description) for every option, depth first."""
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        description = " ".join((field.description or "").split())
        out.append((key, _type_name(field.annotation), _default(field), description))
        models = _models_in(field.annotation)
        for sub in models:
            kind = ""
            kind_field = sub.model_fields.get("kind")
            if len(models) > 1 and kind_field is not None:  # a union told apart by its 'kind'
                kind = f"(kind={typing.get_args(kind_field.annotation)[0]})"
            sub_prefix = f"{key}{kind}." if not typing.get_origin(field.annotation) in (list, dict) else f"{key}[]."
            out.extend(rows(sub, sub_prefix))
    return out


def markdown() -> str:
    """The reference as a Markdown table."""
    lines = ["| key | type | default | what it does |", "|---|---|---|---|"]
    for key, type_name, default, description in rows():
        cells = [f"`{key}`", type_name, default, description]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
