"""Expected spectra (counts per channel) of sediments, and region-of-interest sums measured on spectra.

Physics: emission lines of every element at its weight fraction times its sensitivity, each a Gaussian
of the detector's width, damped by the window transmission ``exp(-(E_c / E)^3)``; Rayleigh (elastic)
scatter of the anode K lines at their own energy and Compton scatter at the shifted energy,
Doppler-broadened; tube bremsstrahlung scattered by the sample, Kramers' shape ``(E0 - E) / E`` up to
the tube voltage ``E0``. The incoherent/coherent (Compton/Rayleigh) ratio grows as the mean atomic
number of the sediment falls, so organic matter and water raise it. Counts are these rates times the
live time and a per-spectrum count-rate factor (surface roughness, water); no noise is added here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zoo.synth.xrf.instrument import Detector, Tube, compton_energy
from zoo.synth.xrf.lines import LINE_WEIGHTS, LINES, SENSITIVITY, line_energies
from zoo.synth.xrf.sediment import effective_atomic_number, sediment_composition


@dataclass
class _Basis:
    elements: list[str]
    lines: np.ndarray  # [elements, channels] counts per unit weight fraction per second
    rayleigh: np.ndarray  # [channels] per unit intensity
    compton: np.ndarray
    continuum: np.ndarray


def line_spectrum(element: str, detector: Detector | None = None, tube: Tube | None = None) -> np.ndarray:
    """Counts per second per channel of an element's lines at unit weight fraction (no scatter).

    Lines above the tube voltage are not excited; window transmission is applied.

    Example:
        >>> d = Detector()
        >>> int(np.argmax(line_spectrum("Fe", d))) == round(float(d.channel(LINES["Fe"]["Ka"])))
        True
    """
    detector = detector or Detector()
    tube = tube or Tube()
    if element not in SENSITIVITY:
        raise ValueError(f"No sensitivity for {element!r}; known: {', '.join(SENSITIVITY)}.")
    row = np.zeros(detector.num_channels)
    for line, energy in line_energies(element).items():
        if energy < tube.voltage_kv:
            row += detector.peak(
                energy, LINE_WEIGHTS[line] * detector.transmission(energy) * SENSITIVITY[element]
            )
    return row


def _basis(detector: Detector, tube: Tube) -> _Basis:
    elements = list(SENSITIVITY)
    transmission_of = detector.transmission
    rows = [line_spectrum(element, detector, tube) for element in elements]
    rayleigh = np.zeros(detector.num_channels)
    compton = np.zeros(detector.num_channels)
    for line in ("Ka", "Kb"):
        energy = LINES[tube.anode][line]
        rayleigh += detector.peak(energy, LINE_WEIGHTS[line])
        compton += detector.peak(
            float(compton_energy(energy, tube.scatter_angle_deg)), LINE_WEIGHTS[line], tube.doppler_fwhm_kev
        )
    energies = np.maximum(detector.energies(), detector.gain_kev)
    kramers = np.clip(tube.voltage_kv - energies, 0.0, None) / energies
    continuum = kramers * transmission_of(energies) * detector.gain_kev
    return _Basis(elements, np.asarray(rows), rayleigh, compton, continuum / max(continuum.sum(), 1e-12))


def expected_spectra(
    caco3: Sequence[float] | np.ndarray,
    toc: Sequence[float] | np.ndarray,
    family: str = "pacific",
    detector: Detector | None = None,
    tube: Tube | None = None,
    live_time_s: float = 10.0,
    rate_factor: Sequence[float] | np.ndarray | float = 1.0,
) -> np.ndarray:
    """Expected counts ``[n, channels]`` (no noise) for sediments with ``caco3``, ``toc`` in wt%.

    Scatter: Rayleigh intensity grows with the square of the effective atomic number of the mix
    (carbonate 15.7, lithogenic 14.5, organic matter 6.5), Compton intensity falls slowly with it, so
    the Compton/Rayleigh ratio rises with TOC.
    """
    detector = detector or Detector()
    tube = tube or Tube()
    caco3 = np.atleast_1d(np.asarray(caco3, dtype=np.float64))
    toc = np.atleast_1d(np.asarray(toc, dtype=np.float64))
    if caco3.shape != toc.shape or caco3.ndim != 1:
        raise ValueError(f"caco3 and toc must be 1-D of equal length, got {caco3.shape} and {toc.shape}.")
    if np.any(caco3 < 0) or np.any(toc < 0) or np.any(caco3 + 2 * toc > 100):
        raise ValueError("caco3 and toc must be >= 0 wt% with caco3 + 2 * toc <= 100 wt%.")
    basis = _basis(detector, tube)
    comp = sediment_composition(caco3, toc, family)
    conc = np.stack([np.broadcast_to(comp.get(e, 0.0), caco3.shape) for e in basis.elements], axis=1)
    lines = conc @ basis.lines
    z_eff = effective_atomic_number(caco3, toc)
    rayleigh = 1.8e4 * (z_eff / 14.0) ** 2
    compton = 9.0e4 * (14.0 / z_eff) ** 0.5
    continuum = 4.0e4 * (z_eff / 14.0)
    counts_per_s = (
        lines
        + rayleigh[:, None] * basis.rayleigh
        + compton[:, None] * basis.compton
        + continuum[:, None] * basis.continuum
    )
    factor = np.broadcast_to(np.asarray(rate_factor, dtype=np.float64), caco3.shape)
    return counts_per_s * live_time_s * factor[:, None]


def element_counts(
    spectra: np.ndarray, element: str, detector: Detector | None = None, line: str = "Ka"
) -> np.ndarray:
    """Counts in a +-1 FWHM window around an element's line, per spectrum ``[n]`` (a simple ROI sum)."""
    detector = detector or Detector()
    energy = line_energies(element).get(line)
    if energy is None:
        raise ValueError(f"{element} has no {line} line in the table; it has {sorted(LINES[element])}.")
    half = float(detector.fwhm(energy))
    e = detector.energies()
    roi = (e >= energy - half) & (e <= energy + half)
    return np.asarray(spectra)[:, roi].sum(axis=1)


def scatter_ratio(
    spectra: np.ndarray, detector: Detector | None = None, tube: Tube | None = None
) -> np.ndarray:
    """Compton/Rayleigh (incoherent/coherent) ratio from ROI sums around the anode K-alpha peaks."""
    detector = detector or Detector()
    tube = tube or Tube()
    e = detector.energies()
    ka = LINES[tube.anode]["Ka"]
    comp = float(compton_energy(ka, tube.scatter_angle_deg))
    half = float(detector.fwhm(ka))
    coh = np.asarray(spectra)[:, (e >= ka - half) & (e <= ka + half)].sum(axis=1)
    inc = np.asarray(spectra)[:, (e >= comp - 2 * half) & (e <= comp + half)].sum(axis=1)
    return inc / np.maximum(coh, 1.0)
