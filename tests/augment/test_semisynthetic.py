"""Semi-synthetic pairs: clipped input below the drawn level, target unchanged; denoising pairs."""

from __future__ import annotations

import numpy as np

from zoo.augment import ClipPair, DenoisePair


def test_clip_pair(stead):
    x = stead["x"]
    level = ClipPair(level=(0.05, 0.5)).draw(x, None, [2, 3])["level"].numpy()
    xin, target = ClipPair(level=(0.05, 0.5))(x, stead["y"], [2, 3])
    assert np.all(np.abs(xin.numpy()).max(axis=(1, 2)) <= level + 1e-7)
    assert np.all(np.abs(xin.numpy()).max(axis=(1, 2)) >= level - 1e-7)
    np.testing.assert_array_equal(target, x)
    unclipped = np.abs(x) < level[:, None, None]
    np.testing.assert_array_equal(xin.numpy()[unclipped], x[unclipped])


def test_denoise_pair_targets(stead):
    x = stead["x"][:, :3000]
    xin, sig = DenoisePair(snr_db=(0.0, 0.0))(x, None, [1, 1])
    np.testing.assert_array_equal(sig, x)
    n = xin.numpy() - x
    np.testing.assert_allclose((x**2).mean((1, 2)) / (n**2).mean((1, 2)), 1.0, rtol=1e-3)
    _, noise = DenoisePair(snr_db=(0.0, 0.0), target="noise")(x, None, [1, 1])
    np.testing.assert_allclose(noise, n, atol=1e-6)
    _, mask = DenoisePair(snr_db=(0.0, 0.0), target="mask")(x, None, [1, 1])
    mask = mask.numpy()
    assert mask.min() >= 0 and mask.max() <= 1
    np.testing.assert_allclose(mask, np.abs(x) / (np.abs(x) + np.abs(n) + 1e-30), atol=1e-5)
