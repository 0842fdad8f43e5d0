"""``beamhub catalogue-service``: run the catalogue service (JupyterHub starts it).

It takes no options: everything comes from the environment the hub's service
definition sets (``BEAMHUB_STORE`` or ``BEAMHUB_STORE_FILE``, ``BEAMHUB_SERVICE_SETTINGS``,
``BEAMHUB_LOG_LEVEL``, and JupyterHub's ``JUPYTERHUB_*``); see
``beamhub.service.settings``. It is a command of its own, not ``beamhub catalogue
serve``, because ``beamhub catalogue`` holds the operators' commands.
"""

from __future__ import annotations


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "catalogue-service", help="run the catalogue REST service (started by JupyterHub)",
        description=__doc__.split("\n\n")[0])
    parser.set_defaults(func=run)


def run(args) -> int:
    from beamhub.service.app import main

    return main()
