"""Resampling keeps arrival times within one sample; random resampling moves arrivals by the drawn factor."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from scipy.signal import resample as scipy_resample
from scipy.signal import resample_poly

from zoo.augment import RandomResample
from zoo.augment.resample import resample
from zoo.labels import phase_labels


@pytest.mark.parametrize("method", ["fourier", "polyphase"])
@pytest.mark.parametrize("rate_out", [50.0, 40.0, 125.0])
def test_arrivals_stay_within_one_sample(stead, method, rate_out):
    x, y = stead["x"][:, :3000], stead["y"][:, :3000]
    xr, yr = resample(x, y, 100.0, rate_out, method=method)
    assert xr.shape[1] == round(3000 * rate_out / 100.0)
    for ch, arrivals in ((0, stead["p"]), (1, stead["s"])):
        got = yr.numpy()[:, :, ch].argmax(1)
        assert np.all(np.abs(got - arrivals * rate_out / 100.0) <= 1.0)


def test_waveforms_match_scipy(stead):
    x = stead["x"][:2, :3000]
    y = tf.zeros([2, 3000, 1])
    fo, _ = resample(x, y, 100.0, 40.0, method="fourier")
    np.testing.assert_allclose(fo, scipy_resample(x, 1200, axis=1), atol=2e-3)
    po, _ = resample(x, y, 100.0, 40.0, method="polyphase")
    np.testing.assert_allclose(po, resample_poly(x, 2, 5, axis=1), atol=1e-5)


def test_random_resample_moves_arrivals_by_factor(stead):
    x = stead["x"][:, :3000]
    y = phase_labels(np.stack([stead["p"], stead["s"]], 1), 3000)
    for seed in range(3):
        f = RandomResample().draw(x, y, [seed, 5])["factor"].numpy()
        xo, yo = RandomResample()(x, y, [seed, 5])
        assert xo.shape == x.shape
        got = yo.numpy()[:, :, 0].argmax(1)
        assert np.all(np.abs(got - stead["p"] * f) <= 1.0)
