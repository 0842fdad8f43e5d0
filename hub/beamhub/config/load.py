"""Reading a site configuration file, with errors that name the key."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import yaml
from pydantic import ValidationError

from .model import SiteConfig

CONFIG_ENV = "BEAMHUB_CONFIG"


class SiteConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid; the message says where."""


def load_site_config(path: str | os.PathLike | None = None) -> SiteConfig:
    """Read and validate a YAML (``.yaml``/``.yml``) or TOML (``.toml``) site file.

    Without ``path``, ``$BEAMHUB_CONFIG`` names the file.
    """
    path = path or os.environ.get(CONFIG_ENV)
    if not path:
        raise SiteConfigError(f"no site configuration: set ${CONFIG_ENV} to a YAML or TOML file")
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise SiteConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise SiteConfigError(f"{path}: not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: {exc}") from None
    return parse_site_config(data or {}, source=str(path))


def parse_site_config(data: object, source: str = "site configuration") -> SiteConfig:
    """Validate already-parsed configuration data."""
    if not isinstance(data, dict):
        raise SiteConfigError(f"{source}: the top level must be a mapping of sections (hub, auth, ...)")
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise SiteConfigError(f"{source}:\n" + "\n".join(describe(exc))) from None


def describe(exc: ValidationError) -> list[str]:
    """One line per problem: ``  catalogue.limits.max_body_bytes: Input should be ...``."""
    lines = []
    for error in exc.errors(include_url=False, include_context=False):
        # Discriminated unions put the chosen kind in the location: leave it out.
        loc = [str(p) for p in error["loc"] if p not in ("demo", "oidc") or error["loc"][0] != "auth"]
        key = ".".join(loc) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        lines.append(f"  {key}: {message}")
    return lines
