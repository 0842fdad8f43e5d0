"""Beamline templates: notebooks staff publish, versioned in the catalogue store.

:mod:`.model` (the models and pure rules: versions, who may publish, which template for
which datasets, diffs), :mod:`.shipped` (the facility-wide notebooks shipped with
beamhub), :mod:`.service` (the catalogue service's operations), :mod:`.api` (its
request bodies). Stores keep versions in ``catalogue/stores/*/templates.py``.
"""
