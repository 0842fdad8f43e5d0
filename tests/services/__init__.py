"""Real services the tests start: DocumentDB, Slurm, JupyterHub, a browser.

Each module starts one real part on loopback and says clearly what is missing when it
cannot. Whether a missing part fails or skips is decided in one place,
:func:`tests.services.require.missing`.
"""
