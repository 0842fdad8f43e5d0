"""The catalogue service: a JupyterHub-managed service with a versioned REST API.

It is the only process holding the store's URL and credentials. Handlers
(:mod:`.handlers`) are thin over one logic class (:mod:`.logic`); the routes
(:mod:`.routes`) and the pydantic models generate the OpenAPI description
(:mod:`.openapi`, served at ``/services/catalogue/api/v1/openapi.json``). Settings
come from the environment the hub's service definition sets (:mod:`.settings`).

Run by JupyterHub as ``beamhub catalogue-service`` (see :mod:`.app`).
"""
