"""The folded network's layers and the label reordering: the same numbers as the layers they replace."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.models.phasenet.layers import CropAndConcat, SkipConv1D, SoftmaxOfDifferences, class_pairs
from zoo.models.phasenet.model import build, fold_batch_norm


def _differences(logits: np.ndarray) -> np.ndarray:
    return np.stack([logits[..., j] - logits[..., i] for i, j in class_pairs(logits.shape[-1])], axis=-1)


@pytest.mark.parametrize(("skip_length", "up_length"), [(750, 752), (47, 48), (30, 30)])
def test_skip_convolution_is_the_convolution_of_the_concatenation(skip_length, up_length):
    """Uneven crops included; the same kernel and bias as the Conv1D it replaces."""
    rng = np.random.default_rng(skip_length)
    skip = rng.normal(size=(2, skip_length, 4)).astype(np.float32)
    up = rng.normal(size=(2, up_length, 6)).astype(np.float32)
    conv = keras.layers.Conv1D(5, 7, padding="same", activation="relu")
    direct = conv(CropAndConcat()(skip, up)).numpy()
    fused = SkipConv1D(5, 7, activation="relu")
    fused(skip, up)
    fused.set_weights(conv.get_weights())
    np.testing.assert_allclose(fused(skip, up).numpy(), direct, atol=2e-6)
    with pytest.raises(ValueError, match="'same' convolutions only, got padding='valid'"):
        SkipConv1D(5, 7, padding="valid")


@pytest.mark.parametrize(("skip_length", "up_length"), [(3000, 3000), (750, 752), (30, 34)])
def test_paired_skip_convolution_is_the_skip_convolution(skip_length, up_length):
    """Read in pairs of samples with the mapped kernel (``paired``): the same numbers, bit for bit in
    PhaseNet (the mapped kernel's extra taps are zeros), here to round-off; an odd length is refused."""
    from zoo.models.phasenet.inference import pair_skip_convolutions

    skip, up = keras.Input((skip_length, 8)), keras.Input((up_length, 16))
    model = keras.Model([skip, up], SkipConv1D(8, 7, activation="relu", name="skip")(skip, up))
    model.layers[-1].set_weights([w + 0.1 for w in model.layers[-1].get_weights()])
    copy = pair_skip_convolutions(model)
    assert [layer.name for layer in copy.layers][-1] == "skip_paired" and copy.layers[-1].block == 2
    rng = np.random.default_rng(skip_length)
    x = [
        rng.normal(size=(2, skip_length, 8)).astype("float32"),
        rng.normal(size=(2, up_length, 16)).astype("float32"),
    ]
    np.testing.assert_allclose(copy(x).numpy(), model(x).numpy(), rtol=1e-6, atol=2e-6)
    layer = SkipConv1D.from_config(copy.layers[-1].get_config())
    assert layer.get_config() == copy.layers[-1].get_config()
    with pytest.raises(ValueError, match="reads blocks of 2 samples .* got 749 samples"):
        layer(np.zeros((1, 749, 8), "float32"), np.zeros((1, 752, 16), "float32"))


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_softmax_of_differences_is_the_softmax(classes):
    logits = np.random.default_rng(classes).normal(0, 4, (2, 50, classes)).astype(np.float32)
    got = SoftmaxOfDifferences(classes)(_differences(logits)).numpy()
    np.testing.assert_allclose(got, tf.nn.softmax(logits).numpy(), atol=2e-7)


def test_softmax_of_differences_saturates_without_nan():
    """Differences far beyond exp's float32 range (200, 1e4) give 0 and 1 to within 2e-35, no NaN."""
    logits = np.array([[[0.0, 200.0, -200.0], [1e4, 0.0, 0.0]]], np.float32)
    got = SoftmaxOfDifferences(3)(_differences(logits)).numpy()
    assert not np.isnan(got).any()
    np.testing.assert_allclose(got, [[[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]], rtol=0, atol=2e-35)


@pytest.mark.parametrize("classes", [2, 4])
def test_folded_copy_matches_for_other_class_counts(classes):
    """SeisBench files may have other class counts: the pairwise head is built for any of them."""
    model = build(input_samples=3001, classes=classes, depths=3)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0.1, 0.3, w.shape).astype(np.float32) for w in model.get_weights()])
    for layer in model.layers:  # positive variances for the batch norms
        if "bn" in layer.name:
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma, beta, mean, np.abs(variance) + 0.5])
    x = rng.normal(0, 1, (3, 3001, 3)).astype(np.float32)
    folded = fold_batch_norm(model)
    assert folded.get_layer("output_differences").filters == classes * (classes - 1)
    np.testing.assert_allclose(folded(x).numpy(), model(x).numpy(), atol=2e-6)


def test_postprocess_reorders_exactly_like_a_gather():
    probabilities = np.random.default_rng(1).dirichlet([1, 1, 1], (4, 3000)).astype(np.float32)
    got = zoo.card("phasenet").annotation.postprocess(probabilities).numpy()
    np.testing.assert_array_equal(got, probabilities[..., [1, 2, 0]])
