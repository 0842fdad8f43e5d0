"""What a running server has left, the warnings due, and whether an extension is allowed:
pure functions of what the hub knows (:class:`ServerFacts`) and the time.

A server ends at the first of: its Slurm walltime (job start + time limit, which users may
extend up to their profile's maximum), the idle culler (last activity + idle timeout) and
the culler's maximum age (start + max_age).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .announcements import Announcement

MAX_EXTENSION_MINUTES = 7 * 24 * 60


class LifecycleSettings(BaseModel):
    """The site file's ``lifecycle`` section."""

    model_config = ConfigDict(extra="forbid")

    warn_walltime_minutes: Annotated[int, Field(ge=0, le=1440)] = Field(
        15, description="Warn users in JupyterLab this many minutes before their server's walltime ends.")
    warn_idle_minutes: Annotated[int, Field(ge=0, le=1440)] = Field(
        10, description="Warn users this many minutes before an idle server is culled.")
    extend_step_minutes: Annotated[int, Field(ge=1, le=1440)] = Field(
        30, description="What JupyterLab's 'Extend' adds at a time (never past the profile's max_walltime).")
    announcements: list[Announcement] = Field(
        [], description="Announcements shown on the hub's pages and in JupyterLab until they expire "
        "(more can be posted while the hub runs: beamhub announce).")
    announcements_file: str | None = Field(
        None, description="Where `beamhub announce` keeps its announcements (default: <state_dir>/announcements.json).")


class ExtensionRefused(Exception):
    """An extension beyond what the profile allows (HTTP 400), or of a server without walltime."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class ServerFacts:
    """What the hub knows of one running server."""

    user: str
    server: str = ""
    profile: str = ""
    profile_name: str = ""
    proposals: tuple[str, ...] = ()
    node: str = ""
    started: datetime | None = None
    job_id: str = ""
    job_start: datetime | None = None
    limit_minutes: int | None = None
    """The job's current time limit (Slurm's TimeLimit); None: no walltime."""
    max_minutes: int | None = None
    """The profile's max_walltime (its walltime if not adjustable)."""
    last_activity: datetime | None = None
    idle_timeout: int | None = None
    """Seconds; None: no idle culler."""
    max_age: int | None = None
    """Seconds; None: no maximum age."""
    extra: dict = field(default_factory=dict)


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def _duration(seconds: int) -> str:
    minutes = -(-seconds // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def session_status(facts: ServerFacts, settings: LifecycleSettings, now: datetime) -> dict:
    """The JSON the Lab's status item and the admin view show."""
    walltime = idle = max_age = None
    ends: list[tuple[datetime, str]] = []
    if facts.job_start is not None and facts.limit_minutes is not None:
        end = facts.job_start + timedelta(minutes=facts.limit_minutes)
        maximum = max(facts.max_minutes or facts.limit_minutes, facts.limit_minutes)
        walltime = {"job_id": facts.job_id, "ends_at": end.isoformat(), "left_seconds": _seconds(end - now),
                    "limit_minutes": facts.limit_minutes, "max_minutes": maximum,
                    "extendable_minutes": maximum - facts.limit_minutes}
        ends.append((end, "walltime"))
    if facts.idle_timeout and facts.last_activity is not None:
        cull = facts.last_activity + timedelta(seconds=facts.idle_timeout)
        idle = {"cull_at": cull.isoformat(), "left_seconds": _seconds(cull - now),
                "idle_seconds": _seconds(now - facts.last_activity), "timeout_seconds": facts.idle_timeout,
                "last_activity": facts.last_activity.isoformat()}
        ends.append((cull, "idle"))
    if facts.max_age and facts.started is not None:
        end = facts.started + timedelta(seconds=facts.max_age)
        max_age = {"ends_at": end.isoformat(), "left_seconds": _seconds(end - now)}
        ends.append((end, "max_age"))
    first = min(ends) if ends else None
    return {
        "user": facts.user, "server": facts.server, "profile": facts.profile, "profile_name": facts.profile_name,
        "proposals": list(facts.proposals), "node": facts.node,
        "started": facts.started.isoformat() if facts.started else None,
        "now": now.isoformat(), "walltime": walltime,
        "idle_seconds": _seconds(now - facts.last_activity) if facts.last_activity else None, "idle": idle, "max_age": max_age,
        "ends_at": first[0].isoformat() if first else None, "ends_by": first[1] if first else None,
        "left_seconds": _seconds(first[0] - now) if first else None,
        "extend_step_minutes": settings.extend_step_minutes,
        "warnings": warnings(facts, settings, now),
    }


def warnings(facts: ServerFacts, settings: LifecycleSettings, now: datetime) -> list[dict]:
    """The warnings due now (each with a kind and the sentence to show)."""
    out = []
    if facts.job_start is not None and facts.limit_minutes is not None:
        left = _seconds(facts.job_start + timedelta(minutes=facts.limit_minutes) - now)
        if left <= settings.warn_walltime_minutes * 60:
            can = (facts.max_minutes or 0) > facts.limit_minutes
            out.append({"kind": "walltime", "left_seconds": left, "message": (
                f"Your server reaches its walltime in {_duration(left)} and will then be stopped: save your work."
                + (" You can extend it." if can else " It cannot be extended further."))})
    if facts.idle_timeout and facts.last_activity is not None:
        left = _seconds(facts.last_activity + timedelta(seconds=facts.idle_timeout) - now)
        if left <= settings.warn_idle_minutes * 60:
            out.append({"kind": "idle", "left_seconds": left, "message": (
                f"Your server has been idle and will be stopped in {_duration(left)} unless you use it.")})
    if facts.max_age and facts.started is not None:
        left = _seconds(facts.started + timedelta(seconds=facts.max_age) - now)
        if left <= settings.warn_walltime_minutes * 60:
            out.append({"kind": "max_age", "left_seconds": left, "message": (
                f"Your server reaches the facility's maximum session length in {_duration(left)}: save your work.")})
    return out


def extended_limit(facts: ServerFacts, minutes) -> int:
    """The job's new time limit (minutes) after adding ``minutes``; :class:`ExtensionRefused`
    if the server has no walltime or it would pass the profile's maximum."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise ExtensionRefused(f"minutes: a whole number of minutes from 1 to {MAX_EXTENSION_MINUTES}")
    if facts.limit_minutes is None or not facts.job_id:
        raise ExtensionRefused("This server has no walltime to extend (it does not run as a job on the cluster).")
    maximum = facts.max_minutes or facts.limit_minutes
    asked = facts.limit_minutes + minutes
    if asked > maximum:
        left = max(0, maximum - facts.limit_minutes)
        profile = f"the profile {facts.profile!r}" if facts.profile else "your profile"
        more = (f"at most {left} more minute{'s' if left != 1 else ''} can be added" if left
                else "it cannot be extended any further")
        raise ExtensionRefused(
            f"Refused: {profile} allows a walltime of at most {maximum} minutes; this server's is "
            f"{facts.limit_minutes} minutes, so {more} (asked for {minutes}).")
    return asked
