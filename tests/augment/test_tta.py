"""Test-time augmentation: shifted versions are re-aligned, filters are averaged."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from zoo.augment import tta_predict
from zoo.augment.bandpass import bandpass


def _envelope_model(w):
    """A toy 'model' whose output at output sample i depends only on input sample 2i."""
    return tf.abs(w[:, ::2, :1])


def test_shifts_are_realigned():
    x = np.random.default_rng(1).normal(size=(3, 400, 3)).astype(np.float32)
    out = tta_predict(_envelope_model, x, filters=(None,), shifts=(0.0, 0.2, -0.5))
    np.testing.assert_allclose(out, np.abs(x[:, ::2, :1]), atol=1e-6)
    assert isinstance(out, np.ndarray)


def test_filters_are_averaged_and_max_reduce():
    x = tf.random.normal([2, 400, 3], seed=1)
    out = tta_predict(_envelope_model, x, filters=(None, (1.0, None)))
    expect = 0.5 * (_envelope_model(x) + _envelope_model(bandpass(x, 100.0, 1.0, None)))
    np.testing.assert_allclose(out, expect, atol=1e-6)
    mx = tta_predict(_envelope_model, x, filters=(None, (1.0, None)), reduce="max")
    np.testing.assert_allclose(mx, tf.maximum(_envelope_model(x), _envelope_model(bandpass(x, 100.0, 1.0))))


def test_point_outputs_and_errors():
    x = np.ones((2, 400, 3), np.float32)
    out = tta_predict(lambda w: tf.reduce_mean(w, axis=1), x, filters=(None,), shifts=(0.0, 1.0))
    np.testing.assert_allclose(out, 0.875)
    with pytest.raises(ValueError, match="reduce"):
        tta_predict(_envelope_model, x, reduce="median")
