"""One client's rejected requests never break another user's requests.

configurable-http-proxy keeps its connections to the catalogue service alive and sends
any user's next request into them. An error answered by the service before it had read
the request (405 for a method the path lacks) closed the connection afterwards without
saying so, and 19-27% of another user's concurrent requests got 503 from the proxy.
Against the really started hub, proxy and service: while alice streams rejected
requests of every kind (405 with and without a body, 413, 400 malformed JSON, an
unknown path, 401 without a token, 403 with a token that may not use the catalogue,
431 oversized heads, paths that are not UTF-8), bob's searches and /me through the
same proxy must all succeed. Each rejected answer is the documented JSON error; a 405
names the allowed methods.
"""

from __future__ import annotations

import itertools
import threading
import time

import pytest
import requests

from tests.api.conftest import on_both_stores

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB

ATTACK_SECONDS = 6
ATTACKERS = 4


@pytest.fixture(scope="module")
def pid(catalogue_hub):
    return catalogue_hub.get("alice", "/datasets", params={"proposal": "p1002", "limit": 1}).json()["items"][0]["pid"]


@pytest.fixture(scope="module")
def rejected(catalogue_hub, pid):
    """(method, path, keyword arguments, expected status) of every kind of rejection."""
    alice = catalogue_hub.headers("alice")
    no_scope = {"Authorization": "token " + catalogue_hub.hub.user_token("alice", scopes=["read:users:name!user=alice"])}
    vote = f"/datasets/{requests.utils.quote(pid, safe='')}/vote"
    big = b"{" + b" " * (2**20 + 10) + b"}"
    return [
        ("TRACE", "/datasets", {"headers": alice}, 405),
        ("OPTIONS", "/datasets", {"headers": alice}, 405),
        ("DELETE", "/datasets", {"headers": alice}, 405),
        ("POST", "/health", {"data": b'{"a": 1}', "headers": {"Content-Type": "application/json"}}, 405),
        ("PUT", "/me", {"headers": alice, "data": b"x" * 50_000}, 405),
        ("PATCH", "/openapi.json", {}, 405),
        ("PUT", vote, {"headers": {**alice, "Content-Type": "application/json"}, "data": big}, 413),
        ("PUT", vote, {"headers": {**alice, "Content-Type": "application/json"}, "data": b'{"value": '}, 400),
        ("GET", "/datasets", {"headers": alice, "params": {"condition": "x > 1 9**9**7 K"}}, 400),
        ("GET", "/no/such/path", {"headers": alice}, 404),
        ("TRACE", "/no/such/path", {"headers": alice}, 404),
        ("GET", "/me", {}, 401),
        ("PUT", vote, {"data": b'{"value": "like"}'}, 401),
        ("GET", "/me", {"headers": no_scope}, 403),
        ("GET", "/datasets", {"headers": {**alice, "X-Padding": "y" * 20_000}}, 431),
        ("GET", "/datasets/%C0%AE%C0%AE%2F", {"headers": alice}, 400),
    ]


def check_rejection(answer: requests.Response, method: str, status: int) -> str | None:
    """What is wrong with a rejected answer, or None."""
    if answer.status_code != status:
        return f"{method} {answer.url}: {answer.status_code} instead of {status}: {answer.text[:100]}"
    if status == 431:  # the proxy's own answer, before any service
        return None
    if not answer.headers.get("Content-Type", "").startswith("application/json") or "code" not in answer.json():
        return f"{method} {answer.url}: not a JSON error: {answer.text[:100]}"
    if status == 405 and not answer.headers.get("Allow"):
        return f"{method} {answer.url}: 405 without Allow"
    return None


def test_each_rejection_is_the_documented_answer(catalogue_hub, rejected):
    problems = []
    for method, path, kwargs, status in rejected:
        answer = requests.request(method, catalogue_hub.url + path, timeout=30, **kwargs)
        problems.append(check_rejection(answer, method, status))
    assert not [p for p in problems if p], problems


def test_405_names_the_methods_the_path_has(catalogue_hub, pid):
    vote = f"/datasets/{requests.utils.quote(pid, safe='')}/vote"
    for method, path, allowed in (("TRACE", "/datasets", {"GET"}), ("POST", vote, {"PUT", "DELETE"}),
                                  ("TRACE", "/health", {"GET"})):
        answer = catalogue_hub.request("alice", method, path)
        assert answer.status_code == 405, answer.text
        assert set(answer.headers["Allow"].replace(" ", "").split(",")) == allowed
        assert answer.json()["code"] == "method_not_allowed"


def test_a_stream_of_rejected_requests_breaks_no_other_users_request(catalogue_hub, rejected):
    stop = threading.Event()
    wrong: list[str] = []
    sent = itertools.count()

    def attack(offset: int) -> None:
        session = requests.Session()  # keep-alive to the proxy, as a browser
        for method, path, kwargs, status in itertools.islice(itertools.cycle(rejected), offset, None):
            if stop.is_set():
                return
            try:
                answer = session.request(method, catalogue_hub.url + path, timeout=30, **kwargs)
            except requests.RequestException as exc:  # a proxy may drop a client it refuses (431, 413)
                if status not in (413, 431):
                    wrong.append(f"{method} {path}: {exc}")
                continue
            next(sent)
            problem = check_rejection(answer, method, status)
            if problem:
                wrong.append(problem)

    failures: list[str] = []
    done = itertools.count()

    def neighbour() -> None:
        session = requests.Session()
        headers = catalogue_hub.headers("bob")
        while not stop.is_set():
            for path, params in (("/datasets", {"limit": 2, "facets": "false"}), ("/me", None)):
                try:
                    answer = session.get(catalogue_hub.url + path, params=params, headers=headers, timeout=30)
                    if answer.status_code != 200:
                        failures.append(f"{path}: {answer.status_code} {answer.text[:80]}")
                except requests.RequestException as exc:
                    failures.append(f"{path}: {exc}")
                next(done)

    threads = [threading.Thread(target=attack, args=(i * 3,), daemon=True) for i in range(ATTACKERS)]
    threads += [threading.Thread(target=neighbour, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(ATTACK_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(60)
    attempts, rejections = next(done), next(sent)
    assert rejections > 50 and attempts > 20, (rejections, attempts)
    assert not failures, f"{len(failures)} of bob's {attempts} requests failed: {failures[:5]}"
    assert not wrong, wrong[:5]
