"""The declarative ingestion mapping: how paths and file contents become catalogue fields.

In the spirit of the SSRF/BDSC "mapping definitions" (a static file an operator edits
to re-map ingestion without touching code), a YAML file says where each catalogue
field comes from. Example (``example-mapping.yaml`` beside this module is a
complete one)::

    version: 1
    root: "."                                   # optional; relative to this file
    path: "{beamline}/{proposalId}/{sample}/**" # relative to the root
    exclude: ["*_master_old.h5"]                # optional file-name globs to skip
    fields:
      creationLocation: {from: "entry/instrument/name@short_name", default: "{beamline}", transform: lower}
      proposalId: "{proposalId}"
      ownerGroup: "{proposalId}"
      sampleId: "{sample}"
      keywords: ["{sample}", "{beamline}"]
      isPublished: false
    scientificMetadata:
      ring_current: {from: "entry/instrument/source/current"}   # unit from the file
      campaign: "spring run"

**path** is matched against each file's path relative to the root (the ``root`` key,
else ``--root``, else the directory given on the command line, else a file's own
directory). ``{name}`` captures one path segment (or part of one, as in
``{proposalId}-{visit}``), ``*`` matches within a segment, ``**`` any number of
segments (at the end: the rest of the path, at least the file name). The whole
relative path must match; a file that does not is reported, not ingested.

**fields** sets catalogue fields. Each value is one of:

- a template: text with ``{placeholders}``: the path's captures and the built-ins
  ``{file}`` (file name), ``{stem}`` (file name without extension), ``{entry}``
  (the NXentry name) and ``{dir}`` (the file's directory relative to the root).
  ``{{`` and ``}}`` are literal braces;
- a literal ``true``/``false`` (``isPublished``) or number;
- ``{from: REF, default: TEMPLATE, transform: lower|upper|slug}``: a value read from
  the file. ``REF`` is an HDF5 path where ``entry/`` stands for the NXentry being
  ingested (the file's root for plain HDF5) and ``/`` starts an absolute path;
  ``@name`` reads an attribute (``entry/instrument@short_name``). If the file has
  no such value, ``default`` is used; without a default the field keeps beamhub's
  own value (see below);
- for the list fields (``accessGroups``, ``keywords``, ``techniques``): a list of
  the above; items that come out empty are dropped.

Settable fields: ``datasetName, description, type, owner, ownerGroup, accessGroups,
isPublished, proposalId, sampleId, creationLocation, techniques, keywords,
creationTime``. Everything else (pid, size, files, signal...) comes from the file.
Fields not set keep beamhub's defaults: the file stem as ``datasetName``, the NeXus
title as ``description``, the technique of the NeXus definition, the beamline from
the instrument's short name, the sample's name as ``sampleId``, the start time as
``creationTime``. ``ownerGroup`` has no default: the mapping or ``--owner-group``
must give one, or the file is reported and not ingested.

**scientificMetadata** adds entries ``{name: spec}`` (names: a letter or ``_``, then
letters, digits, ``_`` or ``-``); a spec is a template, a number, or
``{from: REF, default: ..., unit: UNIT}`` (the unit defaults to the file's ``units``
attribute). They override the entries found automatically.

Every problem in a mapping file is reported at once, with where it is, as
:class:`~beamhub.catalogue.errors.InvalidInput`.
"""

from __future__ import annotations

import fnmatch
import os
import re
import string
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ..errors import InvalidInput
from ..model import METADATA_NAME_PATTERN
from ..nexus.read import parse_ref, parse_time, slug

VERSION = 1
BUILTINS = ("file", "stem", "entry", "dir")
STRING_FIELDS = ("datasetName", "description", "type", "owner", "ownerGroup", "proposalId",
                 "sampleId", "creationLocation")
