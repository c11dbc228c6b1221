"""Inference rewrites of convolutions: each MappedConv1D computes the layer it replaces."""

import keras
import numpy as np
import pytest

import zoo
from zoo.models.conv_rewrites import MappedConv1D, replacement, rewrite_convolutions
from zoo.models.eqtransformer.model import build


def _inputs(seed: int, length: int, channels: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(3, length, channels)).astype(np.float32)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 9, 11])
def test_upsampled_replacement_equals_upsampling_then_convolution(size):
    conv = keras.layers.Conv1D(5, size, padding="same", activation="relu")
    x = _inputs(size, 47, 4)
    direct = conv(keras.layers.UpSampling1D(2)(x)).numpy()
    got = replacement(conv, "upsampled", x)(x).numpy()
    assert got.shape == direct.shape == (3, 94, 5)
    np.testing.assert_allclose(got, direct, atol=2e-6)


@pytest.mark.parametrize(("size", "block"), [(11, 8), (11, 2), (7, 4), (3, 16), (2, 8)])
def test_blocked_replacement_equals_the_convolution(size, block):
    conv = keras.layers.Conv1D(2, size, padding="same", activation="sigmoid")
    x = _inputs(size, 96, 8)
    direct = conv(x).numpy()
    np.testing.assert_allclose(replacement(conv, "blocked", x, block)(x).numpy(), direct, atol=1e-6)


@pytest.mark.parametrize(("size", "activation"), [(7, "relu"), (4, None), (11, "relu")])
def test_paired_replacement_equals_the_convolution(size, activation):
    """Eight filters on pairs of samples: 16 outputs per pair, kernel ``[offsets, 2 x channels, 16]``."""
    conv = keras.layers.Conv1D(8, size, padding="same", activation=activation)
    x = _inputs(size, 60, 3)
    direct = conv(x).numpy()
    layer = replacement(conv, "paired", x)
    assert (layer.phases_in, layer.phases_out) == (2, 2) and layer.kernel.shape[1:] == (6, 16)
    np.testing.assert_allclose(layer(x).numpy(), direct, atol=1e-6)


def test_only_eight_filter_convolutions_over_even_lengths_are_paired_and_only_when_asked():
    inputs = keras.Input((60, 3))
    eight = keras.layers.Conv1D(8, 7, padding="same", activation="relu", name="eight")(inputs)
    wide = keras.layers.Conv1D(16, 7, padding="same", activation="relu", name="wide")(eight)
    odd = keras.layers.Conv1D(8, 7, padding="same", activation="relu", name="odd")(wide[:, 1:])
    model = keras.Model(inputs, odd)
    names = [layer.name for layer in rewrite_convolutions(model, paired=True).layers]
    assert {"eight_paired", "wide_plain", "odd_plain"} <= set(names)
    names = [layer.name for layer in rewrite_convolutions(model, paired=False).layers]
    assert {"eight_plain", "wide_plain", "odd_plain"} <= set(names)
    with pytest.raises(TypeError, match="paired must be True, False or None .* got 'yes'"):
        rewrite_convolutions(model, paired="yes")


def test_pairs_only_where_a_vector_holds_sixteen_floats():
    """AVX-512 oneDNN vectors and no GPU: the default of the inference copies; AVX2 computes singles."""
    from zoo.hardware import avx512_vectors, gpu_compute_capability
    from zoo.models.conv_rewrites import pairs_fill_a_vector

    assert pairs_fill_a_vector() == (avx512_vectors() and gpu_compute_capability() is None)


def test_no_pairs_where_onednn_is_capped_at_avx2(monkeypatch):
    """``ONEDNN_MAX_CPU_ISA=AVX2`` on an AVX-512 machine: oneDNN's vectors hold 8 float32, as on AVX2."""
    from zoo.models.conv_rewrites import pairs_fill_a_vector

    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "avx2")
    assert pairs_fill_a_vector() is False


@pytest.mark.parametrize(("size", "stride"), [(7, 4), (3, 2), (4, 2), (2, 4), (5, 3), (1, 2)])
def test_transposed_replacement_equals_the_transposed_convolution(size, stride):
    """Odd and even kernels, kernels shorter than the stride (TensorFlow's ``same`` padding for each)."""
    conv = keras.layers.Conv1DTranspose(5, size, strides=stride, padding="same", activation="relu")
    x = _inputs(size, 13, 4)
    direct = conv(x).numpy()
    got = replacement(conv, "transposed", x)(x).numpy()
    assert got.shape == direct.shape == (3, 13 * stride, 5)
    np.testing.assert_allclose(got, direct, atol=2e-6)


