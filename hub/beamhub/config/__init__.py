"""The site configuration (one YAML or TOML file) and the JupyterHub set-up made from it.

``hub/jupyterhub_config.py`` is two lines: load ``$BEAMHUB_CONFIG`` with
:func:`load_site_config` and hand it to :func:`configure_hub`. Every option is
documented on the models in :mod:`.model`.
"""

from .load import CONFIG_ENV, SiteConfigError, load_site_config, parse_site_config
from .model import SiteConfig

__all__ = ["CONFIG_ENV", "SiteConfig", "SiteConfigError", "configure_hub", "load_site_config",
           "parse_site_config"]


def configure_hub(c, site: SiteConfig, **kwargs) -> None:
    """Apply a site configuration to a JupyterHub config object (see :mod:`.jupyterhub`)."""
    from .jupyterhub import configure_hub as _configure

    _configure(c, site, **kwargs)
