"""Who a hub user is to the catalogue, and how users log in to the hub.

- :mod:`beamhub.auth.staff`: which hub groups make a user staff of which beamline.
- :mod:`beamhub.auth.identity`: a JupyterHub user model -> a catalogue
  :class:`~beamhub.catalogue.Identity`.
- :mod:`beamhub.auth.authenticators`: the demo authenticator (fixed users with
  generated passwords; their groups come from the site file through ``load_groups``).
- :mod:`beamhub.auth.oidc`: a facility's OIDC provider, through oauthenticator's
  ``GenericOAuthenticator`` (groups from a claim at each login and token refresh, a page
  for users in no proposal, logout at the provider), configured from the site file's
  ``auth: {kind: oidc}`` by :func:`beamhub.config.jupyterhub.authenticator_config`.
"""

from .identity import identity_from_hub_model
from .staff import StaffRule

__all__ = ["StaffRule", "identity_from_hub_model"]
