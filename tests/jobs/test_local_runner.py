"""The local runner (the demo's): what a job process is given."""

from __future__ import annotations

from beamhub.jobs.runners.local import job_environment


def test_local_jobs_get_no_secret_of_the_service():
    service = {"PATH": "/usr/bin", "LANG": "C.UTF-8", "BEAMHUB_STORE": "mongodb://u:pw@db/x",
               "BEAMHUB_STORE_FILE": "/etc/beamhub/store", "JUPYTERHUB_API_TOKEN": "t", "JPY_API_TOKEN": "t",
               "JUPYTERHUB_CLIENT_ID": "service-catalogue", "JUPYTERHUB_OAUTH_ACCESS_SCOPES": "[]",
               "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1", "BEAMHUB_SERVICE_SETTINGS": "{}",
               "BEAMHUB_SERVICE_COOKIE_SECRET": "c", "MONGO_PASSWORD": "pw"}
    env = job_environment(service, {"PYTHONPATH": "/srv/beamhub"})
    assert env == {"PATH": "/usr/bin", "LANG": "C.UTF-8", "PYTHONPATH": "/srv/beamhub"}
