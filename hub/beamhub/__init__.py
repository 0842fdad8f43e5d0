"""beamhub: a virtual analysis environment for synchrotron and neutron facilities.

The catalogue (``beamhub.catalogue``) is the core: datasets, proposals, votes and
selections, behind one store interface with an embedded SQLite backend and a MongoDB
backend.
"""

__version__ = "0.1.0"
