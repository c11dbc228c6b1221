"""Expected spectra: line positions, scatter peaks, TOC and scatter ratio; ROI sums."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.synth.xrf.instrument import Detector, Tube, compton_energy
from zoo.synth.xrf.lines import LINES
from zoo.synth.xrf.spectra import element_counts, expected_spectra, line_spectrum, scatter_ratio


def _peak_channel(spectrum: np.ndarray, detector: Detector, energy: float, width_kev: float = 0.1) -> int:
    lo, hi = (int(detector.channel(energy + s)) for s in (-width_kev, width_kev))
    return lo + int(np.argmax(spectrum[lo : hi + 1]))


@pytest.mark.parametrize("gain, offset", [(0.0125, 0.0), (0.01, -0.05), (0.011, 0.12)])
@pytest.mark.parametrize("element", ["Si", "K", "Ca", "Ti", "Mn", "Fe", "Br", "Rb", "Sr", "Zr"])
def test_line_positions_within_one_channel(element: str, gain: float, offset: float) -> None:
    detector = Detector(gain_kev=gain, offset_kev=offset)
    pure = line_spectrum(element, detector)
    energy = LINES[element]["Ka"]
    assert abs(_peak_channel(pure, detector, energy) - detector.channel(energy)) <= 1.0


@pytest.mark.parametrize("element", ["Ca", "Fe"])
def test_major_lines_in_full_spectrum(element: str) -> None:
    detector = Detector(gain_kev=0.011, offset_kev=0.1)
    spectrum = expected_spectra([40.0], [1.0], detector=detector)[0]
    energy = LINES[element]["Ka"]
    assert abs(_peak_channel(spectrum, detector, energy) - detector.channel(energy)) <= 1.0


def test_compton_peak_position() -> None:
    detector, tube = Detector(), Tube()
    spectrum = expected_spectra([30.0], [1.0], detector=detector, tube=tube)[0]
    shifted = float(compton_energy(LINES["Rh"]["Ka"], 90.0))
    assert abs(_peak_channel(spectrum, detector, shifted, 0.3) - detector.channel(shifted)) <= 3


def test_toc_ties_to_bromine_and_scatter_ratio() -> None:
    caco3 = np.full(6, 20.0)
    toc = np.linspace(0.2, 3.0, 6)
    expected = expected_spectra(caco3, toc, family="southern")
    assert np.all(np.diff(element_counts(expected, "Br")) > 0)
    assert np.all(np.diff(scatter_ratio(expected)) > 0)


def test_impossible_composition() -> None:
    with pytest.raises(ValueError, match="caco3"):
        expected_spectra([90.0], [10.0])
