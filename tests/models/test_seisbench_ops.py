"""SeisBench's window normalisation in TensorFlow against NumPy doing what SeisBench's annotate_batch_pre does."""

import numpy as np
import pytest

from zoo.models.seisbench_ops import curves, detrend, normalize


def _windows():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3000, 3)).astype(np.float32) * np.array([1.0, 50.0, 3e4], np.float32)
    return x + np.linspace(0, 40, 3000, dtype=np.float32)[None, :, None] + 7.0


def _seisbench(x, scale, joint, trend, taper):
    """SeisBench 0.12.6 (phasenet.py/eqtransformer.py/cred.py annotate_batch_pre, gpd.py forward) step by
    step in float64 NumPy: demean, optional linear detrend over t in [-1, 1], division by the unbiased
    std (torch's default) or the peak plus 1e-10, per channel or over the window, and a 6-sample cosine
    taper at both ends."""
    batch = x.transpose(0, 2, 1).astype(np.float64)  # [batch, channels, samples]
    batch = batch - batch.mean(axis=-1, keepdims=True)
    if trend:
        m = batch.mean(axis=-1, keepdims=True)
        t = np.linspace(-1, 1, batch.shape[-1])
        batch = batch - m - ((batch - m) * t).sum(axis=-1, keepdims=True) / (t * t).sum() * t
    axes = (-1, -2) if joint else -1
    if scale == "std":
        batch = batch / (batch.std(axis=axes, ddof=1, keepdims=True) + 1e-10)
    else:
        batch = batch / (np.abs(batch).max(axis=axes, keepdims=True) + 1e-10)
    if taper:
        tap = 0.5 * (1 + np.cos(np.linspace(np.pi, 2 * np.pi, 6)))
        batch[:, :, :6] *= tap
        batch[:, :, -6:] *= tap[::-1]
    return batch.transpose(0, 2, 1)


@pytest.mark.parametrize(
    ("scale", "joint", "trend", "taper"),
    [("std", False, False, 0), ("peak", False, True, 0), ("std", True, False, 6), ("peak", True, False, 0)],
)
def test_normalisation_matches_seisbench(scale, joint, trend, taper):
    x = _windows()
    ours = np.asarray(normalize(x, scale=scale, joint=joint, trend=trend, taper=taper))
    np.testing.assert_allclose(ours, _seisbench(x, scale, joint, trend, taper), rtol=0, atol=2e-5)


def test_zero_windows_stay_zero_and_curves_are_float32():
    assert not np.any(np.asarray(normalize(np.zeros((1, 400, 3), np.float32), joint=True)))
    assert float(np.abs(detrend(np.ones((1, 10, 1), np.float32))).max()) == 0.0
    assert curves(np.ones((1, 2, 3))).dtype.name == "float32"
