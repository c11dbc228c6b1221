"""Inference rewrites of Conv1D: upsampling fused into the convolution, narrow convolutions blocked."""

import keras
import numpy as np
import pytest

import zoo
from zoo.models.conv_rewrites import BlockedConv1D, UpsampledConv1D, rewrite_convolutions
from zoo.models.eqtransformer.model import build


def _copy(conv: keras.layers.Conv1D, make: type, x: np.ndarray, **extra) -> keras.layers.Layer:
    layer = make.from_config({**conv.get_config(), **extra})
    layer(x)
    layer.set_weights(conv.get_weights())
    return layer


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 9, 11])
def test_upsampled_convolution_equals_upsampling_then_convolution(size):
    conv = keras.layers.Conv1D(5, size, padding="same", activation="relu")
    x = np.random.default_rng(size).normal(size=(3, 47, 4)).astype(np.float32)
    direct = conv(keras.layers.UpSampling1D(2)(x)).numpy()
    got = _copy(conv, UpsampledConv1D, x)(x).numpy()
    assert got.shape == direct.shape == (3, 94, 5)
    np.testing.assert_allclose(got, direct, atol=2e-6)


@pytest.mark.parametrize(("size", "block"), [(11, 8), (11, 2), (7, 4), (3, 16), (2, 8)])
def test_blocked_convolution_equals_the_convolution(size, block):
    conv = keras.layers.Conv1D(2, size, padding="same", activation="sigmoid")
    x = np.random.default_rng(size).normal(size=(3, 96, 8)).astype(np.float32)
    direct = conv(x).numpy()
    blocked = _copy(conv, BlockedConv1D, x, block=block)
    np.testing.assert_allclose(blocked(x).numpy(), direct, atol=1e-6)
    assert BlockedConv1D.from_config(blocked.get_config()).block == block


def test_blocked_convolution_refuses_a_length_that_is_not_a_multiple_of_the_block():
    layer = BlockedConv1D(1, 11, padding="same", block=8)
    with pytest.raises(ValueError, match="multiple of block=8; got 100 samples"):
        layer(np.zeros((1, 100, 8), np.float32))


@pytest.mark.parametrize("decoder_crop", ["original", "trailing"])
def test_rewritten_eqtransformer_gives_the_models_outputs(pretrained, decoder_crop):
    """Published weights, and SeisBench's trailing crops (where the crop sits elsewhere in the decoders);
    Monte-Carlo dropout switched on through the model reaches the rewritten network."""
    model = pretrained("eqtransformer") if decoder_crop == "original" else build(decoder_crop="trailing")
    fast = rewrite_convolutions(model)
    kinds = [type(layer).__name__ for layer in fast.layers]
    assert kinds.count("UpsampledConv1D") == 18  # 3 decoders x 7 upsamplings, minus the one before a crop
    assert kinds.count("BlockedConv1D") == 3  # the 8 -> 1 output heads
    x = np.random.default_rng(0).normal(0, 1, (4, 6000, 3)).astype(np.float32)
    outputs = fast(x)
    for got, want in zip(outputs, model(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=2e-6)
    if (
        decoder_crop == "original"
    ):  # the dropout layers are the model's own: the card's MC switch reaches them
        with zoo.card("eqtransformer").annotation.mc_dropout(model):
            assert not np.array_equal(fast(x[:1])[1].numpy(), outputs[1].numpy()[:1])
