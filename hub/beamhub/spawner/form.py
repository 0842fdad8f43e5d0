"""The spawn form: rendered from the profiles and the user's proposals, and read back.

Rendering and parsing are pure functions. Parsing only *reads* the form: what it may
contain is decided afterwards, on the hub, by :func:`~.profiles.resolve_request` and
:func:`~.mounts.proposal_mounts` (a forged form is no more powerful than the REST API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from beamhub.catalogue.model import Proposal

from .errors import SpawnRefused
from .profiles import Profile, SpawnRequest


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("beamhub.spawner", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)


def data_location(profiles: Sequence[Profile], mount_prefix: str = "/data", linked_profiles=None) -> str:
    """Where the chosen proposals appear, as the form says it (pure): mounted in a
    container, or linked in the home where the profile runs without one
    (``linked_profiles``: their names; default: those whose runtime is none)."""
    mounted = f"read-only at <code>{mount_prefix}/&lt;proposal&gt;</code> in your server"
    linked = "as a read-only link <code>~/data/&lt;proposal&gt;</code> in your home"
    runtimes = {(p.name in linked_profiles) if linked_profiles is not None else p.runtime == "none" for p in profiles}
    if runtimes == {True}:
        return f"{linked} (servers here run without a container, so nothing can be mounted)"
    if runtimes == {True, False}:
        return f"{mounted} (profiles with a container), or {linked} (the others)"
    return mounted


def render_form(profiles: Sequence[Profile], proposals: Sequence[Proposal], *, last: Mapping | None = None,
                proposals_error: str = "", last_failure: str = "", last_failure_log: str = "",
                mount_prefix: str = "/data", linked: Sequence[str] | None = None) -> str:
    """The form's HTML. ``last`` is the previous request (JupyterHub's stored
    ``user_options``): its profile, sizes and proposals are pre-selected."""
    last = dict(last or {})
    try:
        previous = SpawnRequest.parse(last)
    except SpawnRefused:
        previous = SpawnRequest()
    names = [p.name for p in profiles]
    selected = previous.profile if previous.profile in names else (names[0] if names else "")
    sizes = {}
    for p in profiles:
        same = p.name == selected
        cpus = previous.cpus if same and previous.cpus else p.cpus
        memory = previous.memory if same and previous.memory else p.memory
        walltime = previous.walltime if same and previous.walltime else p.walltime
        sizes[p.name] = {"cpus": cpus, "memory_gib": max(1, memory // 1024), "hours": max(1, walltime // 60)}
    return _environment().get_template("options_form.html").render(
        profiles=profiles, proposals=proposals, selected_profile=selected, sizes=sizes,
        selected_proposals=set(previous.proposals), proposals_error=proposals_error,
        last_failure=last_failure, last_failure_log=last_failure_log, mount_prefix=mount_prefix,
        data_location=Markup(data_location(profiles, escape(mount_prefix), linked)))


def _single(form: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = form.get(key) or []
    if len(values) > 1:
        raise SpawnRefused(f"The form sent {key!r} more than once.")
    return values[0].strip() if values else None


def _whole_number(value: str | None, what: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 7:
        raise SpawnRefused(f"{what} must be a whole number (got {value[:20]!r}).")
    return int(value)


def request_from_form(form: Mapping[str, Sequence[str]]) -> dict:
    """``user_options`` from the submitted form (a dict of lists of strings).

    Sizes are read only for the chosen profile (memory in GiB, walltime in hours, as the
    form shows them). Raises :class:`SpawnRefused` for malformed values; limits are
    checked later, against the profile.
    """
    profile = _single(form, "profile")
    data: dict = {"proposals": [p.strip() for p in form.get("proposals", []) if p.strip()]}
    if profile:
        data["profile"] = profile
        cpus = _whole_number(_single(form, f"cpus.{profile}"), "CPUs")
        memory_gib = _whole_number(_single(form, f"memory.{profile}"), "Memory")
        hours = _whole_number(_single(form, f"walltime.{profile}"), "Hours")
        if cpus is not None:
            data["cpus"] = cpus
        if memory_gib is not None:
            data["memory"] = memory_gib * 1024
        if hours is not None:
            data["walltime"] = hours * 60
    return SpawnRequest.parse(data).model_dump(exclude_none=True)
