"""NeXus application definitions and the techniques they stand for.

The technique names are those the catalogue's facets show; the table follows the
NeXus application definitions (https://manual.nexusformat.org/classes/applications/).
A definition not listed here gives no technique (its name is still kept as a keyword).
"""

from __future__ import annotations

TECHNIQUES: dict[str, str] = {
    # macromolecular and single-crystal diffraction
    "NXmx": "MX",
    "NXxbase": "single-crystal diffraction",
    "NXxrot": "single-crystal diffraction",
    "NXxeuler": "single-crystal diffraction",
    "NXxkappa": "single-crystal diffraction",
    "NXxnb": "single-crystal diffraction",
    "NXxlaue": "Laue diffraction",
    "NXxlaueplate": "Laue diffraction",
    "NXlauetof": "Laue diffraction",
    "NXmonopd": "powder diffraction",
    "NXtofnpd": "powder diffraction",
    # imaging
    "NXtomo": "tomography",
    "NXtomoproc": "tomography",
    "NXtomophase": "tomography",
    "NXstxm": "STXM",
    "NXxpcs": "XPCS",
    # small-angle scattering
    "NXsas": "SAXS",
    "NXcanSAS": "SAXS",
    "NXsastof": "SANS",
    "NXiqproc": "SAXS",
    # spectroscopy
    "NXxas": "XAS",
    "NXxasproc": "XAS",
    "NXfluo": "XRF",
    "NXarpes": "ARPES",
    "NXmpes": "photoemission",
    "NXxps": "XPS",
    "NXellipsometry": "ellipsometry",
    "NXraman": "Raman",
    # neutron and inelastic scattering
    "NXtas": "triple-axis spectroscopy",
    "NXspe": "inelastic neutron scattering",
    "NXsqom": "inelastic scattering",
    "NXdirecttof": "neutron time-of-flight",
    "NXindirecttof": "neutron time-of-flight",
    "NXtofraw": "neutron time-of-flight",
    "NXtofsingle": "neutron time-of-flight",
    # reflectometry
    "NXrefscan": "reflectometry",
    "NXreftof": "reflectometry",
    # electron microscopy
    "NXem": "electron microscopy",
}


def technique_for(definition: str | None) -> str | None:
    """The technique of a NeXus application definition (``"NXmx"`` -> ``"MX"``)."""
    if not definition:
        return None
    return TECHNIQUES.get(definition.strip())
