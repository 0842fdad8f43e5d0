"""beamhub's JupyterLab extension: its prebuilt front end and a thin server extension.

The server extension forwards ``/beamhub/api/v1/...`` to the catalogue service with the
single-user server's own hub token (:mod:`.catalogue`) and serves template notebooks
(:mod:`.templates`). It holds no store credentials and adds no access of its own.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jupyterlab-beamhub")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-beamhub"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_beamhub"}]


def _load_jupyter_server_extension(server_app):
    from .handlers import setup_handlers

    setup_handlers(server_app)
    import json

    from .datapaths import data_paths

    page = server_app.web_app.settings.setdefault("page_config_data", {})
    page["beamhubDataPaths"] = json.dumps(data_paths(server_app.root_dir))
    server_app.log.info("jupyterlab_beamhub: catalogue at %s", server_app.web_app.settings["beamhub_catalogue"].describe())
