"""The template notebooks run against the client tests' hub: JupyterHub with the catalogue
service over the demo data (SQLite), servers spawned locally."""

from tests.client.test_client import client_hub  # noqa: F401  (fixture)
from tests.api.conftest import demo_data, service_store_url  # noqa: F401  (fixtures)