LIST_FIELDS = ("accessGroups", "keywords", "techniques")
BOOL_FIELDS = ("isPublished",)
TIME_FIELDS = ("creationTime",)
SETTABLE = STRING_FIELDS + LIST_FIELDS + BOOL_FIELDS + TIME_FIELDS
TRANSFORMS = {"lower": str.lower, "upper": str.upper, "slug": slug}
TOP_KEYS = ("version", "root", "path", "exclude", "fields", "scientificMetadata")
_CAPTURE = re.compile(r"\{([^{}]*)\}")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Rule:
    """How one value is made: a template, a literal, or a value read from the file."""

    template: str | None = None
    literal: Any = None
    ref: str | None = None
    default: "Rule | None" = None
    transform: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Mapping:
    source: str = "<mapping>"
    root: Path | None = None
    path: str | None = None
    exclude: tuple[str, ...] = ()
    fields: dict[str, Rule | list[Rule]] = field(default_factory=dict)
    metadata: dict[str, Rule] = field(default_factory=dict)
    pattern: re.Pattern | None = None
    captures: tuple[str, ...] = ()

    def refs(self) -> list[str]:
        """Every ``from`` reference, for the reader to look up while the file is open."""
        rules = list(self.metadata.values())
        for value in self.fields.values():
            rules.extend(value if isinstance(value, list) else [value])
        found = []
        for rule in rules:
            while rule is not None:
                if rule.ref:
                    found.append(rule.ref)
                rule = rule.default
        return list(dict.fromkeys(found))

    def match(self, relative_path: str) -> dict[str, str] | None:
        """The path's captures, or ``None`` if the path does not match."""
        if self.pattern is None:
            return {}
        found = self.pattern.fullmatch(relative_path.replace(os.sep, "/"))
        return found.groupdict() if found else None

    def excluded(self, file_name: str) -> str | None:
        return next((p for p in self.exclude if fnmatch.fnmatch(file_name, p)), None)

    def apply(self, variables: dict[str, str], values: dict[str, tuple[Any, str]]) -> tuple[dict, dict]:
        """(catalogue fields, scientific metadata ``{name: (value, unit)}``) for one entry.

        ``variables``: the path's captures and the built-ins; ``values``: the file's
        values for :meth:`refs` as ``(value, unit)``.
        """
        out: dict[str, Any] = {}
        for name, spec in self.fields.items():
            if isinstance(spec, list):
                items = [_text(_evaluate(rule, variables, values)[0]) for rule in spec]
                out[name] = [item for item in items if item]
                continue
            value, _ = _evaluate(spec, variables, values)
            if value is None:
                continue
            if name in BOOL_FIELDS:
                value = _boolean(value, f"{self.source}: fields.{name}")
            elif name in TIME_FIELDS:
                parsed = parse_time(_text(value)) if not isinstance(value, datetime) else value
                if parsed is None:
                    raise InvalidInput(f"{self.source}: fields.{name}: {value!r} is not an ISO 8601 time")
                value = parsed
            else:
                value = _text(value)
                if not value:
                    continue
            out[name] = value
        metadata = {}
        for name, rule in self.metadata.items():
            value, unit = _evaluate(rule, variables, values)
            if value is not None and value != "":
                metadata[name] = (value, rule.unit if rule.unit is not None else unit)
        return out, metadata


# --- loading and validating ----------------------------------------------------------


def load_mapping(path: str | os.PathLike) -> Mapping:
    """Read and validate a mapping file; :class:`InvalidInput` lists every problem."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"mapping file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"mapping file {path} cannot be read: {exc}") from None
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_mapping(document, source=str(path), base=path.parent)


def parse_mapping(document: Any, source: str = "<mapping>", base: Path | None = None) -> Mapping:
    """Validate a mapping given as a dict (as loaded from YAML)."""
    problems: list[str] = []
    if not isinstance(document, dict):
        raise InvalidInput(f"{source}: a mapping file is a YAML mapping with keys {', '.join(TOP_KEYS)}")
    for key in document:
        if key not in TOP_KEYS:
            problems.append(f"unknown key {key!r} (known: {', '.join(TOP_KEYS)})")
    version = document.get("version", VERSION)
    if version != VERSION:
        problems.append(f"version: {version!r} is not supported (this beamhub reads version {VERSION})")

    root = None
    if document.get("root") is not None:
        if not isinstance(document["root"], str) or not document["root"]:
            problems.append("root: a directory path (relative to the mapping file)")
        else:
            root = ((base or Path.cwd()) / document["root"]).resolve()

    pattern, captures = None, ()
    path = document.get("path")
    if path is not None:
        try:
            pattern, captures = compile_path(path)
        except ValueError as exc:
            problems.append(f"path: {exc}")
    known = set(captures) | set(BUILTINS)

    exclude = document.get("exclude") or []
    if not isinstance(exclude, list) or not all(isinstance(e, str) and e for e in exclude):
        problems.append("exclude: a list of file-name globs like '*_data_*.h5'")
        exclude = []

    fields: dict[str, Rule | list[Rule]] = {}
    raw_fields = document.get("fields") or {}
    if not isinstance(raw_fields, dict):
        problems.append("fields: a mapping of catalogue field names to values")
        raw_fields = {}
    for name, spec in raw_fields.items():
        where = f"fields.{name}"
        if name not in SETTABLE:
            problems.append(f"{where}: not a field a mapping can set (settable: {', '.join(SETTABLE)})")
            continue
        if name in LIST_FIELDS:
            items = spec if isinstance(spec, list) else [spec]
            rules = [_rule(item, f"{where}[{i}]", known, problems) for i, item in enumerate(items)]
            fields[name] = [r for r in rules if r is not None]
        else:
            if isinstance(spec, list):
                problems.append(f"{where}: a single value, not a list")
                continue
            if name in BOOL_FIELDS and not isinstance(spec, (bool, dict, str)):
                problems.append(f"{where}: true or false")
                continue
            rule = _rule(spec, where, known, problems)
            if rule is not None:
                fields[name] = rule

    metadata: dict[str, Rule] = {}
    raw_metadata = document.get("scientificMetadata") or {}
    if not isinstance(raw_metadata, dict):
        problems.append("scientificMetadata: a mapping of names to values")
        raw_metadata = {}
    for name, spec in raw_metadata.items():
        where = f"scientificMetadata.{name}"
        if not isinstance(name, str) or not METADATA_NAME_PATTERN.match(name):
            problems.append(f"{where}: names start with a letter or _, then letters, digits, _ or -")
            continue
        rule = _rule(spec, where, known, problems, allow_unit=True)
        if rule is not None:
            metadata[name] = rule

    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise InvalidInput(f"{source}: invalid mapping:\n  {shown}{more}", details=problems)
    return Mapping(source=source, root=root, path=path, exclude=tuple(exclude), fields=fields,
                   metadata=metadata, pattern=pattern, captures=captures)


def compile_path(path: Any) -> tuple[re.Pattern, tuple[str, ...]]:
    """The regular expression of a path pattern and its capture names (``ValueError``)."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError("a pattern like '{beamline}/{proposalId}/{sample}/**'")
    if path.startswith("/"):
        raise ValueError(f"{path!r}: the pattern is relative to the root; remove the leading '/'")
    segments = path.split("/")
    captures: list[str] = []
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "":
            raise ValueError(f"{path!r}: empty segment")
        if segment == "**":
            parts.append(".+" if last else "(?:[^/]+/)*")
            continue
        if "**" in segment:
            raise ValueError(f"{path!r}: '**' must be a whole segment")
        regex = ""
        position = 0
        for match in _CAPTURE.finditer(segment):
            regex += _glob(segment[position:match.start()])
            name = match.group(1)
            if not _IDENT.match(name):
                raise ValueError(f"{{{name}}}: a capture is a name of letters, digits and _")
            if name in BUILTINS:
                raise ValueError(f"{{{name}}} is a built-in placeholder; choose another capture name")
            if name in captures:
                raise ValueError(f"{{{name}}} is captured twice")
            captures.append(name)
            regex += f"(?P<{name}>[^/]+?)"
            position = match.end()
        rest = segment[position:]
        if "{" in rest or "}" in rest:
            raise ValueError(f"{segment!r}: unbalanced brace")
        regex += _glob(rest)
        parts.append(regex + ("" if last else "/"))
    return re.compile("".join(parts)), tuple(captures)