@pytest.mark.parametrize("size", [1, 2, 7])
def test_plain_replacement_equals_the_convolution_without_a_bias_too(size):
    conv = keras.layers.Conv1D(6, size, padding="same", activation="relu", use_bias=size != 7)
    x = _inputs(size, 30, 3)
    direct = conv(x).numpy()
    layer = replacement(conv, "plain", x)
    np.testing.assert_allclose(layer(x).numpy(), direct, atol=1e-6)
    assert MappedConv1D.from_config(layer.get_config()).get_config() == layer.get_config()


@pytest.mark.parametrize(
    ("size", "stride", "length"), [(7, 4, 3000), (7, 4, 47), (7, 4, 750), (3, 2, 11), (5, 3, 20)]
)
def test_strided_replacement_equals_the_strided_convolution(size, stride, length):
    conv = keras.layers.Conv1D(5, size, strides=stride, padding="same", activation="relu")
    x = _inputs(size + length, length, 4)
    direct = conv(x).numpy()
    layer = replacement(conv, "strided", x)
    got = layer(x).numpy()
    assert got.shape == direct.shape == (3, -(-length // stride), 5)
    assert layer.compute_output_shape(x.shape) == direct.shape
    np.testing.assert_allclose(got, direct, atol=1e-6)
    assert MappedConv1D.from_config(layer.get_config()).strides == stride


def test_only_odd_strided_convolutions_are_replaced():
    inputs = keras.Input((40, 3))
    odd = keras.layers.Conv1D(4, 7, strides=4, padding="same", activation="relu", name="odd")(inputs)
    even = keras.layers.Conv1D(4, 4, strides=2, padding="same", activation="relu", name="even")(odd)
    names = [layer.name for layer in rewrite_convolutions(keras.Model(inputs, even)).layers]
    assert names[1:] == ["odd_strided", "even"]


def test_strides_need_one_sample_per_block():
    with pytest.raises(ValueError, match="strides > 1 needs one sample per block in and out, got 2 and 2"):
        MappedConv1D(8, 3, phases_in=2, phases_out=2, strides=4)


def test_a_blocked_replacement_refuses_a_length_that_is_not_a_multiple_of_the_block():
    conv = keras.layers.Conv1D(1, 11, padding="same", name="head")
    conv.build((None, None, 8))
    with pytest.raises(ValueError, match="head_blocked reads blocks of 8 samples .* got 100 samples"):
        replacement(conv, "blocked", np.zeros((1, 100, 8), np.float32))


@pytest.mark.parametrize("decoder_crop", ["original", "trailing"])
def test_rewritten_eqtransformer_gives_the_models_outputs(pretrained, decoder_crop):
    """Published weights, and SeisBench's trailing crops (where the crop sits elsewhere in the decoders);
    Monte-Carlo dropout switched on through the model reaches the rewritten network."""
    model = pretrained("eqtransformer") if decoder_crop == "original" else build(decoder_crop="trailing")
    fast = rewrite_convolutions(model, paired=True)
    kinds = [layer.name.rsplit("_", 1)[1] for layer in fast.layers if isinstance(layer, MappedConv1D)]
    assert kinds.count("upsampled") == 18  # 3 decoders x 7 upsamplings, minus the one before a crop
    assert kinds.count("blocked") == 3  # the 8 -> 1 output heads
    assert kinds.count("paired") == 1  # the first encoder convolution: 3 -> 8 filters over 6000 samples
    assert kinds.count("plain") == 6 + 3  # the encoder's others and the convolutions after the crops (ReLU)
    upsamplings = [layer for layer in fast.layers if isinstance(layer, keras.layers.UpSampling1D)]
    assert len(upsamplings) == 3  # the ones that feed a crop
    x = np.random.default_rng(0).normal(0, 1, (4, 6000, 3)).astype(np.float32)
    outputs = fast(x)
    for got, want in zip(outputs, model(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=2e-6)
    if (
        decoder_crop == "original"
    ):  # the dropout layers are the model's own: the card's MC switch reaches them
        with zoo.card("eqtransformer").annotation.mc_dropout(model):
            assert not np.array_equal(fast(x[:1])[1].numpy(), outputs[1].numpy()[:1])
