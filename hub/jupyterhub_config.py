"""JupyterHub configuration for beamhub: everything comes from the site file.

    BEAMHUB_CONFIG=/etc/beamhub/site.yaml jupyterhub -f hub/jupyterhub_config.py

The site file's options are documented in ``beamhub.config.model`` (an invalid file
stops the hub with a message naming the key).
"""

from beamhub.config import configure_hub, load_site_config

c = get_config()  # noqa: F821 (defined by JupyterHub when it runs this file)
configure_hub(c, load_site_config())
