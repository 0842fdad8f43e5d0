"""The lifecycle's pure parts: what a server has left and the warnings due, which
extensions are allowed, and the announcements (their file, expiry and HTML)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from beamhub.lifecycle.announcements import Announcement, AnnouncementFile, as_html, current, parse_expiry
from beamhub.lifecycle.model import ExtensionRefused, LifecycleSettings, ServerFacts, extended_limit, session_status

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=timezone.utc)


def facts(**changes) -> ServerFacts:
    base = dict(user="alice", profile="Short", job_id="7", job_start=NOW - timedelta(minutes=50), limit_minutes=60,
                max_minutes=120, started=NOW - timedelta(minutes=50), last_activity=NOW - timedelta(minutes=5),
                idle_timeout=3600)
    return ServerFacts(**{**base, **changes})


def test_the_first_limit_to_come_is_the_one_shown_with_its_warning():
    status = session_status(facts(), LifecycleSettings(), NOW)
    assert (status["ends_by"], status["left_seconds"]) == ("walltime", 600)
    assert status["walltime"]["extendable_minutes"] == 60
    assert [w["kind"] for w in status["warnings"]] == ["walltime"]
    assert status["warnings"][0]["message"] == ("Your server reaches its walltime in 10 min and will then be "
                                                "stopped: save your work. You can extend it.")
    idle = session_status(facts(last_activity=NOW - timedelta(minutes=55)), LifecycleSettings(), NOW)
    assert idle["ends_by"] == "idle" and idle["left_seconds"] == 300
    assert [w["kind"] for w in idle["warnings"]] == ["walltime", "idle"]
    quiet = session_status(facts(limit_minutes=90), LifecycleSettings(), NOW)
    assert quiet["warnings"] == [] and (quiet["ends_by"], quiet["left_seconds"]) == ("walltime", 2400)


def test_a_server_without_limits_says_so():
    status = session_status(ServerFacts(user="alice"), LifecycleSettings(), NOW)
    assert (status["walltime"], status["idle"], status["ends_at"], status["warnings"]) == (None, None, None, [])


def test_extensions_up_to_the_maximum_and_not_beyond():
    assert extended_limit(facts(), 60) == 120
    with pytest.raises(ExtensionRefused) as refused:
        extended_limit(facts(), 61)
    assert refused.value.status == 400
    assert refused.value.message == ("Refused: the profile 'Short' allows a walltime of at most 120 minutes; this "
                                     "server's is 60 minutes, so at most 60 more minutes can be added (asked for 61).")
    with pytest.raises(ExtensionRefused, match="it cannot be extended any further"):
        extended_limit(facts(limit_minutes=120), 1)
    with pytest.raises(ExtensionRefused, match="no walltime to extend"):
        extended_limit(facts(job_id="", limit_minutes=None), 5)
    for bad in ("5", 0, -1, True, 1.5, None, 10**9):
        with pytest.raises(ExtensionRefused, match="a whole number of minutes"):
            extended_limit(facts(), bad)


def test_announcements_show_between_start_and_expiry_maintenance_first_escaped():
    news = Announcement(message="New  detector\nmodule", expires=NOW + timedelta(hours=1))
    later = Announcement(message="Later", starts=NOW + timedelta(hours=1), expires=NOW + timedelta(hours=2))
    gone = Announcement(message="Gone", expires=NOW - timedelta(seconds=1))
    down = Announcement(kind="maintenance", message="<b>Down</b> & out", expires=NOW + timedelta(days=2))
    assert [a.message for a in current([news, later, gone, down], NOW)] == ["<b>Down</b> & out", "New detector module"]
    page = as_html(current([down], NOW))
    assert "&lt;b&gt;Down&lt;/b&gt; &amp; out" in page and "<b>Down" not in page
    assert as_html([]) == ""
    with pytest.raises(ValueError, match="starts must be before expires"):
        Announcement(message="x", starts=NOW, expires=NOW)


def test_the_announcements_file_adds_replaces_removes_and_survives_a_bad_file(tmp_path):
    store = AnnouncementFile(tmp_path / "announcements.json")
    assert store.load() == []
    store.add(Announcement(id="a", message="one", expires=NOW + timedelta(hours=1)), now=NOW)
    store.add(Announcement(id="a", message="one again", expires=NOW + timedelta(hours=1)), now=NOW)
    store.add(Announcement(id="b", message="two", expires=NOW + timedelta(hours=1)), now=NOW)
    assert [(a.id, a.message) for a in store.load()] == [("a", "one again"), ("b", "two")]
    assert (tmp_path / "announcements.json").stat().st_mode & 0o777 == 0o644
    assert store.remove("a") and not store.remove("a")
    (tmp_path / "announcements.json").write_text(json.dumps([{"message": "no expiry"}]))
    assert store.load() == []  # logged and ignored: the hub's pages still render


def test_expiries_are_durations_or_dates():
    assert parse_expiry("2h", NOW) == NOW + timedelta(hours=2)
    assert parse_expiry("90m", NOW) == NOW + timedelta(minutes=90)
    assert parse_expiry("2026-12-24T18:00+00:00", NOW) == datetime(2026, 12, 24, 18, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="give a duration"):
        parse_expiry("soon", NOW)
