"""The hub's own pages say where the user is and what to do: the site's name and a short
line on the login page and the spawn page (JupyterHub templates extending its own, in
``templates/``), set from the site file's ``hub.site_name``, ``hub.login_hint`` and
``hub.spawn_hint``."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = str(Path(__file__).with_name("templates"))


def page_variables(hub) -> dict[str, str]:
    """The templates' variables from the site's ``hub`` section (pure)."""
    return {"beamhub_site_name": hub.site_name, "beamhub_login_hint": hub.login_hint,
            "beamhub_spawn_hint": hub.spawn_hint}


def configure_pages(c, hub) -> None:
    """Add the templates and their variables to the JupyterHub config ``c``."""
    variables = dict(c.JupyterHub.template_vars) if "template_vars" in c.JupyterHub else {}
    variables.update(page_variables(hub))
    c.JupyterHub.template_vars = variables
    paths = list(c.JupyterHub.template_paths) if "template_paths" in c.JupyterHub else []
    if TEMPLATES not in paths:
        c.JupyterHub.template_paths = [*paths, TEMPLATES]
