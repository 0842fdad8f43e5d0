"""The catalogue service's fixtures (tests/api/conftest.py) for the security tests:
the really started hub and service over SQLite (``catalogue_hub``) and over MongoDB
(``mongo_catalogue_hub``), so that a module here can call ``on_both_stores()``."""

from tests.api.conftest import (  # noqa: F401  (fixtures)
    catalogue_hub, demo_data, mongo_catalogue_hub, mongo_operator_store, mongo_store_url, operator_store,
    service_store_url)
