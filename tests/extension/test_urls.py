"""Where the extension looks for the catalogue service (pure functions)."""

from jupyterlab_beamhub.urls import catalogue_url, redact


def test_explicit_url_wins():
    env = {"BEAMHUB_CATALOGUE_URL": "http://cat:9000/services/catalogue/api/v1/",
           "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api"}
    assert catalogue_url(env) == "http://cat:9000/services/catalogue/api/v1"


def test_public_url_then_api_url_with_base_url():
    assert catalogue_url({"JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/"}) == \
        "https://hub.example.org/services/catalogue/api/v1"
    env = {"JUPYTERHUB_API_URL": "http://127.0.0.1:8000/jh/hub/api", "JUPYTERHUB_BASE_URL": "/jh/"}
    assert catalogue_url(env) == "http://127.0.0.1:8000/jh/services/catalogue/api/v1"


def test_nothing_configured():
    assert catalogue_url({}) is None
    assert redact(None) == "(not configured)"


def test_redact_hides_passwords():
    assert redact("http://u:secret@host:1/x") == "http://host:1/x"


def test_the_forwarded_paths_are_the_services_user_routes():
    """The extension forwards exactly the catalogue's user and public routes: its list is
    written in the extension (which does not depend on beamhub) and held equal here."""
    from beamhub.service.routes import ROUTES
    from jupyterlab_beamhub.catalogue import FORWARDED_PATHS, FORWARDED_ROUTES

    user_api = {route.path.lstrip("/") for route in ROUTES if route.access != "spawner"}
    assert set(FORWARDED_ROUTES) == user_api
    for route in ROUTES:
        concrete = route.path.lstrip("/").replace("{pid}", "20.500.1%2Fx").replace("{id}", "sel-1") \
            .replace("{name}", "alice")
        assert bool(FORWARDED_PATHS.match(concrete)) == (route.access != "spawner"), route.path
    assert not FORWARDED_PATHS.match("datasets/a/b")  # a parameter is one segment
