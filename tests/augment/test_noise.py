"""Superposed noise: the SNR measured on the output matches the drawn target."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from zoo.augment import AddNoise


def _measured_snr(x, out) -> np.ndarray:
    x, out = np.asarray(x, np.float64), np.asarray(out, np.float64)
    return 10 * np.log10((x**2).mean(axis=(1, 2)) / ((out - x) ** 2).mean(axis=(1, 2)))


def test_gaussian_noise_hits_drawn_snr(stead):
    x, y = stead["x"], stead["y"]
    seed = [3, 1]
    noise = AddNoise(snr_db=(-5.0, 20.0))
    out, yo = noise(x, y, seed)
    target = noise.draw(x, y, seed)["snr_db"].numpy()
    assert np.ptp(target) > 3.0
    np.testing.assert_allclose(_measured_snr(x, out), target, atol=0.5)
    np.testing.assert_array_equal(yo, y)


def test_noise_bank_windows_hit_drawn_snr(stead):
    x = stead["x"][:, 1000:1300]
    bank = tf.constant(stead["x"][:, :390])
    seed = [7, 7]
    noise = AddNoise(snr_db=(0.0, 10.0), noise=bank)
    out, _ = noise(x, tf.zeros([8, 300, 3]), seed)
    target = noise.draw(x, None, seed)["snr_db"].numpy()
    np.testing.assert_allclose(_measured_snr(x, out), target, atol=0.5)
    noise = np.asarray(out) - x
    assert not np.allclose(noise[0], noise[1])


def test_noise_bank_shorter_than_window_is_rejected():
    with pytest.raises(ValueError, match="shorter than"):
        AddNoise(noise=tf.ones([2, 50, 3]))(tf.ones([1, 100, 3]), tf.zeros([1, 100, 3]), [0, 0])
