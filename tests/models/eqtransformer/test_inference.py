"""EQTransformer's inference network: upsampling fused into the decoders' convolutions, same outputs."""

import keras
import numpy as np
import pytest

import zoo
from zoo.models.eqtransformer.inference import inference_network
from zoo.models.eqtransformer.layers import UpsampledConv1D
from zoo.models.eqtransformer.model import build


@pytest.mark.parametrize("size", [2, 3, 4, 5, 7, 9, 11])
def test_upsampled_convolution_equals_upsampling_then_convolution(size):
    rng = np.random.default_rng(size)
    conv = keras.layers.Conv1D(5, size, padding="same", activation="relu")
    x = rng.normal(size=(3, 47, 4)).astype(np.float32)
    direct = conv(keras.layers.UpSampling1D(2)(x)).numpy()
    fused = UpsampledConv1D.from_config(conv.get_config())
    fused(x)
    fused.set_weights(conv.get_weights())
    got = fused(x).numpy()
    assert got.shape == direct.shape == (3, 94, 5)
    np.testing.assert_allclose(got, direct, atol=2e-6)


@pytest.mark.parametrize("decoder_crop", ["original", "trailing"])
def test_inference_network_gives_the_models_outputs(pretrained, decoder_crop):
    """Published weights, and SeisBench's trailing crops (where the crop sits elsewhere in the decoders)."""
    model = pretrained("eqtransformer") if decoder_crop == "original" else build(decoder_crop="trailing")
    fast = inference_network(model)
    fused = [layer.name for layer in fast.layers if isinstance(layer, UpsampledConv1D)]
    assert len(fused) == 18  # 3 decoders x 7 upsamplings, minus the one followed by a crop in each
    x = np.random.default_rng(0).normal(0, 1, (4, 6000, 3)).astype(np.float32)
    for got, want in zip(fast(x), model(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=2e-6)


def test_monte_carlo_dropout_acts_on_the_inference_network(pretrained):
    """The dropout layers are the model's own, so the card's MC switch reaches the fast network."""
    model = pretrained("eqtransformer")
    fast = inference_network(model)
    x = np.random.default_rng(1).normal(0, 1, (2, 6000, 3)).astype(np.float32)
    with zoo.card("eqtransformer").annotation.mc_dropout(model):
        first, second = fast(x)[1].numpy(), fast(x)[1].numpy()
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(fast(x)[1].numpy(), fast(x)[1].numpy())
