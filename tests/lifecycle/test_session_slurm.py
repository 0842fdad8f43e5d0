"""The session lifecycle on the real Slurm cluster: a user's server (a Slurm job) shows
how long it has left, warns before its walltime, is extended through the hub (which
changes the job's time limit in Slurm) and is refused past the profile's maximum; admins
see every running server.

The user's side is exercised with the server's own hub token from inside the server (a
kernel), as JupyterLab's server extension does."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import pytest

from tests.spawner.test_slurm import job_id_of, spawn_ready

pytestmark = [pytest.mark.slurm, pytest.mark.hub]

SESSION_FROM_THE_SERVER = """
import json, os, urllib.request, urllib.error
url = os.environ["JUPYTERHUB_API_URL"] + "/beamhub/session/" + os.environ["JUPYTERHUB_USER"]
body = {body!r}
request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST",
                                 headers={{"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"],
                                          "Content-Type": "application/json"}})
try:
    with urllib.request.urlopen(request, timeout=60) as answer:
        print(json.dumps({{"status": answer.status, "body": json.load(answer)}}))
except urllib.error.HTTPError as exc:
    print(json.dumps({{"status": exc.code, "body": json.load(exc)}}))
"""


@pytest.fixture(scope="module")
def alice(hub):
    events = spawn_ready(hub, "alice", {"profile": "extendable", "proposals": ["P1"]})
    yield job_id_of(events)
    hub.stop("alice")


def from_server(hub, body=None) -> tuple[int, dict]:
    answer = json.loads(hub.run("alice", SESSION_FROM_THE_SERVER.format(body=body)))
    return answer["status"], answer["body"]


def test_the_user_sees_the_walltime_left_and_is_warned(hub, slurm, alice):
    status, session = from_server(hub)
    assert status == 200, (session, hub.hub.log_tail(40))
    assert slurm.job(alice)["TimeLimit"] == "00:10:00"
    wall = session["walltime"]
    assert wall["job_id"] == alice
    assert (wall["limit_minutes"], wall["max_minutes"], wall["extendable_minutes"]) == (10, 30, 20)
    assert 0 < wall["left_seconds"] <= 600
    slurm_end = datetime.fromisoformat(slurm.job(alice)["EndTime"]).astimezone()
    assert abs((datetime.fromisoformat(wall["ends_at"]) - slurm_end).total_seconds()) <= 1
    assert session["ends_by"] == "walltime"  # before the idle cull, an hour after the last activity
    assert session["idle"]["timeout_seconds"] == 3600
    assert (session["profile"], session["proposals"], session["node"]) == ("Ten minutes, up to thirty", ["P1"],
                                                                           "localhost")
    # Ten minutes left is inside the fifteen-minute warning window.
    [warning] = [w for w in session["warnings"] if w["kind"] == "walltime"]
    assert re.search(r"reaches its walltime in (9|10) min .* You can extend it\.", warning["message"]), warning


def test_the_user_extends_within_the_profile_maximum_and_slurm_has_the_new_limit(hub, slurm, alice):
    before = datetime.fromisoformat(slurm.job(alice)["EndTime"])
    status, session = from_server(hub, {"minutes": 15})
    assert status == 200, session
    assert slurm.job(alice)["TimeLimit"] == "00:25:00"
    assert (datetime.fromisoformat(slurm.job(alice)["EndTime"]) - before).total_seconds() == 15 * 60
    assert session["walltime"]["limit_minutes"] == 25
    assert session["walltime"]["extendable_minutes"] == 5
    assert not [w for w in session["warnings"] if w["kind"] == "walltime"]  # 25 minutes left: no warning


def test_an_extension_past_the_maximum_is_refused_with_the_reason_and_slurm_is_unchanged(hub, slurm, alice):
    status, answer = from_server(hub, {"minutes": 10})
    assert status == 400, answer
    assert answer["message"] == ("Refused: the profile 'Ten minutes, up to thirty' allows a walltime of at most "
                                 "30 minutes; this server's is 25 minutes, so at most 5 more minutes can be added "
                                 "(asked for 10).")
    assert slurm.job(alice)["TimeLimit"] == "00:25:00"
    status, session = from_server(hub, {"minutes": 5})  # up to the maximum exactly
    assert status == 200 and session["walltime"]["limit_minutes"] == 30
    assert slurm.job(alice)["TimeLimit"] == "00:30:00"
    status, answer = from_server(hub, {"minutes": 1})
    assert status == 400 and "it cannot be extended any further" in answer["message"]


@pytest.mark.parametrize("body, message", [
    ({"minutes": "ten"}, "minutes: a whole number of minutes from 1 to 10080"),
    ({"minutes": 0}, "minutes: a whole number of minutes from 1 to 10080"),
    ({"minutes": True}, "minutes: a whole number of minutes from 1 to 10080"),
    ({"minutes": 10**12}, "minutes: a whole number of minutes from 1 to 10080"),
    ({"hours": 1}, 'send {"minutes": N}: the minutes to add to the walltime'),
    ([1], 'send {"minutes": N}: the minutes to add to the walltime'),
])
def test_bad_extension_requests_get_a_clear_400(hub, alice, body, message):
    response = hub.hub.api("POST", "/beamhub/session/alice", token=hub.token("alice"), json=body)
    assert response.status_code == 400 and response.json()["message"] == message


def test_nobody_else_sees_or_extends_a_users_session(hub, alice):
    for method, body in (("GET", None), ("POST", {"minutes": 1})):
        response = hub.hub.api(method, "/beamhub/session/alice", token=hub.token("bob"), json=body)
        assert response.status_code in (403, 404), response.text
    response = hub.hub.api("GET", "/beamhub/session/bob", token=hub.token("bob"))
    assert response.status_code == 404 and response.json()["message"] == "bob has no running server"


def test_admins_see_every_running_server_with_its_profile_proposals_node_and_time_left(hub, alice):
    page = hub.login("carol").get(hub.hub.url + "/hub/beamhub/admin", timeout=60)
    assert page.status_code == 200, page.text[:2000]
    text = html.unescape(page.text)
    row = re.search(r'<tr class="beamhub-session" data-user="alice">(.*?)</tr>', text, re.S).group(1)
    cells = dict(re.findall(r'<td class="([a-z-]+)">(.*?)</td>', row, re.S))
    assert cells["user"] == "alice"
    assert cells["profile"] == "Ten minutes, up to thirty"
    assert cells["proposals"] == "P1"
    assert cells["node"] == "localhost"
    assert cells["job"] == alice
    assert re.fullmatch(r"0 h (2\d|30) min", cells["left"]), cells["left"]
    assert cells["ends-by"] == "walltime"
    assert re.fullmatch(r"0 h \d\d min", cells["idle"]), cells["idle"]
    assert hub.login("bob").get(hub.hub.url + "/hub/beamhub/admin", timeout=60).status_code == 403
