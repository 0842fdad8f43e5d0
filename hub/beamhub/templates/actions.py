"""Template actions over a store, shared by the catalogue service and the command line
(blocking; the service runs them in its worker threads)."""

from __future__ import annotations

from beamhub.catalogue.errors import Conflict, NotFound
from beamhub.catalogue.identity import Identity

from .model import FACILITY, TemplateVersion, check_history_reader, diff, draft_of
from .shipped import read_shipped

_SHIPPED: list[tuple[TemplateVersion, ...]] = []


def shipped_templates() -> tuple[TemplateVersion, ...]:
    """The shipped templates, read once per process (they change with an install)."""
    if not _SHIPPED:
        _SHIPPED.append(tuple(read_shipped()))
    return _SHIPPED[0]


def shipped(name: str) -> TemplateVersion:
    for template in shipped_templates():
        if template.name == name:
            return template
    raise NotFound(f"no template {FACILITY}/{name}")


def offered(store, identity: Identity, include_retired: bool = False) -> list[TemplateVersion]:
    """Shipped (facility-wide) templates, then the store's, without notebooks."""
    return [t.listing() for t in shipped_templates()] + store.list_templates(identity, include_retired)


def get(store, identity: Identity, beamline: str, name: str, version: int | None = None) -> TemplateVersion:
    if beamline == FACILITY:
        if version not in (None, 1):
            raise NotFound(f"shipped template {FACILITY}/{name} has only version 1")
        return shipped(name)
    return store.get_template(identity, beamline, name, version)


def history(store, identity: Identity, beamline: str, name: str) -> list[TemplateVersion]:
    if beamline == FACILITY:
        return [shipped(name).listing()]
    return store.template_history(identity, beamline, name)


def rollback(store, identity: Identity, beamline: str, name: str, version: int, note: str = "") -> TemplateVersion:
    """Publish version ``version``'s content again as the next version."""
    check_history_reader(identity, beamline)
    old = store.get_template(identity, beamline, name, version)
    text = f"rolled back to version {old.version}" + (f": {note}" if note else "")
    return store.publish_template(identity, draft_of(old, text))


def retire(store, identity: Identity, beamline: str, name: str, note: str = "") -> TemplateVersion:
    """Append a retiring version (users no longer get the template)."""
    check_history_reader(identity, beamline)
    current = store.get_template(identity, beamline, name, None)
    if current.retired:
        raise Conflict(f"template {beamline}/{name} is already retired (version {current.version})")
    return store.publish_template(identity, draft_of(current, "retired" + (f": {note}" if note else ""),
                                                     retired=True))


def versions_diff(store, identity: Identity, beamline: str, name: str, old: int,
                  new: int | None = None) -> tuple[TemplateVersion, TemplateVersion, str]:
    check_history_reader(identity, beamline)
    a = store.get_template(identity, beamline, name, old)
    b = store.get_template(identity, beamline, name, new)
    return a, b, diff(a, b)
