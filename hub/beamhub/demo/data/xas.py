"""XAS (NXxas): Cu K-edge spectra, energy vs mu, an edge with a white line and EXAFS wiggles."""

from __future__ import annotations

import h5py
import numpy as np

from .facility import Scan
from .nexus import nx_data, nx_entry, nx_field, nx_group, nx_instrument


def write(f: h5py.File, scan: Scan, rng: np.random.Generator, report) -> None:
    points = scan.params["points"]
    edge = 8979.0 + scan.params["shift_ev"]
    energy = np.concatenate([np.linspace(8779, 8959, points // 6, endpoint=False),
                             np.linspace(8959, 9029, points // 2, endpoint=False),
                             np.linspace(9029, 9779, points - points // 6 - points // 2)])
    entry = nx_entry(f, scan, "NXxas", f"{scan.sample} Cu K-edge transmission", len(energy) * 1.2)
    instrument = nx_instrument(entry, scan)
    mono = nx_group(instrument, "monochromator", "NXmonochromator")
    nx_field(mono, "energy", energy, "eV")
    nx_field(mono, "crystal", "Si(111)")
    k = np.sqrt(np.clip(energy - edge, 0, None) * 0.2625)
    chi = sum(amplitude * np.sin(2 * k * r + phase) * np.exp(-2 * 0.006 * k**2) / np.maximum(k * r**2, 1e-3)
              for amplitude, r, phase in ((8.0, 2.55, 0.3), (3.0, 3.61, 1.1), (2.0, 4.43, 2.0)))
    chi *= np.clip((energy - edge) / 30.0, 0, 1)
    step = 0.5 + np.arctan((energy - edge) / 2.0) / np.pi
    white = scan.params["white"] * np.exp(-0.5 * ((energy - edge - 8) / 4) ** 2)
    mu = 0.25 + 0.00002 * (energy - 8779) + step * (1 + white + 0.3 * chi)
    mu += rng.normal(0, 0.002, len(energy))
    incoming = rng.poisson(2e5, len(energy)).astype(np.float64)
    transmitted = incoming * np.exp(-mu)
    incoming_detector = nx_group(instrument, "incoming_beam", "NXdetector")
    nx_field(incoming_detector, "data", incoming, "counts")
    nx_field(incoming_detector, "description", "I0 ion chamber")
    absorbed = nx_group(instrument, "absorbed_beam", "NXdetector")
    nx_field(absorbed, "data", transmitted, "counts")
    nx_field(absorbed, "description", "It ion chamber")
    monitor = nx_group(entry, "monitor", "NXmonitor")
    nx_field(monitor, "mode", "timer")
    nx_field(monitor, "preset", 1.0, "s")
    nx_field(monitor, "data", incoming, "counts")
    sample = nx_group(entry, "sample", "NXsample")
    nx_field(sample, "name", scan.sample)
    nx_field(sample, "chemical_formula", {"cu_foil": "Cu", "cu2o": "Cu2O", "cuo": "CuO"}[scan.sample])
    nx_field(sample, "temperature", 295.0, "K")
    data = nx_data(entry, "mu", ["energy"], name="data", energy=mono["energy"])
    nx_field(data, "mu", mu, "", long_name="absorption mu(E) = ln(I0/It)")
    data["absorbed_beam"] = absorbed["data"]
    data["incoming_beam"] = incoming_detector["data"]
    nx_field(data, "mode", "Transmission")


