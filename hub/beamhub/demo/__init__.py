"""The beamhub demo: synthetic facility data (:mod:`beamhub.demo.data`) and, later, a
demo hub that serves it."""