def _glob(text: str) -> str:
    return "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in text)


def _rule(spec: Any, where: str, known: set[str], problems: list[str], allow_unit: bool = False) -> Rule | None:
    if isinstance(spec, bool) or isinstance(spec, (int, float)):
        return Rule(literal=spec)
    if isinstance(spec, str):
        return Rule(template=spec) if _check_template(spec, where, known, problems) else None
    if isinstance(spec, dict):
        allowed = {"from", "default", "transform"} | ({"unit"} if allow_unit else set())
        unknown = set(spec) - allowed
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(allowed: {', '.join(sorted(allowed))})")
            return None
        ref = spec.get("from")
        if ref is None and "default" not in spec:
            problems.append(f"{where}: give 'from' (an HDF5 path) or 'default'")
            return None
        if ref is not None:
            try:
                parse_ref(ref)
            except ValueError as exc:
                problems.append(f"{where}.from: {exc}")
                return None
        default = None
        if "default" in spec and spec["default"] is not None:
            if isinstance(spec["default"], dict):
                problems.append(f"{where}.default: a template or a literal, not a mapping")
                return None
            default = _rule(spec["default"], f"{where}.default", known, problems)
            if default is None:
                return None
        transform = spec.get("transform")
        if transform is not None and transform not in TRANSFORMS:
            problems.append(f"{where}.transform: one of {', '.join(TRANSFORMS)}")
            return None
        unit = spec.get("unit")
        if unit is not None and (not isinstance(unit, str) or len(unit) > 64):
            problems.append(f"{where}.unit: a unit like 'K' or 'keV'")
            return None
        return Rule(ref=ref, default=default, transform=transform, unit=unit)
    problems.append(f"{where}: a template string, a literal, or {{from: PATH, default: ...}}")
    return None


def _check_template(template: str, where: str, known: set[str], problems: list[str]) -> bool:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        problems.append(f"{where}: {template!r}: {exc} (write {{{{ and }}}} for literal braces)")
        return False
    ok = True
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in known or spec or conversion:
            available = ", ".join("{" + k + "}" for k in sorted(known))
            problems.append(f"{where}: unknown placeholder {{{name}}}" if name not in known else
                            f"{where}: {{{name}}}: no format specs or conversions")
            if name not in known:
                problems[-1] += f" (available: {available})"
            ok = False
    return ok


def _evaluate(rule: Rule, variables: dict[str, str], values: dict[str, tuple[Any, str]]) -> tuple[Any, str]:
    value, unit = None, ""
    if rule.template is not None:
        value = rule.template.format_map(variables)
    elif rule.ref is not None:
        value, unit = values.get(rule.ref, (None, ""))
        if value is None and rule.default is not None:
            value, unit = _evaluate(rule.default, variables, values)
    elif rule.default is not None:
        value, unit = _evaluate(rule.default, variables, values)
    else:
        value = rule.literal
    if rule.transform and value is not None:
        value = TRANSFORMS[rule.transform](_text(value))
    return value, unit


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value).strip()


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    folded = _text(value).lower()
    if folded in ("true", "yes", "1"):
        return True
    if folded in ("false", "no", "0", ""):
        return False
    raise InvalidInput(f"{where}: {value!r} is not true or false")
