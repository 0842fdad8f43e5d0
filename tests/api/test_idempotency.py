"""Retried writes through the service act once, across service restarts.

A client that lost the answer to ``POST /selections`` or ``DELETE /selections/{id}``
(a dropped connection, a service restarted meanwhile) retries with the same
``Idempotency-Key`` and gets the first answer again: no second selection, and the
retried DELETE answers 204 as the first one did (not 404). The service is really
restarted: its processes are killed and JupyterHub starts it again, so nothing kept in
a process's memory can answer the retry.
"""

from __future__ import annotations

import signal
import uuid

import pytest

from .conftest import on_both_stores
from .service_processes import kill, service_process, wait_for

pytestmark = pytest.mark.hub
store_backend, catalogue_hub, operator_store = on_both_stores()  # SQLite, then MongoDB


def restart_service(hub) -> None:
    before = service_process(hub.hub.process.pid)
    kill(before, signal.SIGKILL)  # its workers go with it; JupyterHub starts the service again
    wait_for(lambda: service_process(hub.hub.process.pid) != before, timeout=90, what="the service restarted")
    hub.wait_ready(timeout=90)


def test_retried_writes_answer_as_the_first_did_after_a_restart(catalogue_hub):
    create_key, delete_key = {"Idempotency-Key": uuid.uuid4().hex}, {"Idempotency-Key": uuid.uuid4().hex}
    before = len(catalogue_hub.get("bob", "/selections").json())
    created = catalogue_hub.request("bob", "POST", "/selections", json={"name": "retried"}, headers=create_key)
    doomed = catalogue_hub.request("bob", "POST", "/selections", json={"name": "deleted"}).json()
    deleted = catalogue_hub.request("bob", "DELETE", f"/selections/{doomed['id']}", headers=delete_key)
    assert (created.status_code, deleted.status_code) == (201, 204)

    restart_service(catalogue_hub)

    again = catalogue_hub.request("bob", "POST", "/selections", json={"name": "retried"}, headers=create_key)
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(catalogue_hub.get("bob", "/selections").json()) == before + 1
    deleted_again = catalogue_hub.request("bob", "DELETE", f"/selections/{doomed['id']}", headers=delete_key)
    assert deleted_again.status_code == 204 and deleted_again.content == b""
    # without a key a repeated DELETE is a new request: the selection is gone
    assert catalogue_hub.request("bob", "DELETE", f"/selections/{doomed['id']}").status_code == 404
    # a key belongs to its route and path: the same key on another selection acts
    other = catalogue_hub.request("bob", "POST", "/selections", json={"name": "other"}).json()
    assert catalogue_hub.request("bob", "DELETE", f"/selections/{other['id']}", headers=delete_key).status_code == 204
    assert catalogue_hub.request("bob", "DELETE", f"/selections/{created.json()['id']}").status_code == 204
