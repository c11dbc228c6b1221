"""EQTransformer preprocessing: normalisation against the reference inputs, output order, input checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zoo.models.eqtransformer.preprocessing import normalize, postprocess, validate_window


def test_normalize_demeans_and_scales_and_keeps_dead_channels_zero() -> None:
    rng = np.random.default_rng(2)
    x = np.stack([rng.normal(5.0, 3.0, 6000), np.full(6000, 7.0), rng.normal(0, 1e-3, 6000)], -1)
    y = normalize(x[None].astype(np.float32)).numpy()[0]
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-5)
    np.testing.assert_allclose(y[:, [0, 2]].std(0), 1.0, atol=1e-5)
    assert np.all(y[:, 1] == 0.0)


def test_normalize_reproduces_reference_input_on_stead(shared: Path) -> None:
    for preset in ("conservative", "original"):
        ref = np.load(shared / "reference" / f"eqt_{preset}_stead50.npz")
        assert np.abs(normalize(ref["raw"]).numpy() - ref["x"]).max() <= 1e-5


def test_normalize_close_to_reference_input_on_ncedc(shared: Path) -> None:
    # The ncedc77 reference inputs were normalised from the float64 records; our float32 path (the
    # original predictor's) differs at float32 accumulation round-off.
    ref = np.load(shared / "reference" / "eqt_original_ncedc77.npz")
    assert np.abs(normalize(ref["raw"]).numpy() - ref["x"]).max() <= 1e-3


def test_postprocess_concatenates_in_label_order() -> None:
    """Exactly the concatenation, sample by sample (it is computed as a product with the identity)."""
    parts = [np.random.default_rng(v).uniform(size=(2, 6000, 1)).astype(np.float32) for v in range(3)]
    out = postprocess(parts).numpy()
    assert out.shape == (2, 6000, 3)
    np.testing.assert_array_equal(out, np.concatenate(parts, axis=-1))
    named = dict(zip(("picker_S", "detector", "picker_P"), (parts[2], parts[0], parts[1])))
    np.testing.assert_array_equal(postprocess(named).numpy(), out)


@pytest.mark.parametrize(
    ("shape", "message"),
    [((2, 3000, 3), "6000 samples"), ((2, 6000, 1), "3 channels"), ((6000,), "shaped")],
)
def test_validate_window_rejects_wrong_shapes(shape: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_window(np.zeros(shape))


def test_validate_window_rejects_nan_and_accepts_single_window() -> None:
    x = np.zeros((6000, 3))
    assert validate_window(x).shape == (1, 6000, 3)
    x[10, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        validate_window(x)
