"""Detector resolution and peak shape, tube, Compton shift."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.synth.xrf.instrument import Detector, Tube, compton_energy


def test_fwhm_grows_with_energy_and_matches_measured_peaks() -> None:
    detector = Detector()
    energies = np.array([1.5, 3.7, 5.9, 14.2])
    widths = detector.fwhm(energies)
    assert np.all(np.diff(widths) > 0)
    assert 0.125 < float(detector.fwhm(5.899)) < 0.16  # typical SDD at Mn K-alpha
    for energy in (3.7, 14.2):  # the width of a synthesised peak equals the formula
        peak = detector.peak(energy, area=1e6)
        above = np.flatnonzero(peak >= peak.max() / 2)
        measured = (above[-1] - above[0] + 1) * detector.gain_kev
        assert measured == pytest.approx(float(detector.fwhm(energy)), abs=2 * detector.gain_kev)
        assert peak.sum() == pytest.approx(1e6, rel=1e-3)


def test_compton_energy_formula() -> None:
    # 90 deg: E' = E / (1 + E / 511 keV)
    assert float(compton_energy(17.479, 90.0)) == pytest.approx(17.479 / (1 + 17.479 / 510.999), rel=1e-6)
    assert float(compton_energy(20.0, 0.0)) == pytest.approx(20.0)


def test_bad_anode() -> None:
    with pytest.raises(ValueError, match="anode"):
        Tube(anode="W")
