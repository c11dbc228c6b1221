"""EQTransformer through zoo.load reproduces the original implementation's outputs (both presets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.models.eqtransformer import CARD, mc_dropout

OUTPUTS = ("detector", "picker_P", "picker_S")
BATCH = 16


@pytest.fixture(scope="module", params=["original", "conservative"])
def loaded(request: pytest.FixtureRequest, pretrained):
    model = pretrained("eqtransformer", request.param)
    predict = tf.function(
        lambda x: CARD.annotation.postprocess(model(x, training=False)),
        input_signature=[tf.TensorSpec([None, 6000, 3], tf.float32)],
    )
    return request.param, model, predict


def _run(predict, x: np.ndarray) -> np.ndarray:
    return np.concatenate([predict(x[i : i + BATCH]).numpy() for i in range(0, len(x), BATCH)])


@pytest.mark.parametrize("dataset", ["stead50", "ncedc77"])
def test_outputs_match_reference(loaded, dataset: str, shared: Path) -> None:
    preset, model, predict = loaded
    assert model.zoo_preset == preset and model.zoo_card is CARD
    ref = np.load(shared / "reference" / f"eqt_{preset}_{dataset}.npz")
    out = _run(predict, ref["x"])
    for k, name in enumerate(OUTPUTS):
        assert np.abs(out[..., k] - ref[name]).max() <= 1e-4, name


def test_mc_dropout_spread_matches_reference(loaded, shared: Path) -> None:
    preset, model, predict = loaded
    ref = np.load(shared / "reference" / f"eqt_{preset}_stead50.npz")
    x = ref["x"][:8]
    before = predict(x).numpy()
    with mc_dropout(model):
        draws = np.stack([predict(x).numpy() for _ in range(10)])
    np.testing.assert_array_equal(predict(x).numpy(), before)
    np.testing.assert_array_equal(predict(x).numpy(), before)
    assert np.abs(draws[0] - draws[1]).max() > 1e-3
    assert predict.experimental_get_tracing_count() == 1
    for k, name in enumerate(OUTPUTS):
        ours, theirs = draws[..., k].std(0).mean(), ref[f"mc20_{name}_std"][:8].mean()
        assert theirs / 2.5 < ours < theirs * 2.5, name
        np.testing.assert_allclose(draws[..., k].mean(0), ref[f"mc20_{name}_mean"][:8], atol=0.25)


def test_cached_conversion_gives_identical_weights(loaded) -> None:
    preset, model, _ = loaded
    again = zoo.load("eqtransformer", pretrained=preset)
    assert [w.path for w in again.weights] == [w.path for w in model.weights]
    for ours, cached in zip(model.weights, again.weights):
        np.testing.assert_array_equal(cached.numpy(), ours.numpy(), err_msg=ours.path)
