"""Synthetic XRF core-scanner spectra: emission lines, detector response, tube scatter, sediment cores.

Physics used (expected counts per detector channel, then Poisson noise):

- Emission lines at tabulated energies (keV): K-alpha1 / K-beta1 and L-alpha1 / L-beta1 of Al, Si,
  P, S, Cl, K, Ca, Ti, Mn, Fe, Ni, Cu, Zn, Br, Rb, Sr, Zr, Ba, Pb and the tube anodes Rh and Mo. Values
  from the X-ray Data Booklet (A. C. Thompson et al., LBNL, 3rd ed. 2009, Table 1-2 "Photon energies
  of principal K-, L- and M-shell emission lines", after J. A. Bearden, Rev. Mod. Phys. 39, 78, 1967).
  Line ratios K-beta/K-alpha = 0.15 and L-beta/L-alpha = 0.55 are round illustrative values.
- Detector resolution of a silicon drift detector: ``FWHM(E) = sqrt(noise^2 + 2.3548^2 * F * eps * E)``
  with Fano factor ``F = 0.115``, electron-hole pair energy ``eps = 3.65 eV`` and electronic noise
  80 eV FWHM (about 140 eV at Mn K-alpha, 5.9 keV).
- Rayleigh (elastic) scatter of the anode K lines at their own energy and Compton scatter at
  ``E' = E / (1 + (E / m_e c^2) (1 - cos theta))`` (``m_e c^2 = 510.999 keV``, scatter angle 90 deg by
  default), the Compton peak Doppler-broadened. The incoherent/coherent (Compton/Rayleigh) ratio
  grows as the mean atomic number of the sediment falls, so organic matter and water raise it.
- Continuum: tube bremsstrahlung scattered by the sample, Kramers' shape ``(E0 - E) / E`` up to the
  tube voltage ``E0``, times a window/air transmission ``exp(-(E_c / E)^3)`` that also damps the
  low-energy lines.
- Count rate: sensitivities per unit weight fraction (illustrative, not calibrated to any scanner),
  live time, a per-spectrum count-rate factor (surface roughness, water), then Poisson noise.

Modules: :mod:`~zoo.synth.xrf.lines` (line energies, sensitivities), :mod:`~zoo.synth.xrf.instrument`
(detector, tube, Compton shift), :mod:`~zoo.synth.xrf.sediment` (composition of a CaCO3 / organic /
lithogenic mix), :mod:`~zoo.synth.xrf.spectra` (expected counts, ROI sums) and
:mod:`~zoo.synth.xrf.cores` (down-core series with Poisson noise); everything below is importable from
``zoo.synth.xrf``.

Sediment model: a spectrum's composition mixes CaCO3 (40 wt% Ca, with Sr), organic matter
(``2 x TOC``; carries Br and S) and a lithogenic fraction of the core's *composition family*
(Al, Si, K, Ti, Mn, Fe, Rb, Zr, Ba, ...), which is diluted by the other two. Down-core CaCO3 and TOC
vary smoothly (sums of random cycles). Energy calibration is ``E = offset + gain * channel`` (keV).

Example:
    >>> import numpy as np
    >>> from zoo.synth.xrf import Detector, synthetic_core
    >>> core = synthetic_core("A01", n_depths=5, family="pacific", rng=np.random.default_rng(0))
    >>> core.spectra.shape, core.caco3.shape
    ((5, 2048), (5,))
"""

from zoo.synth.xrf.cores import SyntheticCore, synthetic_core, synthetic_cores
from zoo.synth.xrf.instrument import Detector, Tube, compton_energy
from zoo.synth.xrf.lines import LINES, SENSITIVITY, line_energies
from zoo.synth.xrf.sediment import FAMILIES, FAMILY_RANGES, sediment_composition
from zoo.synth.xrf.spectra import element_counts, expected_spectra, line_spectrum, scatter_ratio

__all__ = [
    "Detector",
    "FAMILIES",
    "FAMILY_RANGES",
    "LINES",
    "SENSITIVITY",
    "SyntheticCore",
    "Tube",
    "compton_energy",
    "element_counts",
    "expected_spectra",
    "line_energies",
    "line_spectrum",
    "scatter_ratio",
    "sediment_composition",
    "synthetic_core",
    "synthetic_cores",
]
