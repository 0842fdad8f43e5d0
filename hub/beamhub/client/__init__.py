"""``beamhub.client``: the catalogue from a notebook, with your own hub token.

>>> from beamhub.client import Catalogue
>>> cat = Catalogue()          # in a beamhub JupyterLab: URL and token from the environment  # doctest: +SKIP
>>> page = cat.search("lysozyme", beamline="i03")                                            # doctest: +SKIP
>>> frames = cat.open(page.items[0])     # a lazy xarray.DataArray, NeXus axes as coordinates  # doctest: +SKIP
>>> cat.like(page.items[0])                                                                  # doctest: +SKIP

Errors are exceptions named after the API's codes (:mod:`beamhub.client.errors`):
``NotFound``, ``InvalidInput`` (with ``details`` per field), ``Conflict``,
``PermissionDenied``, ``Unavailable`` (retry later), ...
"""

from .api import Catalogue, catalogue_url_from_env
from .data import NoData, OutputFiles, open_dataset, open_signal
from .errors import (ApiError, Conflict, InvalidInput, LimitExceeded, NotFound, PermissionDenied,
                     PreviewUnavailable, TooManyRequests, Unauthorized, Unavailable)

__all__ = [
    "ApiError", "Catalogue", "Conflict", "InvalidInput", "LimitExceeded", "NoData", "NotFound", "OutputFiles",
    "PermissionDenied", "PreviewUnavailable", "TooManyRequests", "Unauthorized", "Unavailable",
    "catalogue_url_from_env", "open_dataset", "open_signal",
]


def connect(url: str | None = None, token: str | None = None, **kwargs) -> Catalogue:
    """Same as ``Catalogue(url, token)``."""
    return Catalogue(url, token, **kwargs)
