"""Polarity flip and rotation of the horizontals."""

from __future__ import annotations

import numpy as np

from zoo.augment import PolarityFlip, RotateHorizontals


def test_polarity_flip_signs(stead):
    x = stead["x"]
    out, _ = PolarityFlip()(x, stead["y"], [0, 4])
    ratio = out.numpy()[:, 1000, :] / x[:, 1000, :]
    assert set(np.round(ratio).ravel().tolist()) == {-1.0, 1.0}
    assert np.all(ratio.min(1) == ratio.max(1))


def test_rotation_keeps_horizontal_energy_and_vertical(stead):
    x = stead["x"]
    out, _ = RotateHorizontals()(x, stead["y"], [3, 3])
    out = out.numpy()
    np.testing.assert_array_equal(out[:, :, 2], x[:, :, 2])
    np.testing.assert_allclose((out[:, :, :2] ** 2).sum(-1), (x[:, :, :2] ** 2).sum(-1), rtol=1e-4, atol=1e-7)
    assert not np.allclose(out[:, :, 0], x[:, :, 0])
