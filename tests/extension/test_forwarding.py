"""The server extension forwards the catalogue's user API as the server's user, and
nothing else: a real jupyter_server with the extension, a recording catalogue stand-in."""

from __future__ import annotations

import json

import pytest

from .conftest import TOKEN


async def test_search_is_forwarded_with_the_servers_token_only(fetch, catalogue):
    status, response = await fetch("beamhub/api/v1/datasets?text=lysozyme&beamline=i03&facets=true",
                                   headers={"Cookie": "jupyterhub-session-id=browser-secret"})
    assert status == 200
    assert json.loads(response.body) == {"path": "datasets", "method": "GET"}
    (seen,) = catalogue.received
    assert seen.headers["Authorization"] == f"token {TOKEN}"
    assert "Cookie" not in seen.headers  # the browser's cookies stay on this server
    assert seen.query == "text=lysozyme&beamline=i03&facets=true"


async def test_repeated_query_parameters_and_encoded_pids_pass_unchanged(fetch, catalogue):
    await fetch("beamhub/api/v1/datasets?beamline=i03&beamline=i04&condition=temperature%20%3C%20200%20K")
    await fetch("beamhub/api/v1/datasets/20.500.12269%2Fabc/derived")
    first, second = catalogue.received
    assert first.query == "beamline=i03&beamline=i04&condition=temperature%20%3C%20200%20K"
    assert second.path == "/services/catalogue/api/v1/datasets/20.500.12269%2Fabc/derived"


@pytest.mark.parametrize("method,path,body", [
    ("PUT", "datasets/20.500.1%2Fx/vote", {"value": "like"}),
    ("DELETE", "datasets/20.500.1%2Fx/vote", None),
    ("POST", "selections", {"name": "best", "datasets": ["20.500.1/x"]}),
    ("PATCH", "selections/sel-abc", {"name": "renamed"}),
    ("POST", "selections/sel-abc/submit", {}),
])
async def test_writes_are_forwarded_with_their_body(fetch, catalogue, method, path, body):
    status, _ = await fetch("beamhub/api/v1/" + path, method=method,
                            body=json.dumps(body) if body is not None else None,
                            headers={"Content-Type": "application/json"})
    assert status == 200
    (seen,) = catalogue.received
    assert seen.method == method
    assert seen.path == "/services/catalogue/api/v1/" + path
    if body is None:
        assert seen.body == b""
    else:
        assert json.loads(seen.body) == body
        assert seen.headers["Content-Type"] == "application/json"


async def test_errors_of_the_service_reach_the_browser_unchanged(fetch, catalogue):
    status, response = await fetch("beamhub/api/v1/datasets/missing")
    assert status == 404
    assert json.loads(response.body) == {"code": "not_found", "message": "no dataset 'missing'"}


async def test_no_content_is_passed_on(fetch, catalogue):
    status, response = await fetch("beamhub/api/v1/selections/sel-1", method="DELETE")
    assert status == 204
    assert response.body == b""


async def test_previews_keep_type_and_cache_headers_and_revalidate(fetch, catalogue):
    status, response = await fetch("beamhub/api/v1/datasets/20.500.1%2Fx/preview.png?size=thumb")
    assert status == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.body.startswith(b"\x89PNG")
    assert response.headers["ETag"] == '"v1"'
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert "leak=1" not in response.headers.get("Set-Cookie", "")
    status, _ = await fetch("beamhub/api/v1/datasets/20.500.1%2Fx/preview.png?size=thumb",
                            headers={"If-None-Match": '"v1"'})
    assert status == 304
    assert catalogue.received[-1].headers["If-None-Match"] == '"v1"'


@pytest.mark.parametrize("path", [
    "users/alice/proposals",          # the spawner's endpoint, never the user's
    "datasets/..%2F..%2Fusers%2Falice/votes",
    "datasets/x/../../users",
    "admin",
    "",
])
async def test_nothing_outside_the_user_api_is_forwarded(fetch, catalogue, path):
    status, response = await fetch("beamhub/api/v1/" + path)
    assert status == 404
    assert json.loads(response.body)["code"] == "not_found"
    assert catalogue.received == []


async def test_oversized_bodies_are_refused_here(fetch, jp_serverapp, catalogue):
    limit = jp_serverapp.web_app.settings["beamhub_catalogue"].max_body_bytes
    status, response = await fetch("beamhub/api/v1/selections", method="POST",
                                   body=json.dumps({"name": "x" * (limit + 1)}))
    assert status == 413
    assert json.loads(response.body)["code"] == "limit_exceeded"
    assert catalogue.received == []


async def test_an_unreachable_service_is_a_clear_503(fetch, jp_serverapp, catalogue):
    from tests.services.ports import free_port

    jp_serverapp.web_app.settings["beamhub_catalogue"].url = \
        f"http://127.0.0.1:{free_port()}/services/catalogue/api/v1"
    status, response = await fetch("beamhub/api/v1/me")
    assert status == 503
    body = json.loads(response.body)
    assert body["code"] == "catalogue_unavailable"
    assert "cannot be reached" in body["message"]


async def test_without_a_hub_token_nothing_is_sent(fetch, jp_serverapp, catalogue):
    jp_serverapp.web_app.settings["beamhub_catalogue"].token = ""
    status, response = await fetch("beamhub/api/v1/me")
    assert status == 503
    assert "JUPYTERHUB_API_TOKEN" in json.loads(response.body)["message"]
    assert catalogue.received == []


async def test_requests_without_the_users_login_are_refused(fetch, catalogue):
    status, _ = await fetch("beamhub/api/v1/me", auth=False)
    assert status == 403
    assert catalogue.received == []
    status, _ = await fetch("beamhub/api/v1/datasets/x/vote", method="PUT", auth=False,
                            body='{"value": "like"}')
    assert status == 403
    assert catalogue.received == []
