"""Band-pass: the frequency-domain filter matches SciPy's forward-backward Butterworth; random bands."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from scipy.signal import butter, sosfiltfilt

from zoo.augment import RandomBandpass
from zoo.augment.bandpass import bandpass


def test_bandpass_matches_forward_backward_butterworth():
    t = np.arange(3000) / 100.0
    x = np.sin(2 * np.pi * 0.2 * t) + np.sin(2 * np.pi * 5.0 * t) + np.sin(2 * np.pi * 40.0 * t)
    x = np.tile(x[None, :, None], (1, 1, 3)).astype(np.float32)
    out = bandpass(x, 100.0, 2.0, 10.0, order=2).numpy()
    ref = sosfiltfilt(butter(2, [2.0, 10.0], "bandpass", fs=100.0, output="sos"), x, axis=1)
    np.testing.assert_allclose(out[0, 500:-500], ref[0, 500:-500], atol=2e-2)
    np.testing.assert_allclose(out[0, 500:-500, 0], np.sin(2 * np.pi * 5.0 * t[500:-500]), atol=3e-2)


def test_random_bandpass_removes_energy_outside_band(stead):
    x = stead["x"][:, :3000]
    out, y = RandomBandpass(freq_range=(1.0, 20.0), bandwidth=(1.0, 1.0))(x, stead["y"][:, :3000], [1, 2])
    spec = np.abs(np.fft.rfft(out.numpy(), axis=1))
    f = np.fft.rfftfreq(3000, 0.01)
    assert np.all(spec[:, f > 30].max(axis=(1, 2)) < 1e-2 * spec.max(axis=(1, 2)))
    assert not np.allclose(out[0], out[0] * 0)


def test_bad_band():
    with pytest.raises(ValueError, match="Nyquist"):
        RandomBandpass(freq_range=(1.0, 80.0))(tf.zeros([1, 100, 3]), tf.zeros([1, 100, 3]), [0, 0])
