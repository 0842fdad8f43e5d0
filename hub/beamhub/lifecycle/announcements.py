"""The operator's announcements (maintenance, news), each with an expiry.

Two sources, both read at each page view: the site file's ``lifecycle.announcements``
(changed with a hub restart) and the announcements file the ``beamhub announce`` command
writes (``<state_dir>/announcements.json``, changed while the hub runs). An announcement
is shown from ``starts`` (default: at once) until ``expires``, on the hub's pages (the
``announcement`` template variable JupyterHub's ``page.html`` shows) and in JupyterLab
(with the session status, :mod:`.hub`).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

log = logging.getLogger("beamhub.lifecycle")

FILE_NAME = "announcements.json"
MAX_ANNOUNCEMENTS = 50
Kind = Literal["maintenance", "news"]


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (a naive one is the hub's local time)."""
    return moment if moment.tzinfo else moment.astimezone()


class Announcement(BaseModel):
    """One announcement: what, what kind, from when until when."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^([a-z0-9][a-z0-9_-]{0,63})?$")] = Field(
        "", description="Identifier (for `beamhub announce remove`); '' = made from the text and expiry.")
    kind: Kind = Field("news", description="maintenance (shown as a warning) or news.")
    message: Annotated[str, Field(min_length=1, max_length=1000)] = Field(
        description="The text shown to users (plain text, one paragraph).")
    expires: datetime = Field(description="When it stops being shown (ISO 8601; without a zone: the hub's local time).")
    starts: datetime | None = Field(None, description="When it starts being shown (default: at once).")

    @field_validator("message")
    @classmethod
    def _one_paragraph(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("expires", "starts")
    @classmethod
    def _aware(cls, value):
        return aware(value) if value is not None else None

    @model_validator(mode="after")
    def _identify(self):
        if self.starts is not None and self.starts >= self.expires:
            raise ValueError("starts must be before expires")
        if not self.id:
            digest = hashlib.sha256(f"{self.kind}\n{self.message}\n{self.expires.isoformat()}".encode()).hexdigest()
            self.id = digest[:12]
        return self

    def shown_at(self, now: datetime) -> bool:
        return (self.starts is None or self.starts <= now) and now < self.expires

    def public(self) -> dict:
        return {"id": self.id, "kind": self.kind, "message": self.message, "expires": self.expires.isoformat(),
                "starts": self.starts.isoformat() if self.starts else None}


_LIST = TypeAdapter(list[Announcement])


def current(announcements: list[Announcement], now: datetime | None = None) -> list[Announcement]:
    """Those shown now: maintenance first, then by expiry."""
    now = now or datetime.now(timezone.utc)
    shown = {a.id: a for a in announcements if a.shown_at(now)}
    return sorted(shown.values(), key=lambda a: (a.kind != "maintenance", a.expires))


def as_html(announcements: list[Announcement]) -> str:
    """The hub pages' announcement block (escaped text; '' when there is none)."""
    if not announcements:
        return ""
    items = "".join(
        f'<p class="beamhub-announcement beamhub-announcement-{a.kind}" data-id="{a.id}">'
        f"<strong>{'Maintenance' if a.kind == 'maintenance' else 'News'}:</strong> {html.escape(a.message)} "
        f'<small>(until {a.expires.astimezone():%Y-%m-%d %H:%M})</small></p>'
        for a in announcements)
    return f'<div id="beamhub-announcements">{items}</div>'


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """``2h``, ``90m``, ``3d`` from now, or an ISO 8601 date and time."""
    from beamhub.spawner.profiles import parse_walltime

    now = now or datetime.now(timezone.utc)
    text = text.strip()
    if text and text[-1:].lower() in ("m", "h", "d") and text[:-1].strip().isdigit():
        return now + timedelta(minutes=parse_walltime(text))
    try:
        return aware(datetime.fromisoformat(text))
    except ValueError:
        raise ValueError(f"{text!r}: give a duration (2h, 90m, 3d) or a date and time (2026-12-24T18:00)") from None


class AnnouncementFile:
    """The announcements ``beamhub announce`` keeps (JSON list), readable by the hub."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def load(self) -> list[Announcement]:
        try:
            return _LIST.validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, ValidationError, ValueError) as exc:
            log.error("announcements file %s is unreadable, ignored: %s", self.path, str(exc).splitlines()[0])
            return []

    def save(self, announcements: list[Announcement]) -> None:
        """Write atomically (a reader sees the old list or the new one), world-readable."""
        if len(announcements) > MAX_ANNOUNCEMENTS:
            raise ValueError(f"at most {MAX_ANNOUNCEMENTS} announcements; remove expired ones first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps([a.model_dump(mode="json") for a in announcements], indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".announcements-")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(data + "\n")
            os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def add(self, announcement: Announcement, now: datetime | None = None) -> Announcement:
        """Add (or replace the one with the same id); expired ones are dropped."""
        now = now or datetime.now(timezone.utc)
        kept = [a for a in self.load() if a.id != announcement.id and now < a.expires]
        self.save([*kept, announcement])
        return announcement

    def remove(self, announcement_id: str) -> bool:
        items = self.load()
        kept = [a for a in items if a.id != announcement_id]
        if len(kept) == len(items):
            return False
        self.save(kept)
        return True
