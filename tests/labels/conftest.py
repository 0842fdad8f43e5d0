"""Both store backends, as the catalogue's contract suite opens them."""

from tests.catalogue.conftest import backend, store, store_factory  # noqa: F401
