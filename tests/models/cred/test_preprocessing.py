"""CRED preprocessing: the signed-maximum normalisation of the original, the guard, the output curve."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.models.cred.preprocessing import normalize, postprocess


def test_normalize_divides_by_signed_max_like_original(shared) -> None:
    with np.load(shared / "reference" / "cred_original_stead50.npz") as ref:
        raw = ref["raw"][:5]
    x = raw - raw.mean(axis=1, keepdims=True)
    expected = x / x.max(axis=1, keepdims=True)
    np.testing.assert_allclose(normalize(raw).numpy(), expected, rtol=1e-6, atol=1e-7)
    signed = np.array([[[-10.0], [0.0], [1.0], [5.0]]], "float32")
    out = normalize(signed).numpy()[0, :, 0]
    assert out.max() == pytest.approx(1.0) and out.min() < -1.0


def test_normalize_guards_flat_channels() -> None:
    x = np.zeros((1, 6000, 3), "float32")
    x[0, :, 0] = 0.1
    x[0, :, 2] = np.sin(np.arange(6000))
    out = normalize(x).numpy()
    assert np.isfinite(out).all()
    assert np.abs(out[0, :, :2]).max() < 1e-5
    assert out[0, :, 2].max() == pytest.approx(1.0)


def test_postprocess_is_identity_on_network_output() -> None:
    y = np.random.default_rng(1).random((2, 38, 1)).astype("float32")
    np.testing.assert_array_equal(postprocess(y).numpy(), y)
