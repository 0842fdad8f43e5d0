"""The client's tests use the same catalogue as the service's (demo data, SQLite)."""

from tests.api.conftest import demo_data, operator_store, service_store_url  # noqa: F401  (fixtures)
