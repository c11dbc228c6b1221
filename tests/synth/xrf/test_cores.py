"""Synthetic cores: composition drives the counts, Poisson noise, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.synth.xrf.cores import synthetic_core, synthetic_cores
from zoo.synth.xrf.spectra import element_counts, expected_spectra


def test_caco3_drives_ca_and_dilutes_lithogenic_elements() -> None:
    core = synthetic_core("T1", n_depths=150, family="pacific", rng=np.random.default_rng(1))
    ca = element_counts(core.spectra, "Ca")
    fe = element_counts(core.spectra, "Fe")
    assert np.corrcoef(ca, core.caco3)[0, 1] > 0.85
    assert np.corrcoef(fe, core.caco3)[0, 1] < -0.8
    assert core.caco3.min() >= 0 and core.caco3.max() <= 75.0


def test_poisson_noise_and_reproducibility() -> None:
    a = synthetic_cores(2, n_depths=20, seed=5)
    b = synthetic_cores(2, n_depths=20, seed=5)
    np.testing.assert_array_equal(a[1].spectra, b[1].spectra)
    assert a[0].core_id != a[1].core_id
    spectra = a[0].spectra
    assert np.all(spectra == np.round(spectra)) and spectra.min() >= 0
    # Poisson: variance of repeated draws ~ mean
    rng = np.random.default_rng(0)
    mean = expected_spectra([30.0], [1.0])[0]
    draws = rng.poisson(np.tile(mean, (400, 1)))
    channel = int(np.argmax(mean))
    assert draws[:, channel].var() == pytest.approx(mean[channel], rel=0.2)


def test_unknown_family() -> None:
    with pytest.raises(ValueError, match="family"):
        synthetic_core("X", 5, family="martian")
